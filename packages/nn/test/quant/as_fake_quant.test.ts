// TensorQuantizer.asFakeQuant: the one fakeQuant op a quantizer's forward runs, for a layer to
// apply itself (quantized convolutions fuse it with their weight's layout change), or null
// wherever the forward does more than that op or may raise its own error.
import * as tf from '@tensorflow/tfjs-core';
import './helpers/tf.js';
import { describe, expect, it } from 'vitest';
import { QuantDescriptor, jsKernels } from '@pq/core';
import { TensorQuantizer, fakeQuant, setModuleCallHook } from '@pq/nn';

const desc = (o: ConstructorParameters<typeof QuantDescriptor>[0] = {}) => new QuantDescriptor(o);

describe('TensorQuantizer.asFakeQuant', () => {
  it("gives the forward's amax and options: fakeQuant with them is the forward, static and dynamic", () => {
    tf.tidy(() => {
      const w = tf.randomNormal([6, 3, 3, 3], 0, 1, 'float32', 1);
      const perChannel = new TensorQuantizer(desc({ numBits: 6, axis: 0, narrowRange: false }));
      const staticAmax = new TensorQuantizer(desc({ axis: 0, scaleAmax: 0.5 }));
      staticAmax.amax = tf.tidy(() => tf.max(tf.abs(w), [1, 2, 3], true));
      for (const q of [perChannel, staticAmax, new TensorQuantizer(desc({ amax: 0.7 }))]) {
        const plan = q.asFakeQuant(w)!;
        expect(plan).not.toBeNull();
        expect(Array.from(fakeQuant(w, plan.amax, plan.options).dataSync())).toEqual(Array.from((q.call(w) as tf.Tensor).dataSync()));
      }
      expect(perChannel.asFakeQuant(w)!.amax.shape).toEqual([6, 1, 1, 1]);
      expect(perChannel.asFakeQuant(w)!.options).toEqual({ numBits: 6, unsigned: false, narrowRange: false });
    });
  });

  it('is null where the forward does more or may fail on its own', () => {
    tf.tidy(() => {
      const w = tf.randomNormal([4, 2, 3, 3], 0, 1, 'float32', 2);
      const disabled = new TensorQuantizer(desc({ axis: 0 }));
      disabled.disable();
      const calibrating = new TensorQuantizer(desc({ axis: 0 }));
      calibrating.disableQuant();
      calibrating.enableCalib();
      const scaled = new TensorQuantizer(desc({ axis: 0 }));
      scaled.preQuantScale = [1, 2, 3];
      // loadCalibAmax with nothing collected leaves amax NaN, which the forward refuses.
      const nan = new TensorQuantizer(desc({ axis: 0 }));
      nan.loadCalibAmax(undefined, undefined, { strict: false });
      expect(() => nan.call(w)).toThrow(/amax is NaN/);
      const quantizers = [
        disabled, calibrating, scaled, nan,
        new TensorQuantizer(desc({ learnAmax: true, amax: 2 })),
        new TensorQuantizer(desc({ numBits: 4, blockSizes: { [-1]: 3 } })),
        new TensorQuantizer(desc({ numBits: [4, 3], amax: 2 })),
        new TensorQuantizer(desc({ unsigned: true, amax: 2 })),
        new TensorQuantizer(desc({ axis: 1 })),
        new TensorQuantizer(desc({ amax: 2 }), { kernels: { ...jsKernels } }),
      ];
      quantizers.forEach((q, i) => expect(q.asFakeQuant(w), `quantizer ${i}`).toBeNull());
      const plain = new TensorQuantizer(desc({ axis: 0 }));
      expect(plain.asFakeQuant(w)).not.toBeNull();
      const previous = setModuleCallHook((_m, _a, run) => run());
      try {
        expect(plain.asFakeQuant(w)).toBeNull();
      } finally {
        setModuleCallHook(previous);
      }
    });
  });
});
