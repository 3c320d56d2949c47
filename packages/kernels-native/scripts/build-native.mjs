#!/usr/bin/env node
// Compiles native/*.cc into build/pq_kernels.node, a Node-API addon (C interface, node_api.h; no
// node-gyp, no download). Fixed flags, AVX2+FMA; the one run-time choice, an AVX-512 micro-kernel
// where the CPU has it (native/isa.*), computes the same FMA chains, so every AVX2+FMA CPU
// computes the same bits. Where no C++ compiler exists the build warns
// and writes build/unavailable.txt instead (loadNativeKernels() then returns null and says why);
// where one exists and compilation fails, the build fails.
// Options (environment): CXX (compiler, default g++), PQ_NODE_INCLUDE (folder with node_api.h).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = dirname(dirname(fileURLToPath(import.meta.url)));
const sourceDir = join(pkgDir, 'native');
const buildDir = join(pkgDir, 'build');
const addon = join(buildDir, 'pq_kernels.node');
const skipped = join(buildDir, 'unavailable.txt');

// -ffp-contract=off: FMAs only where the source asks for them (the micro-kernel), so scalar code
// rounds every product and sum as written.
const FLAGS = ['-O3', '-std=c++17', '-ffp-contract=off', '-fPIC', '-pthread', '-fvisibility=hidden', '-Wall', '-Wextra'];
const KERNEL_FLAGS = ['-mavx2', '-mfma'];
/** Runs at load time on any x86-64 CPU (it answers cpuSupported()), so it is compiled without AVX. */
const PORTABLE = new Set(['addon.cc']);

mkdirSync(buildDir, { recursive: true });
rmSync(addon, { force: true });
rmSync(skipped, { force: true });

const cxx = process.env.CXX || 'g++';
const probe = spawnSync(cxx, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  const reason = `no C++ compiler (${cxx} --version failed: ${probe.error?.message ?? probe.stderr.trim()})`;
  writeFileSync(skipped, `${reason}\n`);
  console.warn(`@pq/kernels-native: WARNING: ${reason}; the native kernels are not built and loadNativeKernels() returns null`);
  process.exit(0);
}

const candidates = [process.env.PQ_NODE_INCLUDE, resolve(process.execPath, '../../include/node')].filter(Boolean);
const include = candidates.find((dir) => existsSync(join(dir, 'node_api.h')));
if (!include) {
  console.error(`@pq/kernels-native: node_api.h not found in ${candidates.join(' or ')} (Node's headers; set PQ_NODE_INCLUDE to the folder that has node_api.h)`);
  process.exit(1);
}

const sources = readdirSync(sourceDir).filter((f) => f.endsWith('.cc')).sort();
const objects = sources.map((f) => join(buildDir, f.replace(/\.cc$/, '.o')));
const started = Date.now();
/** Runs the compiler, failing the build (with the command) when it fails. */
function compile(args) {
  return new Promise((done) => {
    const child = spawn(cxx, args, { stdio: 'inherit' });
    child.on('close', (code, signal) => {
      if (code === 0) return done();
      console.error(`@pq/kernels-native: ${cxx} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`);
      process.exit(1);
    });
  });
}
await Promise.all(sources.map((f, i) =>
  compile([...FLAGS, ...(PORTABLE.has(f) ? [] : KERNEL_FLAGS), `-I${include}`, '-c', join(sourceDir, f), '-o', objects[i]])));
await compile([...FLAGS, '-shared', ...objects, '-o', addon]);
for (const o of objects) rmSync(o);
console.log(`@pq/kernels-native: built ${addon} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
