// The depthwise convolution (channel multiplier 1) on channels-first (NCHW) activations, forward
// and both gradients, filter [fh, fw, C] as in depthwise.h, any stride and padding. Each plane is
// copied zero-padded and split by column phase (column q at phase q mod stride_w), so a row of
// outputs reads, and the input gradient writes, contiguous runs along the row, eight lanes at a
// time. Every term is a rounded product added with one rounding (no FMA), in a fixed order per
// element, so the bits do not depend on the thread count (tasks take whole planes, or whole
// channels for the filter gradient); the order is not the NHWC kernels', so neither are the bits.
#pragma once

#include "conv.h"
#include "thread_pool.h"

namespace pq {

/** y[b, c, oy, ox] = Σ filter[fy, fx, c]·x[b, c, iy, ix], taps in (fy, fx) order. */
void depthwise_nchw(const float* x, const float* filter, float* y, const ConvGeometry& g, ThreadPool& pool, int threads);
/**
 * dx[b, c, iy, ix] = Σ dy[b, c, oy, ox]·filter[fy, fx, c]: at stride 1 depthwise_nchw of dy with
 * the filter turned half a turn (padding f - 1 - pad), terms in (fy, fx) order from the last tap;
 * at other strides scattered, terms in (oy, fy, fx) order.
 */
void depthwise_backprop_input_nchw(const float* dy, const float* filter, float* dx, const ConvGeometry& g, ThreadPool& pool, int threads);
/** dFilter[fy, fx, c] = Σ x·dy over (b, oy, ox), in eight lanes along ox summed in lane order at the end. */
void depthwise_backprop_filter_nchw(const float* x, const float* dy, float* d_filter, const ConvGeometry& g, ThreadPool& pool, int threads);

}  // namespace pq
