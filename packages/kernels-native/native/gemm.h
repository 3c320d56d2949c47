// SGEMM, BLIS style: C[m, n] = A[m, k]·B[k, n] with A and B reached only through packers, so a
// transposed operand, an implicit im2col or a strided view costs nothing extra. The reduction is
// cut into KC-long blocks at fixed offsets (0, KC, 2KC, ...); each C element is the first block's
// FMA chain, stored, plus each later block's chain, added, in that order. No other cut (cache
// blocks over m and n, tasks, threads, edge tiles) changes which FMAs produce an element.
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
 * Packs A's rows [i0, i0 + rows) and reduction steps [p0, p0 + kc) as ceil(rows / MR) panels of
 * kc x MR floats: row i0 + q*MR + r at step p0 + p goes to dst[q*kc*MR + p*MR + r]; rows past
 * `rows` in the last panel are zero.
 */
class APacker {
 public:
  virtual ~APacker() = default;
  virtual void pack(int i0, int rows, int p0, int kc, float* dst) const = 0;
};

/** Packs B's steps [p0, p0 + kc) and columns [j0, j0 + cols) as ceil(cols / NR) zero-padded panels of kc x NR floats. */
class BPacker {
 public:
  virtual ~BPacker() = default;
  virtual void pack(int p0, int kc, int j0, int cols, float* dst) const = 0;
};

/** A dense A: element (i, p) at a[i*rs + p*cs] (row-major: rs = k, cs = 1; transposed: rs = 1, cs = m). */
class StridedA final : public APacker {
 public:
  StridedA(const float* a, std::ptrdiff_t rs, std::ptrdiff_t cs) : a_(a), rs_(rs), cs_(cs) {}
  void pack(int i0, int rows, int p0, int kc, float* dst) const override;

 private:
  const float* a_;
  std::ptrdiff_t rs_, cs_;
};

/** A dense B: element (p, j) at b[p*rs + j*cs]. */
class StridedB final : public BPacker {
 public:
  StridedB(const float* b, std::ptrdiff_t rs, std::ptrdiff_t cs) : b_(b), rs_(rs), cs_(cs) {}
  void pack(int p0, int kc, int j0, int cols, float* dst) const override;

 private:
  const float* b_;
  std::ptrdiff_t rs_, cs_;
};

struct Gemm {
  int m, n, k;
  const APacker* a;
  const BPacker* b;
  float* c;  // row-major, row stride ldc; overwritten
  std::ptrdiff_t ldc;
};

/** C[i0:i1, j0:j1] of g on the calling thread. */
void gemm_block(const Gemm& g, int i0, int i1, int j0, int j1);

/** How a product is cut into tasks for `threads` threads: row and column parts of whole micro-tiles. */
struct GemmSplit {
  int row_parts, col_parts;
  int tasks() const { return row_parts * col_parts; }
};
GemmSplit gemm_split(int m, int n, int k, int threads);
/** Task `t` of `split`: C[i0:i1, j0:j1] on the calling thread. */
void gemm_task(const Gemm& g, const GemmSplit& split, int t);

/** All of g on up to `threads` threads of `pool`. */
void gemm(const Gemm& g, ThreadPool& pool, int threads);

}  // namespace pq
