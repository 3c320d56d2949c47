// The input checks every layer shares, with messages that name the layer (as its repr) and
// both the expected and the actual shape.
import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../module.js';
import { describeValue, formatShape } from '@pq/core';
import { spatialDimNames } from '../args.js';

/** The layer as PyTorch prints it, for messages: `Conv2d(3, 6, kernel_size=(3, 3), ...)`. */
export function layerName(m: Module): string {
  return `${m.typeName}(${m.extraRepr()})`;
}

/** Throws unless x is a tf.Tensor, naming the layer and what it got. */
export function checkTensorInput(m: Module, x: unknown): asserts x is tf.Tensor {
  if (!(x instanceof tf.Tensor)) throw new TypeError(`${layerName(m)}: expected a tf.Tensor input, got ${describeValue(x)}`);
}

/** Checks x is a tensor [..., features] (Linear's input). */
export function checkFeaturesLast(m: Module, x: tf.Tensor, features: number): void {
  checkTensorInput(m, x);
  if (x.rank < 1 || x.shape[x.rank - 1] !== features) {
    throw new Error(`${layerName(m)}: expected input [..., ${features}], got shape ${formatShape(x.shape)}`);
  }
}

/**
 * Checks x is a tensor [N, C, sp...] (or unbatched [C, sp...]) with `channels` channels when
 * given; returns true when unbatched.
 */
export function checkChannelsFirst(m: Module, x: tf.Tensor, spatialDims: number, channels?: number): boolean {
  checkTensorInput(m, x);
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
