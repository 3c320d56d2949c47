// Every operator pq imports, by ONNX op type (default domain).
import { activationOps } from './activation.js';
import { convOps } from './conv.js';
import { elementwiseOps } from './elementwise.js';
import { linearOps } from './linear.js';
import { normOps } from './norm.js';
import { pad } from './pad.js';
import { poolOps } from './pool.js';
import { reduceOps } from './reduce.js';
import { resize } from './resize.js';
import { shapeOps } from './shape.js';
import type { OpDef } from './op.js';

export const OPS: Readonly<Record<string, OpDef>> = {
  ...elementwiseOps,
  ...activationOps,
  ...shapeOps,
  ...reduceOps,
  Pad: pad,
  Resize: resize,
  ...convOps,
  ...linearOps,
  ...normOps,
  ...poolOps,
};

/** The ONNX operators importOnnx accepts (Constant is folded into the graph's constants). */
export function supportedOps(): string[] {
  return [...Object.keys(OPS), 'Constant'].sort();
}
