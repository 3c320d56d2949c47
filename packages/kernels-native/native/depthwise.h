// The depthwise convolution's two gradients (channel multiplier 1; NHWC activations, filter
// [fh, fw, C]; ConvGeometry with in_c == out_c == C). Each output element is a sum of products
// computed as `out = out + a*b` (a rounded product, then a rounded add: no FMA), taking the
// terms in the order of @pq/nn's wasm kernel (kernels.wat `dw`): batch, output row, filter row,
// output column, filter column. So the bits are that kernel's, on any vector width.
#pragma once

#include "conv.h"
#include "thread_pool.h"

namespace pq {

/** dFilter[fy, fx, c] = Σ x[b, iy, ix, c]·dy[b, oy, ox, c] (dFilter overwritten). */
void depthwise_backprop_filter(const float* x, const float* dy, float* d_filter, const ConvGeometry& g, ThreadPool& pool, int threads);
/** dx[b, iy, ix, c] = Σ dy[b, oy, ox, c]·filter[fy, fx, c] (dx overwritten). */
void depthwise_backprop_input(const float* dy, const float* filter, float* dx, const ConvGeometry& g, ThreadPool& pool, int threads);

}  // namespace pq
