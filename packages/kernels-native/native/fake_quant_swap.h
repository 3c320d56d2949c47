// Fake quantization fused with the layout change of a convolution's weight, and its
// straight-through gradient fused with the change back: x [outer, middle, inner] (a weight
// [O, I, taps], one scale per output channel) and y [inner, middle, outer] (tfjs's [taps, I, O]).
// One pass over the weight instead of two in each direction. The arithmetic per element is
// @pq/core's float32 sequence (nearest(clamp(x·scale, lo, hi)) / divisor, round half to even,
// clamps that keep NaN and -0) and moves are bit patterns, so the results are those of the
// unfused kernels, on any thread count.
#pragma once
#include <cstdint>

#include "thread_pool.h"

namespace pq {

/** y[c, b, a] = nearest(clamp(x[a, b, c]·scale[a], lo, hi)) / divisor[a]. */
void fake_quant_swap(const float* x, float* y, std::int64_t outer, std::int64_t middle, std::int64_t inner, const float* scale, const float* divisor,
                     float lo, float hi, ThreadPool& pool, int threads);

/** dx[a, b, c] = |x[a, b, c]| <= bound[a] ? dy[c, b, a] : +0 (a NaN x gives +0). */
void straight_through_swap(const float* x, const float* dy, float* dx, std::int64_t outer, std::int64_t middle, std::int64_t inner, const float* bound,
                           ThreadPool& pool, int threads);

}  // namespace pq
