#include "batch_norm.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>

#include "transpose8.h"

namespace pq {

namespace {

using i64 = std::int64_t;

/** Eight channels' float64 accumulators, channel c0 + k in lane k % 4 of half k / 4. */
struct Lanes {
  __m256d lo = _mm256_setzero_pd(), hi = _mm256_setzero_pd();
  void store(double* out) const {
    _mm256_storeu_pd(out, lo);
    _mm256_storeu_pd(out + 4, hi);
  }
};

inline __m256d low4(__m256 v) { return _mm256_cvtps_pd(_mm256_castps256_ps128(v)); }
inline __m256d high4(__m256 v) { return _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)); }

/**
 * visit(a, b) for each (image, position) in order, a and b holding eight consecutive channels'
 * floats of p and q there (8x8 register transposes along the positions, gathered at the tail):
 * so each channel's values arrive in the one-channel loop's order. p and q point at channel c0.
 */
template <typename Visit>
void walk8(const float* p, const float* q, i64 n, i64 channel_stride, i64 s, const Visit& visit) {
  const i64 s8 = s / 8 * 8;
  for (i64 img = 0; img < n; img++) {
    const float* a = p + img * channel_stride;
    const float* b = q + img * channel_stride;
    for (i64 i = 0; i < s8; i += 8) {
      __m256 ra[8], rb[8];
      for (int k = 0; k < 8; k++) ra[k] = _mm256_loadu_ps(a + k * s + i);
      for (int k = 0; k < 8; k++) rb[k] = _mm256_loadu_ps(b + k * s + i);
      transpose8(ra);
      transpose8(rb);
      for (int v = 0; v < 8; v++) visit(ra[v], rb[v]);
    }
    for (i64 i = s8; i < s; i++) {
      const float *u = a + i, *w = b + i;
      visit(_mm256_setr_ps(u[0], u[s], u[2 * s], u[3 * s], u[4 * s], u[5 * s], u[6 * s], u[7 * s]),
            _mm256_setr_ps(w[0], w[s], w[2 * s], w[3 * s], w[4 * s], w[5 * s], w[6 * s], w[7 * s]));
    }
  }
}

/** f(i) for every element i of channel c (its S floats in each image). */
template <typename F>
void each_element(i64 c, i64 n, i64 channel_stride, i64 s, const F& f) {
  for (i64 img = 0, base = c * s; img < n; img++, base += channel_stride) {
    for (i64 i = base, end = base + s; i < end; i++) f(i);
  }
}

/**
 * out[i] = round(f(in...)) over one channel's elements, four at a time where its rows allow:
 * `vec` maps float64 vectors of the inputs at i, `one` single values. Elementwise, so any order.
 */
template <typename Vec, typename One>
void apply(i64 c, i64 n, i64 channel_stride, i64 s, float* out, const Vec& vec, const One& one) {
  const i64 s4 = s / 4 * 4;
  for (i64 img = 0, base = c * s; img < n; img++, base += channel_stride) {
    for (i64 i = base; i < base + s4; i += 4) _mm_storeu_ps(out + i, _mm256_cvtpd_ps(vec(i)));
    for (i64 i = base + s4; i < base + s; i++) out[i] = static_cast<float>(one(i));
  }
}

inline __m256d load4(const float* p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }

/** Runs task(u) for the units [0, blocks + rest): blocks of eight channels, then the rest one by one. */
template <typename Task>
void over_channels(i64 c, i64 elements, ThreadPool& pool, int threads, const Task& task) {
  const i64 units = c / 8 + c % 8;
  const int tasks = threads <= 1 || !worth_splitting(static_cast<double>(elements), MIN_SPLIT_ELEMENTS) ? 1 : static_cast<int>(std::min<i64>(units, threads));
  pool.run(tasks, threads, [&](int t) {
    for (i64 u = units * t / tasks; u < units * (t + 1) / tasks; u++) task(u);
  });
}

}  // namespace

void batch_norm_train(const float* x, const float* weight, const float* bias, float* y, float* mean, float* variance, i64 n, i64 c, i64 s, double eps,
                      ThreadPool& pool, int threads) {
  const i64 stride = c * s;
  const double count = static_cast<double>(n * s);
  const i64 blocks = c / 8;
  // One channel's y from its mean and variance (the generic kernel's scalars and pass).
  auto finish = [&](i64 ch, double m, double v) {
    const double alpha = static_cast<double>(weight[ch]) / std::sqrt(v + eps);
    const double beta = static_cast<double>(bias[ch]) - m * alpha;
    const __m256d A = _mm256_set1_pd(alpha), B = _mm256_set1_pd(beta);
    apply(ch, n, stride, s, y, [&](i64 i) { return _mm256_add_pd(_mm256_mul_pd(load4(x + i), A), B); },
          [&](i64 i) { return static_cast<double>(x[i]) * alpha + beta; });
    mean[ch] = static_cast<float>(m);
    variance[ch] = static_cast<float>(v);
  };
  over_channels(c, n * stride, pool, threads, [&](i64 u) {
    if (u >= blocks) {  // one channel, as the JavaScript loop
      const i64 ch = 8 * blocks + (u - blocks);
      double sum = 0;
      each_element(ch, n, stride, s, [&](i64 i) { sum += x[i]; });
      const double m = sum / count;
      double squares = 0;
      each_element(ch, n, stride, s, [&](i64 i) {
        const double d = x[i] - m;
        squares += d * d;
      });
      finish(ch, m, squares / count);
      return;
    }
    const i64 c0 = 8 * u;
    const float* p = x + c0 * s;
    Lanes sum;
    walk8(p, p, n, stride, s, [&](__m256 v, __m256) {
      sum.lo = _mm256_add_pd(sum.lo, low4(v));
      sum.hi = _mm256_add_pd(sum.hi, high4(v));
    });
    double sums[8], m[8];
    sum.store(sums);
    for (int k = 0; k < 8; k++) m[k] = sums[k] / count;
    const __m256d mlo = _mm256_loadu_pd(m), mhi = _mm256_loadu_pd(m + 4);
    Lanes squares;
    walk8(p, p, n, stride, s, [&](__m256 v, __m256) {
      const __m256d dlo = _mm256_sub_pd(low4(v), mlo), dhi = _mm256_sub_pd(high4(v), mhi);
      squares.lo = _mm256_add_pd(squares.lo, _mm256_mul_pd(dlo, dlo));
      squares.hi = _mm256_add_pd(squares.hi, _mm256_mul_pd(dhi, dhi));
    });
    squares.store(sums);
    for (int k = 0; k < 8; k++) finish(c0 + k, m[k], sums[k] / count);
  });
}

void batch_norm_train_grad(const float* dy, const float* x, const float* mean, const float* variance, const float* weight, float* dx, float* dweight,
                           float* dbias, i64 n, i64 c, i64 s, double eps, ThreadPool& pool, int threads) {
  const i64 stride = c * s;
  const double count = static_cast<double>(n * s);
  const i64 blocks = c / 8;
  auto finish = [&](i64 ch, double sum_dy, double sum_dy_xc) {
    const double m = mean[ch];
    const double invstd = 1 / std::sqrt(static_cast<double>(variance[ch]) + eps);
    const double k = weight[ch] * invstd, mean_dy = sum_dy / count, proj = (sum_dy_xc * invstd * invstd) / count;
    const __m256d K = _mm256_set1_pd(k), MD = _mm256_set1_pd(mean_dy), M = _mm256_set1_pd(m), P = _mm256_set1_pd(proj);
    apply(ch, n, stride, s, dx,
          [&](i64 i) { return _mm256_mul_pd(K, _mm256_sub_pd(_mm256_sub_pd(load4(dy + i), MD), _mm256_mul_pd(_mm256_sub_pd(load4(x + i), M), P))); },
          [&](i64 i) { return k * (dy[i] - mean_dy - (x[i] - m) * proj); });
    dweight[ch] = static_cast<float>(sum_dy_xc * invstd);
    dbias[ch] = static_cast<float>(sum_dy);
  };
  over_channels(c, n * stride, pool, threads, [&](i64 u) {
    if (u >= blocks) {
      const i64 ch = 8 * blocks + (u - blocks);
      const double m = mean[ch];
      double sum_dy = 0, sum_dy_xc = 0;
      each_element(ch, n, stride, s, [&](i64 i) {
        const double g = dy[i];
        sum_dy += g;
        sum_dy_xc += g * (x[i] - m);
      });
      finish(ch, sum_dy, sum_dy_xc);
      return;
    }
    const i64 c0 = 8 * u;
    double m[8];
    for (int k = 0; k < 8; k++) m[k] = mean[c0 + k];
    const __m256d mlo = _mm256_loadu_pd(m), mhi = _mm256_loadu_pd(m + 4);
    Lanes sum_dy, sum_dy_xc;
    walk8(dy + c0 * s, x + c0 * s, n, stride, s, [&](__m256 g, __m256 v) {
      const __m256d glo = low4(g), ghi = high4(g);
      sum_dy.lo = _mm256_add_pd(sum_dy.lo, glo);
      sum_dy.hi = _mm256_add_pd(sum_dy.hi, ghi);
      sum_dy_xc.lo = _mm256_add_pd(sum_dy_xc.lo, _mm256_mul_pd(glo, _mm256_sub_pd(low4(v), mlo)));
      sum_dy_xc.hi = _mm256_add_pd(sum_dy_xc.hi, _mm256_mul_pd(ghi, _mm256_sub_pd(high4(v), mhi)));
    });
    double a[8], b[8];
    sum_dy.store(a);
    sum_dy_xc.store(b);
    for (int k = 0; k < 8; k++) finish(c0 + k, a[k], b[k]);
  });
}

}  // namespace pq
