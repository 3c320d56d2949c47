// The ModelOpt-style quantization config: `quantCfg`, an ordered map from wildcard patterns of
// quantizer names (or `nn.<Class>` keys for the quantizers of one layer class) to quantizer
// attributes, and `algorithm`, the calibration to run. The presets carry ModelOpt's contents
// (modelopt.torch.quantization.config), with pq's camelCase attribute names.
import { QuantDescriptor, checkOptions, describeValue, type BlockSizesOption } from '@pq/core';

/** What one quantizer becomes (ModelOpt's QuantizerAttributeConfig); missing keys take the defaults. */
export interface QuantizerAttributes {
  /** Default true. `{ enable: true }` alone is refused: it would reset every other attribute. */
  enable?: boolean;
  /** Integer bits (default 8) or `[4, 3]` for FP8 E4M3. */
  numBits?: number | readonly [number, number];
  /** Per-channel axes (default null: per tensor). Not with blockSizes. */
  axis?: number | readonly number[] | null;
  /** Block-wise amax: `{ [-1]: 128 }`, with `type: 'static' | 'dynamic'` (default null). */
  blockSizes?: BlockSizesOption | null;
  /** Default true. */
  fakeQuant?: boolean;
  /** Default false. */
  unsigned?: boolean;
  /** Default false. */
  narrowRange?: boolean;
  /** 'max' (default) or 'histogram'. */
  calibMethod?: 'max' | 'histogram';
}

/** A quantizer's attributes, or a list of them: quantize in several formats in turn (SequentialQuantizer). */
export type QuantizerAttributesOrList = QuantizerAttributes | readonly QuantizerAttributes[];

/** Selects quantizers: a wildcard on the dotted name (`*weight_quantizer`, `*[kv]_bmm_quantizer`) or a filter. */
export type QuantizerPattern = string | ((name: string) => boolean);

/** `pattern -> attributes`, applied in order ('default' first, to every quantizer); later entries win. `nn.<Class>` keys map sub-patterns. */
export type QuantCfg = Readonly<Record<string, QuantizerAttributesOrList | Readonly<Record<string, QuantizerAttributesOrList>>>>;

export type AlgorithmName = 'max' | 'smoothquant' | 'awq_lite' | 'awq_clip' | 'awq_full';

export interface SmoothQuantOptions {
  method: 'smoothquant';
  /** Migration strength in [0, 1] (default 0.5, the paper's; ModelOpt's default is 1). */
  alpha?: number;
}
export interface AwqLiteOptions {
  method: 'awq_lite';
  /** The alpha grid step: 0, step, 2 step, ..., 1 (default 0.1). */
  alphaStep?: number;
}
export interface AwqClipOptions {
  method: 'awq_clip';
  /** Tokens sampled per batch for the clip search (default 64). */
  maxTokensPerBatch?: number;
  /** Smallest clip ratio searched (default 0.5). */
  minClipRatio?: number;
  /** Step of the clip ratios from minClipRatio to 1 (default 0.05). */
  shrinkStep?: number;
}
export interface AwqFullOptions extends Omit<AwqLiteOptions, 'method'>, Omit<AwqClipOptions, 'method'> {
  method: 'awq_full';
}
export type AlgorithmOptions = { method: 'max' } | SmoothQuantOptions | AwqLiteOptions | AwqClipOptions | AwqFullOptions;

/** A calibration algorithm: a name, a name with options, or null to skip calibration. */
export type QuantizeAlgorithm = AlgorithmName | AlgorithmOptions | null;

export interface QuantizeConfig {
  quantCfg: QuantCfg;
  /** Default 'max'. */
  algorithm?: QuantizeAlgorithm;
}

const ATTRIBUTE_KINDS = {
  enable: 'boolean', numBits: 'any', axis: 'any', blockSizes: 'any', fakeQuant: 'boolean', unsigned: 'boolean', narrowRange: 'boolean',
  calibMethod: 'any',
} as const;

/** The full attributes of one entry (missing keys at their defaults), checked. */
export interface ResolvedAttributes {
  enable: boolean;
  descriptor: QuantDescriptor;
}

/** Checks an entry's attributes and builds the quantizer descriptor they describe; errors name the pattern. */
export function resolveAttributes(where: string, a: unknown): ResolvedAttributes {
  if (a === null || typeof a !== 'object' || Array.isArray(a)) {
    throw new TypeError(`${where}: quantizer attributes must be an object, got ${describeValue(a)}`);
  }
  checkOptions(where, a, ATTRIBUTE_KINDS);
  const o = a as QuantizerAttributes;
  const keys = Object.keys(o).filter((k) => (o as Record<string, unknown>)[k] !== undefined);
  if (keys.length === 1 && keys[0] === 'enable' && o.enable === true) {
    throw new TypeError(`${where}: { enable: true } alone is not allowed (every other attribute would take its default); give the format too`);
  }
  try {
    const descriptor = new QuantDescriptor({
      numBits: o.numBits ?? 8, axis: o.axis ?? null, blockSizes: o.blockSizes ?? null, fakeQuant: o.fakeQuant ?? true,
      unsigned: o.unsigned ?? false, narrowRange: o.narrowRange ?? false, calibMethod: o.calibMethod ?? 'max',
    });
    return { enable: o.enable ?? true, descriptor };
  } catch (e) {
    throw new TypeError(`${where}: ${(e as Error).message}`, { cause: e });
  }
}

const ALGORITHM_OPTIONS: Record<AlgorithmName, Record<string, 'number' | 'string'>> = {
  max: { method: 'string' },
  smoothquant: { method: 'string', alpha: 'number' },
  awq_lite: { method: 'string', alphaStep: 'number' },
  awq_clip: { method: 'string', maxTokensPerBatch: 'number', minClipRatio: 'number', shrinkStep: 'number' },
  awq_full: { method: 'string', alphaStep: 'number', maxTokensPerBatch: 'number', minClipRatio: 'number', shrinkStep: 'number' },
};

/** The algorithm as `{ method, ...options }` with its options checked, or null. */
export function resolveAlgorithm(who: string, a: unknown): AlgorithmOptions | null {
  if (a === null) return null;
  const o = (typeof a === 'string' ? { method: a } : a) as { method?: unknown };
  if (o === undefined || typeof o !== 'object' || Array.isArray(o)) {
    throw new TypeError(`${who}: algorithm must be a name, { method, ...options } or null, got ${describeValue(a)}`);
  }
  const method = o.method;
  if (typeof method !== 'string' || !(method in ALGORITHM_OPTIONS)) {
    throw new TypeError(`${who}: unknown algorithm ${typeof method === 'string' ? `'${method}'` : describeValue(method)} (known: ${Object.keys(ALGORITHM_OPTIONS).join(', ')}, or null)`);
  }
  checkOptions(`${who}: algorithm '${method}'`, o, ALGORITHM_OPTIONS[method as AlgorithmName]);
  const r = o as AlgorithmOptions & Record<string, number>;
  const inRange = (k: string, lo: number, hi: number, open = false) => {
    const v = r[k];
    if (v !== undefined && !(open ? v > lo && v <= hi : v >= lo && v <= hi)) {
      throw new RangeError(`${who}: algorithm '${method}': ${k} must be in ${open ? '(' : '['}${lo}, ${hi}], got ${v}`);
    }
  };
  inRange('alpha', 0, 1);
  inRange('alphaStep', 0, 1, true);
  inRange('minClipRatio', 0, 1, true);
  inRange('shrinkStep', 0, 1, true);
  if (r.maxTokensPerBatch !== undefined && !(Number.isInteger(r.maxTokensPerBatch) && r.maxTokensPerBatch > 0)) {
    throw new RangeError(`${who}: algorithm '${method}': maxTokensPerBatch must be a positive integer, got ${r.maxTokensPerBatch}`);
  }
  return r;
}

/**
 * ModelOpt's `_default_disabled_quantizer_cfg`: quantizers that stay off (BatchNorm, LeakyReLU,
 * output heads, MoE routers, ...) and `default: off` for every quantizer no pattern names.
 * Patterns here that match nothing in a model are not warned about.
 */
export const DEFAULT_DISABLED_QUANTIZER_CFG: QuantCfg = deepFreeze({
  'nn.BatchNorm1d': { '*': { enable: false } },
  'nn.BatchNorm2d': { '*': { enable: false } },
  'nn.BatchNorm3d': { '*': { enable: false } },
  'nn.LeakyReLU': { '*': { enable: false } },
  '*lm_head*': { enable: false },
  '*proj_out.*': { enable: false },
  '*block_sparse_moe.gate*': { enable: false },
  '*router*': { enable: false },
  '*mlp.gate.*': { enable: false },
  '*mlp.shared_expert_gate.*': { enable: false },
  '*linear_attn.conv1d*': { enable: false },
  '*mixer.conv1d*': { enable: false },
  '*output_layer*': { enable: false },
  'output.*': { enable: false },
  default: { enable: false },
});

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** A preset: frozen all the way down (copy it to change it: `{ ...P, quantCfg: { ...P.quantCfg, ... } }`). */
function preset(quantCfg: QuantCfg, algorithm: QuantizeAlgorithm): QuantizeConfig {
  return deepFreeze({ quantCfg: { ...quantCfg, ...DEFAULT_DISABLED_QUANTIZER_CFG }, algorithm });
}

const INT4_BLOCKS = { [-1]: 128, type: 'static' } as const;

/** INT8 weights per output channel, INT8 activations per tensor; max calibration. */
export const INT8_DEFAULT_CFG = preset({ '*weight_quantizer': { numBits: 8, axis: 0 }, '*input_quantizer': { numBits: 8, axis: null } }, 'max');
/** INT8_DEFAULT_CFG with SmoothQuant. */
export const INT8_SMOOTHQUANT_CFG = preset({ '*weight_quantizer': { numBits: 8, axis: 0 }, '*input_quantizer': { numBits: 8, axis: null } }, 'smoothquant');
/** FP8 E4M3 weights and activations, per tensor; max calibration. */
export const FP8_DEFAULT_CFG = preset({ '*weight_quantizer': { numBits: [4, 3], axis: null }, '*input_quantizer': { numBits: [4, 3], axis: null } }, 'max');
/** INT4 weights in blocks of 128 along the input dim, activations not quantized; max calibration (RTN). */
export const INT4_BLOCKWISE_WEIGHT_ONLY_CFG = preset({
  '*weight_quantizer': { numBits: 4, blockSizes: { [-1]: 128 }, enable: true }, '*input_quantizer': { enable: false },
}, 'max');
/** W4A16: INT4 block-128 weights, activations not quantized; AWQ-lite. */
export const INT4_AWQ_CFG = preset({
  '*weight_quantizer': { numBits: 4, blockSizes: INT4_BLOCKS, enable: true }, '*input_quantizer': { enable: false },
}, { method: 'awq_lite', alphaStep: 0.1 });
/** W4A8: INT4 block-128 weights then FP8 per tensor, FP8 activations; AWQ-lite. */
export const W4A8_AWQ_BETA_CFG = preset({
  '*weight_quantizer': [{ numBits: 4, blockSizes: INT4_BLOCKS, enable: true }, { numBits: [4, 3], axis: null, enable: true }],
  '*input_quantizer': { numBits: [4, 3], axis: null, enable: true },
}, 'awq_lite');
