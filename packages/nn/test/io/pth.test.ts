// PyTorch checkpoints (torch.save's zip format) read with the restricted pickle reader: files
// written by torch (test/fixtures/make_pth.py) load bit for bit; globals other than a state
// dict's are refused by name, and malformed, truncated or hostile files fail with a clear
// error before anything large is allocated.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import {
  Conv2d, Flatten, InstanceNorm2d, Linear, PthError, Sequential, checkpointFormat, decodePth, loadCheckpoint, type StateDict,
} from '@pq/nn';
import { loadCheckpointFile } from '@pq/nn/node';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'pth');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(DIR, name)));
const expected = JSON.parse(readFileSync(join(DIR, 'state.expected.json'), 'utf8')) as Record<string, { shape: number[]; data: Array<number | string> }>;
const SPECIAL: Record<string, number> = { Infinity, '-Infinity': -Infinity };
const STATE = fixture('state.pth');

function expectMatchesTorch(got: StateDict): void {
  expect(Object.keys(got)).toEqual(Object.keys(expected));
  for (const [k, e] of Object.entries(expected)) {
    expect(got[k]!.shape, k).toEqual(e.shape);
    const want = Float32Array.from(e.data.map((v) => (typeof v === 'string' ? SPECIAL[v]! : v)));
    expect(Array.from(got[k]!.data), k).toEqual(Array.from(want));
  }
}

// ---- building torch-layout archives and pickles by hand -------------------------------------
const enc = new TextEncoder();
function pkl(...parts: Array<number[] | string | Uint8Array>): Uint8Array {
  const bytes: number[] = [];
  for (const p of parts) bytes.push(...(typeof p === 'string' ? enc.encode(p) : p));
  return Uint8Array.from(bytes);
}
const u32 = (n: number): number[] => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
const str = (s: string): Array<number[] | Uint8Array> => [[0x58, ...u32(enc.encode(s).length)], enc.encode(s)];
const int = (n: number): number[] => [0x4a, ...u32(n)];
/** `{name: _rebuild_tensor_v2(storage(key, FloatStorage, numel), offset, size, stride, False, OrderedDict())}`. */
function tensorPickle(name: string, numel: number, offset: number, size: number[], stride: number[]): Uint8Array {
  return pkl(
    [0x80, 0x02, 0x7d, 0x28], ...str(name), 'ctorch._utils\n_rebuild_tensor_v2\n', [0x28, 0x28], ...str('storage'),
    'ctorch\nFloatStorage\n', ...str('0'), ...str('cpu'), int(numel), [0x74, 0x51], int(offset),
    [0x28, ...size.flatMap(int), 0x74, 0x28, ...stride.flatMap(int), 0x74, 0x89], 'ccollections\nOrderedDict\n',
    [0x29, 0x52, 0x74, 0x52, 0x75, 0x2e],
  );
}
function archive(files: Record<string, Uint8Array | string>, level: 0 | 6 = 0): Uint8Array {
  const entries = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? enc.encode(v) : v]));
  return zipSync(entries, { level });
}
function floats(...v: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(v).buffer);
}

describe('files written by torch.save', () => {
  it('a state dict of every storage type, views, offsets, a shared storage and a Parameter reads back as torch wrote it', () => {
    expect(checkpointFormat(STATE)).toBe('pth');
    const got = decodePth(STATE);
    expectMatchesTorch(got);
    expect(got['1.num_batches_tracked']!.data[0]).toBe(Math.fround(123456789));
    expect(got['view.transposed']!.shape).toEqual([6, 4]);
    expect(Array.from(got['view.strided']!.data.slice(0, 3))).toEqual(Array.from(got['view.base']!.data.filter((_, i) => i >= 6 && i < 12 && i % 2 === 0)));
    expectMatchesTorch(loadCheckpoint(STATE));
  });

  it('loadCheckpoint output goes straight into loadStateDict (int64 num_batches_tracked included), with no tensor left behind', async () => {
    const model = new Sequential(new Conv2d(1, 2, 3), new InstanceNorm2d(2, { affine: true, trackRunningStats: true }), new Flatten(), new Linear(8, 3));
    const before = tf.memory().numTensors;
    const dict = await loadCheckpointFile(join(DIR, 'state.pth'));
    const modelKeys = Object.keys(model.stateDict());
    const result = model.loadStateDict(dict, { strict: false });
    expect(result.missingKeys).toEqual([]);
    expect(result.unexpectedKeys.every((k) => !modelKeys.includes(k))).toBe(true);
    const state = model.stateDict();
    for (const k of modelKeys) expect(Array.from(state[k]!.data), k).toEqual(Array.from(dict[k]!.data));
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("a checkpoint dict ({'model': state_dict, 'epoch': 7}) names the entry to pass as { key }", () => {
    const nested = fixture('nested.pth');
    expect(() => decodePth(nested)).toThrow(/dict with entries 'model', 'epoch', not a state dict.*pass \{ key: 'model' \}/);
    expect(Object.keys(loadCheckpoint(nested, { key: 'model' }))).toEqual(['weight', 'bias']);
    expect(() => decodePth(nested, { key: 'epoch' })).toThrow(/option key 'epoch': the entry holds number 7, not a state dict/);
    expect(() => decodePth(nested, { key: 'optimizer' })).toThrow(/no such entry \(it has 'model', 'epoch'\)/);
  });

  it('the legacy format (before PyTorch 1.6) is refused with what to do', () => {
    expect(() => loadCheckpoint(fixture('legacy.pth'))).toThrow(/legacy torch.save format .* re-save it/);
  });

  it('safetensors files go through the same loader', () => {
    const bytes = new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'torch_state.safetensors')));
    expect(checkpointFormat(bytes)).toBe('safetensors');
    expect(Object.keys(loadCheckpoint(bytes))).toContain('0.weight');
    expect(() => loadCheckpoint(bytes, { key: 'model' })).toThrow(/'key' applies to torch.save files/);
    expect(() => loadCheckpoint(bytes, { keys: 'model' } as never)).toThrow("loadCheckpoint: unknown option 'keys' (accepted: key)");
    expect(() => decodePth(bytes, { key: 7 } as never)).toThrow("decodePth: option 'key' must be a string, got 7");
    expect(() => loadCheckpoint(new Uint8Array(0))).toThrow(/not a torch.save zip archive nor a safetensors file \(first bytes none: empty file\)/);
  });
});

describe('hostile pickles are refused by name, and nothing runs', () => {
  it('torch.save of an object that unpickles into os.system (posix.system on Linux)', () => {
    expect(() => decodePth(fixture('os_system.pth'))).toThrow(/refusing the global 'posix\.system'.*nothing was executed/);
  });

  it('a protocol-4 pickle (FRAME, STACK_GLOBAL, MEMOIZE) naming builtins.eval', () => {
    expect(() => decodePth(fixture('eval.pth'))).toThrow(/eval\/data\.pkl: pickle byte \d+: refusing the global 'builtins\.eval'/);
  });

  it.each([
    ['os', 'system'], ['builtins', 'exec'], ['torch', 'load'], ['torch._utils', '_rebuild_qtensor'], ['numpy.core.multiarray', 'scalar'],
  ])('GLOBAL %s.%s', (module, name) => {
    const data = pkl([0x80, 0x02], `c${module}\n${name}\n`, [0x29, 0x52, 0x2e]);
    expect(() => decodePth(archive({ 'a/data.pkl': data }))).toThrow(`refusing the global '${module}.${name}'`);
  });

  it('opcodes outside protocols 2-5 and unknown bytes', () => {
    const run = (data: Uint8Array): unknown => decodePth(archive({ 'a/data.pkl': data }));
    expect(() => run(pkl([0x80, 0x02], 'ios\nsystem\n', [0x2e]))).toThrow(/refusing the global 'os.system'/); // INST
    expect(() => run(pkl([0x80, 0x02, 0x49], '1\n', [0x2e]))).toThrow(/opcode INT is not supported/);
    expect(() => run(pkl([0x80, 0x01, 0x4e, 0x2e]))).toThrow(/pickle protocol 1 is not supported/);
    expect(() => run(pkl([0x80, 0x02, 0xff]))).toThrow(/unknown opcode 0xff/);
    expect(() => run(pkl([0x80, 0x02, 0x7d]))).toThrow(/ends before its STOP opcode/);
    expect(() => run(pkl([0x80, 0x02, 0x73, 0x2e]))).toThrow(/stack underflow/);
    expect(() => run(pkl([0x80, 0x02, 0x68, 0x03, 0x2e]))).toThrow(/memo entry 3 read before it was written/);
    expect(() => run(pkl([0x80, 0x02, 0x58, ...u32(0xfffffff0), 0x2e]))).toThrow(/BINUNICODE needs 4294967280 bytes but 1 are left/);
  });
});

describe('malformed archives fail clearly, allocating nothing from a header claim', () => {
  const pickle = (numel: number, offset: number, size: number[], stride: number[]): Uint8Array => tensorPickle('w', numel, offset, size, stride);

  it('every truncation of a real file fails with a checkpoint error', () => {
    for (let n = 1; n < STATE.length; n += 61) {
      expect(() => loadCheckpoint(STATE.subarray(0, n)), `first ${n} bytes`).toThrow(/^(torch )?checkpoint: /);
    }
  });

  it('bit flips in data.pkl decode or fail with PthError, never anything else', () => {
    const files = unzipSync(STATE);
    const name = Object.keys(files).find((n) => n.endsWith('data.pkl'))!;
    const original = files[name]!;
    let failures = 0;
    for (let i = 0; i < 200; i++) {
      const mutated = original.slice();
      const at = (i * 7919) % mutated.length;
      mutated[at] = mutated[at]! ^ (1 << (i % 8));
      try {
        decodePth(zipSync({ ...files, [name]: mutated }, { level: 0 }));
      } catch (e) {
        expect(e, `flip at byte ${at}`).toBeInstanceOf(PthError);
        failures += 1;
      }
    }
    expect(failures).toBeGreaterThan(50);
  });

  it('a storage whose claimed size is not what the archive holds', () => {
    const data = { 'a/data/0': floats(1, 2, 3) };
    expect(() => decodePth(archive({ 'a/data.pkl': pickle(1e9, 0, [3], [1]), ...data }))).toThrow(/needs 4000000000 bytes but a\/data\/0 has 12/);
    expect(() => decodePth(archive({ 'a/data.pkl': pickle(3, 0, [3], [1]) }))).toThrow(/storage '0' has no a\/data\/0 entry/);
  });

  it('a view that reads past its storage, or repeats it enormously', () => {
    const data = { 'a/data/0': floats(1, 2, 3) };
    expect(() => decodePth(archive({ 'a/data.pkl': pickle(3, 1, [3], [1]), ...data }))).toThrow(/size \[3\], stride \(1\) at offset 1 reads past its storage '0' of 3 elements/);
    expect(() => decodePth(archive({ 'a/data.pkl': pickle(3, 0, [2, 2], [2, 1]), ...data }))).toThrow(/reads past its storage/);
    expect(() => decodePth(archive({ 'a/data.pkl': pickle(3, 0, [65536, 65536], [0, 0]), ...data }))).toThrow(/repeats the 3 elements of storage '0'/);
    expect(decodePth(archive({ 'a/data.pkl': pickle(3, 1, [2, 2], [1, 0]), ...data })).w!.data).toEqual(Float32Array.from([2, 2, 3, 3]));
  });

  it("any archive folder name, deflated entries and byteorder 'big' (storages byte-swapped)", () => {
    const big = floats(1.5, -2, 3.25).slice();
    for (let i = 0; i < big.length; i += 4) big.subarray(i, i + 4).reverse();
    const w = (files: Record<string, Uint8Array | string>, level: 0 | 6 = 0): number[] => Array.from(decodePth(archive(files, level)).w!.data);
    expect(w({ 'archive/data.pkl': pickle(3, 0, [3], [1]), 'archive/data/0': floats(1.5, -2, 3.25), 'archive/byteorder': 'little' }, 6)).toEqual([1.5, -2, 3.25]);
    expect(w({ 'archive/data.pkl': pickle(3, 0, [3], [1]), 'archive/data/0': big, 'archive/byteorder': 'big' })).toEqual([1.5, -2, 3.25]);
    expect(() => w({ 'archive/data.pkl': pickle(3, 0, [3], [1]), 'archive/data/0': big, 'archive/byteorder': 'middle' })).toThrow(/byteorder is 'middle'/);
    expect(() => decodePth(archive({ 'data.pkl': pickle(3, 0, [3], [1]) }))).toThrow(/no <name>\/data\.pkl, so it is not a torch.save file \(entries: data.pkl\)/);
  });

  it('a zip bomb claim is refused before inflating', () => {
    const bytes = archive({ 'a/data.pkl': pickle(3, 0, [3], [1]), 'a/data/0': new Uint8Array(4096) }, 6);
    // Patch the central directory's uncompressed size of a/data/0 to 4 GB - 1.
    const view = new DataView(bytes.buffer);
    for (let p = bytes.length - 22; p >= 0; p--) {
      if (view.getUint32(p, true) === 0x02014b50 && new TextDecoder().decode(bytes.subarray(p + 46, p + 54)) === 'a/data/0') {
        view.setUint32(p + 24, 0xfffffffe, true);
      }
    }
    expect(() => decodePth(bytes)).toThrow(/zip entry 'a\/data\/0' claims 4294967294 bytes from \d+ in a \d+-byte file/);
  });
});

describe('input buffers', () => {
  it('a Node Buffer (whose slice is a view of a shared pool) decodes like a Uint8Array', () => {
    const buf = Buffer.concat([Buffer.from('padding'), Buffer.from(STATE)]).subarray(7);
    expectMatchesTorch(loadCheckpoint(buf));
  });
});
