// The demo's browser-safe parts (no file IO, no Node built-ins), for a page that runs the same
// LeNet flow: the models, the data split and batching, evaluation, the QAT schedule, the seeded
// shuffle, the chart specs and the ONNX comparison with a runtime passed in.
export { LeNet, dropout2d, type InputCalibrator } from './lenet/net.js';
export { FLOAT_KEYS, MOMENTUM, lenetModels } from './lenet/models.js';
export {
  CALIB_METHODS, type CalibMethod, type ModelFactory, type QuantModel, type StateDict, type StateTensor, type TrainableModel,
} from './model.js';
export {
  CALIB_BATCH, IMAGE_SIZE, MNIST_MEAN, MNIST_STD, PIXELS, batchesInOrder, calibrationIndices, gather, head, makeSplit,
  normalisePixel, type MnistData, type Split,
} from './data/dataset.js';
export { digitFilePixels, isTestSample, splitDigits } from './data/digits.js';
export { EVAL_BATCH, NUM_CLASSES, accuracy, argmaxRows } from './evaluate.js';
export { QAT_FINAL_FACTOR, QAT_LR_FACTOR, cosineLr, qatLr } from './schedule.js';
export { EpochShuffler, mulberry32, permutation, type Rng } from './shuffle.js';
export { METHOD_COLORS, histogramPoints, histogramSpec, type CalibHistogram } from './report/charts.js';
export { compareOnnx, type OnnxCheck, type OnnxRuntime } from './onnxCompare.js';
export { ONNX_DIFF_TOLERANCE } from './summary.js';
