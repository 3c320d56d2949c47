// The 6x16 AVX2 FMA micro-kernel: C tile (+)= A panel (kc x 6) · B panel (kc x 16), with 12 ymm
// accumulators. Each accumulator element is one FMA chain over the panel's kc steps, in order.
#pragma once
#include <immintrin.h>

#include <cstddef>

#include "gemm.h"

namespace pq {

/** A packed A panel: step p's MR values at a[p*MR + r]. */
struct PackedPanel {
  const float* a;
  const float* step(int p) const { return a + p * MR; }
  static constexpr std::ptrdiff_t rs() { return 1; }
};

/** An A panel read in place (DirectPanel): step p's value r at table[p][offset + r*rs]. */
struct InPlacePanel {
  const float* const* table;
  std::ptrdiff_t offset, stride;
  const float* step(int p) const { return table[p] + offset; }
  std::ptrdiff_t rs() const { return stride; }
};

/**
 * rows x cols (at most MR x NR) of the tile go to c (element (r, j) at c[r*rs + j*cs]): stored,
 * or added when `accumulate`. The A panel's values are read through `panel`; a packed panel and
 * an in-place one holding the same values give the same bits (the same FMAs in the same order).
 */
template <typename Panel>
inline void micro_kernel(int kc, const Panel panel, const float* __restrict b, float* c, std::ptrdiff_t rs, std::ptrdiff_t cs, int rows, int cols,
                         bool accumulate) {
  const std::ptrdiff_t ar = panel.rs();
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(), c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
#pragma GCC unroll 4
  for (int p = 0; p < kc; p++) {
    const __m256 b0 = _mm256_load_ps(b);
    const __m256 b1 = _mm256_load_ps(b + 8);
    const float* a = panel.step(p);
    __m256 av = _mm256_broadcast_ss(a);
    c00 = _mm256_fmadd_ps(av, b0, c00);
    c01 = _mm256_fmadd_ps(av, b1, c01);
    av = _mm256_broadcast_ss(a + ar);
    c10 = _mm256_fmadd_ps(av, b0, c10);
    c11 = _mm256_fmadd_ps(av, b1, c11);
    av = _mm256_broadcast_ss(a + 2 * ar);
    c20 = _mm256_fmadd_ps(av, b0, c20);
    c21 = _mm256_fmadd_ps(av, b1, c21);
    av = _mm256_broadcast_ss(a + 3 * ar);
    c30 = _mm256_fmadd_ps(av, b0, c30);
    c31 = _mm256_fmadd_ps(av, b1, c31);
    av = _mm256_broadcast_ss(a + 4 * ar);
    c40 = _mm256_fmadd_ps(av, b0, c40);
    c41 = _mm256_fmadd_ps(av, b1, c41);
    av = _mm256_broadcast_ss(a + 5 * ar);
    c50 = _mm256_fmadd_ps(av, b0, c50);
    c51 = _mm256_fmadd_ps(av, b1, c51);
    b += NR;
  }
  const __m256 acc[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  if (rows == MR && cols == NR && cs == 1) {
    for (int r = 0; r < MR; r++) {
      float* row = c + r * rs;
      if (accumulate) {
        _mm256_storeu_ps(row, _mm256_add_ps(_mm256_loadu_ps(row), acc[r][0]));
        _mm256_storeu_ps(row + 8, _mm256_add_ps(_mm256_loadu_ps(row + 8), acc[r][1]));
      } else {
        _mm256_storeu_ps(row, acc[r][0]);
        _mm256_storeu_ps(row + 8, acc[r][1]);
      }
    }
    return;
  }
  // An edge tile or a transposed C: the same sums (the packing padded A and B with zeros), then
  // the valid part, with the same single rounding per add as the vector path.
  alignas(32) float tile[MR][NR];
  for (int r = 0; r < MR; r++) {
    _mm256_store_ps(tile[r], acc[r][0]);
    _mm256_store_ps(tile[r] + 8, acc[r][1]);
  }
  for (int r = 0; r < rows; r++) {
    float* row = c + r * rs;
    for (int j = 0; j < cols; j++) row[j * cs] = accumulate ? row[j * cs] + tile[r][j] : tile[r][j];
  }
}

}  // namespace pq
