// The torch.onnx exports (test/fixtures/make_models.py): each imports, gives ONNX Runtime's
// outputs within 1e-4 (at two batch sizes where the batch is symbolic), keeps PyTorch's
// state-dict keys where the file kept them, and exports back to a model ORT runs to the same
// outputs within 1e-5 (at opset 13 and 17). Memory stays flat across calls and dispose.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { exportOnnx } from '@pq/nn';
import { importOnnx } from '../src/index.js';
import { fixture, maxAbsDiff, runOrt, seeded } from './helpers.js';

/** torchvision's ResNet-18 state-dict keys, in its order. */
function resnet18Keys(): string[] {
  const bn = (p: string) => ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked'].map((k) => `${p}.${k}`);
  const keys = ['conv1.weight', ...bn('bn1')];
  for (let l = 1; l <= 4; l++) {
    for (let b = 0; b < 2; b++) {
      const p = `layer${l}.${b}`;
      keys.push(`${p}.conv1.weight`, ...bn(`${p}.bn1`), `${p}.conv2.weight`, ...bn(`${p}.bn2`));
      if (b === 0 && l > 1) keys.push(`${p}.downsample.0.weight`, ...bn(`${p}.downsample.1`));
    }
  }
  return [...keys, 'fc.weight', 'fc.bias'];
}

const MODELS = [
  { file: 'resnet18_op13.onnx', shape: [2, 3, 32, 32], batches: [2] },
  { file: 'resnet18_op17_dynamic.onnx', shape: [0, 3, 32, 32], batches: [1, 3] },
  { file: 'mobilenet_v2_op17_dynamic.onnx', shape: [0, 3, 32, 32], batches: [1, 3] },
  { file: 'transformer_op13_dynamic.onnx', shape: [0, 5, 16], batches: [1, 4] },
  { file: 'transformer_op17.onnx', shape: [2, 5, 16], batches: [2] },
] as const;

describe('importOnnx: models exported by torch.onnx', () => {
  it.each(MODELS.map((m) => [m.file, m] as const))('%s: ORT outputs within 1e-4, exports back within 1e-5', async (file, m) => {
    const bytes = fixture(file);
    const before = tf.memory().numTensors;
    const model = importOnnx(bytes);
    const dynamic = m.batches.length > 1;
    expect(model.inputs).toEqual([{ name: 'input', dtype: 'float32', shape: [dynamic ? 'batch' : m.shape[0], ...m.shape.slice(1)] }]);
    const afterImport = tf.memory().numTensors;
    for (const batch of m.batches) {
      const x = seeded([batch, ...m.shape.slice(1)], batch);
      const [ref] = await runOrt(bytes, [x]);
      const y = tf.tidy(() => model.call(x) as tf.Tensor);
      expect(y.shape).toEqual(ref!.dims);
      expect(maxAbsDiff(y.dataSync(), ref!.data)).toBeLessThanOrEqual(1e-4);
      y.dispose();
      // Export at the first batch size; with a symbolic batch the exported model takes the others.
      if (batch === m.batches[0]) {
        for (const opset of [13, 17]) {
          const exported = exportOnnx(model, x, { opset, dynamicBatch: dynamic, inputNames: ['input'], outputNames: ['output'] });
          for (const b of m.batches) {
            const xb = seeded([b, ...m.shape.slice(1)], b);
            const [orig] = await runOrt(bytes, [xb]);
            const [back] = await runOrt(exported, [xb]);
            expect(back!.dims).toEqual(orig!.dims);
            expect(maxAbsDiff(back!.data, orig!.data)).toBeLessThanOrEqual(1e-5);
            xb.dispose();
          }
        }
      }
      x.dispose();
    }
    expect(tf.memory().numTensors).toBe(afterImport);
    if (file === 'resnet18_op13.onnx') expect(Object.keys(model.stateDict())).toEqual(resnet18Keys());
    if (file.startsWith('transformer')) {
      const keys = Object.keys(model.stateDict());
      for (const k of ['layers.0.linear1.weight', 'layers.0.linear1.bias', 'layers.1.linear2.bias', 'layers.0.self_attn.out_proj.weight', 'layers.1.norm2.weight', 'layers.1.norm2.bias']) {
        expect(keys).toContain(k);
      }
    }
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names layers from the initializers, else from the nodes: torchvision paths in both exports', () => {
    const folded = importOnnx(fixture('resnet18_op17_dynamic.onnx'));
    // Batch norms folded into the convolutions (onnx::Conv_ initializers): names from the node scopes.
    const names = [...folded.namedModules()].map(([n, m]) => `${n}:${m.typeName}`);
    expect(names).toContain('layer1.0.conv1:Conv2d');
    expect(names).toContain('layer1.0.relu:ReLU');
    expect(names).toContain('layer1.0.relu_1:ReLU');
    expect(names).toContain('layer2.0.downsample.0:Conv2d');
    expect(names).toContain('avgpool:AdaptiveAvgPool2d');
    expect(names).toContain('fc:Linear');
    folded.dispose();
    const mobile = importOnnx(fixture('mobilenet_v2_op17_dynamic.onnx'));
    const mobileNames = [...mobile.namedModules()].map(([n, m]) => `${n}:${m.typeName}`);
    expect(mobileNames).toContain('features.1.conv.0.0:Conv2d');
    expect(mobileNames).toContain('features.1.conv.0.2:ReLU6');
    expect(mobileNames).toContain('classifier.1:Linear');
    mobile.dispose();
  });
});
