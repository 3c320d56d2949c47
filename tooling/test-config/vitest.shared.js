// Shared vitest settings for every package. Tests resolve workspace packages to their
// TypeScript sources (the "@pq/source" export condition), so `vitest` runs without a build
// and a stack trace points at src/, not dist/.
import { defineConfig } from 'vitest/config';

export function pqTestConfig(overrides = {}) {
  return defineConfig({
    resolve: { conditions: ['@pq/source'] },
    ssr: { resolve: { conditions: ['@pq/source'] } },
    test: {
      include: ['test/**/*.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      ...overrides,
    },
  });
}
