#include "depthwise.h"

#include <immintrin.h>

#include <algorithm>

namespace pq {

namespace {

/** d[c] = d[c] + a[c]*b[c] for c in [c0, c1): 8 lanes at a time, then one at a time (the same rounding). */
inline void multiply_add(float* __restrict d, const float* __restrict a, const float* __restrict b, int c0, int c1) {
  int c = c0;
  for (; c + 8 <= c1; c += 8) {
    _mm256_storeu_ps(d + c, _mm256_add_ps(_mm256_loadu_ps(d + c), _mm256_mul_ps(_mm256_loadu_ps(a + c), _mm256_loadu_ps(b + c))));
  }
  for (; c < c1; c++) d[c] = d[c] + a[c] * b[c];
}

/**
 * Every (b, oy, fy, ox, fx) with its input pixel inside, in that order, for channels [c0, c1):
 * `visit(x offset, dy offset, filter offset)` in floats.
 */
template <typename Visit>
void each_tap(const ConvGeometry& g, Visit visit) {
  const std::ptrdiff_t c = g.in_c;
  for (int b = 0; b < g.batch; b++) {
    for (int oy = 0; oy < g.out_h; oy++) {
      for (int fy = 0; fy < g.f_h; fy++) {
        const int iy = oy * g.stride_h - g.pad_top + fy;
        if (iy < 0 || iy >= g.in_h) continue;
        for (int ox = 0; ox < g.out_w; ox++) {
          const std::ptrdiff_t at_dy = ((static_cast<std::ptrdiff_t>(b) * g.out_h + oy) * g.out_w + ox) * c;
          for (int fx = 0; fx < g.f_w; fx++) {
            const int ix = ox * g.stride_w - g.pad_left + fx;
            if (ix < 0 || ix >= g.in_w) continue;
            visit(((static_cast<std::ptrdiff_t>(b) * g.in_h + iy) * g.in_w + ix) * c, at_dy, (static_cast<std::ptrdiff_t>(fy) * g.f_w + fx) * c);
          }
        }
      }
    }
  }
}

/** Channel slices of whole 8-lane vectors, one per task: disjoint outputs, the same order in each. */
template <typename Slice>
void by_channels(const ConvGeometry& g, ThreadPool& pool, int threads, Slice slice) {
  const int vectors = (g.in_c + 7) / 8;
  const double work = static_cast<double>(g.batch) * g.out_h * g.out_w * g.f_h * g.f_w * g.in_c;
  const int tasks = worth_splitting(work, MIN_SPLIT_DEPTHWISE_MACS) ? std::min(threads, vectors) : 1;
  pool.run(tasks, threads, [&](int t) { slice(std::min(g.in_c, vectors * t / tasks * 8), std::min(g.in_c, vectors * (t + 1) / tasks * 8)); });
}

}  // namespace

void depthwise_backprop_filter(const float* x, const float* dy, float* d_filter, const ConvGeometry& g, ThreadPool& pool, int threads) {
  std::fill(d_filter, d_filter + static_cast<std::ptrdiff_t>(g.f_h) * g.f_w * g.in_c, 0.0f);
  by_channels(g, pool, threads, [&](int c0, int c1) {
    each_tap(g, [&](std::ptrdiff_t at_x, std::ptrdiff_t at_dy, std::ptrdiff_t at_f) { multiply_add(d_filter + at_f, x + at_x, dy + at_dy, c0, c1); });
  });
}

void depthwise_backprop_input(const float* dy, const float* filter, float* dx, const ConvGeometry& g, ThreadPool& pool, int threads) {
  std::fill(dx, dx + static_cast<std::ptrdiff_t>(g.batch) * g.in_h * g.in_w * g.in_c, 0.0f);
  by_channels(g, pool, threads, [&](int c0, int c1) {
    each_tap(g, [&](std::ptrdiff_t at_x, std::ptrdiff_t at_dy, std::ptrdiff_t at_f) { multiply_add(dx + at_x, dy + at_dy, filter + at_f, c0, c1); });
  });
}

}  // namespace pq
