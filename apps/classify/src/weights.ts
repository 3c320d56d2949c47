// --weights: a checkpoint read by content (@pq/nn's loadCheckpoint: torch.save zip or
// safetensors). As the reference's flow, a dict that holds the state dict under 'state_dict' or
// 'model' (a training checkpoint) works too. Errors name the option, the file and the problem.
import { readFileSync, statSync } from 'node:fs';
import { type Module, type StateDict, StateDictError, loadCheckpoint } from '@pq/nn';

const WRAPPER_KEYS = ['state_dict', 'model'] as const;

/** The state dict in `file`. */
export function readWeights(file: string): StateDict {
  let bytes: Uint8Array;
  try {
    if (statSync(file).isDirectory()) throw new Error('is a folder; give a checkpoint file (.pth or .safetensors)');
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`--weights ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { cause: e });
  }
  try {
    return loadCheckpoint(bytes);
  } catch (first) {
    for (const key of WRAPPER_KEYS) {
      try {
        return loadCheckpoint(bytes, { key });
      } catch {
        // not under this key
      }
    }
    throw new Error(`--weights ${file}: ${(first as Error).message}`, { cause: first });
  }
}

/**
 * Loads `dict` into `model` strictly (quantizer `_amax` entries, as a calibrated checkpoint
 * holds them, load too); a mismatch names the missing and unexpected keys and wrong shapes.
 */
export function loadWeightsInto(model: Module, dict: StateDict, file: string, modelName: string): void {
  try {
    model.loadStateDict(dict);
  } catch (e) {
    if (!(e instanceof StateDictError)) throw new Error(`--weights ${file}: ${(e as Error).message}`, { cause: e });
    const list = (keys: string[]): string => (keys.length > 6 ? `${keys.slice(0, 6).join(', ')}, ... (${keys.length} in all)` : keys.join(', '));
    const parts = [
      e.missingKeys.length ? `missing ${list(e.missingKeys)}` : '',
      e.unexpectedKeys.length ? `unexpected ${list(e.unexpectedKeys)}` : '',
      e.shapeMismatches.length ? `shape mismatches: ${list(e.shapeMismatches)}` : '',
      e.invalidValues.length ? `invalid values: ${list(e.invalidValues)}` : '',
    ].filter((p) => p !== '');
    throw new Error(`--weights ${file} does not fit --model ${modelName}: ${parts.join('; ')}`, { cause: e });
  }
}
