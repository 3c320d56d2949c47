#include "gemm.h"

#include <algorithm>
#include <vector>

#include "isa.h"
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

bool StridedRows::direct(int r0, int /*p0*/, int /*kc*/, int uses, DirectPanel* d) const {
  if (uses > 2 || cs_ != 1) return false;
  for (int r = 0; r < MR; r++) d->offset[r] = static_cast<std::ptrdiff_t>(r0 + r) * rs_;
  d->key = 0;  // one table of steps for every panel
  return true;
}

void StridedRows::fill_table(long /*key*/, int p0, int kc, const float** table) const {
  for (int p = 0; p < kc; p++) table[p] = data_ + static_cast<std::ptrdiff_t>(p0 + p) * cs_;
}

namespace {

thread_local Scratch packed_a;
thread_local Scratch packed_b;
thread_local std::vector<const float*> step_tables;

constexpr int PANELS = (MC + MR - 1) / MR;  // A panels per MC block

/** One MC block of A at steps [pc, pc + kc): each panel packed, or read in place (sharing step tables by key). */
struct ABlock {
  bool direct[PANELS];
  DirectPanel how[PANELS];
  const float* const* table[PANELS];

  void prepare(const Rows& a, int ic, int mc, int pc, int kc, int uses, float* packed) {
    if (step_tables.size() < static_cast<std::size_t>(PANELS) * KC) step_tables.resize(static_cast<std::size_t>(PANELS) * KC);
    int tables = 0;
    for (int q = 0; q * MR < mc; q++) {
      const int r0 = ic + q * MR;
      direct[q] = mc - q * MR >= MR && a.direct(r0, pc, kc, uses, &how[q]);
      if (!direct[q]) {
        a.pack(r0, std::min(MR, mc - q * MR), pc, kc, MR, packed + static_cast<std::ptrdiff_t>(q) * kc * MR);
        continue;
      }
      table[q] = nullptr;
      for (int earlier = 0; earlier < q; earlier++) {
        if (direct[earlier] && how[earlier].key == how[q].key) table[q] = table[earlier];
      }
      if (!table[q]) {
        const float** t = step_tables.data() + static_cast<std::ptrdiff_t>(tables++) * KC;
        a.fill_table(how[q].key, pc, kc, t);
        table[q] = t;
      }
    }
  }
};

int round_up(int v, int to) { return (v + to - 1) / to * to; }

}  // namespace

/** Columns the micro-kernel computes for n: whole NR panels, the last one halved when 8 columns cover it. */
int computed_columns(int n) {
  const int tail = n % NR;
  return n - tail + (tail == 0 ? 0 : tail <= 8 ? 8 : NR);
}

bool transpose_pays(const Gemm& g) {
  // Only for a clear gain: the transposed product stores C with a column stride (scalar stores),
  // and packs what would be the in-place operand.
  const int m = g.m, n = g.n;
  if (static_cast<double>(round_up(n, MR)) * computed_columns(m) < 0.75 * static_cast<double>(round_up(m, MR)) * computed_columns(n)) return true;
  return m <= 2 * NR && n >= 8 * m && g.bt->streams();
}

Gemm oriented(const Gemm& g) {
  if (transpose_pays(g)) return {g.n, g.m, g.k, g.bt, g.a, g.c, g.cs, g.rs};
  return g;
}

namespace {

/** Packed B of up to this many floats is packed whole, once, and the m blocks run outermost. */
constexpr std::size_t WHOLE_B_FLOATS = 1 << 17;  // 512 KiB: L2

/** C[ic:ic+mc, jc:jc+nc] += A[ic:ic+mc, pc:pc+kc] · B[pc:pc+kc, jc:jc+nc], B packed at bp. */
void block_product(const Gemm& g, ABlock& block, float* ap, const float* bp, int ic, int mc, int jc, int nc, int pc, int kc) {
  // On AVX-512, tiles span two packed B panels (6 x 32); the elements' FMA chains are the same.
  const bool wide = use_avx512();
  const int span = wide ? 2 * NR : NR;
  block.prepare(*g.a, ic, mc, pc, kc, (nc + span - 1) / span, ap);
  const std::ptrdiff_t next_panel = static_cast<std::ptrdiff_t>(kc) * NR;
  for (int jr = 0; jr < nc; jr += span) {
    const float* b = bp + static_cast<std::ptrdiff_t>(jr / NR) * kc * NR;
    for (int ir = 0; ir < mc; ir += MR) {
      const int q = ir / MR;
      float* c = g.c + (ic + ir) * g.rs + (jc + jr) * g.cs;
      const int rows = std::min(MR, mc - ir), cols = std::min(span, nc - jr);
      if (block.direct[q]) {
        micro_kernel(wide, kc, InPlacePanel{block.table[q], block.how[q].offset}, PackedB{b, next_panel}, c, g.rs, g.cs, rows, cols, pc > 0);
      } else {
        micro_kernel(wide, kc, PackedPanel{ap + static_cast<std::ptrdiff_t>(q) * kc * MR}, PackedB{b, next_panel}, c, g.rs, g.cs, rows, cols, pc > 0);
      }
    }
  }
}

}  // namespace

void gemm_block(const Gemm& g, int i0, int i1, int j0, int j1) {
  if (i0 >= i1 || j0 >= j1) return;
  if (g.k == 0) {
    for (int i = i0; i < i1; i++) {
      for (int j = j0; j < j1; j++) g.c[i * g.rs + j * g.cs] = 0.0f;
    }
    return;
  }
  const int kc_max = std::min(KC, g.k);
  float* ap = packed_a.get(static_cast<std::size_t>(kc_max) * round_up(std::min(MC, i1 - i0), MR));
  ABlock block;
  const std::size_t whole_b = static_cast<std::size_t>(round_up(j1 - j0, NR)) * g.k;
  if (j1 - j0 <= NC && whole_b <= WHOLE_B_FLOATS) {
    // A small B (a conv's filter): packed once, then each m block runs through the whole
    // reduction while its C rows stay in cache. The same blocks in the same order as below.
    const int nc = j1 - j0;
    float* bp = packed_b.get(whole_b);
    for (int pc = 0; pc < g.k; pc += KC) g.bt->pack(j0, nc, pc, std::min(KC, g.k - pc), NR, bp + static_cast<std::ptrdiff_t>(pc) * round_up(nc, NR));
    for (int ic = i0; ic < i1; ic += MC) {
      for (int pc = 0; pc < g.k; pc += KC) {
        block_product(g, block, ap, bp + static_cast<std::ptrdiff_t>(pc) * round_up(nc, NR), ic, std::min(MC, i1 - ic), j0, nc, pc, std::min(KC, g.k - pc));
      }
    }
    return;
  }
  float* bp = packed_b.get(static_cast<std::size_t>(kc_max) * round_up(std::min(NC, j1 - j0), NR));
  for (int jc = j0; jc < j1; jc += NC) {
    const int nc = std::min(NC, j1 - jc);
    for (int pc = 0; pc < g.k; pc += KC) {
      const int kc = std::min(KC, g.k - pc);
      g.bt->pack(jc, nc, pc, kc, NR, bp);
      for (int ic = i0; ic < i1; ic += MC) block_product(g, block, ap, bp, ic, std::min(MC, i1 - ic), jc, nc, pc, kc);
    }
  }
}

/** Row tiles a task must get for a row split: fewer repack B for too little arithmetic. */
constexpr int MIN_ROW_TILES = 4;

GemmSplit gemm_split(int m, int n, int k, int threads) {
  if (threads <= 1 || !worth_splitting(static_cast<double>(m) * n * std::max(k, 1), MIN_SPLIT_MACS)) return {1, 1};
  const int row_tiles = (m + MR - 1) / MR;
  const int col_tiles = (n + NR - 1) / NR;
  // Split the longer side first: each task packs all of B's columns it covers (and A's rows), so
  // fewer, squarer tasks repack less.
  if (static_cast<double>(m) >= n) {
    // Each task packs all of B's columns it covers, so a row part needs a few row tiles to pay
    // for that (LeNet's conv1 filter gradient: 25 taps against 36,864 pixels took longer on 2).
    const int rows = std::min(threads, row_tiles / MIN_ROW_TILES);
    if (rows < 2) return {1, 1};
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
