// Pooling gradients (NHWC): max pooling's (dy added at each window's first maximum of x) and
// average pooling's (dy spread evenly over each window).
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

/**
 * dx (overwritten) of an average pooling: dx[b, iy, ix, d] = Σ dy[b, oy, ox, d]·(1/(f_h·f_w))
 * over the windows (oy, ox) holding (iy, ix), in row-major order, windows partly outside the
 * input included: each product and sum rounded to float32 (no FMA), the reciprocal a float32 one,
 * as tfjs-wasm's AvgPoolGrad computes it, so the bits are its bits. Threads take whole images.
 */
void avg_pool_grad(const float* dy, float* dx, const PoolGeometry& g, ThreadPool& pool, int threads);

}  // namespace pq
