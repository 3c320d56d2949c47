// `@pq/nn/node`: the parts of @pq/nn that need Node's file system. Everything else, including
// the in-memory formats these functions read and write (encodeSafetensors / decodeSafetensors,
// encodeStateJson / decodeStateJson, loadCheckpoint, exportOnnx / decodeOnnx), is in the main
// entry, which runs in browsers too.
export {
  saveSafetensors, loadSafetensors, saveStateJson, loadStateJson, loadCheckpointFile, saveOnnx, writeFileAtomic,
  type WriteFileAtomicOptions,
} from './io/files.js';
