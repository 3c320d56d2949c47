// `pnpm bench`: fake quantization speed against the memory-bandwidth floor (Float32Array.set),
// measured in the same run. Prints the median of several timed runs after a warm-up.
import os from 'node:os';
import { timeMedian } from '@pq/bench-utils';
import {
  configureSimd, simdActive, fakeBlockQuantInto, fakeTensorQuant, fakeTensorQuantInto, ndarray, reduceAmax, reduceBlockAmax, rint,
  tensorQuant, type NDArray,
} from '../src/index.js';

const CHANNELS = 64;
// PQ_SIMD=0 measures the plain JS loops (the fallback where WebAssembly SIMD is missing).
if (process.env['PQ_SIMD'] === '0') configureSimd({ enabled: false });

// Two unmeasured calls warm up the JIT and fault in the pages.
const time = (fn: () => void, runs: number): number => timeMedian(fn, { warmup: 2, runs });

/** The textbook loop: per-element index arithmetic for the channel, a rint call, no blocking. */
function naiveFakeQuant(x: NDArray, amax: NDArray): Float32Array {
  const out = new Float32Array(x.data.length);
  const inner = x.data.length / amax.data.length;
  for (let i = 0; i < x.data.length; i++) {
    const a = amax.data[Math.floor(i / inner) % amax.data.length]!;
    const scale = Math.fround(127 / a);
    const q = Math.min(127, Math.max(-127, rint(Math.fround(x.data[i]! * scale))));
    out[i] = q / scale;
  }
  return out;
}

function randn(n: number): Float32Array {
  const a = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    // xorshift + Box-Muller-free sum of uniforms: cheap, roughly normal.
    let u = 0;
    for (let k = 0; k < 4; k++) {
      s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
      u += (s >>> 0) / 4294967296;
    }
    a[i] = (u - 2) * 1.7;
  }
  return a;
}

const rows: string[][] = [];
const fmt = (ms: number) => ms.toFixed(2);
for (const n of [1 << 20, 1 << 24]) {
  const runs = n > 1 << 20 ? 7 : 21;
  const data = randn(n);
  const x = ndarray(data, [CHANNELS, n / CHANNELS]);
  const amaxT = reduceAmax(x);
  const amaxC = reduceAmax(x, 1);
  const dst = new Float32Array(n);
  const copy = time(() => dst.set(data), runs);
  const copyAlloc = time(() => data.slice(), runs);
  const intoTensor = time(() => fakeTensorQuantInto(x, amaxT, dst), runs);
  const intoChannel = time(() => fakeTensorQuantInto(x, amaxC, dst), runs);
  const amaxTime = time(() => reduceAmax(x, 1), runs);
  const xRows = ndarray(data, [n / 1024, 1024]);
  const amaxLast = reduceAmax(xRows, 0);
  const intoLast = time(() => fakeTensorQuantInto(xRows, amaxLast, dst), runs);
  // Block-wise (INT4 AWQ's layout: one amax per 128 weights of a row) against per-channel.
  const blocks = { [-1]: 128 };
  const amaxB = reduceBlockAmax(x, blocks);
  const intoBlock = time(() => fakeBlockQuantInto(x, amaxB, blocks, dst, { numBits: 4 }), runs);
  const dynChannel = time(() => fakeTensorQuantInto(x, reduceAmax(x, 1), dst), runs);
  const dynBlock = time(() => fakeBlockQuantInto(x, reduceBlockAmax(x, blocks), blocks, dst, { numBits: 4 }), runs);
  const perTensor = time(() => fakeTensorQuant(x, amaxT), runs);
  const perChannel = time(() => fakeTensorQuant(x, amaxC), runs);
  const real = time(() => tensorQuant(x, amaxC), runs);
  const naive = time(() => naiveFakeQuant(x, amaxC), n > 1 << 20 ? 3 : 7);
  const label = n === 1 << 20 ? '1M' : '16M';
  rows.push([label, 'copy (Float32Array.set)', fmt(copy), '1.0x']);
  rows.push([label, 'copy with allocation (slice)', fmt(copyAlloc), `${(copyAlloc / copy).toFixed(1)}x`]);
  rows.push([label, 'fakeTensorQuantInto per-tensor', fmt(intoTensor), `${(intoTensor / copy).toFixed(1)}x`]);
  rows.push([label, `fakeTensorQuantInto per-channel [${CHANNELS},1]`, fmt(intoChannel), `${(intoChannel / copy).toFixed(1)}x`]);
  rows.push([label, 'fakeTensorQuantInto last-axis [1,1024]', fmt(intoLast), `${(intoLast / copy).toFixed(1)}x`]);
  rows.push([label, `fakeBlockQuantInto blocks of 128 (${intoBlock / intoChannel < 10 ? (intoBlock / intoChannel).toFixed(2) : '>10'}x per-channel)`, fmt(intoBlock), `${(intoBlock / copy).toFixed(1)}x`]);
  rows.push([label, 'reduceAmax + fakeTensorQuantInto per-channel', fmt(dynChannel), `${(dynChannel / copy).toFixed(1)}x`]);
  rows.push([label, `reduceBlockAmax + fakeBlockQuantInto (${(dynBlock / dynChannel).toFixed(2)}x per-channel)`, fmt(dynBlock), `${(dynBlock / copy).toFixed(1)}x`]);
  rows.push([label, 'fakeTensorQuant per-tensor', fmt(perTensor), `${(perTensor / copy).toFixed(1)}x`]);
  rows.push([label, `fakeTensorQuant per-channel [${CHANNELS},1]`, fmt(perChannel), `${(perChannel / copy).toFixed(1)}x`]);
  rows.push([label, `tensorQuant per-channel [${CHANNELS},1]`, fmt(real), `${(real / copy).toFixed(1)}x`]);
  rows.push([label, `reduceAmax per-channel [${CHANNELS},1]`, fmt(amaxTime), `${(amaxTime / copy).toFixed(1)}x`]);
  rows.push([label, 'naive JS loop (per-channel)', fmt(naive), `${(naive / copy).toFixed(1)}x`]);
}

console.log(
  `@pq/core bench — Node ${process.version}, ${process.arch}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}, ` +
    `WASM SIMD ${simdActive() ? 'on' : 'off'}; median of runs; "Into" = preallocated output, others allocate`,
);
const header = ['size', 'op', 'ms', 'vs copy'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
