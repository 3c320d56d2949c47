// Interception points for graph capture (the ONNX tracer): every `Module.call` and every
// functional op (`F.*`) runs through these, so a tracer can record what ran without the
// modules knowing about ONNX. With no tracer installed they cost one null check.
import type { Module } from './module.js';

/** Called instead of `module.forward(...args)`; must return what `run()` returns. */
export type ModuleCallHook = (module: Module, args: unknown[], run: () => unknown) => unknown;

/** Called around a functional op: `op` names it (e.g. 'relu'), `attrs` are its options. */
export type FunctionalHook = (
  op: string,
  inputs: unknown[],
  attrs: Record<string, unknown>,
  run: () => unknown,
) => unknown;

let moduleCallHook: ModuleCallHook | null = null;
let functionalHook: FunctionalHook | null = null;

/** Installs (or with `null` removes) the module-call hook; returns the previous one. */
export function setModuleCallHook(hook: ModuleCallHook | null): ModuleCallHook | null {
  const previous = moduleCallHook;
  moduleCallHook = hook;
  return previous;
}

/** Installs (or with `null` removes) the functional-op hook; returns the previous one. */
export function setFunctionalHook(hook: FunctionalHook | null): FunctionalHook | null {
  const previous = functionalHook;
  functionalHook = hook;
  return previous;
}

export function runModuleCall(module: Module, args: unknown[], run: () => unknown): unknown {
  return moduleCallHook === null ? run() : moduleCallHook(module, args, run);
}

/** Runs a functional op through the hook: `F.relu(x)` is `functional('relu', [x], {}, () => ...)`. */
export function functional<T>(op: string, inputs: unknown[], attrs: Record<string, unknown>, run: () => T): T {
  return functionalHook === null ? run() : (functionalHook(op, inputs, attrs, run) as T);
}

/** Whether a hook watches module calls or functional ops: layers then run their submodules' forwards as written, never a fused form. */
export function callsObserved(): boolean {
  return moduleCallHook !== null || functionalHook !== null;
}
