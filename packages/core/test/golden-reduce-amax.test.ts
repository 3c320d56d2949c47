import { loadGolden } from '@pq/fixtures';
import { describe, it } from 'vitest';
import { jsKernels, reduceAmax } from '../src/index.js';
import { expectBitExact, golden } from './helpers.js';

const cases = loadGolden('reduce_amax').cases;

describe('reduce_amax golden', () => {
  for (const c of cases) {
    it(`axis=${JSON.stringify(c.axis)} keepDims=${c.keepDims}`, () => {
      expectBitExact(reduceAmax(golden(c.x), c.axis, c.keepDims), golden(c.out), 'out');
      expectBitExact(jsKernels.reduceAmax(golden(c.x), c.axis, c.keepDims), golden(c.out), 'out');
    });
  }
});
