import * as tf from '@tensorflow/tfjs-core';
import './helpers/tf.js';
import { describe, expect, it } from 'vitest';
import { QuantDescriptor } from '@pq/core';
import { StateDictError, TensorQuantizer, fakeE4M3 } from '@pq/nn';

const desc = (o: ConstructorParameters<typeof QuantDescriptor>[0] = {}) => new QuantDescriptor(o);
const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('TensorQuantizer settings and stages', () => {
  it('prints its state the way the reference repr does', () => {
    const q = new TensorQuantizer();
    expect(q.toString()).toBe('TensorQuantizer(8bit fake per-tensor amax=dynamic calibrator=MaxCalibrator scale=1.0 quant)');
    const w = new TensorQuantizer(desc({ numBits: 4, unsigned: true, narrowRange: true, axis: 0, scaleAmax: 0.5 }));
    w.amax = [1, 2.5];
    expect(w.toString()).toBe(
      'TensorQuantizer(unsigned 4bit narrow fake axis=0 amax=[1.0000, 2.5000](2) *0.5 calibrator=MaxCalibrator scale=1.0 quant)',
    );
    const l = new TensorQuantizer(desc({ learnAmax: true, amax: 2, calibMethod: 'histogram' }));
    expect(l.toString()).toBe(
      'TensorQuantizer(8bit fake per-tensor amax=2.0000 learned calibrator=HistogramCalibrator scale=1.0 quant clip\n' +
        '  (clip): Clip()\n)',
    );
    const d = new TensorQuantizer(desc(), { disabled: true });
    expect(d.toString()).toBe('TensorQuantizer(disabled)');
    for (const m of [q, w, l, d]) m.dispose();
  });

  it('exposes maxBound and stepSize like the reference', () => {
    const q = new TensorQuantizer(desc({ numBits: 4, unsigned: true }));
    expect(q.maxBound).toBe(15);
    expect(q.stepSize).toBeNull();
    q.amax = 3;
    const step = q.stepSize!;
    expect(step.dataSync()[0]).toBeCloseTo(0.2, 7);
    step.dispose();
    expect(new TensorQuantizer(desc({ numBits: [4, 3] })).maxBound).toBe(448);
    expect(new TensorQuantizer(desc({ numBits: 8 })).maxBound).toBe(127);
    q.dispose();
  });

  it('creates _amax with the amax setter and refuses a change of shape', () => {
    const q = new TensorQuantizer(desc({ axis: 0 }));
    expect(q.amax).toBeNull();
    expect(Object.keys(q.stateDict())).toEqual([]);
    q.amax = { data: new Float32Array([1, 2, 3]), shape: [3, 1] };
    expect(q.amax!.shape).toEqual([3, 1]);
    expect(Object.keys(q.stateDict())).toEqual(['_amax']);
    q.amax = tf.tensor([[4], [5], [6]]);
    expect(values(q.amax!)).toEqual([4, 5, 6]);
    expect(() => (q.amax = 1)).toThrow(/Changing shape when setting amax is not allowed.*\[3, 1\].*\[\]/);
    q.dispose();
  });

  it('uses a static amax instead of the batch max, and scaleAmax on top', () => {
    tf.tidy(() => {
      const x = tf.tensor([0.5, 1, 4]);
      const q = new TensorQuantizer(desc({ amax: 1 }));
      // 4 clips to 1 with the static amax; dynamic amax would keep it.
      expect(values(q.call(x) as tf.Tensor)).toEqual([Math.fround(64 / 127), 1, 1]);
      const s = new TensorQuantizer(desc({ scaleAmax: 0.25 }));
      expect(values(s.call(x) as tf.Tensor)).toEqual([Math.fround(64 / 127), 1, 1]);
      q.dispose();
      s.dispose();
    });
  });

  it('multiplies by preQuantScale first, saving it as _pre_quant_scale', () => {
    const q = new TensorQuantizer(desc(), { disabled: true });
    q.preQuantScale = [2, 0.5];
    tf.tidy(() => {
      expect(values(q.call(tf.tensor([[1, 4]])) as tf.Tensor)).toEqual([2, 2]);
    });
    expect(Object.keys(q.stateDict())).toEqual(['_pre_quant_scale']);
    expect(() => (q.preQuantScale = [1, 2, 3])).toThrow(/\[2\].*\[3\]/);
    q.dispose();
  });

  it('returns the input untouched when disabled or with quantization off', () => {
    tf.tidy(() => {
      const x = tf.tensor([0.1234, -2]);
      const q = new TensorQuantizer(desc({ numBits: 2 }));
      q.disable();
      expect(q.call(x)).toBe(x);
      q.enable();
      q.disableQuant();
      expect(q.call(x)).toBe(x);
      q.enableQuant();
      expect(values(q.call(x) as tf.Tensor)).toEqual([0, -2]);
    });
  });

  it('quantizes per axis with a dynamic amax per channel', () => {
    tf.tidy(() => {
      const q = new TensorQuantizer(desc({ numBits: 2, axis: -1 }));
      // per column: amax 1 and 4; 2-bit signed has levels {-1, 0, 1} * amax.
      expect(values(q.call(tf.tensor([[0.6, 4], [-1, 1]])) as tf.Tensor)).toEqual([1, 4, -1, 0]);
    });
  });

  it('runs E4M3 for numBits [4, 3]', () => {
    tf.tidy(() => {
      const x = tf.tensor([0.3, -1.7, 2.9]);
      const q = new TensorQuantizer(desc({ numBits: [4, 3], amax: 3 }));
      expect(values(q.call(x) as tf.Tensor)).toEqual(values(fakeE4M3(x, 3)));
      expect(q.toString()).toContain('(4, 3)bit');
      q.dispose();
    });
  });

  it('keeps the scale in real mode (always narrow range)', () => {
    const q = new TensorQuantizer(desc({ fakeQuant: false, narrowRange: false }));
    expect(q.scale).toBeNull();
    tf.tidy(() => {
      expect(values(q.call(tf.tensor([-2, 1])) as tf.Tensor)).toEqual([-127, 64]);
    });
    expect((q.scale as tf.Tensor).dataSync()[0]).toBe(63.5);
    expect(q.toString()).toContain('scale=63.5000');
    q.dispose();
  });
});

describe('TensorQuantizer calibration', () => {
  it('collects with calibration on, then loads the max as amax', () => {
    const q = new TensorQuantizer(desc({ axis: 0 }));
    q.disableQuant();
    q.enableCalib();
    tf.tidy(() => {
      q.call(tf.tensor([[1, -3], [2, 0.5]]));
      q.call(tf.tensor([[-4, 0], [1, 1]]));
    });
    expect(q.collectedBatches).toBe(2);
    q.loadCalibAmax();
    expect(q.amax!.shape).toEqual([2, 1]);
    expect(values(q.amax!)).toEqual([4, 2]);
    q.dispose();
  });

  it('loads a histogram amax by method', () => {
    const q = new TensorQuantizer(desc({ calibMethod: 'histogram' }), { ifQuant: false, ifCalib: true });
    tf.tidy(() => q.call(tf.linspace(-1, 1, 1001)));
    expect(() => q.loadCalibAmax()).toThrow(/needs a method/);
    q.loadCalibAmax('percentile', { percentile: 100 });
    // The edge where the cdf reaches 1: the last bin's lower edge, 1 - 1/2048.
    expect(q.amax!.dataSync()[0]).toBe(1 - 1 / 2048);
    q.dispose();
  });

  it('refuses loadCalibAmax with nothing collected, or sets NaN when not strict', () => {
    const q = new TensorQuantizer();
    expect(() => q.loadCalibAmax()).toThrow(/not collected any tensor/);
    q.loadCalibAmax(undefined, undefined, { strict: false });
    expect(Number.isNaN(q.amax!.dataSync()[0])).toBe(true);
    q.dispose();
  });

  it('refuses histogram calibration with an axis', () => {
    expect(() => new TensorQuantizer(desc({ calibMethod: 'histogram', axis: 0 }))).toThrow(/axis must be null/);
  });
});

describe('TensorQuantizer learned amax (clip stage)', () => {
  it('refuses enableClip without learnAmax', () => {
    const q = new TensorQuantizer();
    expect(() => q.enableClip()).toThrow(/learnAmax is false, cannot enable clip/);
    expect(() => new TensorQuantizer(desc(), { ifClip: true })).toThrow(/learnAmax is false/);
    expect(() => q.initLearnAmax()).toThrow(/learnAmax false/);
  });

  it('creates clip parameters from the descriptor amax and copies a static amax with initLearnAmax', () => {
    const q = new TensorQuantizer(desc({ learnAmax: true, amax: 2 }));
    expect(q.ifClip).toBe(true);
    expect(Object.keys(q.stateDict())).toEqual(['_amax', 'clip.clip_value_min', 'clip.clip_value_max']);
    expect([...q.namedParameters()].map(([n]) => n)).toEqual(['clip.clip_value_min', 'clip.clip_value_max']);
    q.amax = 3;
    q.initLearnAmax();
    expect(values(q.clip!.clip_value_min)).toEqual([-3]);
    expect(values(q.clip!.clip_value_max)).toEqual([3]);
    q.disableClip();
    expect((q.clip!.clip_value_max as tf.Variable).trainable).toBe(false);
    q.enableClip();
    expect((q.clip!.clip_value_max as tf.Variable).trainable).toBe(true);
    q.dispose();
  });
});

describe('TensorQuantizer state dict', () => {
  it('creates _amax and _pre_quant_scale when a state dict brings them', () => {
    const q = new TensorQuantizer(desc({ axis: 0 }));
    q.loadStateDict({
      _amax: { data: new Float32Array([1, 2]), shape: [2, 1] },
      _pre_quant_scale: { data: new Float32Array([3]), shape: [1] },
    });
    expect(q.amax!.shape).toEqual([2, 1]);
    expect(values(q.preQuantScale!)).toEqual([3]);
    expect(() => q.loadStateDict({ _amax: { data: new Float32Array([1]), shape: [] } }, { strict: false })).toThrow(StateDictError);
    expect(() => q.loadStateDict({})).toThrow(/missing keys: _amax, _pre_quant_scale/);
    q.dispose();
  });

  it('loads the learned clip range by its PyTorch names', () => {
    const q = new TensorQuantizer(desc({ learnAmax: true }));
    q.loadStateDict({
      'clip.clip_value_min': { data: new Float32Array([-0.5]), shape: [] },
      'clip.clip_value_max': { data: new Float32Array([0.75]), shape: [] },
    });
    tf.tidy(() => {
      // amax = max(0.5, 0.75); 2 clips to 0.75.
      expect(q.call(tf.tensor([2])).dataSync()[0]).toBe(0.75);
    });
    q.dispose();
  });

  it('refuses unknown constructor options', () => {
    expect(() => new TensorQuantizer(desc(), { ifQuantize: true } as never)).toThrow(/unknown option 'ifQuantize'/);
    expect(() => new TensorQuantizer({ numBits: 8 } as never)).toThrow(/must be a QuantDescriptor/);
  });
});
