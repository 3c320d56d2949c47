#!/usr/bin/env node
// The CommonJS half of a package's build: after tsc has written the ES modules to dist/, every
// dist/**/*.js is converted to CommonJS under dist/cjs/ (file by file, so the CommonJS copy keeps
// one module per source file, as the ES build does), and dist/cjs/package.json marks the folder
// as CommonJS (and carries the package's `#` imports). A package's `exports` point `require` there: `require('@pq/nn')` works from a
// plain CommonJS script. Run from the package folder: `node ../../tooling/scripts/build-cjs.mjs`.
import { transform } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const dist = join(process.cwd(), 'dist');
const out = join(dist, 'cjs');

function* jsFiles(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (p === out) continue;
    if (statSync(p).isDirectory()) yield* jsFiles(p);
    else if (name.endsWith('.js')) yield p;
  }
}

rmSync(out, { recursive: true, force: true });
let count = 0;
for (const file of jsFiles(dist)) {
  const source = readFileSync(file, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n');
  // `import.meta.url` (Node-only modules use it to resolve files) becomes the CommonJS file's URL.
  const meta = source.includes('import.meta.url')
    ? { define: { 'import.meta.url': '__import_meta_url' }, banner: 'const __import_meta_url = require("node:url").pathToFileURL(__filename).href;' }
    : {};
  const { code } = await transform(source, { format: 'cjs', target: 'es2022', platform: 'neutral', sourcefile: relative(dist, file), ...meta });
  const target = join(out, relative(dist, file));
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, code);
  count++;
}
// Node resolves a `#name` import from the nearest package.json, which is now this folder's: it
// carries the package's `imports`, keeping the targets inside this folder (the CommonJS ones),
// rebased onto it.
const pkg = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8'));
function rebase(target) {
  if (typeof target === 'string') {
    const rel = relative(out, join(process.cwd(), target)).split('\\').join('/');
    return rel.startsWith('..') ? undefined : `./${rel}`;
  }
  const kept = Object.entries(target).map(([k, v]) => [k, rebase(v)]).filter(([, v]) => v !== undefined);
  return kept.length ? Object.fromEntries(kept) : undefined;
}
const imports = pkg.imports ? rebase(pkg.imports) : undefined;
const cjsPkg = { type: 'commonjs', ...(imports ? { imports } : {}) };
writeFileSync(join(out, 'package.json'), `${JSON.stringify(cjsPkg, null, 2)}\n`);
console.log(`build-cjs: ${count} modules -> ${relative(process.cwd(), out)}/`);
