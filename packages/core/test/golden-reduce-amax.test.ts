import { loadGolden } from '@pq/fixtures';
import { describe, it } from 'vitest';
import { jsKernels, reduceAmax } from '../src/index.js';
import { expectBitExact, golden } from './helpers.js';

interface Case {
  x: { shape: number[]; data: number[] };
  axis: number | number[] | null;
  keepDims: boolean;
  out: { shape: number[]; data: number[] };
}

const cases = (loadGolden('reduce_amax') as { cases: Case[] }).cases;

describe('reduce_amax golden', () => {
  for (const c of cases) {
    it(`axis=${JSON.stringify(c.axis)} keepDims=${c.keepDims}`, () => {
      expectBitExact(reduceAmax(golden(c.x), c.axis, c.keepDims), golden(c.out), 'out');
      expectBitExact(jsKernels.reduceAmax(golden(c.x), c.axis, c.keepDims), golden(c.out), 'out');
    });
  }
});
