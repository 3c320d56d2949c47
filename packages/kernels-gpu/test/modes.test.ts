// Backend choice, fallback warnings, caching, disposal and the asynchronous variant.
import { jsKernels, ndarray } from '@pq/core';
import { describe, expect, it } from 'vitest';
import { createAsyncGpuKernels, createGpuKernels, softwareRenderer } from '../src/index.js';
import { ASYNC_CHAIN, SYNC_CHAIN, candidates } from '../src/modes.js';
import { adapterDescription, glRenderer, softwareReason } from '../src/software-renderer.js';
import { expectSameFloats, randomData } from './helpers.js';

describe('createGpuKernels', () => {
  it("'auto' without a GPU runs @pq/core's jsKernels, says so in backend, without a warning", () => {
    const warnings: string[] = [];
    const k = createGpuKernels({ onWarning: (m) => warnings.push(m) });
    // Node has no GL context (headless-gl is not installed) and no synchronous WebGPU, and
    // gpu.js's CPU backends (webasm, cpu) are slower than jsKernels, so 'auto' picks core's.
    expect(k.backend).toBe('core');
    expect(k.reason).toBe("'auto' found no GPU backend faster than jsKernels: gpu.js reports no headlessgl support here; "
      + 'gpu.js reports no webgl2 support here; gpu.js reports no webgl support here');
    expect(k.name).toBe(jsKernels.name);
    expect(k.compiledKernels).toBe(0);
    expect(warnings).toEqual([]);
    const x = ndarray(randomData(3 * 700, 9), [3, 700]);
    const amax = jsKernels.reduceAmax(x, 1);
    expectSameFloats(k.reduceAmax(x, 1).data, amax.data, 'amax');
    expectSameFloats(k.fakeTensorQuant(x, amax).data, jsKernels.fakeTensorQuant(x, amax).data, 'fake');
    expectSameFloats(k.tensorQuant(x, amax, { numBits: 4 }).outputs.data, jsKernels.tensorQuant(x, amax, { numBits: 4 }).outputs.data, 'quant');
    expect(Array.from(k.histogram(x, 64, 4))).toEqual(Array.from(jsKernels.histogram(x, 64, 4)));
    expect(() => k.fakeTensorQuant(x, -1)).toThrow(/amax/);
    k.dispose();
    expect(() => k.reduceAmax(x)).toThrow(/disposed/);
  });

  it("'auto' tries only GPU backends; named CPU backends still run gpu.js", () => {
    expect(candidates('auto', SYNC_CHAIN)).toEqual(['headlessgl', 'webgl2', 'webgl']);
    expect(candidates('auto', ASYNC_CHAIN)).toEqual(['webgpu', 'headlessgl', 'webgl2', 'webgl']);
    expect(candidates('webasm', SYNC_CHAIN)).toEqual(['webasm', 'cpu']);
  });

  it("'auto' passes over software renderers by their WebGL renderer string or WebGPU adapter info", () => {
    // the strings real browsers report (Chromium 150 headless on SwiftShader, Mesa, Windows, macOS)
    const software: [string, string][] = [
      ['ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)', 'SwiftShader'],
      ['Google SwiftShader', 'SwiftShader'],
      ['llvmpipe (LLVM 15.0.6, 256 bits)', 'llvmpipe'],
      ['ANGLE (Mesa, softpipe, OpenGL 4.5)', 'softpipe'],
      ['ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0, D3D11)', 'WARP'],
      ['Apple Software Renderer', 'software'],
    ];
    for (const [renderer, name] of software) expect(softwareRenderer(renderer), renderer).toBe(name);
    for (const gpu of [
      'ANGLE (NVIDIA, NVIDIA GeForce RTX 3080 (0x00002206) Direct3D11 vs_5_0 ps_5_0, D3D11)',
      'Mesa Intel(R) UHD Graphics 620 (KBL GT2)', 'ANGLE (Apple, ANGLE Metal Renderer: Apple M1, Unspecified Version)',
      'AMD Radeon Pro 5500M OpenGL Engine', 'nvidia ampere', '',
    ]) expect(softwareRenderer(gpu), gpu).toBeNull();
    expect(softwareReason('webgl2', software[0]![0])).toBe('webgl2 is a software renderer (SwiftShader), slower than jsKernels');
    expect(softwareReason('webgl2', 'nvidia ampere')).toBeNull();
    // WebGPU: the adapter's info, or its fallback flag alone (an adapter that names nothing)
    const swiftshader = adapterDescription({ info: { vendor: 'google', architecture: 'swiftshader', device: '', description: '' } });
    expect(swiftshader).toEqual({ description: 'google swiftshader', fallback: false });
    const unnamed = adapterDescription({ isFallbackAdapter: true });
    expect(softwareReason('webgpu', unnamed.description, unnamed.fallback)).toBe('webgpu is a software renderer (the fallback adapter), slower than jsKernels');
    // the unmasked renderer where the browser gives it, else RENDERER; a context that cannot say: ''
    const gl = (ext: boolean) => ({
      RENDERER: 1, getExtension: () => (ext ? { UNMASKED_RENDERER_WEBGL: 2 } : null), getParameter: (p: number) => (p === 2 ? 'unmasked' : 'masked'),
    });
    expect([glRenderer(gl(true)), glRenderer(gl(false)), glRenderer(undefined), glRenderer({})]).toEqual(['unmasked', 'masked', '', '']);
  });

  it('falls back along the chain with one line naming the requested and the running mode', () => {
    const warnings: string[] = [];
    const k = createGpuKernels({ mode: 'webgl2', onWarning: (m) => warnings.push(m) });
    expect(k.backend).toBe('webasm');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/mode 'webgl2' is not available .*running on 'webasm'/);
    expect(warnings[0]).not.toContain('\n');
    expect(k.reason).toBe(warnings[0]);
    k.dispose();
  });

  it("sends 'webgpu' to the asynchronous API", () => {
    const warnings: string[] = [];
    const k = createGpuKernels({ mode: 'webgpu', onWarning: (m) => warnings.push(m) });
    expect(k.backend).not.toBe('webgpu');
    expect(warnings[0]).toMatch(/mode 'webgpu' is not available \(WebGPU kernels are asynchronous; use createAsyncGpuKernels\)/);
    k.dispose();
  });

  it('refuses unknown and mistyped options, naming the accepted ones', () => {
    expect(() => createGpuKernels({ tile: 8 } as never)).toThrow("createGpuKernels: unknown option 'tile' (accepted: mode, tileElements, onWarning)");
    expect(() => createGpuKernels({ onWarning: 'log' } as never)).toThrow("createGpuKernels: option 'onWarning' must be a function, got string 'log'");
  });

  it('runs the requested mode without a warning when it is available', () => {
    const warnings: string[] = [];
    for (const mode of ['webasm', 'cpu'] as const) {
      const k = createGpuKernels({ mode, onWarning: (m) => warnings.push(m) });
      expect(k.backend).toBe(mode);
      expect(k.reason).toBe(`mode '${mode}' as asked`);
      k.dispose();
    }
    expect(warnings).toEqual([]);
  });

  it('rejects unknown modes and tile sizes with the offending value', () => {
    expect(() => createGpuKernels({ mode: 'cuda' as never })).toThrow(/mode must be one of .*got cuda/);
    expect(() => createGpuKernels({ tileElements: 3 })).toThrow(/tileElements .* got 3/);
    expect(() => createGpuKernels({ tileElements: 2 ** 24 })).toThrow(/tileElements/);
  });

  it('compiles a kernel once per shape and reuses it', () => {
    const k = createGpuKernels({ mode: 'webasm' });
    const x = ndarray(randomData(4096, 1));
    k.fakeTensorQuant(x, 2);
    const after = k.compiledKernels;
    k.fakeTensorQuant(x, 3);
    k.fakeTensorQuant(ndarray(randomData(4096, 2)), 1.5, { numBits: 4 });
    expect(k.compiledKernels).toBe(after);
    k.fakeTensorQuant(ndarray(randomData(4097, 3)), 2);
    expect(k.compiledKernels).toBe(after + 1);
    k.dispose();
  });

  it('throws after dispose', () => {
    const k = createGpuKernels({ mode: 'cpu' });
    k.dispose();
    expect(() => k.reduceAmax(ndarray([1, 2]))).toThrow(/disposed/);
  });
});

describe('createAsyncGpuKernels', () => {
  it('falls back from WebGPU where no adapter answers and matches jsKernels', async () => {
    const warnings: string[] = [];
    const k = await createAsyncGpuKernels({ mode: 'webgpu', onWarning: (m) => warnings.push(m) });
    if (k.backend !== 'webgpu') {
      expect(warnings[0]).toMatch(new RegExp(`mode 'webgpu' is not available .*running on '${k.backend}'`));
    }
    const x = ndarray(randomData(6 * 1000, 4), [6, 1000]);
    const amax = jsKernels.reduceAmax(x, 1);
    expectSameFloats((await k.reduceAmax(x, 1)).data, amax.data, 'amax');
    expectSameFloats((await k.fakeTensorQuant(x, amax)).data, jsKernels.fakeTensorQuant(x, amax).data, 'fake');
    const q = await k.tensorQuant(x, amax, { numBits: 4 });
    expectSameFloats(q.outputs.data, jsKernels.tensorQuant(x, amax, { numBits: 4 }).outputs.data, 'quant');
    expect(Array.from(await k.histogram(x, 64, 4))).toEqual(Array.from(jsKernels.histogram(x, 64, 4)));
    k.dispose();
    await expect(k.reduceAmax(x)).rejects.toThrow(/disposed/);
  });

  it("'auto' without an adapter or GL runs @pq/core's jsKernels behind promises", async () => {
    const warnings: string[] = [];
    const k = await createAsyncGpuKernels({ onWarning: (m) => warnings.push(m) });
    expect(k.backend).toBe('core');
    expect(k.reason).toMatch(/^'auto' found no GPU backend faster than jsKernels: no WebGPU adapter answered; gpu.js reports no headlessgl support here/);
    expect(warnings).toEqual([]);
    const x = ndarray(randomData(2 * 500, 5), [2, 500]);
    expectSameFloats((await k.fakeTensorQuant(x, 1.5)).data, jsKernels.fakeTensorQuant(x, 1.5).data, 'fake');
    await expect(k.fakeTensorQuant(x, -1)).rejects.toThrow(/amax/);
    k.dispose();
    await expect(k.reduceAmax(x)).rejects.toThrow(/disposed/);
  });
});
