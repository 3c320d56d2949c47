#include "matmul.h"

#include <cstddef>

#include "gemm.h"

namespace pq {

void matmul(const float* a, const float* b, float* c, int batch, int m, int n, int k, bool trans_a, bool trans_b, ThreadPool& pool, int threads) {
  if (batch <= 0) return;
  // The split and orientation depend on the shapes only; each product's are the same.
  const bool swap = transpose_pads_less(m, n);
  // Enough products for every thread: one task per product; otherwise each product is split.
  const double work = static_cast<double>(batch) * m * n * (k > 0 ? k : 1);
  const GemmSplit split = batch >= threads ? GemmSplit{1, 1} : gemm_split(swap ? n : m, swap ? m : n, k, (threads + batch - 1) / batch);
  const int per_product = split.tasks();
  const std::ptrdiff_t a_size = static_cast<std::ptrdiff_t>(m) * k, b_size = static_cast<std::ptrdiff_t>(k) * n, c_size = static_cast<std::ptrdiff_t>(m) * n;
  pool.run(batch * per_product, work < 5e5 ? 1 : threads, [&](int t) {
    const int product = t / per_product;
    // A's row i, step p: a[i*k + p], or a[p*m + i] transposed; B's column j, step p: b[p*n + j], or b[j*k + p].
    const StridedRows rows_a(a + product * a_size, trans_a ? 1 : k, trans_a ? m : 1);
    const StridedRows rows_bt(b + product * b_size, trans_b ? k : 1, trans_b ? 1 : n);
    const Gemm g{m, n, k, &rows_a, &rows_bt, c + product * c_size, n, 1};
    gemm_task(oriented(g), split, t % per_product);
  });
}

}  // namespace pq
