// The 6x16 AVX2 FMA micro-kernel: C tile (+)= A panel (kc x 6) · B panel (kc x 16), with 12 ymm
// accumulators (6 for an edge tile of at most 8 columns). Each accumulator element is one FMA chain over the panel's kc steps, in order.
#pragma once
#include <immintrin.h>

#include <cstddef>

#include "gemm.h"

namespace pq {

/** A packed A panel: step p's MR values at a[p*MR + r]. */
struct PackedPanel {
  const float* a;
  const float* step(int p) const { return a + p * MR; }
  static constexpr std::ptrdiff_t row(int r) { return r; }
};

/** An A panel read in place (DirectPanel): step p's value r at table[p][offset[r]]. */
struct InPlacePanel {
  const float* const* table;
  const std::ptrdiff_t* offset;
  const float* step(int p) const { return table[p]; }
  std::ptrdiff_t row(int r) const { return offset[r]; }
};

/**
 * The tile with NV of the B panel's two 8-float vectors (NV = 1: an edge tile of at most 8
 * columns, half the work). Each element's FMA chain is the same whatever NV.
 */
template <int NV, typename Panel>
inline void micro_tile(int kc, const Panel panel, const float* __restrict b, float* c, std::ptrdiff_t rs, std::ptrdiff_t cs, int rows, int cols,
                       bool accumulate) {
  // Named accumulators, not an array: GCC keeps these in registers (an array it spills).
  const std::ptrdiff_t o0 = panel.row(0), o1 = panel.row(1), o2 = panel.row(2), o3 = panel.row(3), o4 = panel.row(4), o5 = panel.row(5);
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(), c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
#pragma GCC unroll 4
  for (int p = 0; p < kc; p++) {
    const __m256 b0 = _mm256_load_ps(b);
    const __m256 b1 = NV == 2 ? _mm256_load_ps(b + 8) : b0;
    const float* a = panel.step(p);
    __m256 av = _mm256_broadcast_ss(a + o0);
    c00 = _mm256_fmadd_ps(av, b0, c00);
    if constexpr (NV == 2) c01 = _mm256_fmadd_ps(av, b1, c01);
    av = _mm256_broadcast_ss(a + o1);
    c10 = _mm256_fmadd_ps(av, b0, c10);
    if constexpr (NV == 2) c11 = _mm256_fmadd_ps(av, b1, c11);
    av = _mm256_broadcast_ss(a + o2);
    c20 = _mm256_fmadd_ps(av, b0, c20);
    if constexpr (NV == 2) c21 = _mm256_fmadd_ps(av, b1, c21);
    av = _mm256_broadcast_ss(a + o3);
    c30 = _mm256_fmadd_ps(av, b0, c30);
    if constexpr (NV == 2) c31 = _mm256_fmadd_ps(av, b1, c31);
    av = _mm256_broadcast_ss(a + o4);
    c40 = _mm256_fmadd_ps(av, b0, c40);
    if constexpr (NV == 2) c41 = _mm256_fmadd_ps(av, b1, c41);
    av = _mm256_broadcast_ss(a + o5);
    c50 = _mm256_fmadd_ps(av, b0, c50);
    if constexpr (NV == 2) c51 = _mm256_fmadd_ps(av, b1, c51);
    b += NR;
  }
  const __m256 acc[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  if (cs == 1) {
    // A row-major C: whole vectors where the tile is whole, else its rows and columns through
    // lane masks (masked-off lanes are neither read nor written); adds round once either way.
    const bool whole = rows == MR && cols == 8 * NV;
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256i mask[NV];
#pragma GCC unroll 2
    for (int v = 0; v < NV; v++) mask[v] = _mm256_cmpgt_epi32(_mm256_set1_epi32(cols - 8 * v), lane);
    for (int r = 0; r < rows; r++) {
      float* row = c + r * rs;
#pragma GCC unroll 2
      for (int v = 0; v < NV; v++) {
        __m256 out = acc[r][v];
        if (whole) {
          if (accumulate) out = _mm256_add_ps(_mm256_loadu_ps(row + 8 * v), out);
          _mm256_storeu_ps(row + 8 * v, out);
        } else {
          if (accumulate) out = _mm256_add_ps(_mm256_maskload_ps(row + 8 * v, mask[v]), out);
          _mm256_maskstore_ps(row + 8 * v, mask[v], out);
        }
      }
    }
    return;
  }
  // A transposed C: the same sums (the packing padded A and B with zeros), then the valid part.
  alignas(32) float tile[MR][8 * NV];
  for (int r = 0; r < MR; r++) {
    for (int v = 0; v < NV; v++) _mm256_store_ps(tile[r] + 8 * v, acc[r][v]);
  }
  for (int r = 0; r < rows; r++) {
    float* row = c + r * rs;
    for (int j = 0; j < cols; j++) row[j * cs] = accumulate ? row[j * cs] + tile[r][j] : tile[r][j];
  }
}

/**
 * rows x cols (at most MR x NR) of the tile go to c (element (r, j) at c[r*rs + j*cs]): stored,
 * or added when `accumulate`. The A panel's values are read through `panel`; a packed panel and
 * an in-place one holding the same values give the same bits (the same FMAs in the same order).
 */
template <typename Panel>
inline void micro_kernel(int kc, const Panel panel, const float* __restrict b, float* c, std::ptrdiff_t rs, std::ptrdiff_t cs, int rows, int cols,
                         bool accumulate) {
  if (cols <= 8) micro_tile<1>(kc, panel, b, c, rs, cs, rows, cols, accumulate);
  else micro_tile<2>(kc, panel, b, c, rs, cs, rows, cols, accumulate);
}

}  // namespace pq
