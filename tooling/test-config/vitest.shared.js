// Shared vitest settings for every package. Tests resolve workspace packages to their
// TypeScript sources (the "@pq/source" export condition), so `vitest` runs without a build
// and a stack trace points at src/, not dist/.
//
// Speed: test files share one module graph per worker (`isolate: false`), so tfjs, the package
// sources and the fixtures load once per worker instead of once per file (in @pq/nn that was
// most of the suite's time). What that asks of a test file is in this folder's README.md.
import { defineConfig } from 'vitest/config';

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
      ...overrides,
    },
  });
}
