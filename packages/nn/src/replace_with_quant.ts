// replaceWithQuant: swaps the float layers of an existing model for their quantized versions in
// place (the field that held the float layer now holds the quantized one), keeping each
// layer's configuration, parameters and training mode.
import { Module } from './module.js';
import { checkOptions } from '@pq/core';
import { selectQuantMap, type ModuleConstructor } from './quant/quant_map.js';

export interface ReplaceWithQuantOptions {
  /** Float class names to leave float ('Linear', 'Conv2d', ...), as the reference's floatModuleList. */
  floatModuleList?: readonly string[];
  /** Extra pairs: a float class (exact class) and a function building its quantized version. */
  custom?: ReadonlyArray<readonly [ModuleConstructor, (float: Module) => Module]>;
}

/**
 * Replaces, anywhere below `model`, every layer whose exact class has a quantized version
 * (the reference's default list: Conv1d-3d, ConvTranspose1d-3d, Linear, LSTM, LSTMCell,
 * AvgPool1d-3d, AdaptiveAvgPool1d-3d, with MultiheadAttention, plus `custom`). The float layer's parameters are copied
 * into the new layer and then disposed. Returns the dotted names of the replaced layers.
 *
 * ```js
 * const model = new Sequential(new Conv2d(1, 4, 3), new ReLU(), new Flatten(), new Linear(4 * 26 * 26, 10));
 * replaceWithQuant(model); // ['0', '3']
 * ```
 */
export function replaceWithQuant(model: Module, o: ReplaceWithQuantOptions = {}): string[] {
  checkOptions('replaceWithQuant', o, { floatModuleList: 'object', custom: 'object' });
  const builders = new Map<Function, (m: Module) => Module>();
  for (const e of selectQuantMap(o.floatModuleList, 'replaceWithQuant')) builders.set(e.float, e.fromFloat);
  for (const [float, build] of o.custom ?? []) {
    if (typeof float !== 'function' || typeof build !== 'function') {
      throw new TypeError('replaceWithQuant: each custom entry must be [FloatClass, (float) => quantModule]');
    }
    builders.set(float, build);
  }
  if (builders.has(model.constructor)) {
    throw new TypeError(`replaceWithQuant: the model itself is a ${model.typeName}; wrap it in a container to replace it in place`);
  }
  // Collect first: replacing while walking would visit the new layers' quantizers.
  const swaps: Array<{ path: string; parent: Module; field: string; float: Module; build: (m: Module) => Module }> = [];
  // A replaced layer brings its own quantized parts (QuantMultiheadAttention's out_proj), so
  // nothing below it is replaced separately.
  const replaced = (p: string) => swaps.some((sw) => p.startsWith(`${sw.path}.`));
  for (const [path, parent] of model.namedModules()) {
    if (path !== '' && (replaced(path) || swaps.some((sw) => sw.path === path))) continue;
    for (const [field, child] of parent.children()) {
      const build = builders.get(child.constructor);
      if (build !== undefined) swaps.push({ path: path === '' ? field : `${path}.${field}`, parent, field, float: child, build });
    }
  }
  // Report (and replace) in model order, depth first.
  const order = new Map([...model.namedModules()].map(([name], i) => [name, i]));
  swaps.sort((a, b) => order.get(a.path)! - order.get(b.path)!);
  for (const s of swaps) {
    const quant = s.build(s.float);
    quant.loadStateDict(s.float.stateDict(), { strict: false });
    quant.train(s.float.training);
    (s.parent as unknown as Record<string, Module>)[s.field] = quant;
    s.float.dispose();
  }
  return swaps.map((s) => s.path);
}
