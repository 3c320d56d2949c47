import { describe, expect, it } from 'vitest';
import {
  QUANT_DESC_8BIT_CONV1D_WEIGHT_PER_CHANNEL, QUANT_DESC_8BIT_CONV2D_WEIGHT_PER_CHANNEL,
  QUANT_DESC_8BIT_CONV3D_WEIGHT_PER_CHANNEL, QUANT_DESC_8BIT_CONVTRANSPOSE1D_WEIGHT_PER_CHANNEL,
  QUANT_DESC_8BIT_CONVTRANSPOSE2D_WEIGHT_PER_CHANNEL, QUANT_DESC_8BIT_CONVTRANSPOSE3D_WEIGHT_PER_CHANNEL,
  QUANT_DESC_8BIT_LINEAR_WEIGHT_PER_ROW, QUANT_DESC_8BIT_PER_TENSOR, QUANT_DESC_UNSIGNED_8BIT_PER_TENSOR,
  QuantDescriptor, type QuantDescriptorOptions,
} from '../src/index.js';

describe('QuantDescriptor defaults', () => {
  it('has the reference defaults', () => {
    const d = new QuantDescriptor();
    expect(d.numBits).toBe(8);
    expect(d.name).toBeNull();
    expect(d.fakeQuant).toBe(true);
    expect(d.axis).toBeNull();
    expect(d.amax).toBeNull();
    expect(d.learnAmax).toBe(false);
    expect(d.scaleAmax).toBeNull();
    expect(d.calibMethod).toBe('max');
    expect(d.unsigned).toBe(false);
    expect(d.narrowRange).toBe(false);
    expect(d.isE4M3).toBe(false);
    expect(Object.isFrozen(d)).toBe(true);
  });
  it('stores amax as float32 and accepts E4M3 bits', () => {
    expect(new QuantDescriptor({ amax: 0.1 }).amax).toBe(Math.fround(0.1));
    expect(new QuantDescriptor({ amax: [0.1, 2] }).amax).toEqual([Math.fround(0.1), 2]);
    expect(new QuantDescriptor({ amax: Float32Array.of(3) }).amax).toEqual([3]);
    const e = new QuantDescriptor({ numBits: [4, 3] });
    expect(e.isE4M3).toBe(true);
    expect(e.numBits).toEqual([4, 3]);
  });
});

describe('QuantDescriptor errors (as the reference)', () => {
  const bad = (o: unknown) => () => new QuantDescriptor(o as QuantDescriptorOptions);
  it('numBits outside 2..16 (1..16 unsigned), at construction', () => {
    expect(bad({ numBits: -1 })).toThrow('QuantDescriptor: numBits must be an integer in 2..16 for signed quantization, got -1');
    expect(bad({ numBits: 17, unsigned: true })).toThrow(/1..16 for unsigned quantization, got 17/);
  });
  it('numBits neither an integer nor [4, 3]', () => {
    expect(bad({ numBits: 2.5 })).toThrow(/numBits must be an integer or \[4, 3\]/);
    expect(bad({ numBits: [5, 2] })).toThrow(/got array \[5, 2\]/);
    expect(bad({ numBits: '8' })).toThrow(/got string '8'/);
  });
  it('name not a string', () => {
    expect(bad({ name: 3 })).toThrow('QuantDescriptor: name must be a string or null, got 3');
  });
  it('learnAmax with an axis', () => {
    expect(bad({ learnAmax: true, axis: 0 })).toThrow(/axis must be null when learnAmax is true/);
  });
  it('amax of another type', () => {
    expect(bad({ amax: '1' })).toThrow("QuantDescriptor: amax must be a number, a list of numbers or a typed array, got string '1'");
    expect(bad({ amax: [1, 'a'] })).toThrow(/amax must be/);
  });
  it('unknown options', () => {
    expect(bad({ numBits: 8, foo: 1, bar: 2 })).toThrow("QuantDescriptor: unknown options 'foo', 'bar' (accepted: numBits, name, ");
  });
  it('pq extras: wrong types for booleans, axis, scaleAmax and calibMethod', () => {
    expect(bad({ unsigned: 'yes' })).toThrow("QuantDescriptor: option 'unsigned' must be a boolean, got string 'yes'");
    expect(bad({ axis: 0.5 })).toThrow(/axis must be an integer/);
    expect(bad({ scaleAmax: '2' })).toThrow(/scaleAmax must be a finite number > 0 or null, got string '2'/);
    expect(bad({ calibMethod: 'entropy' })).toThrow(`calibMethod must be "max" or "histogram", got string 'entropy'`);
  });
});

describe('QuantDescriptor serialisation', () => {
  it('holds numBits and name always, other fields only when not default', () => {
    expect(new QuantDescriptor().toJSON()).toEqual({ numBits: 8, name: null });
    const d = new QuantDescriptor({
      numBits: 4, name: 'w', fakeQuant: false, axis: [0, 1], amax: [1, 2], scaleAmax: 0.5,
      calibMethod: 'histogram', unsigned: true, narrowRange: true,
    });
    expect(d.toJSON()).toEqual({
      numBits: 4, name: 'w', fakeQuant: false, axis: [0, 1], amax: [1, 2], scaleAmax: 0.5,
      calibMethod: 'histogram', unsigned: true, narrowRange: true,
    });
    expect(new QuantDescriptor({ learnAmax: true, amax: 2 }).toJSON()).toEqual({ numBits: 8, name: null, amax: 2, learnAmax: true });
  });
  it('round-trips through JSON and equals', () => {
    for (const o of [{}, { numBits: [4, 3] }, { axis: 1, amax: [0.5, 0.25], unsigned: true }, { learnAmax: true, name: 'x' }]) {
      const d = new QuantDescriptor(o as QuantDescriptorOptions);
      const back = QuantDescriptor.fromJSON(JSON.parse(JSON.stringify(d)));
      expect(back.equals(d)).toBe(true);
      expect(back.toJSON()).toEqual(d.toJSON());
    }
    expect(new QuantDescriptor({ axis: 0 }).equals(new QuantDescriptor({ axis: 1 }))).toBe(false);
    expect(new QuantDescriptor({ amax: [1, 2] }).equals(new QuantDescriptor({ amax: [1, 3] }))).toBe(false);
  });
  it("reads the reference's snake_case dict", () => {
    const d = QuantDescriptor.fromJSON({ num_bits: 8, name: null, fake_quant: false, narrow_range: true, scale_amax: 2 });
    expect(d.equals(new QuantDescriptor({ fakeQuant: false, narrowRange: true, scaleAmax: 2 }))).toBe(true);
    expect(() => QuantDescriptor.fromJSON({ numBits: 8, bogus: true })).toThrow("unknown option 'bogus'");
    expect(() => QuantDescriptor.fromJSON(null)).toThrow(/needs an object/);
  });
  it('with() changes fields and keeps the rest', () => {
    const d = QUANT_DESC_8BIT_PER_TENSOR.with({ amax: 3 });
    expect(d.amax).toBe(3);
    expect(d.numBits).toBe(8);
    expect(QUANT_DESC_8BIT_PER_TENSOR.amax).toBeNull();
  });
});

describe('QuantDescriptor toString', () => {
  it('prints like the reference', () => {
    expect(String(QUANT_DESC_8BIT_PER_TENSOR)).toBe('QuantDescriptor(8bit fake per-tensor)');
    expect(String(QUANT_DESC_UNSIGNED_8BIT_PER_TENSOR)).toBe('QuantDescriptor(unsigned 8bit fake per-tensor)');
    expect(String(QUANT_DESC_8BIT_LINEAR_WEIGHT_PER_ROW)).toBe('QuantDescriptor(8bit fake axis=0)');
    expect(String(new QuantDescriptor({ name: 'w', numBits: 4, fakeQuant: false, axis: [0, 2], amax: [1, 2] }))).toBe(
      'w: (4bit real axis=(0, 2) amax=[1.00e+00 2.00e+00])',
    );
    expect(String(new QuantDescriptor({ numBits: [4, 3], learnAmax: true, amax: 448, scaleAmax: 0.5 }))).toBe(
      'QuantDescriptor((4, 3)bit fake per-tensor amax=4.48e+02 learn_amax scale_amax=0.5)',
    );
    expect(String(new QuantDescriptor({ amax: [1, 2, 3, 4] }))).toBe('QuantDescriptor(8bit fake per-tensor amax=[1.00e+00 ... 4.00e+00])');
  });
});

describe('predefined descriptors', () => {
  it('match the reference', () => {
    expect(QUANT_DESC_8BIT_PER_TENSOR.equals(new QuantDescriptor({ numBits: 8 }))).toBe(true);
    expect(QUANT_DESC_UNSIGNED_8BIT_PER_TENSOR.unsigned).toBe(true);
    for (const d of [QUANT_DESC_8BIT_CONV1D_WEIGHT_PER_CHANNEL, QUANT_DESC_8BIT_CONV2D_WEIGHT_PER_CHANNEL,
      QUANT_DESC_8BIT_CONV3D_WEIGHT_PER_CHANNEL, QUANT_DESC_8BIT_LINEAR_WEIGHT_PER_ROW]) {
      expect(d.axis).toBe(0);
      expect(d.numBits).toBe(8);
    }
    for (const d of [QUANT_DESC_8BIT_CONVTRANSPOSE1D_WEIGHT_PER_CHANNEL, QUANT_DESC_8BIT_CONVTRANSPOSE2D_WEIGHT_PER_CHANNEL,
      QUANT_DESC_8BIT_CONVTRANSPOSE3D_WEIGHT_PER_CHANNEL]) {
      expect(d.axis).toBe(1);
    }
  });
});
