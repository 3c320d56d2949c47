// Max pooling's gradient (NHWC): dy added at each window's first maximum of x.
#pragma once

#include "thread_pool.h"

namespace pq {

/** As the TypeScript Pool2dGeometry: windows of f_h x f_w at (oy * stride_h - pad_top, ox * stride_w - pad_left), clipped to the input. */
struct PoolGeometry {
  int batch, in_h, in_w, channels, out_h, out_w, f_h, f_w, stride_h, stride_w, pad_top, pad_left;
};

/**
 * dx (x's shape, overwritten: zeroed first) += dy[b, oy, ox, d] at the first maximum (strict >,
 * rows then columns, from -inf: NaN never wins) of channel d over window (oy, ox), windows in
 * row-major order. Threads take whole images, so the bits do not depend on `threads`.
 */
void max_pool_grad(const float* x, const float* dy, float* dx, const PoolGeometry& g, ThreadPool& pool, int threads);

}  // namespace pq
