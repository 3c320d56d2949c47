// Run: npx tsx examples/quickstart.ts (after `npx tsc -p tsconfig.build.json`)
import {
  QUANT_DESC_8BIT_CONV2D_WEIGHT_PER_CHANNEL, fakeTensorQuant, fakeTensorQuantGrad, ndarray, reduceAmax, scaledE4M3,
  tensorQuant,
} from '@pq/core';
import type { NDArray } from '@pq/core';

const show = (a: NDArray) => `[${Array.from(a.data).join(', ')}]`;

// A 2x4 "weight": one row per output channel.
const w = ndarray([0.1, -0.25, 0.5, 1.0, 0.02, -0.04, 0.06, -0.08], [2, 4]);

// Per-tensor 8-bit: amax = max|w|.
const amax = reduceAmax(w);
console.log('amax', amax.shape, show(amax));
console.log('fake per-tensor ', show(fakeTensorQuant(w, amax)));

// Per output channel (axis 0 keeps its own amax): reduce over every other axis, keepDims.
const amaxC = reduceAmax(w, 1);
console.log('amax per-channel', amaxC.shape, show(amaxC));
const { outputs, scale } = tensorQuant(w, amaxC);
console.log('int8 values     ', show(outputs));
console.log('scale           ', show(scale));
console.log('fake per-channel', show(fakeTensorQuant(w, amaxC)));

// Straight-through gradient: passes where |x| <= amax.
console.log('STE grad        ', show(fakeTensorQuantGrad(w, 0.3, ndarray(new Array(8).fill(1), [2, 4]))));

// FP8 E4M3 and a descriptor.
console.log('e4m3            ', show(scaledE4M3(ndarray([0.3, 1.1, 300, 1000]))));
console.log(String(QUANT_DESC_8BIT_CONV2D_WEIGHT_PER_CHANNEL), JSON.stringify(QUANT_DESC_8BIT_CONV2D_WEIGHT_PER_CHANNEL));
