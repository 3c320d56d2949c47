export { exportOnnx, MIN_OPSET, MAX_OPSET, type ExportOnnxOptions } from './export.js';
export { OnnxExportError, type ConvertContext } from './context.js';
export { registerModuleConverter, registerFunctionalConverter, type ModuleConverter, type FunctionalConverter } from './registry.js';
export { emitQuantizer } from './quantizer.js';
export {
  decodeOnnx, tensorProto, DataType, attr, type Attr, type DecodedModel, type NodeProto, type TensorProto, type AttributeProto, type ValueInfoProto,
} from './proto.js';
