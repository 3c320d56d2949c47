export interface GeneratedOptions {
  /** The source's file name, for the header comment. */
  source: string;
  /** The exported constant's name. */
  constant: string;
  /** The command that regenerates the file, for the header comment. */
  script: string;
  /** The doc comment's text before ", N bytes." */
  description: string;
}
/** The module's binary: wabt's wat2wasm with SIMD, no name section, canonical LEB128s. Rejects invalid source. */
export function compileWat(source: string, filename?: string): Promise<Uint8Array>;
/** The TypeScript file holding `bytes` as `export const <constant>`, 16 to a line. */
export function generatedModule(bytes: Uint8Array, options: GeneratedOptions): string;
/** Compiles `watPath` and rewrites `generatedPath` (temp, then rename) when its text changed. */
export function buildWat(watPath: string, generatedPath: string, options: GeneratedOptions): Promise<void>;
