import { describeValue } from './options.js';
import { checkShape, formatShape, shapeSize } from './shape.js';
import type { AmaxLike, NDArray } from './types.js';

/**
 * A float32 NDArray over `data` (copied into a Float32Array unless it already is one) with a
 * row-major `shape` (default: 1-D). Throws when the shape does not match the data length.
 *
 * @example ndarray([1, 2, 3, 4], [2, 2]) // { data: Float32Array [1, 2, 3, 4], shape: [2, 2] }
 */
export function ndarray(data: ArrayLike<number>, shape?: readonly number[]): NDArray {
  const arr = data instanceof Float32Array ? data : Float32Array.from(data);
  const s = shape === undefined ? [arr.length] : [...shape];
  checkShape(s);
  if (shapeSize(s) !== arr.length) {
    throw new RangeError(`shape ${formatShape(s)} needs ${shapeSize(s)} elements but data has ${arr.length}`);
  }
  return { data: arr, shape: s };
}

/** A scalar NDArray (shape `[]`). */
export function scalar(value: number): NDArray {
  return { data: Float32Array.of(value), shape: [] };
}

/** An all-zero NDArray of `shape`. */
export function zeros(shape: readonly number[]): NDArray {
  checkShape(shape);
  return { data: new Float32Array(shapeSize(shape)), shape: [...shape] };
}

/** Throws unless `a` is an NDArray whose data length matches its shape. */
export function checkNDArray(a: NDArray, what = 'x'): void {
  // A tf.Tensor has a shape and a data() method: not an NDArray either.
  if (a === null || typeof a !== 'object' || !('shape' in a) || !('data' in a) || typeof a.data === 'function') {
    throw new TypeError(`${what} must be an NDArray ({ data: Float32Array, shape }), got ${describeValue(a)}`);
  }
  if (!(a.data instanceof Float32Array)) throw new TypeError(`${what}.data must be a Float32Array, got ${describeValue(a.data)}`);
  checkShape(a.shape, `${what} shape`);
  if (shapeSize(a.shape) !== a.data.length) {
    throw new RangeError(
      `${what} shape ${formatShape(a.shape)} needs ${shapeSize(a.shape)} elements but data has ${a.data.length}`,
    );
  }
}

/** An AmaxLike as an NDArray (a number becomes a float32 scalar). */
export function amaxArray(amax: AmaxLike, what = 'amax'): NDArray {
  if (typeof amax === 'number') return scalar(amax);
  checkNDArray(amax, what);
  return amax;
}
