// 'auto' must never run slower than @pq/core's jsKernels. A GPU API backed by a CPU rasteriser
// (Chromium's SwiftShader for WebGL 2 and WebGPU without a GPU, Mesa's llvmpipe / softpipe,
// Windows' WARP) is exact but far slower: in headless Chromium on SwiftShader gpu.js's webgl2,
// webgl and webgpu fake-quantize at 0.02-0.14x jsKernels (tooling/browser-tests' bench). So
// 'auto' reads the device's name and skips those: a name costs one WebGL context (tens of ms),
// where timing a probe against jsKernels costs a kernel compile (0.5 s and more on SwiftShader)
// and varies with the machine's load.

import { HeadlessGLKernel } from 'gpu.js';
import { platformSupports, type GpuBackend } from './modes.js';

/** Names of CPU rasterisers, as they appear in WebGL renderer strings and WebGPU adapter info. */
const SOFTWARE_RENDERERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/swiftshader/i, 'SwiftShader'],
  [/llvmpipe/i, 'llvmpipe'],
  [/softpipe/i, 'softpipe'],
  [/microsoft basic render/i, 'WARP'],
  [/\bsoftware\b/i, 'software'],
];

/** The software renderer `description` names ('SwiftShader', 'llvmpipe', ...), or null for a GPU. */
export function softwareRenderer(description: string): string | null {
  for (const [pattern, name] of SOFTWARE_RENDERERS) if (pattern.test(description)) return name;
  return null;
}

interface GlLike {
  readonly RENDERER: number;
  getExtension(name: string): { readonly UNMASKED_RENDERER_WEBGL: number } | null;
  getParameter(p: number): unknown;
}

/** A WebGL context's renderer string (the unmasked one where the browser gives it), or '' when unreadable. */
export function glRenderer(gl: unknown): string {
  const g = gl as Partial<GlLike> | null | undefined;
  if (typeof g?.getParameter !== 'function' || typeof g.getExtension !== 'function') return '';
  try {
    const ext = g.getExtension('WEBGL_debug_renderer_info');
    const renderer = g.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : (g.RENDERER as number));
    return typeof renderer === 'string' ? renderer : '';
  } catch {
    return '';
  }
}

interface CanvasLike {
  getContext(kind: 'webgl' | 'webgl2'): unknown;
}

function newCanvas(): CanvasLike | null {
  const g = globalThis as { document?: { createElement(tag: 'canvas'): CanvasLike }; OffscreenCanvas?: new (w: number, h: number) => CanvasLike };
  if (g.document) return g.document.createElement('canvas');
  return g.OffscreenCanvas ? new g.OffscreenCanvas(1, 1) : null;
}

/**
 * The renderer behind a GL backend, '' where there is none. In a browser from a context of
 * our own (20-70 ms on SwiftShader, then released), before gpu.js's own support check,
 * which compiles test shaders (0.5 s on SwiftShader); headless-gl's from gpu.js's test context.
 */
export function glDevice(backend: GpuBackend): string {
  if (backend === 'headlessgl') {
    return platformSupports(backend) ? glRenderer((HeadlessGLKernel as unknown as { testContext?: unknown }).testContext) : '';
  }
  const gl = newCanvas()?.getContext(backend === 'webgl2' ? 'webgl2' : 'webgl') as
    { getExtension(name: string): { loseContext(): void } | null } | null | undefined;
  const renderer = glRenderer(gl);
  gl?.getExtension('WEBGL_lose_context')?.loseContext();
  return renderer;
}

export interface AdapterLike {
  readonly isFallbackAdapter?: boolean;
  readonly info?: { readonly vendor?: string; readonly architecture?: string; readonly device?: string; readonly description?: string; readonly isFallbackAdapter?: boolean };
}

/** What a WebGPU adapter says of itself ('google swiftshader' for SwiftShader), and whether it is the fallback (software) adapter. */
export function adapterDescription(adapter: AdapterLike): { description: string; fallback: boolean } {
  const i = adapter.info ?? {};
  const description = [i.vendor, i.architecture, i.device, i.description].filter((s) => typeof s === 'string' && s !== '').join(' ');
  return { description, fallback: adapter.isFallbackAdapter === true || i.isFallbackAdapter === true };
}

/** Why 'auto' skips `backend` on the device `description`, or null when it is a GPU. */
export function softwareReason(backend: string, description: string, fallbackAdapter = false): string | null {
  const name = softwareRenderer(description) ?? (fallbackAdapter ? 'the fallback adapter' : null);
  return name === null ? null : `${backend} is a software renderer (${name}), slower than jsKernels`;
}
