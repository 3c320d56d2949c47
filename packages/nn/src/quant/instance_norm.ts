// QuantInstanceNorm1d/2d/3d (the reference's quant_instancenorm.py): the input is
// fake-quantized (per tensor by default), then the float instance norm runs on it.
import {
  InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, type InstanceNormLayerOptions, type InstanceNormNd,
} from '../layers/instancenorm.js';
import type { QuantInputOptions } from './quant_mixin.js';
import { quantInputLayer } from './quant_layer.js';

export interface QuantInstanceNormOptions extends InstanceNormLayerOptions, QuantInputOptions {}

type Args = [numFeatures: number, o?: QuantInstanceNormOptions];
/** The input must have numFeatures channels. */
const NORM = { optionsAt: 1, channels: (m: InstanceNormNd) => m.numFeatures };

export class QuantInstanceNorm1d extends quantInputLayer<typeof InstanceNorm1d, Args>(InstanceNorm1d, NORM) {}
export class QuantInstanceNorm2d extends quantInputLayer<typeof InstanceNorm2d, Args>(InstanceNorm2d, NORM) {}
export class QuantInstanceNorm3d extends quantInputLayer<typeof InstanceNorm3d, Args>(InstanceNorm3d, NORM) {}
