#include "pool.h"

#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace pq {

namespace {

/** How a window's dy reaches dx: added to the sums there (windows overlap), or stored as +0 + dy (each cell in one window at most). */
enum class Write { ADD, STORE };

/**
 * One window, NV vectors of eight channels: the first at the window's channel 0, the second (NV
 * 2) `second` channels further on, which may overlap the first; MASKED (NV 1): only the lanes
 * `mask` keeps. For each lane, the position k (1, 2, ... over rows then columns) of the first
 * maximum, then at every position dx = dx + (k == position ? dy : +0) (ADD) or +0 + that
 * (STORE). Adding +0 is exact and leaves a dx cell's bits alone (a cell is never -0: it starts
 * at +0, and +0 plus -0 is +0), so this is the scalar loop's one add at the maximum; a lane
 * whose window holds only -inf and NaN keeps k = 0 and adds nothing. Overlapping lanes of the
 * two vectors compute the same values from the same loads (both loads come before both
 * stores), so either store may land last. ROWS and COLS > 0 fix the window's size.
 */
template <Write MODE, bool MASKED, int NV, int ROWS, int COLS>
inline void window(const float* x, float* dx, const float* dy, int rows, int cols, std::ptrdiff_t row, std::ptrdiff_t step,
                   std::ptrdiff_t second, __m256i mask) {
  static_assert(NV == 1 || (NV == 2 && !MASKED), "a masked window is one vector");
  if (ROWS > 0) rows = ROWS;
  if (COLS > 0) cols = COLS;
  auto load = [&](const float* p) { return MASKED ? _mm256_maskload_ps(p, mask) : _mm256_loadu_ps(p); };
  const std::ptrdiff_t off[2] = {0, second};
  __m256 best[NV];
  __m256i at[NV];
  for (int v = 0; v < NV; v++) {
    best[v] = _mm256_set1_ps(-__builtin_inff());
    at[v] = _mm256_setzero_si256();
  }
  std::uint32_t k = 1;  // up to in_h * in_w + 1 <= 2^31
  for (int r = 0; r < rows; r++) {
    for (int c = 0; c < cols; c++, k++) {
      const __m256i position = _mm256_set1_epi32(k);
      for (int v = 0; v < NV; v++) {
        const __m256 value = load(x + r * row + c * step + off[v]);
        const __m256 gt = _mm256_cmp_ps(value, best[v], _CMP_GT_OQ);
        // best never holds NaN, so max(value, best) is value where value > best, else best (NaN and equal values included).
        best[v] = _mm256_max_ps(value, best[v]);
        // Positions only grow, so where value > best the position exceeds `at`; elsewhere at = max(at, 0) stays.
        at[v] = _mm256_max_epu32(at[v], _mm256_and_si256(_mm256_castps_si256(gt), position));
      }
    }
  }
  __m256 g[NV];
  for (int v = 0; v < NV; v++) g[v] = _mm256_add_ps(load(dy + off[v]), _mm256_setzero_ps());  // +0 + dy: -0 becomes +0
  k = 1;
  for (int r = 0; r < rows; r++) {
    for (int c = 0; c < cols; c++, k++) {
      const __m256i position = _mm256_set1_epi32(k);
      float* p = dx + r * row + c * step;
      __m256 sum[NV];
      for (int v = 0; v < NV; v++) {
        const __m256 add = _mm256_and_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(at[v], position)), g[v]);
        sum[v] = MODE == Write::ADD ? _mm256_add_ps(load(p + off[v]), add) : add;
      }
      for (int v = 0; v < NV; v++) {
        if (MASKED) _mm256_maskstore_ps(p + off[v], mask, sum[v]);
        else _mm256_storeu_ps(p + off[v], sum[v]);
      }
    }
  }
}

/**
 * Every channel of one window. Fewer than eight channels: one masked vector. Otherwise whole
 * vectors, in pairs, the last pair ending at the last channel (the vector at channels - 8
 * overlapping its neighbour when channels % 8 != 0): no masked loads or stores.
 */
template <Write MODE, int ROWS, int COLS>
void windows(const float* x, float* dx, const float* dy, int rows, int cols, std::ptrdiff_t row, int channels, __m256i tail) {
  if (channels < 8) {
    window<MODE, true, 1, ROWS, COLS>(x, dx, dy, rows, cols, row, channels, 0, tail);
    return;
  }
  const int vectors = (channels + 7) / 8;
  int d = 0;
  if (vectors % 2 == 1) {
    window<MODE, false, 1, ROWS, COLS>(x, dx, dy, rows, cols, row, channels, 0, tail);
    d = 8;
  }
  for (; d + 16 < channels; d += 16) window<MODE, false, 2, ROWS, COLS>(x + d, dx + d, dy + d, rows, cols, row, channels, 8, tail);
  if (d < channels) window<MODE, false, 2, ROWS, COLS>(x + d, dx + d, dy + d, rows, cols, row, channels, channels - 8 - d, tail);
}

/** Asks for the cache line `floats` floats after `base`, which may lie past the array's end (a prefetch never faults). */
inline void prefetch(const float* base, std::ptrdiff_t floats) {
  _mm_prefetch(reinterpret_cast<const char*>(reinterpret_cast<std::uintptr_t>(base) + static_cast<std::uintptr_t>(floats) * sizeof(float)), _MM_HINT_T0);
}

/** The input columns no window reaches, as [begin, end) float offsets within a row (STORE: those cells are zeroed apart). */
using Gaps = std::vector<std::pair<std::ptrdiff_t, std::ptrdiff_t>>;

struct Plan {
  const PoolGeometry& g;
  std::ptrdiff_t row;  // floats per input row
  bool overlap;        // some cell lies in two windows
  Gaps gaps;           // STORE only
  __m256i tail;        // the first channels % 8 lanes
};

template <Write MODE>
void window_at(const Plan& plan, const float* x, float* dx, const float* dy, int rows, int cols) {
  const int channels = plan.g.channels;
  if (rows == 2 && cols == 2) windows<MODE, 2, 2>(x, dx, dy, rows, cols, plan.row, channels, plan.tail);
  else if (rows == 3 && cols == 3) windows<MODE, 3, 3>(x, dx, dy, rows, cols, plan.row, channels, plan.tail);
  else windows<MODE, 0, 0>(x, dx, dy, rows, cols, plan.row, channels, plan.tail);
}

/**
 * One image, windows in row-major order. ADD: dx rows are zeroed just before the first window
 * reaching them (so they are in cache), then summed into. STORE: every cell a window reaches is
 * stored once, the rest zeroed.
 */
template <Write MODE>
void image(const Plan& plan, const float* x, const float* dy, float* dx) {
  const PoolGeometry& g = plan.g;
  const std::ptrdiff_t row = plan.row;
  std::int64_t zeroed = 0;  // dx rows [0, zeroed) are done with zeroing
  for (int oy = 0; oy < g.out_h; oy++) {
    const std::int64_t r0 = static_cast<std::int64_t>(oy) * g.stride_h - g.pad_top;
    const std::int64_t r_lo = std::max<std::int64_t>(r0, 0), r_hi = std::min<std::int64_t>(r0 + g.f_h, g.in_h);
    if (r_lo >= r_hi) continue;
    if (MODE == Write::ADD) {
      if (r_hi > zeroed) std::fill(dx + zeroed * row, dx + r_hi * row, 0.0f);
    } else {
      std::fill(dx + zeroed * row, dx + r_lo * row, 0.0f);  // rows between the windows
      for (std::int64_t r = r_lo; r < r_hi; r++) {
        for (const auto& [begin, end] : plan.gaps) std::fill(dx + r * row + begin, dx + r * row + end, 0.0f);
      }
    }
    zeroed = std::max(zeroed, r_hi);
    // In a training step x, dy and dx come from memory (the step's other tensors have evicted
    // them): while a row of windows runs, the input rows after it (as many as it spans) are
    // asked for in x and dx, a few lines per window (all at once would stall this row's loads),
    // and each window's dy one row on; past the image's end, the next image's first rows.
    const float* const x_next = x + r_hi * row;
    float* const dx_next = dx + r_hi * row;
    const std::ptrdiff_t band = (r_hi - r_lo) * row, per_window = (band + 16 * g.out_w - 1) / (16 * g.out_w) * 16;
    std::ptrdiff_t ahead = 0;
    for (int ox = 0; ox < g.out_w; ox++) {
      const std::ptrdiff_t stop = std::min(band, ahead + per_window);
      for (; ahead < stop; ahead += 16) {
        prefetch(x_next, ahead);
        prefetch(dx_next, ahead);
      }
      const float* dyp = dy + (static_cast<std::ptrdiff_t>(oy) * g.out_w + ox) * g.channels;
      prefetch(dyp, static_cast<std::ptrdiff_t>(g.out_w) * g.channels);
      const std::int64_t c0 = static_cast<std::int64_t>(ox) * g.stride_w - g.pad_left;
      const std::int64_t c_lo = std::max<std::int64_t>(c0, 0), c_hi = std::min<std::int64_t>(c0 + g.f_w, g.in_w);
      if (c_lo >= c_hi) continue;
      const std::ptrdiff_t at = r_lo * row + c_lo * g.channels;
      window_at<MODE>(plan, x + at, dx + at, dyp, static_cast<int>(r_hi - r_lo), static_cast<int>(c_hi - c_lo));
    }
  }
  std::fill(dx + zeroed * row, dx + g.in_h * row, 0.0f);
}

Gaps column_gaps(const PoolGeometry& g) {
  Gaps gaps;
  std::int64_t covered = 0;  // columns [0, covered) are reached or listed
  for (int ox = 0; ox < g.out_w; ox++) {
    const std::int64_t c0 = static_cast<std::int64_t>(ox) * g.stride_w - g.pad_left;
    const std::int64_t c_lo = std::max<std::int64_t>(c0, 0), c_hi = std::min<std::int64_t>(c0 + g.f_w, g.in_w);
    if (c_lo >= c_hi) continue;
    if (c_lo > covered) gaps.emplace_back(covered * g.channels, c_lo * g.channels);
    covered = c_hi;
  }
  if (covered < g.in_w) gaps.emplace_back(covered * g.channels, static_cast<std::ptrdiff_t>(g.in_w) * g.channels);
  return gaps;
}

}  // namespace

void max_pool_grad(const float* x, const float* dy, float* dx, const PoolGeometry& g, ThreadPool& pool, int threads) {
  const bool overlap = g.stride_h < g.f_h || g.stride_w < g.f_w;
  const Plan plan{g, static_cast<std::ptrdiff_t>(g.in_w) * g.channels, overlap, overlap ? Gaps{} : column_gaps(g),
                  _mm256_cmpgt_epi32(_mm256_set1_epi32(g.channels % 8), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))};
  const std::ptrdiff_t in_image = static_cast<std::ptrdiff_t>(g.in_h) * plan.row;
  const std::ptrdiff_t out_image = static_cast<std::ptrdiff_t>(g.out_h) * g.out_w * g.channels;
  // Whole images per task (disjoint parts of dx); small calls on the caller's thread alone.
  const int groups = worth_splitting(static_cast<double>(in_image) * g.batch, MIN_SPLIT_ELEMENTS) ? std::min(threads, g.batch) : 1;
  pool.run(groups, threads, [&](int t) {
    const std::ptrdiff_t b0 = static_cast<std::ptrdiff_t>(g.batch) * t / groups, b1 = static_cast<std::ptrdiff_t>(g.batch) * (t + 1) / groups;
    for (std::ptrdiff_t b = b0; b < b1; b++) {
      if (overlap) image<Write::ADD>(plan, x + b * in_image, dy + b * out_image, dx + b * in_image);
      else image<Write::STORE>(plan, x + b * in_image, dy + b * out_image, dx + b * in_image);
    }
  });
}

namespace {

/** Windows [lo, hi) along one axis that hold input position i: lo·stride - pad <= i < lo·stride - pad + f. */
inline void windows_holding(int i, int stride, int pad, int f, int out, int& lo, int& hi) {
  const int first = i + pad - f + 1;  // the least o with o·stride - pad + f > i
  lo = first <= 0 ? 0 : (first + stride - 1) / stride;
  hi = std::min(out, (i + pad) / stride + 1);
}

}  // namespace

void avg_pool_grad(const float* dy, float* dx, const PoolGeometry& g, ThreadPool& pool, int threads) {
  const float scale = 1.0f / (static_cast<float>(g.f_h) * static_cast<float>(g.f_w));
  const __m256 scale8 = _mm256_set1_ps(scale);
  const int c = g.channels, c8 = c / 8 * 8;
  const std::ptrdiff_t image_in = static_cast<std::ptrdiff_t>(g.in_h) * g.in_w * c, image_out = static_cast<std::ptrdiff_t>(g.out_h) * g.out_w * c;
  const int tasks = worth_splitting(static_cast<double>(g.batch) * image_in, MIN_SPLIT_ELEMENTS) ? std::min(threads, g.batch) : 1;
  pool.run(tasks, threads, [&](int t) {
    for (int b = g.batch * t / tasks; b < g.batch * (t + 1) / tasks; b++) {
      const float* dyb = dy + b * image_out;
      for (int iy = 0; iy < g.in_h; iy++) {
        int y0, y1;
        windows_holding(iy, g.stride_h, g.pad_top, g.f_h, g.out_h, y0, y1);
        for (int ix = 0; ix < g.in_w; ix++) {
          int x0, x1;
          windows_holding(ix, g.stride_w, g.pad_left, g.f_w, g.out_w, x0, x1);
          float* d = dx + b * image_in + (static_cast<std::ptrdiff_t>(iy) * g.in_w + ix) * c;
          for (int ch = 0; ch < c8; ch += 8) {
            __m256 sum = _mm256_setzero_ps();
            for (int oy = y0; oy < y1; oy++) {
              for (int ox = x0; ox < x1; ox++) {
                sum = _mm256_add_ps(sum, _mm256_mul_ps(_mm256_loadu_ps(dyb + (static_cast<std::ptrdiff_t>(oy) * g.out_w + ox) * c + ch), scale8));
              }
            }
            _mm256_storeu_ps(d + ch, sum);
          }
          for (int ch = c8; ch < c; ch++) {
            float sum = 0.0f;
            for (int oy = y0; oy < y1; oy++) {
              for (int ox = x0; ox < x1; ox++) sum += dyb[(static_cast<std::ptrdiff_t>(oy) * g.out_w + ox) * c + ch] * scale;
            }
            d[ch] = sum;
          }
        }
      }
    }
  });
}

}  // namespace pq
