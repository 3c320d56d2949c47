import type { E4M3Quantizer } from './mse-exact.js';

export const e4m3Quantizer: E4M3Quantizer | undefined = undefined;
