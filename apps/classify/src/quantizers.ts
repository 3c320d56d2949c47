// The model's quantizers grouped by layer, for the float baseline (all disabled) and the
// sensitivity profile (one layer's disabled at a time). A layer is the module that owns
// quantizers (`layer1.0.conv1` for `layer1.0.conv1._input_quantizer` and `._weight_quantizer`);
// a quantizer that is its own module, such as a residual block's `layer1.0.residual_quantizer`,
// is a layer of its own. Matching is by owner path, not by substring as the reference's
// build_sensitivity_profile does (where `conv1` also matches every `layerN.M.conv1`).
import { type Module, type TensorQuantizer, quantizers } from '@pq/nn';

export interface QuantLayer {
  readonly name: string;
  readonly quantizers: readonly TensorQuantizer[];
}

const OWNED = /\.(_input_quantizer|_weight_quantizer)$/;

/** Every layer with quantizers, in model order. */
export function quantLayers(model: Module): QuantLayer[] {
  const layers = new Map<string, TensorQuantizer[]>();
  for (const [name, q] of quantizers(model)) {
    const layer = name.replace(OWNED, '');
    const list = layers.get(layer) ?? [];
    list.push(q);
    layers.set(layer, list);
  }
  return [...layers].map(([name, qs]) => ({ name, quantizers: qs }));
}

/** Runs `fn` with `qs` disabled, then restores each one's previous state. */
export async function withDisabled<T>(qs: Iterable<TensorQuantizer>, fn: () => Promise<T>): Promise<T> {
  const list = [...qs];
  const was = list.map((q) => q.disabled);
  for (const q of list) q.disable();
  try {
    return await fn();
  } finally {
    list.forEach((q, i) => (was[i] ? q.disable() : q.enable()));
  }
}
