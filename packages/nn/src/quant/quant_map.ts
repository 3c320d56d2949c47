// The reference's _DEFAULT_QUANT_MAP: which float layers have a quantized version, and how to
// build that version from an existing float layer's configuration (for replaceWithQuant).
import type { Module } from '../module.js';
import { Linear } from '../layers/linear.js';
import {
  Conv1d, Conv2d, Conv3d, ConvNd, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, ConvTransposeNd,
} from '../layers/conv.js';
import {
  AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d, AdaptiveAvgPoolNd, AvgPool1d, AvgPool2d, AvgPool3d, AvgPoolNd,
} from '../layers/pooling.js';
import { LSTM, LSTMCell } from '../layers/rnn.js';
import { MultiheadAttention } from '../layers/attention.js';
import { QuantLinear } from './linear.js';
import { QuantConv1d, QuantConv2d, QuantConv3d } from './conv.js';
import { QuantConvTranspose1d, QuantConvTranspose2d, QuantConvTranspose3d } from './conv_transpose.js';
import {
  QuantAdaptiveAvgPool1d, QuantAdaptiveAvgPool2d, QuantAdaptiveAvgPool3d, QuantAvgPool1d, QuantAvgPool2d, QuantAvgPool3d,
} from './pooling.js';
import { QuantLSTM, QuantLSTMCell } from './rnn.js';
import { QuantMultiheadAttention } from './attention.js';

export type ModuleConstructor = new (...args: any[]) => Module;

export interface QuantMapEntry {
  /** The float class's name, as listed in floatModuleList ('Conv2d'). */
  name: string;
  float: ModuleConstructor;
  quant: ModuleConstructor;
  /** A quantized layer with the float layer's configuration (fresh parameters). */
  fromFloat: (m: Module) => Module;
}

const convOptions = (m: ConvNd) => ({
  stride: m.stride, padding: m.padding, dilation: m.dilation, groups: m.groups, bias: m.bias !== null, paddingMode: m.paddingMode,
});
const convTOptions = (m: ConvTransposeNd) => ({
  stride: m.stride, padding: m.padding as number[], outputPadding: m.outputPadding, dilation: m.dilation, groups: m.groups,
  bias: m.bias !== null, paddingMode: m.paddingMode,
});
const avgOptions = (m: AvgPoolNd) => ({
  stride: m.stride, padding: m.padding, ceilMode: m.ceilMode, countIncludePad: m.countIncludePad,
  ...(m.divisorOverride === null ? {} : { divisorOverride: m.divisorOverride }),
});

function conv(name: string, float: ModuleConstructor, Q: new (i: number, o: number, k: number[], opts: object) => Module): QuantMapEntry {
  return { name, float, quant: Q, fromFloat: (m) => { const c = m as ConvNd; return new Q(c.inChannels, c.outChannels, c.kernelSize, convOptions(c)); } };
}
function convT(name: string, float: ModuleConstructor, Q: new (i: number, o: number, k: number[], opts: object) => Module): QuantMapEntry {
  return { name, float, quant: Q, fromFloat: (m) => { const c = m as ConvTransposeNd; return new Q(c.inChannels, c.outChannels, c.kernelSize, convTOptions(c)); } };
}
function avg(name: string, float: ModuleConstructor, Q: new (k: number | readonly number[], opts: object) => Module): QuantMapEntry {
  return { name, float, quant: Q, fromFloat: (m) => new Q((m as AvgPoolNd).kernelSize, avgOptions(m as AvgPoolNd)) };
}
function adaptive(name: string, float: ModuleConstructor, Q: new (s: AdaptiveAvgPoolNd['outputSize']) => Module): QuantMapEntry {
  return { name, float, quant: Q, fromFloat: (m) => new Q((m as AdaptiveAvgPoolNd).outputSize) };
}

/** The reference's default list, in its order, with MultiheadAttention (ModelOpt quantizes attention too). */
export function defaultQuantMap(): QuantMapEntry[] {
  return [
    conv('Conv1d', Conv1d, QuantConv1d),
    conv('Conv2d', Conv2d, QuantConv2d),
    conv('Conv3d', Conv3d, QuantConv3d),
    convT('ConvTranspose1d', ConvTranspose1d, QuantConvTranspose1d),
    convT('ConvTranspose2d', ConvTranspose2d, QuantConvTranspose2d),
    convT('ConvTranspose3d', ConvTranspose3d, QuantConvTranspose3d),
    {
      name: 'Linear', float: Linear, quant: QuantLinear,
      fromFloat: (m) => { const l = m as Linear; return new QuantLinear(l.inFeatures, l.outFeatures, { bias: l.bias !== null }); },
    },
    {
      name: 'LSTM', float: LSTM, quant: QuantLSTM,
      fromFloat: (m) => {
        const l = m as LSTM;
        return new QuantLSTM(l.inputSize, l.hiddenSize, {
          numLayers: l.numLayers, bias: l.bias, batchFirst: l.batchFirst, dropout: l.dropout, bidirectional: l.bidirectional,
        });
      },
    },
    {
      name: 'LSTMCell', float: LSTMCell, quant: QuantLSTMCell,
      fromFloat: (m) => { const l = m as LSTMCell; return new QuantLSTMCell(l.inputSize, l.hiddenSize, { bias: l.bias }); },
    },
    {
      name: 'MultiheadAttention', float: MultiheadAttention, quant: QuantMultiheadAttention,
      fromFloat: (m) => {
        const a = m as MultiheadAttention;
        return new QuantMultiheadAttention(a.embedDim, a.numHeads, { dropout: a.dropout, bias: a.in_proj_bias !== null, batchFirst: a.batchFirst });
      },
    },
    avg('AvgPool1d', AvgPool1d, QuantAvgPool1d),
    avg('AvgPool2d', AvgPool2d, QuantAvgPool2d),
    avg('AvgPool3d', AvgPool3d, QuantAvgPool3d),
    adaptive('AdaptiveAvgPool1d', AdaptiveAvgPool1d, QuantAdaptiveAvgPool1d),
    adaptive('AdaptiveAvgPool2d', AdaptiveAvgPool2d, QuantAdaptiveAvgPool2d),
    adaptive('AdaptiveAvgPool3d', AdaptiveAvgPool3d, QuantAdaptiveAvgPool3d),
  ];
}

/** The default map without the names in floatModuleList (checked against the known names). */
export function selectQuantMap(floatModuleList: readonly string[] | undefined, who: string): QuantMapEntry[] {
  const all = defaultQuantMap();
  const known = all.map((e) => e.name);
  for (const n of floatModuleList ?? []) {
    if (!known.includes(n)) throw new TypeError(`${who}: floatModuleList names '${n}', which has no quantized version (known: ${known.join(', ')})`);
  }
  return all.filter((e) => !(floatModuleList ?? []).includes(e.name));
}
