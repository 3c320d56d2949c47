// Parameter initialisers with PyTorch's rules (torch.nn.init), drawing from the seedable global
// generator. Each returns a fresh float32 tensor of `shape`.
import * as tf from '@tensorflow/tfjs-core';
import { formatShape, shapeSize } from '@pq/core';
import { defaultGenerator, type Generator } from './random.js';

/** PyTorch's _calculate_fan_in_and_fan_out: dim 1 (times the receptive field) is fan in. */
export function fanInAndFanOut(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) {
    throw new Error(`fanInAndFanOut: needs a tensor of rank >= 2, got shape ${formatShape(shape)}`);
  }
  const receptive = shapeSize(shape.slice(2));
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

export type Nonlinearity = 'linear' | 'relu' | 'leaky_relu' | 'tanh' | 'sigmoid';

/** torch.nn.init.calculate_gain. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    default:
      throw new Error(`calculateGain: unknown nonlinearity '${String(nonlinearity)}'`);
  }
}

export function uniform(shape: readonly number[], low: number, high: number, gen: Generator = defaultGenerator): tf.Tensor {
  return tf.tensor(gen.uniform(shapeSize(shape), low, high), [...shape], 'float32');
}

export function normal(shape: readonly number[], mean = 0, std = 1, gen: Generator = defaultGenerator): tf.Tensor {
  return tf.tensor(gen.normal(shapeSize(shape), mean, std), [...shape], 'float32');
}

/**
 * torch.nn.init.trunc_normal_: N(mean, std^2) restricted to [a, b] (absolute bounds, default
 * [-2, 2]); a draw outside is drawn again.
 */
export function truncNormal(shape: readonly number[], mean = 0, std = 1, a = -2, b = 2, gen: Generator = defaultGenerator): tf.Tensor {
  if (!(std >= 0) || !(a < b) || mean < a - 2 * std || mean > b + 2 * std) {
    throw new Error(`truncNormal: needs std >= 0, a < b and mean within 2 std of [a, b], got mean ${mean}, std ${std}, [${a}, ${b}]`);
  }
  const out = gen.normal(shapeSize(shape), mean, std);
  for (let i = 0; i < out.length; i++) {
    while (!(out[i]! >= a && out[i]! <= b)) out[i] = gen.normal(1, mean, std)[0]!;
  }
  return tf.tensor(out, [...shape], 'float32');
}

export interface KaimingOptions {
  /** Negative slope of the leaky relu that follows (PyTorch's `a`); default 0. */
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: Nonlinearity;
}

/**
 * torch.nn.init.kaiming_uniform_: U(±gain·sqrt(3/fan)). Layers use `a = sqrt(5)`, which makes
 * the bound exactly 1/sqrt(fan_in).
 */
export function kaimingUniform(shape: readonly number[], o: KaimingOptions = {}, gen: Generator = defaultGenerator): tf.Tensor {
  const { fanIn, fanOut } = fanInAndFanOut(shape);
  const fan = (o.mode ?? 'fan_in') === 'fan_in' ? fanIn : fanOut;
  const gain = calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0);
  const bound = fan === 0 ? 0 : Math.sqrt(3) * (gain / Math.sqrt(fan));
  return uniform(shape, -bound, bound, gen);
}

/** torch.nn.init.kaiming_normal_: N(0, (gain/sqrt(fan))^2), e.g. `{ mode: 'fan_out', nonlinearity: 'relu' }` as torchvision's ResNets use. */
export function kaimingNormal(shape: readonly number[], o: KaimingOptions = {}, gen: Generator = defaultGenerator): tf.Tensor {
  const { fanIn, fanOut } = fanInAndFanOut(shape);
  const fan = (o.mode ?? 'fan_in') === 'fan_in' ? fanIn : fanOut;
  const gain = calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0);
  return normal(shape, 0, fan === 0 ? 0 : gain / Math.sqrt(fan), gen);
}

/** torch.nn.init.xavier_uniform_: U(±gain·sqrt(6/(fan_in+fan_out))). */
export function xavierUniform(shape: readonly number[], gain = 1, gen: Generator = defaultGenerator): tf.Tensor {
  const { fanIn, fanOut } = fanInAndFanOut(shape);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(shape, -bound, bound, gen);
}

/** The bias rule every PyTorch conv/linear uses: U(±1/sqrt(fan_in)) of its weight shape. */
export function biasUniform(biasShape: readonly number[], weightShape: readonly number[], gen: Generator = defaultGenerator): tf.Tensor {
  const { fanIn } = fanInAndFanOut(weightShape);
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return uniform(biasShape, -bound, bound, gen);
}
