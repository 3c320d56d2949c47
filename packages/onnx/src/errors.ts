// What importOnnx throws for a model it cannot take: the message names the file-level problem,
// or the node (op type, node name, opset) and what about it is unsupported.

/** Raised when an ONNX model cannot be imported, before anything runs. */
export class OnnxImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxImportError';
  }
}
