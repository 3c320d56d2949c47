// SGEMM, BLIS style: C[m, n] = A[m, k]·B[k, n], with both operands reached only through row
// sources (A's rows, and Bᵀ's rows, i.e. B's columns), so a transposed operand, an implicit
// im2col or a strided view costs nothing extra, and C may be stored transposed.
//
// What fixes the bits: the reduction is cut into KC-long blocks at fixed offsets (0, KC, 2KC, ...);
// each C element is the first block's FMA chain over its k steps in order, stored, plus each later
// block's chain, added, in block order. Nothing else (the m and n cache blocks, tasks, threads,
// edge tiles, and computing Cᵀ = Bᵀ·Aᵀ instead, since fma(a, b, c) = fma(b, a, c)) changes which
// FMAs produce an element, so every thread count and every shape split gives the same bits.
#pragma once
#include <cstddef>

#include "thread_pool.h"

namespace pq {

constexpr int MR = 6;     // micro-tile rows (one broadcast of A each)
constexpr int NR = 16;    // micro-tile columns (two ymm registers of B); 6x2 = 12 ymm accumulators
constexpr int KC = 256;   // reduction block: a kc x NR panel of B (16 KiB) stays in L1
constexpr int MC = 120;   // rows of packed A per block: 120 x 256 floats (120 KiB) in L2
constexpr int NC = 3072;  // columns of packed B per block: 256 x 3072 floats (3 MiB) in L2/L3

/**
 * A matrix as rows of reduction steps. pack() writes rows [r0, r0 + rows) at steps [p0, p0 + kc)
 * as ceil(rows / width) panels of kc x width floats: row r0 + q*width + r at step p0 + p goes to
 * dst[q*kc*width + p*width + r]; rows past `rows` in the last panel are zero. width is MR for A
 * and NR for B.
 */
/**
 * How an MR-row A panel is read in place, without packing: step p's row r is
 * table[p][offset[r]], table being the one Rows::fill_table writes for `key` (panels with equal
 * keys, at the same steps, share one table).
 */
struct DirectPanel {
  std::ptrdiff_t offset[MR];
  long key;
};

class Rows {
 public:
  virtual ~Rows() = default;
  virtual void pack(int r0, int rows, int p0, int kc, int width, float* dst) const = 0;
  /**
   * Whether A rows [r0, r0 + MR) at steps [p0, p0 + kc) can be read in place (then *d says how);
   * `uses` is how many micro-tiles will read the panel (packing pays off when many do).
   */
  virtual bool direct(int /*r0*/, int /*p0*/, int /*kc*/, int /*uses*/, DirectPanel* /*d*/) const { return false; }
  /** Whether A panels of these rows are read in place (direct) well: along contiguous steps. */
  virtual bool streams() const { return false; }
  /** The step table of `key` for steps [p0, p0 + kc): kc pointers. */
  virtual void fill_table(long /*key*/, int /*p0*/, int /*kc*/, const float** /*table*/) const {}
};

/** A dense matrix: row i, step p at data[i*rs + p*cs]. */
class StridedRows final : public Rows {
 public:
  StridedRows(const float* data, std::ptrdiff_t rs, std::ptrdiff_t cs) : data_(data), rs_(rs), cs_(cs) {}
  void pack(int r0, int rows, int p0, int kc, int width, float* dst) const override;
  /** In place where steps are contiguous and at most two micro-tiles read the panel (a product with few columns, such as a batch-32 Linear's Cᵀ). */
  bool direct(int r0, int p0, int kc, int uses, DirectPanel* d) const override;
  void fill_table(long key, int p0, int kc, const float** table) const override;
  bool streams() const override { return cs_ == 1; }

 private:
  const float* data_;
  std::ptrdiff_t rs_, cs_;
};

struct Gemm {
  int m, n, k;
  const Rows* a;   // m rows of k steps
  const Rows* bt;  // n rows of k steps (B's columns)
  float* c;        // C(i, j) at c[i*rs + j*cs]; overwritten
  std::ptrdiff_t rs, cs;
};

/**
 * Whether an m x n product runs better as its transpose: it pads clearly fewer micro-tiles (e.g.
 * n < NR), or m is a few rows against many columns, so that B, packed whole for one pass over
 * it, would cost more than the arithmetic, while as Cᵀ it is A, read in place.
 */
bool transpose_pays(const Gemm& g);
/** g, or g as Cᵀ = Bᵀ·Aᵀ where that pays: the same bits either way. */
Gemm oriented(const Gemm& g);

/** C[i0:i1, j0:j1] of g on the calling thread. */
void gemm_block(const Gemm& g, int i0, int i1, int j0, int j1);

/** How a product is cut into tasks for `threads` threads: row and column parts of whole micro-tiles. */
struct GemmSplit {
  int row_parts, col_parts;
  int tasks() const { return row_parts * col_parts; }
};
GemmSplit gemm_split(int m, int n, int k, int threads);
/** Task `t` of `split`: its C block, on the calling thread. */
void gemm_task(const Gemm& g, const GemmSplit& split, int t);

/** All of g (oriented) on up to `threads` threads of `pool`. */
void gemm(const Gemm& g, ThreadPool& pool, int threads);

}  // namespace pq
