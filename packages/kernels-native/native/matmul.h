// Batched matmul over GEMM: c[t] = op(a[t])·op(b[t]), a transposition being only a packer stride.
#pragma once
#include "thread_pool.h"

namespace pq {

void matmul(const float* a, const float* b, float* c, int batch, int m, int n, int k, bool trans_a, bool trans_b, ThreadPool& pool, int threads);

}  // namespace pq
