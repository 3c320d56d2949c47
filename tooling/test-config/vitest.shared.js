// Shared vitest settings for every package. Tests resolve workspace packages to their
// TypeScript sources (the "@pq/source" export condition), so `vitest` runs without a build
// and a stack trace points at src/, not dist/.
//
// Speed: test files share one module graph per worker (`isolate: false`), so tfjs, the package
// sources and the fixtures load once per worker instead of once per file (in @pq/nn that was
// most of the suite's time). What that asks of a test file is in this folder's README.md.
//
// Modules load with Node's own `import`, TypeScript through tsx's loader (the one the CLI tests'
// child processes use), not through Vite's module runner. Vite's runner turns every imported
// name into a property read on the exporting module's namespace object, so a hot loop that uses
// an imported constant or function (a pixel count, a rounding helper) ran several times slower
// under test than in a program (apps/lenet's pipeline tests: 5x). tsx also keeps its transforms
// on disk, so the suites running side by side compile each source once. What it rules out:
// `vi.mock` of modules (inject instead, as the README says) and `import.meta.vitest`.
import { defineConfig } from 'vitest/config';

const tsx = import.meta.resolve('tsx');

export function pqTestConfig(overrides = {}) {
  return defineConfig({
    resolve: { conditions: ['@pq/source'] },
    ssr: { resolve: { conditions: ['@pq/source'] } },
    test: {
      include: ['test/**/*.test.ts'],
      // A timeout catches a hang, not slowness: `pnpm test` runs every package's suite at once, so
      // on a 2-core machine (more so a shared one) a test's wall time is many times its CPU time.
      testTimeout: 300_000,
      hookTimeout: 300_000,
      isolate: false,
      // nodeLoader would only serve vi.mock and in-source tests (and needs Node 22.15).
      experimental: { viteModuleRunner: false, nodeLoader: false },
      execArgv: ['--conditions=@pq/source', '--import', tsx],
      ...overrides,
    },
  });
}
