// The pipeline's ModelFactory on @pq/nn: the LeNet models of models.ts, and weight files read
// from disk (.safetensors or .json, by content).
import { decodeSafetensors, decodeStateJson } from '@pq/nn';
import { readWeightsFile } from '../io/weightsFile.js';
import type { ModelFactory } from '../model.js';
import { lenetModels } from './models.js';

export const nnModels: ModelFactory = {
  ...lenetModels,
  loadWeights(file) {
    const { bytes, format } = readWeightsFile(file);
    try {
      return format === 'json' ? decodeStateJson(new TextDecoder().decode(bytes)) : decodeSafetensors(bytes);
    } catch (e) {
      throw new Error(`--weights ${file} (${format}): ${(e as Error).message}`);
    }
  },
};
