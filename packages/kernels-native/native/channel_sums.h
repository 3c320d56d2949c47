// Per-channel sums of a channels-first tensor viewed as [outer, channels, inner] (a bias's
// gradient: dy [N, C, H, W] summed over N, H and W): each channel summed in float32 from +0, in
// the order of (outer, inner), as tfjs sums the row it transposes that channel into, so the bits
// are tfjs's.
#pragma once
#include <cstddef>

#include "thread_pool.h"

namespace pq {

void channel_sums(const float* x, float* sums, std::ptrdiff_t outer, int channels, std::ptrdiff_t inner, ThreadPool& pool, int threads);

}  // namespace pq
