#include "channel_affine.h"

#include <immintrin.h>

#include <algorithm>

namespace pq {

namespace {

using i64 = std::int64_t;

/** Rows [begin, end) of x viewed as [outer·channels, inner], row r scaled by channel r % channels. */
void rows(const float* x, const float* scale, const float* shift, float* y, i64 channels, i64 inner, i64 begin, i64 end) {
  const i64 inner8 = inner / 8 * 8;
  for (i64 r = begin; r < end; r++) {
    const i64 c = r % channels;
    const float a = scale[c], b = shift[c];
    const __m256 A = _mm256_set1_ps(a), B = _mm256_set1_ps(b);
    const float* xr = x + r * inner;
    float* yr = y + r * inner;
    for (i64 i = 0; i < inner8; i += 8) _mm256_storeu_ps(yr + i, _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(xr + i), A), B));
    for (i64 i = inner8; i < inner; i++) {
      const float t = xr[i] * a;
      yr[i] = t + b;
    }
  }
}

/** Images [begin, end) of [outer, channels] (inner 1): eight channels a vector. */
void pixels(const float* x, const float* scale, const float* shift, float* y, i64 channels, i64 begin, i64 end) {
  const i64 c8 = channels / 8 * 8;
  for (i64 o = begin; o < end; o++) {
    const float* xr = x + o * channels;
    float* yr = y + o * channels;
    for (i64 c = 0; c < c8; c += 8) {
      _mm256_storeu_ps(yr + c, _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(xr + c), _mm256_loadu_ps(scale + c)), _mm256_loadu_ps(shift + c)));
    }
    for (i64 c = c8; c < channels; c++) {
      const float t = xr[c] * scale[c];
      yr[c] = t + shift[c];
    }
  }
}

}  // namespace

void channel_affine(const float* x, const float* scale, const float* shift, float* y, i64 outer, i64 channels, i64 inner, ThreadPool& pool, int threads) {
  const i64 total = outer * channels * inner;
  // Rows of fewer than eight positions (1x1 maps, [N, C] input) go by images, across channels.
  const bool by_rows = inner >= 8;
  const i64 units = by_rows ? outer * channels : outer;
  const int tasks = threads <= 1 || units < 2 || !worth_splitting(static_cast<double>(total), MIN_SPLIT_ELEMENTS) ? 1 : static_cast<int>(std::min<i64>(units, threads));
  pool.run(tasks, threads, [&](int t) {
    const i64 begin = units * t / tasks, end = units * (t + 1) / tasks;
    if (by_rows) rows(x, scale, shift, y, channels, inner, begin, end);
    else if (inner == 1) pixels(x, scale, shift, y, channels, begin, end);
    else rows(x, scale, shift, y, channels, inner, begin * channels, end * channels);
  });
}

}  // namespace pq
