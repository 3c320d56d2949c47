// The 1d/2d/3d classes of a layer family (Conv2d, MaxPool3d, ...) differ from their Nd base
// only in the spatial dims they pass first: `class Conv2d extends withSpatialDims(ConvNd, 2) {}`.

/** An Nd layer class whose constructor takes the spatial dims first. */
type NdClass = abstract new (spatialDims: number, ...args: any[]) => object;

/** The constructor arguments after the spatial dims. */
type AfterDims<A> = A extends [number, ...infer Rest] ? Rest : never;

/** `Base`'s statics, with a concrete constructor that fills in the spatial dims. */
export type FixedDimsClass<C extends NdClass> = Pick<C, keyof C> & (new (...args: AfterDims<ConstructorParameters<C>>) => InstanceType<C>);

export function withSpatialDims<C extends NdClass>(Base: C, spatialDims: number): FixedDimsClass<C> {
  // The cast drops the abstract construct signature; the Nd bases implement every member.
  const Concrete = Base as unknown as new (...args: any[]) => object;
  class FixedDims extends Concrete {
    constructor(...args: any[]) {
      super(spatialDims, ...args);
    }
  }
  return FixedDims as unknown as FixedDimsClass<C>;
}
