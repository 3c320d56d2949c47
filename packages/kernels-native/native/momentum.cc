#include "momentum.h"

#include <immintrin.h>

#include <algorithm>

namespace pq {

namespace {

void step_range(const float* p, const float* v, const float* g, float* p_out, float* v_out, std::ptrdiff_t i0, std::ptrdiff_t i1, float c, float m,
                bool nesterov) {
  const __m256 cv = _mm256_set1_ps(c), mv = _mm256_set1_ps(m);
  std::ptrdiff_t i = i0;
  for (; i + 8 <= i1; i += 8) {
    const __m256 gi = _mm256_loadu_ps(g + i);
    const __m256 vi = _mm256_add_ps(_mm256_mul_ps(mv, _mm256_loadu_ps(v + i)), gi);
    _mm256_storeu_ps(v_out + i, vi);
    const __m256 step = nesterov ? _mm256_add_ps(gi, _mm256_mul_ps(vi, mv)) : vi;
    _mm256_storeu_ps(p_out + i, _mm256_add_ps(_mm256_mul_ps(cv, step), _mm256_loadu_ps(p + i)));
  }
  for (; i < i1; i++) {
    const float vi = m * v[i] + g[i];
    v_out[i] = vi;
    p_out[i] = c * (nesterov ? g[i] + vi * m : vi) + p[i];
  }
}

}  // namespace

void momentum_step(const float* p, const float* v, const float* g, float* p_out, float* v_out, std::ptrdiff_t n, float c, float m, bool nesterov,
                   ThreadPool& pool, int threads) {
  // Elementwise: ranges of whole 8-float vectors per task, any split gives the same bits.
  const std::ptrdiff_t vectors = (n + 7) / 8;
  const int tasks = worth_splitting(static_cast<double>(n), MIN_SPLIT_ELEMENTS) ? static_cast<int>(std::min<std::ptrdiff_t>(threads, vectors)) : 1;
  pool.run(tasks, threads, [&](int t) {
    step_range(p, v, g, p_out, v_out, std::min(n, vectors * t / tasks * 8), std::min(n, vectors * (t + 1) / tasks * 8), c, m, nesterov);
  });
}

}  // namespace pq
