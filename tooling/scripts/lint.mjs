#!/usr/bin/env node
// The workspace lint: fast structural rules that tsc does not check, run per package.
//  - packages depend in one direction: core <- kernels-gpu, core <- calib, core + calib <- nn <- apps;
//  - no import reaches into another package's src/ (import the package by name);
//  - no focused or skipped tests (.only / .skip / .todo);
//  - nothing reads the folder of reference material that sits beside a developer's checkout
//    (a user's clone has no such folder; fixtures live in tooling/fixtures);
//  - @pq/core has no runtime dependencies.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const pkgDir = process.cwd();
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const allowed = {
  '@pq/core': [],
  '@pq/calib': ['@pq/core'],
  '@pq/kernels-gpu': ['@pq/core'],
  '@pq/nn': ['@pq/core', '@pq/calib'],
  '@pq/lenet-app': ['@pq/core', '@pq/calib', '@pq/kernels-gpu', '@pq/nn'],
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
if (problems.length) {
  console.error(`lint ${pkg.name}: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`lint ${pkg.name}: ok`);
