// The conv weight layout changes, [Co, Ci, kh, kw] -> [kh, kw, Ci, Co] (conv2d's forward) and
// back (its weight gradient), at ResNet-18's and its stem's shapes, by pq's kernels in the wasm
// heap: the outer/inner swap kernel that tf.transpose now takes, the strided-copy (`permute`)
// kernel it took before (one element at a time), and a copy of the same bytes (memory.copy, a
// floor for any layout change). The three run interleaved, case by case, so that each ratio sees
// the same load; medians in ms.
// Run: npx tsx --conditions=@pq/source bench/transpose.ts [--runs N]
import os from 'node:os';
import { median } from '@pq/bench-utils';
import * as tf from '@tensorflow/tfjs-core';
import { enableAcceleration } from '../src/accel/index.js';
import { asBatchedSwap, mergedPermutation } from '../src/accel/transpose_simd.js';
import { heapOffset, wasmKernels } from '../src/accel/wasm_kernels.js';

const i = process.argv.indexOf('--runs');
const RUNS = i >= 0 ? Number(process.argv[i + 1]) : 30;

const SHAPES = [[64, 64, 3, 3], [128, 128, 3, 3], [256, 256, 3, 3], [512, 512, 3, 3], [64, 3, 7, 7]];

await enableAcceleration();
const backend = tf.backend();
const kernels = wasmKernels(backend);
if (kernels === null) throw new Error('transpose bench: pq\'s wasm kernels are not available');
console.log(`conv weight layout changes, ms (medians of ${RUNS} interleaved runs); ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ` +
  `Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}`);
console.log('| weight | perm | MB | swap kernel | strided copy (before) | memory.copy | before / swap | swap / copy |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const oihw of SHAPES) {
  const [o, ci, kh, kw] = oihw as [number, number, number, number];
  for (const [shape, perm] of [[oihw, [2, 3, 1, 0]], [[kh, kw, ci, o], [3, 2, 0, 1]]] as const) {
    const x = tf.randomNormal([...shape], 0, 1, 'float32', 1);
    const y = tf.zeros([...perm].map((p) => shape[p]!));
    const [to, from] = [heapOffset(backend, y), heapOffset(backend, x)];
    const s = asBatchedSwap(shape, perm)!;
    const m = mergedPermutation(shape, perm);
    const strides = m.dims.map((_, a) => 4 * m.dims.slice(a + 1).reduce((p, d) => p * d, 1));
    const [d, st] = [m.perm.map((a) => m.dims[a]!), m.perm.map((a) => strides[a]!)];
    const bytes = 4 * x.size;
    const ways: Array<() => void> = [
      () => kernels.swap(to, from, s.a, s.b, s.c),
      () => kernels.permute(to, from, 1, d[0]!, d[1]!, d[2]!, 0, st[0]!, st[1]!, st[2]!),
      () => kernels.permute(to, from, 1, 1, 1, bytes / 4, 0, 0, 0, 4),
    ];
    const times: number[][] = ways.map(() => []);
    for (let r = 0; r < RUNS + 2; r++) {
      ways.forEach((f, w) => {
        const t0 = performance.now();
        f();
        if (r >= 2) times[w]!.push(performance.now() - t0);
      });
    }
    const [sw, before, copy] = times.map(median) as [number, number, number];
    console.log(`| ${shape.join('x')} | ${perm.join(',')} | ${(bytes / 2 ** 20).toFixed(1)} | ${sw.toFixed(3)} | ${before.toFixed(3)} | ${copy.toFixed(3)} | ` +
      `${(before / sw).toFixed(1)}x | ${(sw / copy).toFixed(1)}x |`);
    tf.dispose([x, y]);
  }
}
console.log(`load average at the end: ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
