export { encodeSafetensors, decodeSafetensors, safetensorsMetadata, SafetensorsError } from './safetensors.js';
export { decodeNpy, NpyError, type NpyArray } from './npy.js';
export { encodeStateJson, decodeStateJson } from './state_json.js';
export { decodePth, PthError, type DecodePthOptions } from './pth.js';
export { loadCheckpoint, checkpointFormat, type CheckpointFormat, type LoadCheckpointOptions } from './checkpoint.js';
export type { StateDict, StateDictLike, StateTensor, StateDtype } from './state.js';
