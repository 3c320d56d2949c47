// The 1d/2d/3d classes of a layer family (Conv2d, MaxPool3d, ...) differ from their Nd base
// only in the spatial dims they pass first: `class Conv2d extends withSpatialDims(ConvNd, 2) {}`.
// Their constructor is also where quantModules.initialize() redirects `new Conv2d(...)`.
import { QUANT_SWAPPABLE, quantSwap } from '../quant_swap.js';

/** An Nd layer class whose constructor takes the spatial dims first. */
type NdClass = abstract new (spatialDims: number, ...args: any[]) => object;

/** The constructor arguments after the spatial dims. */
type AfterDims<A> = A extends [number, ...infer Rest] ? Rest : never;

/** `Base`'s statics, with a concrete constructor that fills in the spatial dims. */
export type FixedDimsClass<C extends NdClass> = Pick<C, keyof C> &
  (new (...args: AfterDims<ConstructorParameters<C>>) => InstanceType<C>) & { readonly [QUANT_SWAPPABLE]: true };

export function withSpatialDims<C extends NdClass>(Base: C, spatialDims: number): FixedDimsClass<C> {
  // The cast drops the abstract construct signature; the Nd bases implement every member.
  const Concrete = Base as unknown as new (...args: any[]) => object;
  class FixedDims extends Concrete {
    static readonly [QUANT_SWAPPABLE] = true as const;

    constructor(...args: any[]) {
      const swapped = quantSwap(new.target, args);
      if (swapped !== undefined) return swapped;
      super(spatialDims, ...args);
    }
  }
  return FixedDims as unknown as FixedDimsClass<C>;
}
