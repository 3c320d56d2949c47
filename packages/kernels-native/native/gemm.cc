#include "gemm.h"

#include <algorithm>

#include "microkernel.h"
#include "scratch.h"

namespace pq {

void StridedRows::pack(int r0, int rows, int p0, int kc, int width, float* dst) const {
  for (int q = 0; q * width < rows; q++, dst += static_cast<std::ptrdiff_t>(kc) * width) {
    const int live = std::min(width, rows - q * width);
    const float* src = data_ + static_cast<std::ptrdiff_t>(r0 + q * width) * rs_ + static_cast<std::ptrdiff_t>(p0) * cs_;
    if (rs_ == 1) {  // a step's rows are adjacent: one short copy per step
      for (int p = 0; p < kc; p++) {
        float* d = dst + p * width;
        const float* s = src + p * cs_;
        for (int r = 0; r < live; r++) d[r] = s[r];
        for (int r = live; r < width; r++) d[r] = 0.0f;
      }
      continue;
    }
    for (int r = 0; r < width; r++) {
      float* d = dst + r;
      if (r >= live) {
        for (int p = 0; p < kc; p++) d[p * width] = 0.0f;
        continue;
      }
      const float* row = src + r * rs_;
      if (cs_ == 1) {
        for (int p = 0; p < kc; p++) d[p * width] = row[p];
      } else {
        for (int p = 0; p < kc; p++) d[p * width] = row[p * cs_];
      }
    }
  }
}

namespace {

thread_local Scratch packed_a;
thread_local Scratch packed_b;

int round_up(int v, int to) { return (v + to - 1) / to * to; }

}  // namespace

bool transpose_pads_less(int m, int n) {
  // Only for a clear gain: the transposed product stores C with a column stride (scalar stores).
  return static_cast<double>(round_up(n, MR)) * round_up(m, NR) < 0.75 * static_cast<double>(round_up(m, MR)) * round_up(n, NR);
}

Gemm oriented(const Gemm& g) {
  if (transpose_pads_less(g.m, g.n)) return {g.n, g.m, g.k, g.bt, g.a, g.c, g.cs, g.rs};
  return g;
}

void gemm_block(const Gemm& g, int i0, int i1, int j0, int j1) {
  if (i0 >= i1 || j0 >= j1) return;
  if (g.k == 0) {
    for (int i = i0; i < i1; i++) {
      for (int j = j0; j < j1; j++) g.c[i * g.rs + j * g.cs] = 0.0f;
    }
    return;
  }
  const int kc_max = std::min(KC, g.k);
  float* bp = packed_b.get(static_cast<std::size_t>(kc_max) * round_up(std::min(NC, j1 - j0), NR));
  float* ap = packed_a.get(static_cast<std::size_t>(kc_max) * round_up(std::min(MC, i1 - i0), MR));
  for (int jc = j0; jc < j1; jc += NC) {
    const int nc = std::min(NC, j1 - jc);
    for (int pc = 0; pc < g.k; pc += KC) {
      const int kc = std::min(KC, g.k - pc);
      g.bt->pack(jc, nc, pc, kc, NR, bp);
      for (int ic = i0; ic < i1; ic += MC) {
        const int mc = std::min(MC, i1 - ic);
        g.a->pack(ic, mc, pc, kc, MR, ap);
        for (int jr = 0; jr < nc; jr += NR) {
          const float* b = bp + static_cast<std::ptrdiff_t>(jr / NR) * kc * NR;
          for (int ir = 0; ir < mc; ir += MR) {
            micro_kernel(kc, ap + static_cast<std::ptrdiff_t>(ir / MR) * kc * MR, b, g.c + (ic + ir) * g.rs + (jc + jr) * g.cs, g.rs, g.cs,
                         std::min(MR, mc - ir), std::min(NR, nc - jr), pc > 0);
          }
        }
      }
    }
  }
}

GemmSplit gemm_split(int m, int n, int k, int threads) {
  // Below ~1 MFLOP a second thread's wake-up costs more than it saves.
  if (threads <= 1 || static_cast<double>(m) * n * std::max(k, 1) < 5e5) return {1, 1};
  const int row_tiles = (m + MR - 1) / MR;
  const int col_tiles = (n + NR - 1) / NR;
  // Split the longer side first: each task packs all of B's columns it covers (and A's rows), so
  // fewer, squarer tasks repack less.
  if (static_cast<double>(m) >= n) {
    const int rows = std::min(threads, row_tiles);
    return {rows, std::min((threads + rows - 1) / rows, col_tiles)};
  }
  const int cols = std::min(threads, col_tiles);
  return {std::min((threads + cols - 1) / cols, row_tiles), cols};
}

void gemm_task(const Gemm& g, const GemmSplit& split, int t) {
  const int r = t / split.col_parts;
  const int c = t % split.col_parts;
  const int row_tiles = (g.m + MR - 1) / MR;
  const int col_tiles = (g.n + NR - 1) / NR;
  const int i0 = std::min(g.m, row_tiles * r / split.row_parts * MR);
  const int i1 = std::min(g.m, row_tiles * (r + 1) / split.row_parts * MR);
  const int j0 = std::min(g.n, col_tiles * c / split.col_parts * NR);
  const int j1 = std::min(g.n, col_tiles * (c + 1) / split.col_parts * NR);
  gemm_block(g, i0, i1, j0, j1);
}

void gemm(const Gemm& product, ThreadPool& pool, int threads) {
  const Gemm g = oriented(product);
  const GemmSplit split = gemm_split(g.m, g.n, g.k, threads);
  pool.run(split.tasks(), threads, [&](int t) { gemm_task(g, split, t); });
}

}  // namespace pq
