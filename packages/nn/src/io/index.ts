export { encodeSafetensors, decodeSafetensors, safetensorsMetadata, SafetensorsError } from './safetensors.js';
export { encodeStateJson, decodeStateJson } from './state_json.js';
export { saveSafetensors, loadSafetensors, saveStateJson, loadStateJson, writeFileAtomic } from './files.js';
export type { StateDict, StateDictLike } from './state.js';
