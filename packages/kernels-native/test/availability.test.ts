// The loader's contract: kernels or a reason, never both, and no compiler means no addon only.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadNativeKernels, nativeUnavailableReason } from '../src/index.js';

describe('loadNativeKernels', () => {
  it('returns kernels exactly when there is no reason why not', () => {
    const kernels = loadNativeKernels({ threads: 1 });
    const reason = nativeUnavailableReason();
    expect(kernels === null).toBe(reason !== null);
    if (kernels) expect([['native avx512f', 1], ['native avx2+fma', 1]]).toContainEqual([kernels.name, kernels.threads]);
  });

  it('refuses a bad thread count', () => {
    expect(() => loadNativeKernels({ threads: 0 })).toThrow('threads must be an integer from 1 to 256 (got 0)');
  });
});

// The build writes unavailable.txt only where it found no compiler; anywhere else the addon must
// load, or a build that silently produced nothing would pass every test.
it('is available wherever the build found a compiler', () => {
  if (!existsSync(new URL('../build/unavailable.txt', import.meta.url))) expect(nativeUnavailableReason()).toBeNull();
});
