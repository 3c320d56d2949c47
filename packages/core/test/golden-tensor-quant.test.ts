import { loadGolden } from '@pq/fixtures';
import { describe, it } from 'vitest';
import { fakeTensorQuant, fakeTensorQuantGrad, jsKernels, tensorQuant } from '../src/index.js';
import { expectBitExact, golden } from './helpers.js';

const cases = loadGolden('tensor_quant').cases;

describe('tensor_quant golden (pytorch-quantization 2.2.1)', () => {
  it('has cases', () => {
    if (cases.length < 10) throw new Error(`expected golden cases, got ${cases.length}`);
  });
  for (const c of cases) {
    describe(c.name, () => {
      const x = golden(c.x);
      const amax = golden(c.amax);
      const o = { numBits: c.numBits, unsigned: c.unsigned, narrowRange: c.narrowRange };
      it('fakeTensorQuant is bit-exact', () => {
        expectBitExact(fakeTensorQuant(x, amax, o), golden(c.fake), 'fake');
      });
      it('tensorQuant outputs and scale are bit-exact', () => {
        const r = tensorQuant(x, amax, o);
        expectBitExact(r.outputs, golden(c.quant), 'quant');
        expectBitExact(r.scale, golden(c.scale), 'scale');
      });
      it('STE gradient is bit-exact', () => {
        expectBitExact(fakeTensorQuantGrad(x, amax, golden(c.dy)), golden(c.dx), 'dx');
      });
      it('jsKernels gives the same results', () => {
        expectBitExact(jsKernels.fakeTensorQuant(x, amax, o), golden(c.fake), 'fake');
        expectBitExact(jsKernels.tensorQuant(x, amax, o).outputs, golden(c.quant), 'quant');
      });
      if (c.amax.shape.length === 0) {
        it('a number amax gives the same as a scalar array', () => {
          expectBitExact(fakeTensorQuant(x, c.amax.data[0]!, o), golden(c.fake), 'fake');
        });
      }
    });
  }
});
