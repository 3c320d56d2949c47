// What a web page imports, bundled for the browser by test/browser_bundle.test.ts: a plain
// `import { QuantLinear } from '@pq/nn'`, a forward pass and its gradients.
import * as tf from '@tensorflow/tfjs-core';
import { QuantLinear } from '@pq/nn';

export function run() {
  const layer = new QuantLinear(3, 2);
  const x = tf.tensor2d([[0.5, -1, 2], [1, 0.25, -0.5]]);
  const { value, grads } = tf.variableGrads(() => layer.call(x).square().mean(), layer.parameters());
  return {
    layer: layer.toString(),
    backend: tf.getBackend(),
    loss: value.dataSync()[0],
    gradShapes: Object.values(grads).map((g) => g.shape),
  };
}
