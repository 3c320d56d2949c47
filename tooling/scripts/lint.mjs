#!/usr/bin/env node
// The workspace lint: fast structural rules that tsc does not check, run per package.
//  - packages depend in one direction: core <- kernels-gpu, core <- calib, core + calib + kernels-native <- nn <- vision, app-kit <- apps;
//  - no import reaches into another package's src/ (import the package by name);
//  - no focused or skipped tests (.only / .skip / .todo);
//  - nothing reads the folder of reference material that sits beside a developer's checkout
//    (a user's clone has no such folder; fixtures live in tooling/fixtures);
//  - @pq/core has no runtime dependencies;
//  - browser entries stay browser-safe: every `exports` entry except `./node` subpaths is a
//    browser entry (and so is a page's script named by package.json `browser`), and the modules its source reaches (relative and `#` imports, followed, the
//    latter to their browser target) import no Node built-in and no `@pq/<pkg>/node`, and use no
//    Node global (process, Buffer, require, __dirname), and no Node-only package (@pq/kernels-native,
//    a native addon). Node-only code lives behind a `./node` subpath or the `node` condition of a `#` import.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

const pkgDir = process.cwd();
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const allowed = {
  '@pq/core': [],
  '@pq/calib': ['@pq/core'],
  '@pq/kernels-gpu': ['@pq/core'],
  '@pq/kernels-native': [],
  '@pq/nn': ['@pq/core', '@pq/calib', '@pq/kernels-native'],
  '@pq/vision': ['@pq/core', '@pq/calib', '@pq/nn'],
  '@pq/onnx': ['@pq/core', '@pq/calib', '@pq/nn'],
  '@pq/app-kit': ['@pq/core', '@pq/calib', '@pq/kernels-gpu', '@pq/nn'],
  '@pq/cli': ['@pq/core', '@pq/calib', '@pq/kernels-gpu', '@pq/nn', '@pq/app-kit', '@pq/vision', '@pq/onnx'],
  '@pq/lenet-app': ['@pq/core', '@pq/calib', '@pq/kernels-gpu', '@pq/nn', '@pq/app-kit'],
  '@pq/classify-app': ['@pq/core', '@pq/calib', '@pq/nn', '@pq/vision', '@pq/app-kit'],
  '@pq/web-app': ['@pq/core', '@pq/calib', '@pq/kernels-gpu', '@pq/nn', '@pq/app-kit', '@pq/lenet-app'],
};
const problems = [];
const runtimeDeps = Object.keys(pkg.dependencies ?? {});
if (pkg.name === '@pq/core' && runtimeDeps.length > 0) {
  problems.push(`package.json: @pq/core must have no runtime dependencies (has ${runtimeDeps.join(', ')})`);
}
for (const dep of runtimeDeps.filter((d) => d.startsWith('@pq/'))) {
  if (!(allowed[pkg.name] ?? []).includes(dep)) {
    problems.push(`package.json: ${pkg.name} may not depend on ${dep} (dependency direction)`);
  }
}

function* files(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (/\.(ts|mts|js|mjs)$/.test(name)) yield p;
  }
}

// Built from parts so that this file does not itself match what it looks for.
const OUTSIDE_REFERENCE = new RegExp(['\\.\\./', 'shared\\b|/', 'shared/golden'].join(''));
const importRe = /(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g;
for (const dir of ['src', 'test', 'bench']) {
  let root;
  try { root = statSync(join(pkgDir, dir)).isDirectory() ? join(pkgDir, dir) : null; } catch { root = null; }
  if (!root) continue;
  for (const file of files(root)) {
    const rel = relative(pkgDir, file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(importRe)) {
      const spec = m[1];
      const leavesPackage = spec.startsWith('.') && relative(pkgDir, resolve(dirname(file), spec)).startsWith('..');
      if (leavesPackage || /^@pq\/[^/]+\/src/.test(spec)) {
        problems.push(`${rel}: imports another package's internals (${spec}); import the package by name`);
      }
      if (dir === 'src' && spec.startsWith('@pq/') && spec !== pkg.name) {
        const base = spec.split('/').slice(0, 2).join('/');
        if (!(allowed[pkg.name] ?? []).includes(base)) problems.push(`${rel}: ${pkg.name} may not import ${base}`);
      }
    }
    if (OUTSIDE_REFERENCE.test(text)) problems.push(`${rel}: reads the reference folder outside the repository, which a user's clone does not have`);
    if (dir === 'test' && /\b(it|test|describe)\.(only|skip|todo)\(/.test(text)) problems.push(`${rel}: focused or skipped test`);
  }
}
const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const NODE_ONLY_PACKAGES = new Set(['@pq/kernels-native']);
const NODE_GLOBAL = /\bprocess\s*\.|\btypeof\s+process\b|\bBuffer\s*\.|\b__dirname\b|\b__filename\b|(?<![\w.$])require\s*\(/;
const runtimeImportRe = /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/gm;
const withoutComments = (text) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

/** Source file of a relative import: `./x.js` is written for `./x.ts`. */
function sourceOf(from, spec) {
  const p = resolve(dirname(from), spec);
  for (const candidate of [p.replace(/\.js$/, '.ts'), p, `${p}.ts`, join(p, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** What a browser bundler takes for the package's `#name` import, from the sources. */
function browserImportOf(spec) {
  let target = pkg.imports?.[spec];
  for (const key of ['@pq/source', 'browser', 'default']) {
    if (target && typeof target === 'object' && key in target) target = target[key];
  }
  return typeof target === 'string' ? join(pkgDir, target) : null;
}

function browserProblems(entry) {
  const found = [];
  const seen = new Set([entry]);
  const queue = [[entry, []]];
  while (queue.length) {
    const [file, chain] = queue.shift();
    const rel = relative(pkgDir, file);
    const via = chain.length ? ` (reached from ${[...chain, rel].join(' -> ')})` : '';
    const text = withoutComments(readFileSync(file, 'utf8'));
    for (const m of text.matchAll(runtimeImportRe)) {
      const spec = m[1] ?? m[2];
      if (NODE_BUILTINS.has(spec)) found.push(`${rel}: imports the Node built-in '${spec}' into a browser entry${via}; move it behind the package's ./node entry`);
      else if (/^@pq\/[^/]+\/node$/.test(spec)) found.push(`${rel}: imports ${spec} (Node only) into a browser entry${via}`);
      else if (NODE_ONLY_PACKAGES.has(spec.split('/').slice(0, 2).join('/'))) found.push(`${rel}: imports ${spec} (a Node addon) into a browser entry${via}; import it from the node side of a \`#\` import`);
      else if (spec.startsWith('.') || spec.startsWith('#')) {
        const next = spec.startsWith('#') ? browserImportOf(spec) : sourceOf(file, spec);
        if (next && !seen.has(next)) {
          seen.add(next);
          queue.push([next, [...chain, rel]]);
        }
      }
    }
    const global = NODE_GLOBAL.exec(text);
    if (global) found.push(`${rel}: uses the Node global '${global[0].trim()}' in a browser entry${via}`);
  }
  return found;
}

// A page's script (package.json `browser`, e.g. apps/web's src/main.ts) is a browser entry too.
if (typeof pkg.browser === 'string') problems.push(...browserProblems(join(pkgDir, pkg.browser)));
for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
  const source = typeof target === 'object' && target !== null ? target['@pq/source'] : undefined;
  if (typeof source !== 'string' || /(^|\/)node$/.test(subpath)) continue;
  problems.push(...browserProblems(join(pkgDir, source)));
}

if (problems.length) {
  console.error(`lint ${pkg.name}: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`lint ${pkg.name}: ok`);
