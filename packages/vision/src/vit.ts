// torchvision's VisionTransformer ("An Image is Worth 16x16 Words") with its structure and
// state-dict names (`class_token`, `conv_proj.weight`, `encoder.pos_embedding`,
// `encoder.layers.encoder_layer_0.ln_1.weight`, `.self_attention.in_proj_weight`,
// `.mlp.0.weight`, `encoder.ln.weight`, `heads.head.weight`), so torchvision checkpoints load as
// they are. Quantize it as torchvision models are: `quantize(model, INT8_DEFAULT_CFG, loop)`,
// `replaceWithQuant`, or build it inside `quantModules.initialize()` (every Conv2d, Linear and
// MultiheadAttention becomes its quantized class).
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, Dropout, F, GELU, LayerNorm, Linear, Module, MultiheadAttention, Sequential, Tanh, assignValue, init, parameter } from '@pq/nn';
import { checkOptions, formatShape } from '@pq/core';
import { checkPositiveInt } from './checks.js';

/** Builds the normalisation layer of each block and the encoder's last one (default LayerNorm(dim, { eps: 1e-6 })). */
export type VitNormLayer = (dim: number) => Module;

const defaultNorm: VitNormLayer = (dim) => new LayerNorm(dim, { eps: 1e-6 });

function checkProbability(owner: string, name: string, p: number): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error(`${owner}: ${name} must be a probability in [0, 1], got ${String(p)}`);
  return p;
}

/** torchvision's MLPBlock: Linear (0), GELU (1), Dropout (2), Linear (3), Dropout (4); xavier weights, N(0, 1e-6^2) biases. */
export class MLPBlock extends Sequential {
  constructor(inDim: number, mlpDim: number, dropout: number) {
    super(new Linear(inDim, mlpDim), new GELU(), new Dropout(dropout), new Linear(mlpDim, inDim), new Dropout(dropout));
    for (const [, m] of this.children()) {
      if (!(m instanceof Linear)) continue;
      assignValue(m.weight, () => init.xavierUniform(m.weight.shape));
      if (m.bias !== null) assignValue(m.bias, () => init.normal(m.bias!.shape, 0, 1e-6));
    }
  }
}

/** A pre-norm Transformer block: x + attention(ln_1(x)), then + mlp(ln_2(.)). */
export class EncoderBlock extends Module {
  readonly numHeads: number;
  readonly ln_1: Module;
  readonly self_attention: MultiheadAttention;
  readonly dropout: Dropout;
  readonly ln_2: Module;
  readonly mlp: MLPBlock;

  constructor(numHeads: number, hiddenDim: number, mlpDim: number, dropout: number, attentionDropout: number, normLayer: VitNormLayer = defaultNorm) {
    super();
    this.numHeads = numHeads;
    this.ln_1 = normLayer(hiddenDim);
    this.self_attention = new MultiheadAttention(hiddenDim, numHeads, { dropout: attentionDropout, batchFirst: true });
    this.dropout = new Dropout(dropout);
    this.ln_2 = normLayer(hiddenDim);
    this.mlp = new MLPBlock(hiddenDim, mlpDim, dropout);
  }

  override forward(input: tf.Tensor): tf.Tensor {
    if (input.rank !== 3) throw new Error(`EncoderBlock: expected (batch_size, seq_length, hidden_dim), got ${formatShape(input.shape)}`);
    const h = this.ln_1.call(input) as tf.Tensor;
    const [attended] = this.self_attention.call(h, h, h, { needWeights: false }) as [tf.Tensor, null];
    const x = F.add(this.dropout.call(attended) as tf.Tensor, input);
    const y = this.mlp.call(this.ln_2.call(x)) as tf.Tensor;
    return F.add(x, y);
  }
}

/** The position embedding, `numLayers` EncoderBlocks named encoder_layer_0, ..., and a last norm `ln`. */
export class Encoder extends Module {
  pos_embedding: tf.Variable;
  readonly dropout: Dropout;
  /** The blocks, `encoder_layer_0` ... */
  readonly layers: Sequential & Readonly<Record<string, EncoderBlock>>;
  readonly ln: Module;

  constructor(
    seqLength: number, numLayers: number, numHeads: number, hiddenDim: number, mlpDim: number, dropout: number, attentionDropout: number,
    normLayer: VitNormLayer = defaultNorm,
  ) {
    super();
    this.pos_embedding = parameter(init.normal([1, seqLength, hiddenDim], 0, 0.02), 'pos_embedding');
    this.dropout = new Dropout(dropout);
    const layers: Record<string, Module> = {};
    for (let i = 0; i < numLayers; i++) layers[`encoder_layer_${i}`] = new EncoderBlock(numHeads, hiddenDim, mlpDim, dropout, attentionDropout, normLayer);
    this.layers = new Sequential(layers) as Encoder['layers'];
    this.ln = normLayer(hiddenDim);
  }

  override forward(input: tf.Tensor): tf.Tensor {
    const want = this.pos_embedding.shape;
    if (input.rank !== 3 || input.shape[1] !== want[1] || input.shape[2] !== want[2]) {
      throw new Error(`Encoder: expected (batch_size, ${want[1]}, ${want[2]}), got ${formatShape(input.shape)}`);
    }
    const x = F.add(input, this.pos_embedding);
    return this.ln.call(this.layers.call(this.dropout.call(x))) as tf.Tensor;
  }
}

export interface VisionTransformerOptions {
  /** Side of the square input (default 224). */
  imageSize?: number;
  /** Side of the square patches; must divide imageSize (default 16). */
  patchSize?: number;
  /** Encoder blocks (default 12). */
  numLayers?: number;
  /** Attention heads; must divide hiddenDim (default 12). */
  numHeads?: number;
  /** Width of the token embeddings (default 768). */
  hiddenDim?: number;
  /** Width of each block's MLP (default 3072). */
  mlpDim?: number;
  /** Dropout after the position embedding, the attention and in the MLPs (default 0). */
  dropout?: number;
  /** Dropout on the attention weights (default 0). */
  attentionDropout?: number;
  /** Output classes (default 1000). */
  numClasses?: number;
  /** A `pre_logits` Linear of this width and Tanh before the head (default none). */
  representationSize?: number | null;
  /** The normalisation layer (default LayerNorm with eps 1e-6). */
  normLayer?: VitNormLayer;
}

const VIT_OPTIONS = {
  imageSize: 'integer', patchSize: 'integer', numLayers: 'integer', numHeads: 'integer', hiddenDim: 'integer', mlpDim: 'integer',
  dropout: 'number', attentionDropout: 'number', numClasses: 'integer', representationSize: 'any', normLayer: 'function',
} as const;

/**
 * torchvision's VisionTransformer (without its conv_stem_configs): 3-channel images cut into
 * patches by `conv_proj`, a learned `class_token` prepended, the Encoder, and `heads` on the
 * class token's output. Initialised as torchvision: conv_proj truncated normal
 * (std sqrt(1 / fan_in)), a zero class token, position embedding N(0, 0.02^2), a zero head.
 */
export class VisionTransformer extends Module {
  readonly imageSize: number;
  readonly patchSize: number;
  readonly hiddenDim: number;
  readonly mlpDim: number;
  readonly attentionDropout: number;
  readonly dropout: number;
  readonly numClasses: number;
  readonly representationSize: number | null;
  readonly seqLength: number;
  class_token: tf.Variable;
  readonly conv_proj: Conv2d;
  readonly encoder: Encoder;
  /** `head` (a Linear), after `pre_logits` (Linear) and `act` (Tanh) with a representationSize. */
  readonly heads: Sequential & { readonly head: Linear; readonly pre_logits?: Linear };

  constructor(o: VisionTransformerOptions = {}) {
    super();
    const who = 'VisionTransformer';
    checkOptions(who, o, VIT_OPTIONS);
    const imageSize = checkPositiveInt(who, 'imageSize', o.imageSize ?? 224);
    const patchSize = checkPositiveInt(who, 'patchSize', o.patchSize ?? 16);
    const numLayers = checkPositiveInt(who, 'numLayers', o.numLayers ?? 12);
    const numHeads = checkPositiveInt(who, 'numHeads', o.numHeads ?? 12);
    const hiddenDim = checkPositiveInt(who, 'hiddenDim', o.hiddenDim ?? 768);
    const mlpDim = checkPositiveInt(who, 'mlpDim', o.mlpDim ?? 3072);
    const numClasses = checkPositiveInt(who, 'numClasses', o.numClasses ?? 1000);
    const representationSize = o.representationSize === undefined || o.representationSize === null ? null : checkPositiveInt(who, 'representationSize', o.representationSize);
    const dropout = checkProbability(who, 'dropout', o.dropout ?? 0);
    const attentionDropout = checkProbability(who, 'attentionDropout', o.attentionDropout ?? 0);
    if (imageSize % patchSize !== 0) throw new Error(`${who}: imageSize (${imageSize}) must be divisible by patchSize (${patchSize})`);
    if (hiddenDim % numHeads !== 0) throw new Error(`${who}: hiddenDim (${hiddenDim}) must be divisible by numHeads (${numHeads})`);
    const normLayer = o.normLayer ?? defaultNorm;
    this.imageSize = imageSize;
    this.patchSize = patchSize;
    this.hiddenDim = hiddenDim;
    this.mlpDim = mlpDim;
    this.attentionDropout = attentionDropout;
    this.dropout = dropout;
    this.numClasses = numClasses;
    this.representationSize = representationSize;
    this.seqLength = (imageSize / patchSize) ** 2 + 1;

    this.class_token = parameter(tf.zeros([1, 1, hiddenDim]), 'class_token');
    this.conv_proj = new Conv2d(3, hiddenDim, patchSize, { stride: patchSize });
    this.encoder = new Encoder(this.seqLength, numLayers, numHeads, hiddenDim, mlpDim, dropout, attentionDropout, normLayer);
    const head = new Linear(representationSize ?? hiddenDim, numClasses);
    if (representationSize === null) {
      this.heads = new Sequential({ head }) as VisionTransformer['heads'];
    } else {
      const preLogits = new Linear(hiddenDim, representationSize);
      assignValue(preLogits.weight, () => init.truncNormal(preLogits.weight.shape, 0, Math.sqrt(1 / hiddenDim)));
      if (preLogits.bias !== null) assignValue(preLogits.bias, () => tf.zerosLike(preLogits.bias!));
      this.heads = new Sequential({ pre_logits: preLogits, act: new Tanh(), head }) as VisionTransformer['heads'];
    }
    const conv = this.conv_proj;
    assignValue(conv.weight, () => init.truncNormal(conv.weight.shape, 0, Math.sqrt(1 / (3 * patchSize * patchSize))));
    if (conv.bias !== null) assignValue(conv.bias, () => tf.zerosLike(conv.bias!));
    assignValue(head.weight, () => tf.zerosLike(head.weight));
    if (head.bias !== null) assignValue(head.bias, () => tf.zerosLike(head.bias!));
  }

  /** [N, 3, H, W] images to [N, (H / p) * (W / p), hiddenDim] patch embeddings. */
  processInput(x: tf.Tensor): tf.Tensor {
    const s = this.imageSize;
    if (x.rank !== 4 || x.shape[1] !== 3 || x.shape[2] !== s || x.shape[3] !== s) {
      throw new Error(`VisionTransformer: expected images [N, 3, ${s}, ${s}], got ${formatShape(x.shape)}`);
    }
    const n = x.shape[0]!;
    const patches = (s / this.patchSize) ** 2;
    const y = this.conv_proj.call(x) as tf.Tensor;
    return F.permute(F.reshape(y, [n, this.hiddenDim, patches]), [0, 2, 1]);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    const tokens = this.processInput(x);
    const withClass = F.cat([F.expand(this.class_token, [tokens.shape[0]!, -1, -1]), tokens], 1);
    const encoded = this.encoder.call(withClass) as tf.Tensor;
    return this.heads.call(F.select(encoded, 1, 0)) as tf.Tensor;
  }
}

/** The architectures of torchvision's builders: patch size, blocks, heads, hidden and MLP widths. */
export const VIT_ARCHS = {
  vit_b_16: { patchSize: 16, numLayers: 12, numHeads: 12, hiddenDim: 768, mlpDim: 3072 },
  vit_b_32: { patchSize: 32, numLayers: 12, numHeads: 12, hiddenDim: 768, mlpDim: 3072 },
  vit_l_16: { patchSize: 16, numLayers: 24, numHeads: 16, hiddenDim: 1024, mlpDim: 4096 },
  vit_l_32: { patchSize: 32, numLayers: 24, numHeads: 16, hiddenDim: 1024, mlpDim: 4096 },
  vit_h_14: { patchSize: 14, numLayers: 32, numHeads: 16, hiddenDim: 1280, mlpDim: 5120 },
} as const;

/** A builder's options: everything but the architecture. */
export type VitOptions = Omit<VisionTransformerOptions, 'patchSize' | 'numLayers' | 'numHeads' | 'hiddenDim' | 'mlpDim'>;

export type VitName = keyof typeof VIT_ARCHS | 'vit_tiny';

function build(arch: keyof typeof VIT_ARCHS, o: VitOptions): VisionTransformer {
  checkOptions(arch, o, { imageSize: 'integer', dropout: 'number', attentionDropout: 'number', numClasses: 'integer', representationSize: 'any', normLayer: 'function' });
  return new VisionTransformer({ ...o, ...VIT_ARCHS[arch] });
}

/** ViT-B/16 (86M parameters at 1000 classes, 224x224). */
export function vit_b_16(o: VitOptions = {}): VisionTransformer {
  return build('vit_b_16', o);
}
/** ViT-B/32. */
export function vit_b_32(o: VitOptions = {}): VisionTransformer {
  return build('vit_b_32', o);
}
/** ViT-L/16. */
export function vit_l_16(o: VitOptions = {}): VisionTransformer {
  return build('vit_l_16', o);
}
/** ViT-L/32. */
export function vit_l_32(o: VitOptions = {}): VisionTransformer {
  return build('vit_l_32', o);
}
/** ViT-H/14 (its torchvision weights are for 518x518 inputs: pass imageSize). */
export function vit_h_14(o: VitOptions = {}): VisionTransformer {
  return build('vit_h_14', o);
}

/** vit_tiny's defaults: 32x32 images in 4x4 patches, 4 blocks of 4 heads, width 64, MLP 128, 10 classes (0.14M parameters). */
export const VIT_TINY_DEFAULTS = { imageSize: 32, patchSize: 4, numLayers: 4, numHeads: 4, hiddenDim: 64, mlpDim: 128, numClasses: 10 } as const;

/** A small VisionTransformer for 32x32 images (CIFAR, MNIST padded): VIT_TINY_DEFAULTS, any of them overridable. */
export function vit_tiny(o: VisionTransformerOptions = {}): VisionTransformer {
  checkOptions('vit_tiny', o, VIT_OPTIONS);
  return new VisionTransformer({ ...VIT_TINY_DEFAULTS, ...o });
}
