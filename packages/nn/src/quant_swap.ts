// The construction redirect behind quantModules.initialize(). The float layer classes that have
// a quantized version consult `quantSwap(new.target, args)` first thing in their constructor:
// while a swap is active for exactly that class, the constructor returns the quantized layer
// built from the same arguments instead (a JS constructor may return another object). Classes
// stay plain: `new Conv2d(...).constructor === Conv2d` outside a swap, a swapped layer is an
// instance of both QuantConv2d and Conv2d, and subclasses are built as themselves (their
// `new.target` is the subclass, which only a custom pair can name).

/** Marks a class whose constructor consults quantSwap (inherited by its subclasses). */
export const QUANT_SWAPPABLE: unique symbol = Symbol('pq.quantSwappable');

type Constructor = new (...args: any[]) => object;

let swaps: ReadonlyMap<Function, Constructor> | null = null;

/** Installs (or with null removes) the float class -> quantized class map. */
export function setQuantSwaps(map: ReadonlyMap<Function, Constructor> | null): void {
  swaps = map;
}

export function quantSwapsActive(): boolean {
  return swaps !== null;
}

/**
 * The object `new newTarget(...args)` builds instead while a swap for `newTarget` is active, or
 * undefined. `T` is the consulting class's instance type (a quantized class extends its float one).
 */
export function quantSwap<T extends object>(newTarget: Function, args: readonly unknown[]): T | undefined {
  const quant = swaps?.get(newTarget);
  return quant === undefined ? undefined : (new quant(...args) as T);
}
