// Transpose (axis permutation) of a row-major tensor of 4-byte elements. Elements are moved, never
// computed: loads, stores, shuffles and memcpy only, so float32 bit patterns (NaN payloads
// included) and int32 values arrive unchanged, and every thread count gives the same bytes.
#pragma once
#include <cstdint>

#include "thread_pool.h"

namespace pq {

constexpr int TRANSPOSE_MAX_RANK = 6;

/**
 * y = x with its axes permuted, tfjs's order: y's axis i is x's axis perm[i]. `shape` is x's
 * (rank 0 to TRANSPOSE_MAX_RANK, sizes >= 0, the arguments already checked).
 */
void transpose(const std::uint32_t* x, std::uint32_t* y, const std::int64_t* shape, const int* perm, int rank, ThreadPool& pool, int threads);

}  // namespace pq
