// Keeps the README example's printed output true.
import { describe, expect, it } from 'vitest';
import {
  QUANT_DESC_8BIT_CONV2D_WEIGHT_PER_CHANNEL, fakeTensorQuant, fakeTensorQuantGrad, ndarray, reduceAmax, scaledE4M3,
  tensorQuant,
} from '../src/index.js';

describe('README example', () => {
  it('prints what the README shows', () => {
    const w = ndarray([0.1, -0.25, 0.5, 1.0, 0.02, -0.04, 0.06, -0.08], [2, 4]);
    const amax = reduceAmax(w);
    expect(amax.shape).toEqual([]);
    expect(Array.from(fakeTensorQuant(w, amax).data)).toEqual([
      0.10236220806837082, -0.25196850299835205, 0.5039370059967041, 1, 0.023622047156095505, -0.03937007859349251,
      0.06299212574958801, -0.07874015718698502,
    ]);
    const amaxC = reduceAmax(w, 1);
    expect(amaxC.shape).toEqual([2, 1]);
    const { outputs, scale } = tensorQuant(w, amaxC);
    expect(Array.from(outputs.data)).toEqual([13, -32, 64, 127, 32, -64, 95, -127]);
    expect(Array.from(scale.data)).toEqual([127, 1587.5]);
    expect(Array.from(fakeTensorQuant(w, amaxC).data)).toEqual([
      0.10236220806837082, -0.25196850299835205, 0.5039370059967041, 1, 0.020157480612397194, -0.04031496122479439,
      0.05984251946210861, -0.07999999821186066,
    ]);
    expect(Array.from(fakeTensorQuantGrad(w, 0.3, ndarray(new Array(8).fill(1), [2, 4])).data)).toEqual([1, 1, 0, 0, 1, 1, 1, 1]);
    expect(Array.from(scaledE4M3(ndarray([0.3, 1.1, 300, 1000])).data)).toEqual([0.3125, 1.125, 288, 448]);
    expect(String(QUANT_DESC_8BIT_CONV2D_WEIGHT_PER_CHANNEL)).toBe('QuantDescriptor(8bit fake axis=0)');
    expect(JSON.stringify(QUANT_DESC_8BIT_CONV2D_WEIGHT_PER_CHANNEL)).toBe('{"numBits":8,"name":null,"axis":0}');
  });
  it('doc-comment examples hold', () => {
    const r = tensorQuant(ndarray([0.5, -1, 2]), 2);
    expect(Array.from(r.outputs.data)).toEqual([32, -64, 127]);
    expect(Array.from(r.scale.data)).toEqual([63.5]);
    expect(Array.from(fakeTensorQuant(ndarray([0.3, -1]), 1).data)).toEqual([0.29921260476112366, -1]);
  });
});
