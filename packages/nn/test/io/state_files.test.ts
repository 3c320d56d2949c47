// State files: safetensors (in memory and on disk, including a file written by the Python
// `safetensors` library from a PyTorch model) and the JSON format, bit-identical round trips,
// atomic writes and clear refusals of malformed files.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Conv2d, InstanceNorm2d, Linear, Sequential, decodeSafetensors, decodeStateJson, encodeSafetensors, encodeStateJson,
  manualSeed, safetensorsMetadata, type StateDict,
} from '@pq/nn';
import { loadSafetensors, loadStateJson, saveSafetensors, saveStateJson, writeFileAtomic } from '@pq/nn/node';
import { promises as fsp, readFileSync } from 'node:fs';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pq-nn-io-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Awkward float32 values: NaN, ±Infinity, -0, denormals, extremes, and random ones. */
function awkwardState(): StateDict {
  const special = Float32Array.from([NaN, Infinity, -Infinity, -0, 0, 1e-45, -1e-40, 3.4028234663852886e38, 1 / 3, -2.5]);
  const random = new Float32Array(60);
  for (let i = 0; i < random.length; i++) random[i] = Math.fround(Math.sin(i * 12.9898) * 43758.5453) % 7;
  return {
    'conv1.weight': { data: random, shape: [3, 2, 2, 5] },
    'fc1._input_quantizer._amax': { data: Float32Array.from([2.75]), shape: [] },
    special: { data: special, shape: [2, 5] },
    empty: { data: new Float32Array(0), shape: [0, 3] },
  };
}

function expectBitIdentical(a: StateDict, b: StateDict): void {
  expect(Object.keys(b)).toEqual(Object.keys(a));
  for (const [k, v] of Object.entries(a)) {
    expect(b[k]!.shape, k).toEqual(v.shape);
    const bits = (d: Float32Array): number[] => Array.from(new Uint32Array(d.buffer, d.byteOffset, d.length));
    expect(bits(b[k]!.data), k).toEqual(bits(v.data));
  }
}

describe('round trips are bit-identical', () => {
  it('safetensors in memory', () => {
    const s = awkwardState();
    const bytes = encodeSafetensors(s, { note: 'pq' });
    expect(new DataView(bytes.buffer).getBigUint64(0, true) % 8n).toBe(0n);
    expectBitIdentical(s, decodeSafetensors(bytes));
    expect(safetensorsMetadata(bytes)).toEqual({ note: 'pq' });
    expect(safetensorsMetadata(encodeSafetensors(s))).toBeNull();
  });
  it('JSON in memory (NaN, infinities and -0 spelled as strings)', () => {
    const s = awkwardState();
    const text = encodeStateJson(s);
    expect(text).toContain('"NaN"');
    expectBitIdentical(s, decodeStateJson(text));
  });
  it('a model state through both files and back into a fresh model', async () => {
    manualSeed(11);
    const make = (): Sequential => new Sequential(new Conv2d(1, 2, 3), new InstanceNorm2d(2, { affine: true, trackRunningStats: true }), new Linear(4, 3));
    const model = make();
    model.call(tf.randomNormal([2, 1, 6, 6]));
    const state = model.stateDict();
    await saveSafetensors(join(dir, 'model.safetensors'), state);
    await saveStateJson(join(dir, 'model.json'), state);
    for (const file of ['model.safetensors', 'model.json']) {
      const loaded = file.endsWith('.json') ? await loadStateJson(join(dir, file)) : await loadSafetensors(join(dir, file));
      expectBitIdentical(state, loaded);
      const fresh = make();
      fresh.loadStateDict(loaded);
      expectBitIdentical(state, fresh.stateDict());
    }
    // Only the two files: no temporary files left behind.
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'model.safetensors']);
  });
  it('tensors are accepted as values too', () => {
    const bytes = encodeSafetensors({ w: tf.tensor2d([[1, 2], [3, 4]]) });
    expect(Array.from(decodeSafetensors(bytes)['w']!.data)).toEqual([1, 2, 3, 4]);
  });
});

describe('a safetensors file written by Python from a PyTorch model', () => {
  const path = new URL('../fixtures/torch_state.safetensors', import.meta.url);
  const expected = JSON.parse(readFileSync(new URL('../fixtures/torch_state.expected.json', import.meta.url), 'utf8')) as Record<string, { shape: number[]; data: Array<number | string> }>;
  it('loads every dtype (F32, F16, BF16, F64, I64, I32, U8, BOOL) as float32', async () => {
    const loaded = await loadSafetensors(path.pathname);
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(expected).sort());
    for (const [k, e] of Object.entries(expected)) {
      expect(loaded[k]!.shape, k).toEqual(e.shape);
      const want = e.data.map((v) => (typeof v === 'string' ? Number(v) : Math.fround(v)));
      expect(Array.from(loaded[k]!.data), k).toEqual(want);
    }
    expect(safetensorsMetadata(await readFile(path))).toEqual({ format: 'pt', producer: 'make_safetensors.py' });
  });
  it('loads into the same model built with pq', async () => {
    const loaded = await loadSafetensors(path.pathname);
    const model = new Sequential(new Conv2d(1, 2, 3), new InstanceNorm2d(2, { affine: true, trackRunningStats: true }), new Linear(4, 3));
    const modelKeys = Object.keys(model.stateDict());
    const { unexpectedKeys } = model.loadStateDict(loaded, { strict: false });
    expect(unexpectedKeys.every((k) => k.startsWith('extra.'))).toBe(true);
    expect(Array.from(model.stateDict()['0.weight']!.data)).toEqual(Array.from(loaded['0.weight']!.data));
    expect(modelKeys).toContain('1.num_batches_tracked');
  });
});

describe('malformed files are refused clearly', () => {
  const good = encodeSafetensors({ a: { data: Float32Array.from([1, 2]), shape: [2] } });
  const withHeader = (header: unknown, dataBytes = 8): Uint8Array => {
    const json = new TextEncoder().encode(JSON.stringify(header));
    const out = new Uint8Array(8 + json.length + dataBytes);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    return out;
  };
  it.each([
    ['too short', new Uint8Array(4), /too short for the 8-byte header length/],
    ['header longer than the file', (() => { const b = good.slice(); new DataView(b.buffer).setBigUint64(0, 10_000n, true); return b; })(), /header length 10000 exceeds the file/],
    ['truncated data', good.slice(0, good.length - 3), /ends at byte 8 but the data section has 5 bytes/],
    ['not JSON', (() => { const b = good.slice(); b[8] = 0x7b; b[9] = 0x7b; return b; })(), /header is not valid UTF-8 JSON/],
    ['unsupported dtype', withHeader({ a: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }), /tensor 'a' has unsupported dtype "C64"/],
    ['size mismatch', withHeader({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }), /needs 12 bytes but data_offsets span 8/],
    ['bad shape', withHeader({ a: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }), /shape must be a list of non-negative integers/],
    ['overlap', withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }), /overlaps another tensor/],
    ['trailing bytes', withHeader({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }), /4 trailing bytes not covered by any tensor/],
    ['bad metadata', withHeader({ __metadata__: { n: 1 }, a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }), /__metadata__ must map strings to strings/],
  ])('%s', (_name, bytes, message) => {
    expect(() => decodeSafetensors(bytes)).toThrow(message);
  });
  it('a bad file on disk is named in the error', async () => {
    const p = join(dir, 'broken.safetensors');
    await writeFile(p, new Uint8Array(3));
    await expect(loadSafetensors(p)).rejects.toThrow(`${p}: safetensors: file is 3 bytes, too short`);
    await rm(p);
  });
  it('bad JSON state is refused with the key', () => {
    expect(() => decodeStateJson('{"w": {"shape": [2], "data": [1]}}')).toThrow("state JSON: 'w' has 1 values but shape [2] needs 2");
    expect(() => decodeStateJson('{"w": {"shape": [1], "data": ["x"]}}')).toThrow(`state JSON: 'w'.data[0] is not a number ("x")`);
    expect(() => decodeStateJson('[1]')).toThrow('state JSON: expected an object { name: { shape, data } }');
    expect(() => decodeStateJson('{')).toThrow(/state JSON: not valid JSON/);
  });
  it('encoding refuses inconsistent entries', () => {
    expect(() => encodeSafetensors({ w: { data: new Float32Array(3), shape: [2, 2] } })).toThrow("encodeSafetensors: 'w' has 3 values but shape [2, 2] needs 4");
    expect(() => encodeSafetensors({ __metadata__: { data: new Float32Array(1), shape: [1] } })).toThrow(/'__metadata__' is reserved/);
  });
});

describe('bytes in a Node Buffer', () => {
  it('decode from a Buffer that views a larger pool at an offset (as readFileSync gives for small files)', () => {
    const dict = { a: { data: Float32Array.of(0.5, -2), shape: [2] } };
    const bytes = encodeSafetensors(dict);
    const pool = new Uint8Array(bytes.length + 3);
    pool.set(bytes, 3);
    expect(decodeSafetensors(Buffer.from(pool.buffer, 3, bytes.length))).toEqual(decodeSafetensors(bytes));
    expect(Array.from(decodeSafetensors(Buffer.from(pool.buffer, 3, bytes.length)).a!.data)).toEqual([0.5, -2]);
  });
});

describe('tensor names are data', () => {
  it("a tensor named __proto__ (or constructor) survives safetensors and JSON, and nothing resolves through a prototype", async () => {
    const dict: StateDict = Object.create(null);
    dict['__proto__'] = { data: Float32Array.of(1, 2), shape: [2] };
    dict['constructor'] = { data: Float32Array.of(3), shape: [] };
    const fromSafetensors = decodeSafetensors(encodeSafetensors(dict));
    const fromJson = decodeStateJson(encodeStateJson(dict));
    const p = join(dir, 'proto.safetensors');
    await saveSafetensors(p, dict);
    for (const got of [fromSafetensors, fromJson, await loadSafetensors(p)]) {
      expect(Object.keys(got)).toEqual(['__proto__', 'constructor']);
      expect(Object.getPrototypeOf(got)).toBeNull();
      expect(Array.from(got['__proto__']!.data)).toEqual([1, 2]);
      expect(got['constructor']!.shape).toEqual([]);
      expect((got as Record<string, unknown>)['data']).toBeUndefined();
    }
    // A JSON file written elsewhere, whose __proto__ entry would otherwise become the prototype.
    const parsed = decodeStateJson('{"__proto__": {"shape": [1], "data": [5]}}');
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect((parsed as Record<string, unknown>)['shape']).toBeUndefined();
    await rm(p);
  });
});

describe('atomic writes', () => {
  it('a failed save leaves the previous file intact and no temporary file', async () => {
    const p = join(dir, 'keep.safetensors');
    await saveSafetensors(p, { a: { data: Float32Array.from([1]), shape: [1] } });
    const before = await readFile(p);
    await expect(saveSafetensors(p, { a: { data: Float32Array.from([1, 2]), shape: [5] } })).rejects.toThrow(/has 2 values but shape \[5\] needs 5/);
    // Writing into a directory that does not exist fails before touching anything.
    await expect(saveStateJson(join(dir, 'missing', 'x.json'), {})).rejects.toThrow(/^writing .*x\.json: ENOENT/);
    expect(await readFile(p)).toEqual(before);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await rm(p);
  });

  it('fsyncs the temporary file before the rename and the folder after it', async () => {
    const steps: string[] = [];
    const open = fsp.open.bind(fsp);
    const openSpy = vi.spyOn(fsp, 'open').mockImplementation(async (...args: Parameters<typeof fsp.open>) => {
      const handle = await open(...args);
      const name = String(args[0]) === dir ? 'folder' : 'temp';
      const sync = handle.sync.bind(handle);
      handle.sync = async () => {
        steps.push(`sync ${name}`);
        await sync();
      };
      return handle;
    });
    const rename = fsp.rename.bind(fsp);
    const renameSpy = vi.spyOn(fsp, 'rename').mockImplementation(async (...args: Parameters<typeof fsp.rename>) => {
      steps.push('rename');
      await rename(...args);
    });
    try {
      await writeFileAtomic(join(dir, 'durable.txt'), 'x');
    } finally {
      openSpy.mockRestore();
      renameSpy.mockRestore();
    }
    expect(steps).toEqual(['sync temp', 'rename', 'sync folder']);
    expect(await readFile(join(dir, 'durable.txt'), 'utf8')).toBe('x');
    const tracked: string[] = [];
    await writeFileAtomic(join(dir, 'made', 'deep', 'f.txt'), 'y', { mkdir: true, onTempFile: (t) => (tracked.push(t), () => tracked.push('done')) });
    expect(tracked).toEqual([expect.stringMatching(/deep\/\.f\.txt\.\d+\.[0-9a-f]+\.tmp$/), 'done']);
    expect(await readdir(join(dir, 'made', 'deep'))).toEqual(['f.txt']);
  });
});
