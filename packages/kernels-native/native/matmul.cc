#include "matmul.h"

#include <cstddef>

#include "gemm.h"

namespace pq {

void matmul(const float* a, const float* b, float* c, int batch, int m, int n, int k, bool trans_a, bool trans_b, ThreadPool& pool, int threads) {
  if (batch <= 0) return;
  // A's row i, step p: a[i*k + p], or a[p*m + i] transposed; B's column j, step p: b[p*n + j], or b[j*k + p].
  auto rows_a = [&](int product) { return StridedRows(a + product * static_cast<std::ptrdiff_t>(m) * k, trans_a ? 1 : k, trans_a ? m : 1); };
  auto rows_bt = [&](int product) { return StridedRows(b + product * static_cast<std::ptrdiff_t>(k) * n, trans_b ? k : 1, trans_b ? 1 : n); };
  // The split and orientation depend on the shapes and strides only; each product's are the same.
  const StridedRows a0 = rows_a(0), bt0 = rows_bt(0);
  const bool swap = transpose_pays(Gemm{m, n, k, &a0, &bt0, c, n, 1});
  // Enough products for every thread: one task per product; otherwise each product is split.
  const double work = static_cast<double>(batch) * m * n * (k > 0 ? k : 1);
  const GemmSplit split = batch >= threads ? GemmSplit{1, 1} : gemm_split(swap ? n : m, swap ? m : n, k, (threads + batch - 1) / batch);
  const int per_product = split.tasks();
  const std::ptrdiff_t c_size = static_cast<std::ptrdiff_t>(m) * n;
  pool.run(batch * per_product, worth_splitting(work, MIN_SPLIT_MACS) ? threads : 1, [&](int t) {
    const int product = t / per_product;
    const StridedRows pa = rows_a(product), pbt = rows_bt(product);
    const Gemm g{m, n, k, &pa, &pbt, c + product * c_size, n, 1};
    gemm_task(oriented(g), split, t % per_product);
  });
}

}  // namespace pq
