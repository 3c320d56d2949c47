// Converters: one per module class and one per functional op, registered by the family files
// (conv.ts, linear.ts, ...). A module whose class has a converter is exported as a whole
// (its forward runs untraced); any other module is traced into.
import type { Module } from '../module.js';
import type { ConvertContext } from './context.js';

/** Emits the ONNX nodes of one module call; `output` is what forward returned (to `bind`). */
export type ModuleConverter<M extends Module = any> = (ctx: ConvertContext, module: M, args: unknown[], output: unknown) => void;
/** Emits the ONNX nodes of one functional op (`F.*`), given its hook arguments. */
export type FunctionalConverter = (ctx: ConvertContext, inputs: unknown[], attrs: Record<string, unknown>, output: unknown) => void;

type ModuleClass = abstract new (...args: any[]) => Module;

const moduleConverters = new Map<ModuleClass, ModuleConverter>();
const functionalConverters = new Map<string, FunctionalConverter>();

/** Registers `convert` for instances of `cls` (and subclasses that keep its forward). */
export function registerModuleConverter<M extends Module>(cls: abstract new (...args: any[]) => M, convert: ModuleConverter<M>): void {
  moduleConverters.set(cls, convert as ModuleConverter);
}

/** Registers `convert` for the functional op `op` (the name passed to `functional()`). */
export function registerFunctionalConverter(op: string | readonly string[], convert: FunctionalConverter): void {
  for (const name of [op].flat()) functionalConverters.set(name, convert);
}

/**
 * The converter of the nearest registered class of `module`, provided no subclass in between
 * overrides `forward` (such a subclass computes something else, so it is traced into instead).
 */
export function findModuleConverter(module: Module): ModuleConverter | undefined {
  let proto: unknown = Object.getPrototypeOf(module);
  while (proto !== null && proto !== Object.prototype) {
    const cls = (proto as { constructor: ModuleClass }).constructor;
    const convert = moduleConverters.get(cls);
    if (convert !== undefined) {
      return (proto as Module).forward === module.forward ? convert : undefined;
    }
    proto = Object.getPrototypeOf(proto);
  }
  return undefined;
}

export function findFunctionalConverter(op: string): FunctionalConverter | undefined {
  return functionalConverters.get(op);
}

/** Names of the functional ops that have converters (for error messages and docs). */
export function functionalOps(): string[] {
  return [...functionalConverters.keys()].sort();
}
