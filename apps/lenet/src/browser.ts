// The demo's browser-safe parts (no file IO, no Node built-ins), for a page that runs the same
// LeNet flow: the models, the data split and batching, evaluation, the QAT schedule, the seeded
// shuffle, the chart specs and the ONNX comparison with a runtime passed in.
export { LeNet, dropout2d, type InputCalibrator } from './lenet/net.js';
export { FLOAT_KEYS, MOMENTUM, lenetModels } from './lenet/models.js';
export {
  CALIB_METHODS, type CalibMethod, amaxOf, type ModelFactory, type QuantModel, type StateDict, type StateTensor, type TrainableModel,
} from './model.js';
export {
  CALIB_BATCH, IMAGE_SIZE, MNIST_MEAN, MNIST_STD, PIXELS, batchesInOrder, calibrationIndices, gather, head, makeSplit,
  normalisePixel, type MnistData, type Split,
} from './data/dataset.js';
export { splitDigits } from './data/digits.js';
export { EVAL_BATCH, NUM_CLASSES, accuracy } from './evaluate.js';
export { QAT_FINAL_FACTOR, QAT_LR_FACTOR, qatLr } from './schedule.js';
export { compareOnnx, type OnnxCheck, type OnnxRuntime } from './onnxCompare.js';
// The pieces the demo shares with pq's other apps.
export {
  EpochShuffler, ONNX_DIFF_TOLERANCE, argmaxRows, cosineLr, digitFilePixels, isTestSample, mulberry32, permutation, type Rng,
} from '@pq/app-kit';
export { METHOD_COLORS, histogramPoints, histogramSpec, type CalibHistogram } from '@pq/app-kit/report';
