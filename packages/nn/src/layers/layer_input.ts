// The input checks every layer shares, with messages that name the layer (as its repr) and
// both the expected and the actual shape.
import type * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../module.js';
import { formatShape } from '@pq/core';
import { spatialDimNames } from '../args.js';

/** The layer as PyTorch prints it, for messages: `Conv2d(3, 6, kernel_size=(3, 3), ...)`. */
export function layerName(m: Module): string {
  return `${m.typeName}(${m.extraRepr()})`;
}

/**
 * Checks x is [N, C, sp...] (or unbatched [C, sp...]) with `channels` channels when given;
 * returns true when unbatched.
 */
export function checkChannelsFirst(m: Module, x: tf.Tensor, spatialDims: number, channels?: number): boolean {
  const c = channels === undefined ? 'C' : String(channels);
  const expected = `[N, ${c}, ${spatialDimNames(spatialDims)}] or [${c}, ${spatialDimNames(spatialDims)}]`;
  if (x.rank !== spatialDims + 2 && x.rank !== spatialDims + 1) {
    throw new Error(`${layerName(m)}: expected input ${expected} (rank ${spatialDims + 2} or ${spatialDims + 1}), got shape ${formatShape(x.shape)}`);
  }
  const unbatched = x.rank === spatialDims + 1;
  if (channels !== undefined && x.shape[unbatched ? 0 : 1] !== channels) {
    throw new Error(`${layerName(m)}: expected input ${expected} with ${channels} channels, got shape ${formatShape(x.shape)}`);
  }
  return unbatched;
}
