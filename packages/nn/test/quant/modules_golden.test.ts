// Every quantized-module case of modules.json through the public API: construct the module
// from the case's arguments, load the case's params (and buffers) with loadStateDict, call it,
// and compare outputs, input gradients and parameter gradients within 1e-5 relative.
import * as tf from '@tensorflow/tfjs-core';
import './helpers/tf.js';
import { describe, expect, it } from 'vitest';
import type { GoldenArray } from '@pq/fixtures';
import { expectClose } from './helpers/golden.js';
import { buildModule, isLstmCell, moduleCases, runModuleCase } from './helpers/module_cases.js';

describe('quantized modules (golden modules cases)', () => {
  for (const c of moduleCases()) {
    it(`${c.name}: output, input gradient and parameter gradients`, () => {
      const m = buildModule(c);
      expect(Object.keys(c.grads).length).toBe(Object.keys(c.params).length);
      tf.tidy(() => {
        const got = runModuleCase(c, m);
        const want: Record<string, GoldenArray> = isLstmCell(c) ? { hy: c.hy, cy: c.cy, dx: c.dx } : { y: c.y, dx: c.dx };
        for (const [k, g] of Object.entries(c.grads)) want[`grad ${k}`] = g;
        expect([...got.keys()]).toEqual(Object.keys(want));
        for (const [k, g] of Object.entries(want)) expectClose(got.get(k)!, g, k);
      });
      m.dispose();
    });
  }
});
