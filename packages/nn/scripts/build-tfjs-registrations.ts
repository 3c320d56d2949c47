// Generates src/tfjs/registrations.generated.ts: tfjs-core's gradient functions
// (dist/register_all_gradients.js) and chained tensor methods
// (dist/public/chained_ops/register_all_chained_ops.js) as one ES module that imports only
// `@tensorflow/tfjs-core` itself. tfjs-core ships these two files only as per-file ES modules
// whose relative imports lack extensions, which Node can neither import nor require; its bundles
// leave them out (`@tensorflow/tfjs` bundles them with a whole copy of tfjs-core).
//
// esbuild bundles the two files; every tfjs-core module they reach is replaced by the public API
// that provides the names imported from it (`tf.mul`, `tf.util.parseAxisParam`,
// `tf.backend_util.getReductionAxes`, `tf.engine()`), so the output shares the user's tfjs-core
// (its engine, registries and Tensor class) instead of carrying a second one. Only what the public
// API lacks (the gradient configs, a few internal ops such as maxPoolGrad, their helpers) is
// inlined, and a module that holds tfjs state is never inlined (checked below).
//
// `pnpm --filter @pq/nn build:tfjs` rewrites the file; test/tfjs/registrations.test.ts checks
// that the committed file is this script's output for the installed tfjs-core.
import { build, type Plugin } from 'esbuild';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
export const OUTPUT = join(here, '../src/tfjs/registrations.generated.ts');

const coreDir = dirname(require.resolve('@tensorflow/tfjs-core/package.json'));
const dist = join(coreDir, 'dist');
const version = (JSON.parse(readFileSync(join(coreDir, 'package.json'), 'utf8')) as { version: string }).version;
// The public API, from tfjs-core's CommonJS bundle: the names a shim may take from it.
const tf = require('@tensorflow/tfjs-core') as Record<string, unknown>;
const HOMES: Array<[expr: string, members: Record<string, unknown>]> = [
  ['tf', tf],
  ['tf.util', tf['util'] as Record<string, unknown>],
  ['tf.backend_util', tf['backend_util'] as Record<string, unknown>],
  ['tf.backend_util.slice_util', (tf['backend_util'] as Record<string, Record<string, unknown>>)['slice_util']!],
];
// State tfjs keeps per module rather than in its global registry, reached through the public API.
const SPECIAL: Record<string, Record<string, string>> = {
  'engine.js': { ENGINE: 'tf.engine()' },
  'tensor.js': { getGlobalTensorClass: '() => tf.Tensor', Tensor: 'tf.Tensor', Variable: 'tf.Variable' },
};
// Modules whose inlined copy would hold a second engine, environment or registry.
const STATEFUL = ['engine.js', 'environment.js', 'global_util.js', 'kernel_registry.js', 'tensor.js', 'tape.js', 'flags.js', 'base_side_effects.js'];
const INLINED_FOLDERS = ['gradients/', 'public/chained_ops/'];

function resolveFile(spec: string, importer: string): string {
  const p = resolve(dirname(importer), spec);
  if (existsSync(p + '.js')) return p + '.js';
  if (existsSync(p) && statSync(p).isDirectory()) return join(p, 'index.js');
  return p;
}

/** The names `importer` takes from `spec`: named imports, or the members used of a namespace import. */
function importedNames(importer: string, spec: string): string[] | null {
  const text = readFileSync(importer, 'utf8');
  const quoted = spec.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const named = new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*'${quoted}'`).exec(text);
  if (named) return named[1]!.split(',').map((s) => s.trim().split(/\s+as\s+/)[0]!).filter(Boolean);
  const ns = new RegExp(`import\\s*\\*\\s*as\\s+(\\w+)\\s+from\\s*'${quoted}'`).exec(text);
  if (ns) return [...new Set([...text.matchAll(new RegExp(`\\b${ns[1]}\\.(\\w+)`, 'g'))].map((m) => m[1]!))];
  return null; // a side-effect import
}

/** A module re-exporting `name = expression` pairs of the public API. */
function shimSource(exprs: Record<string, string>): string {
  const lines = Object.entries(exprs).map(([n, e]) => `export const ${n} = ${e};`);
  return `import * as tf from '@tensorflow/tfjs-core';\n${lines.join('\n')}\n`;
}

const inlined = new Set<string>();

const publicApi: Plugin = {
  name: 'tfjs-core-public-api',
  setup(b) {
    b.onResolve({ filter: /^\./ }, (args) => {
      if (!args.importer.startsWith(dist)) return undefined;
      const file = resolveFile(args.path, args.importer);
      const rel = relative(dist, file).split('\\').join('/');
      if (INLINED_FOLDERS.some((f) => rel.startsWith(f)) || rel === 'register_all_gradients.js') return { path: file };
      const names = importedNames(args.importer, args.path);
      if (names === null) throw new Error(`${relative(dist, args.importer)} imports ${rel} for its side effects`);
      const special = SPECIAL[rel];
      if (special && names.every((n) => n in special)) return { path: rel, namespace: 'shim', sideEffects: false, pluginData: special };
      const home = HOMES.find(([, members]) => names.every((n) => n in members));
      if (home) {
        const [expr, members] = home;
        const all = Object.fromEntries(Object.keys(members).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n)).map((n) => [n, `${expr}.${n}`]));
        return { path: expr, namespace: 'shim', sideEffects: false, pluginData: all };
      }
      if (STATEFUL.includes(rel)) throw new Error(`${rel} holds tfjs state and cannot be inlined (${names.join(', ')} are not public)`);
      inlined.add(rel);
      return { path: file };
    });
    b.onLoad({ filter: /.*/, namespace: 'shim' }, (args) => ({ contents: shimSource(args.pluginData as Record<string, string>), loader: 'js' }));
  },
};

export async function generate(): Promise<string> {
  inlined.clear();
  const entry = [
    `import '${join(dist, 'register_all_gradients.js')}';`,
    `import '${join(dist, 'public/chained_ops/register_all_chained_ops.js')}';`,
  ].join('\n');
  const out = await build({
    stdin: { contents: entry, resolveDir: dist, loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    external: ['@tensorflow/tfjs-core'],
    legalComments: 'none',
    plugins: [publicApi],
    logLevel: 'silent',
  });
  // Module-boundary comments name tfjs-core's files from its own dist folder, not this machine's.
  let body = out.outputFiles[0]!.text.replace(/^\/\/ \S*@tensorflow\/tfjs-core\/dist\//gm, '// @tensorflow/tfjs-core/dist/');
  // One namespace import of the public API for every shim, and the registrations inside a
  // function, so that importing this module does nothing until pq calls it.
  const importRe = /^import \* as (tf\d*) from "@tensorflow\/tfjs-core";\n/gm;
  for (const [, alias] of body.matchAll(importRe)) body = body.replace(new RegExp(`\\b${alias}\\.`, 'g'), 'tf.');
  body = body.replace(importRe, '');
  if (/^(import|export)\b/m.test(body)) throw new Error('the bundle has an import or export left; it cannot become a function body');
  const code = [
    'import * as tf from "@tensorflow/tfjs-core";',
    '',
    '/** Registers tfjs-core\'s gradient functions and chained tensor methods (idempotent: later calls replace them with the same). */',
    'export function registerGradientsAndChainedOps(): void {',
    body.trim().split('\n').map((l) => (l ? `  ${l}` : l)).join('\n'),
    '}',
    '',
  ].join('\n');
  const header = [
    '// @ts-nocheck',
    `// Generated by scripts/build-tfjs-registrations.ts from @tensorflow/tfjs-core ${version}`,
    '// (Apache License 2.0, Copyright Google LLC): its gradient functions and chained tensor methods,',
    '// sharing the public API of the tfjs-core the program uses. Do not edit; regenerate instead.',
    `// Inlined from tfjs-core (not in its public API): ${[...inlined].sort().join(', ')}.`,
    '',
  ].join('\n');
  return header + code;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = await generate();
  writeFileSync(OUTPUT, text);
  console.log(`wrote ${relative(process.cwd(), OUTPUT)} (${text.length} bytes; inlined ${inlined.size} tfjs-core modules)`);
}
