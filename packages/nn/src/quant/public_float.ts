// The public float layer classes that have a quantized version, wrapped with `swappable` so
// that quantModules.initialize() can redirect their construction. The package index exports
// these in place of the plain classes; everything else about them is unchanged.
import * as layers from '../layers/index.js';
import { swappable } from '../quant_modules.js';

export const Conv1d = swappable(layers.Conv1d);
export type Conv1d = layers.Conv1d;
export const Conv2d = swappable(layers.Conv2d);
export type Conv2d = layers.Conv2d;
export const Conv3d = swappable(layers.Conv3d);
export type Conv3d = layers.Conv3d;
export const ConvTranspose1d = swappable(layers.ConvTranspose1d);
export type ConvTranspose1d = layers.ConvTranspose1d;
export const ConvTranspose2d = swappable(layers.ConvTranspose2d);
export type ConvTranspose2d = layers.ConvTranspose2d;
export const ConvTranspose3d = swappable(layers.ConvTranspose3d);
export type ConvTranspose3d = layers.ConvTranspose3d;
export const Linear = swappable(layers.Linear);
export type Linear = layers.Linear;
export const LSTM = swappable(layers.LSTM);
export type LSTM = layers.LSTM;
export const LSTMCell = swappable(layers.LSTMCell);
export type LSTMCell = layers.LSTMCell;
export const AvgPool1d = swappable(layers.AvgPool1d);
export type AvgPool1d = layers.AvgPool1d;
export const AvgPool2d = swappable(layers.AvgPool2d);
export type AvgPool2d = layers.AvgPool2d;
export const AvgPool3d = swappable(layers.AvgPool3d);
export type AvgPool3d = layers.AvgPool3d;
export const AdaptiveAvgPool1d = swappable(layers.AdaptiveAvgPool1d);
export type AdaptiveAvgPool1d = layers.AdaptiveAvgPool1d;
export const AdaptiveAvgPool2d = swappable(layers.AdaptiveAvgPool2d);
export type AdaptiveAvgPool2d = layers.AdaptiveAvgPool2d;
export const AdaptiveAvgPool3d = swappable(layers.AdaptiveAvgPool3d);
export type AdaptiveAvgPool3d = layers.AdaptiveAvgPool3d;
