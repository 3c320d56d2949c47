// y = x·scale[c] + shift[c] over channels-first x [outer, channels, inner], as two float32 ops
// (the product rounded, then the sum): the bits of tfjs's Mul then Add with the scale and the
// shift broadcast per channel, an eval-mode batch norm in one pass instead of two.
#pragma once
#include <cstdint>

#include "thread_pool.h"

namespace pq {

void channel_affine(const float* x, const float* scale, const float* shift, float* y, std::int64_t outer, std::int64_t channels, std::int64_t inner,
                    ThreadPool& pool, int threads);

}  // namespace pq
