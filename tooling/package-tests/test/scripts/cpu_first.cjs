// A program that runs tfjs on its cpu backend before requiring @pq/nn: pq leaves the backend
// alone and says once that training there is slow.
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
tf.add(tf.scalar(1), tf.scalar(2)).dataSync();
const { Linear, accelerationState } = require('@pq/nn');
new Linear(2, 2).dispose();
require('@pq/nn'); // cached: no second warning
console.log(JSON.stringify({ backend: tf.getBackend(), accelerated: accelerationState().enabled }));
