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

/** A packed B panel (kc x NR, 32-byte aligned): step p's 8-float vector v at b[p*NR + 8v]; on AVX-512 the second NR columns are the next panel, `next_panel` floats on. */
struct PackedB {
  const float* b;
  std::ptrdiff_t next_panel;
  const float* ymm(int p, int v) const { return b + p * NR + 8 * v; }
  const float* zmm(int p, int v) const { return b + v * next_panel + p * NR; }
  static constexpr bool aligned = true;
};

/**
 * B read in place (a channels-first image's row segment): step p's columns start at
 * base + step[p] and run on contiguously, 8 floats per ymm vector, 16 per zmm.
 */
struct InPlaceB {
  const float* base;
  const std::ptrdiff_t* step;
  const float* ymm(int p, int v) const { return base + step[p] + 8 * v; }
  const float* zmm(int p, int v) const { return base + step[p] + NR * v; }
  static constexpr bool aligned = false;
};

template <typename B>
inline __m256 load_b(const float* p) {
  if constexpr (B::aligned) return _mm256_load_ps(p);
  else return _mm256_loadu_ps(p);
}

template <typename B>
__attribute__((target("avx512f"))) inline __m512 load_b512(const float* p) {
  if constexpr (B::aligned) return _mm512_load_ps(p);
  else return _mm512_loadu_ps(p);
}

/**
 * The tile with NV of the B panel's two 8-float vectors (NV = 1: an edge tile of at most 8
 * columns, half the work). Each element's FMA chain is the same whatever NV.
 */
template <int NV, typename Panel, typename B>
inline void micro_tile(int kc, const Panel panel, const B b, float* c, std::ptrdiff_t rs, std::ptrdiff_t cs, int rows, int cols,
                       bool accumulate) {
  // Named accumulators, not an array: GCC keeps these in registers (an array it spills).
  const std::ptrdiff_t o0 = panel.row(0), o1 = panel.row(1), o2 = panel.row(2), o3 = panel.row(3), o4 = panel.row(4), o5 = panel.row(5);
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(), c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
#pragma GCC unroll 4
  for (int p = 0; p < kc; p++) {
    const __m256 b0 = load_b<B>(b.ymm(p, 0));
    const __m256 b1 = NV == 2 ? load_b<B>(b.ymm(p, 1)) : b0;
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
 * The same tile on AVX-512 over NP 16-column vectors of B (b.zmm): 6 x
 * 16·NP, one zmm per row and panel, each element the same FMA chain as in micro_tile, and the
 * same stores and adds (masked-off lanes neither read nor written).
 */
template <int NP, typename Panel, typename B>
__attribute__((target("avx512f"))) void micro_tile_avx512(int kc, const Panel panel, const B b, float* c, std::ptrdiff_t rs, std::ptrdiff_t cs, int rows, int cols, bool accumulate) {
  const std::ptrdiff_t o0 = panel.row(0), o1 = panel.row(1), o2 = panel.row(2), o3 = panel.row(3), o4 = panel.row(4), o5 = panel.row(5);
  __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps(), c10 = _mm512_setzero_ps(), c11 = _mm512_setzero_ps();
  __m512 c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps(), c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps();
  __m512 c40 = _mm512_setzero_ps(), c41 = _mm512_setzero_ps(), c50 = _mm512_setzero_ps(), c51 = _mm512_setzero_ps();
#pragma GCC unroll 4
  for (int p = 0; p < kc; p++) {
    const __m512 b0 = load_b512<B>(b.zmm(p, 0));
    const __m512 b1 = NP == 2 ? load_b512<B>(b.zmm(p, 1)) : b0;
    const float* a = panel.step(p);
    __m512 av = _mm512_set1_ps(a[o0]);
    c00 = _mm512_fmadd_ps(av, b0, c00);
    if constexpr (NP == 2) c01 = _mm512_fmadd_ps(av, b1, c01);
    av = _mm512_set1_ps(a[o1]);
    c10 = _mm512_fmadd_ps(av, b0, c10);
    if constexpr (NP == 2) c11 = _mm512_fmadd_ps(av, b1, c11);
    av = _mm512_set1_ps(a[o2]);
    c20 = _mm512_fmadd_ps(av, b0, c20);
    if constexpr (NP == 2) c21 = _mm512_fmadd_ps(av, b1, c21);
    av = _mm512_set1_ps(a[o3]);
    c30 = _mm512_fmadd_ps(av, b0, c30);
    if constexpr (NP == 2) c31 = _mm512_fmadd_ps(av, b1, c31);
    av = _mm512_set1_ps(a[o4]);
    c40 = _mm512_fmadd_ps(av, b0, c40);
    if constexpr (NP == 2) c41 = _mm512_fmadd_ps(av, b1, c41);
    av = _mm512_set1_ps(a[o5]);
    c50 = _mm512_fmadd_ps(av, b0, c50);
    if constexpr (NP == 2) c51 = _mm512_fmadd_ps(av, b1, c51);
  }
  const __m512 acc[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  if (cs == 1) {
    const bool whole = rows == MR && cols == NR * NP;
    __mmask16 mask[2];
    for (int v = 0; v < NP; v++) {
      const int live = cols - NR * v;
      mask[v] = live >= NR ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << live) - 1);
    }
    for (int r = 0; r < rows; r++) {
      float* row = c + r * rs;
      for (int v = 0; v < NP; v++) {
        __m512 out = acc[r][v];
        if (whole) {
          if (accumulate) out = _mm512_add_ps(_mm512_loadu_ps(row + NR * v), out);
          _mm512_storeu_ps(row + NR * v, out);
        } else {
          if (accumulate) out = _mm512_add_ps(_mm512_maskz_loadu_ps(mask[v], row + NR * v), out);
          _mm512_mask_storeu_ps(row + NR * v, mask[v], out);
        }
      }
    }
    return;
  }
  alignas(64) float tile[MR][NR * NP];
  for (int r = 0; r < MR; r++) {
    for (int v = 0; v < NP; v++) _mm512_store_ps(tile[r] + NR * v, acc[r][v]);
  }
  for (int r = 0; r < rows; r++) {
    float* row = c + r * rs;
    for (int j = 0; j < cols; j++) row[j * cs] = accumulate ? row[j * cs] + tile[r][j] : tile[r][j];
  }
}

/**
 * rows x cols of the tile go to c (element (r, j) at c[r*rs + j*cs]): stored, or added when
 * `accumulate`. cols is at most NR, or 2·NR where `wide` (AVX-512). The A panel's values are read
 * through `panel`, B's through `b` (PackedB or InPlaceB); packed and in-place operands holding the
 * same values give the same bits (the same FMAs in the same order).
 */
template <typename Panel, typename B>
inline void micro_kernel(bool wide, int kc, const Panel panel, const B b, float* c, std::ptrdiff_t rs, std::ptrdiff_t cs, int rows, int cols,
                         bool accumulate) {
  if (cols <= 8) micro_tile<1>(kc, panel, b, c, rs, cs, rows, cols, accumulate);
  else if (!wide) micro_tile<2>(kc, panel, b, c, rs, cs, rows, cols, accumulate);
  else if (cols <= NR) micro_tile_avx512<1>(kc, panel, b, c, rs, cs, rows, cols, accumulate);
  else micro_tile_avx512<2>(kc, panel, b, c, rs, cs, rows, cols, accumulate);
}

}  // namespace pq
