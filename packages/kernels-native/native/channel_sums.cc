#include "channel_sums.h"

#include <immintrin.h>

#include <algorithm>

#include "transpose8.h"

namespace pq {

namespace {

/** Channels [c0, c0 + 8): one lane each, the adds in each lane's own order (8x8 blocks transposed so a vector holds one position of eight channels). */
void eight_channels(const float* x, float* sums, std::ptrdiff_t outer, int channels, std::ptrdiff_t inner, int c0) {
  __m256 acc = _mm256_setzero_ps();
  const std::ptrdiff_t inner8 = inner / 8 * 8;
  for (std::ptrdiff_t o = 0; o < outer; o++) {
    const float* base = x + (o * channels + c0) * inner;
    for (std::ptrdiff_t i = 0; i < inner8; i += 8) {
      __m256 r[8];
      for (int c = 0; c < 8; c++) r[c] = _mm256_loadu_ps(base + c * inner + i);
      transpose8(r);
      for (int v = 0; v < 8; v++) acc = _mm256_add_ps(acc, r[v]);
    }
    for (std::ptrdiff_t i = inner8; i < inner; i++) {
      const float* p = base + i;
      acc = _mm256_add_ps(acc, _mm256_setr_ps(p[0], p[inner], p[2 * inner], p[3 * inner], p[4 * inner], p[5 * inner], p[6 * inner], p[7 * inner]));
    }
  }
  _mm256_storeu_ps(sums + c0, acc);
}

void one_channel(const float* x, float* sums, std::ptrdiff_t outer, int channels, std::ptrdiff_t inner, int c) {
  float s = 0.0f;
  for (std::ptrdiff_t o = 0; o < outer; o++) {
    const float* row = x + (o * channels + c) * inner;
    for (std::ptrdiff_t i = 0; i < inner; i++) s += row[i];
  }
  sums[c] = s;
}

}  // namespace

void channel_sums(const float* x, float* sums, std::ptrdiff_t outer, int channels, std::ptrdiff_t inner, ThreadPool& pool, int threads) {
  const int blocks = channels / 8, rest = channels % 8;
  const int units = blocks + rest;  // blocks of eight, then the last channels one by one
  const bool split = worth_splitting(static_cast<double>(outer) * channels * inner, MIN_SPLIT_ELEMENTS);
  const int tasks = split ? std::min(units, threads) : 1;
  pool.run(tasks, threads, [&](int t) {
    for (int u = units * t / tasks; u < units * (t + 1) / tasks; u++) {
      if (u < blocks) eight_channels(x, sums, outer, channels, inner, 8 * u);
      else one_channel(x, sums, outer, channels, inner, 8 * blocks + (u - blocks));
    }
  });
}

}  // namespace pq
