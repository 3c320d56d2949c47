// The page's pure parts on Node: the URL's run settings (bad values refused by name), the default
// backend, and the MNIST-style centring of a drawn digit.
import { describe, expect, it } from 'vitest';
import { type BackendInfo, fastestBackend, wasmThreads } from '../src/backendChoice.js';
import { DEFAULT_CONFIG, parseConfig } from '../src/config.js';
import { toMnistImage } from '../src/digitImage.js';

describe('parseConfig', () => {
  it('takes the defaults without parameters and reads a short run', () => {
    expect(parseConfig('')).toEqual(DEFAULT_CONFIG);
    expect(parseConfig('?train=2048&test=500&epochs=1&qat=0&backend=wasm&threads=4&lr=0.05&qatFrom=mse&autorun=1')).toEqual({
      ...DEFAULT_CONFIG, train: 2048, test: 500, epochs: 1, qatEpochs: 0, backend: 'wasm', threads: 4, lr: 0.05, qatFrom: 'mse', autorun: true,
    });
  });

  it('refuses a bad value or an unknown parameter by name', () => {
    expect(() => parseConfig('?train=12')).toThrow('?train=12: expected an integer >= 64');
    expect(() => parseConfig('?epochs=1.5')).toThrow('?epochs=1.5: expected an integer >= 0');
    expect(() => parseConfig('?backend=cuda')).toThrow('?backend=cuda: expected one of webgpu, webgl, wasm');
    expect(() => parseConfig('?threads=0')).toThrow('?threads=0: expected an integer >= 1');
    expect(() => parseConfig('?threads=9')).toThrow('?threads=9: expected an integer from 1 to 8');
    expect(() => parseConfig('?lr=-1')).toThrow('?lr=-1: expected a positive number');
    expect(() => parseConfig('?qatFrom=minmax')).toThrow('?qatFrom=minmax: expected one of max, percentile, mse, entropy');
    expect(() => parseConfig('?epoch=3')).toThrow('unknown URL parameter ?epoch');
  });
});

describe('fastestBackend', () => {
  const gpu = (name: BackendInfo['name'], available: boolean, software: boolean): BackendInfo => ({ name, available, software, detail: '' });
  const wasm = gpu('wasm', true, true);
  it('takes a hardware GPU (WebGPU first), never a software one, else wasm', () => {
    expect(fastestBackend([gpu('webgpu', true, false), gpu('webgl', true, false), wasm])).toBe('webgpu');
    expect(fastestBackend([gpu('webgpu', false, false), gpu('webgl', true, false), wasm])).toBe('webgl');
    expect(fastestBackend([gpu('webgpu', true, true), gpu('webgl', true, false), wasm])).toBe('webgl');
    // Headless Chromium here: SwiftShader behind both GPU APIs.
    expect(fastestBackend([gpu('webgpu', true, true), gpu('webgl', true, true), wasm])).toBe('wasm');
  });
});

describe('wasmThreads', () => {
  it('takes the threads asked for, else 2 on a cross-origin-isolated page and 1 elsewhere', () => {
    expect(wasmThreads(null, true)).toBe(2);
    expect(wasmThreads(null, false)).toBe(1);
    expect(wasmThreads(4, true)).toBe(4);
    expect(wasmThreads(2, false)).toBe(2); // asked for: @pq/nn refuses it there, with the reason
  });
});

describe('toMnistImage', () => {
  const SIZE = 280;
  /** A filled rectangle of ink [x0, x1) x [y0, y1) on a SIZE x SIZE pad. */
  function rect(x0: number, x1: number, y0: number, y1: number): Float32Array {
    const ink = new Float32Array(SIZE * SIZE);
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) ink[y * SIZE + x] = 1;
    return ink;
  }
  /** The ink's bounding box and centre of mass in the 28x28 image. */
  function geometry(raw: Float32Array): { w: number; h: number; cx: number; cy: number } {
    let x0 = 28, x1 = -1, y0 = 28, y1 = -1, m = 0, cx = 0, cy = 0;
    for (let i = 0; i < raw.length; i++) {
      const v = raw[i]!;
      if (v <= 0) continue;
      const x = i % 28, y = Math.floor(i / 28);
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      m += v; cx += v * x; cy += v * y;
    }
    return { w: x1 - x0 + 1, h: y1 - y0 + 1, cx: cx / m, cy: cy / m };
  }

  it('scales the ink to a 20-pixel box (aspect kept) with its centre of mass at the centre', () => {
    // A tall bar in a corner of the pad: 40 x 200 pixels.
    const g = geometry(toMnistImage(rect(10, 50, 20, 220), SIZE)!.raw);
    expect(g.h).toBe(20);
    expect(g.w).toBe(4);
    expect(Math.abs(g.cx - 13.5)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(g.cy - 13.5)).toBeLessThanOrEqual(0.5);
  });

  it('normalises as the training data, and gives nothing for an empty pad', () => {
    const img = toMnistImage(rect(100, 180, 100, 180), SIZE)!;
    expect(img.normalised[0]).toBe(Math.fround(Math.fround(0 - Math.fround(0.1307)) / Math.fround(0.3081)));
    expect(Math.max(...img.raw)).toBe(1);
    expect(toMnistImage(new Float32Array(SIZE * SIZE), SIZE)).toBeNull();
  });
});
