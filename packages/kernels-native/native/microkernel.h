// The 6x16 AVX2 FMA micro-kernel: C tile (+)= A panel (kc x 6) · B panel (kc x 16), with 12 ymm
// accumulators. Each accumulator element is one FMA chain over the panel's kc steps, in order.
#pragma once
#include <immintrin.h>

#include <cstddef>

#include "gemm.h"

namespace pq {

/** rows x cols (at most MR x NR) of the tile go to c (element (r, j) at c[r*rs + j*cs]): stored, or added when `accumulate`. */
inline void micro_kernel(int kc, const float* __restrict a, const float* __restrict b, float* c, std::ptrdiff_t rs, std::ptrdiff_t cs, int rows,
                         int cols, bool accumulate) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(), c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
#pragma GCC unroll 4
  for (int p = 0; p < kc; p++) {
    const __m256 b0 = _mm256_load_ps(b);
    const __m256 b1 = _mm256_load_ps(b + 8);
    __m256 av = _mm256_broadcast_ss(a + 0);
    c00 = _mm256_fmadd_ps(av, b0, c00);
    c01 = _mm256_fmadd_ps(av, b1, c01);
    av = _mm256_broadcast_ss(a + 1);
    c10 = _mm256_fmadd_ps(av, b0, c10);
    c11 = _mm256_fmadd_ps(av, b1, c11);
    av = _mm256_broadcast_ss(a + 2);
    c20 = _mm256_fmadd_ps(av, b0, c20);
    c21 = _mm256_fmadd_ps(av, b1, c21);
    av = _mm256_broadcast_ss(a + 3);
    c30 = _mm256_fmadd_ps(av, b0, c30);
    c31 = _mm256_fmadd_ps(av, b1, c31);
    av = _mm256_broadcast_ss(a + 4);
    c40 = _mm256_fmadd_ps(av, b0, c40);
    c41 = _mm256_fmadd_ps(av, b1, c41);
    av = _mm256_broadcast_ss(a + 5);
    c50 = _mm256_fmadd_ps(av, b0, c50);
    c51 = _mm256_fmadd_ps(av, b1, c51);
    a += MR;
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
