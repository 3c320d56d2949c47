// Training-mode batch normalisation over channels-first x [N, C, S] (S: the spatial positions),
// as @pq/nn's generic kernels compute it in JavaScript: every sum in float64 over (n, s) in
// order, one channel's chain at a time (eight channels in the lanes of two AVX registers), and
// the elementwise passes in float64 rounded to float32. So the bits are theirs, on any thread
// count (threads take whole channels).
#pragma once
#include <cstdint>

#include "thread_pool.h"

namespace pq {

/**
 * Per channel: mean m = Σx / (N·S), variance v = Σ(x - m)² / (N·S) (two passes), then
 * y = x·a + (b - m·a) with a = weight / sqrt(v + eps); mean and variance stored as float32.
 */
void batch_norm_train(const float* x, const float* weight, const float* bias, float* y, float* mean, float* variance, std::int64_t n, std::int64_t c,
                      std::int64_t s, double eps, ThreadPool& pool, int threads);

/**
 * Its gradient given dy and the forward's float32 mean and variance: with i = 1 / sqrt(v + eps),
 * Σdy and Σdy·(x - m) per channel, dx = (w·i)·(dy - Σdy/M - (x - m)·(Σdy·(x - m)·i·i / M)),
 * dweight = Σdy·(x - m)·i, dbias = Σdy (M = N·S).
 */
void batch_norm_train_grad(const float* dy, const float* x, const float* mean, const float* variance, const float* weight, float* dx, float* dweight,
                           float* dbias, std::int64_t n, std::int64_t c, std::int64_t s, double eps, ThreadPool& pool, int threads);

}  // namespace pq
