// A plain CommonJS script: require the built @pq/onnx, import an ONNX file's bytes, run it,
// print the output's shape and the module's state keys as one JSON line.
const { readFileSync } = require('node:fs');
const tf = require('@tensorflow/tfjs-core');
const { importOnnx } = require('@pq/onnx');

const model = importOnnx(readFileSync(process.argv[2]));
const y = tf.tidy(() => model.call(tf.ones([2, 5, 16])));
console.log(JSON.stringify({ shape: y.shape, keys: Object.keys(model.stateDict()).length, inputs: model.inputs }));
