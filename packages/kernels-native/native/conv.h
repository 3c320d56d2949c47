// 2-D convolution (NHWC activations, HWIO filters, dilation 1, one group) and its two gradients,
// each as GEMMs over the filter viewed as a [fh*fw*inC, outC] matrix.
#pragma once
#include <cstddef>

#include "thread_pool.h"

namespace pq {

struct ConvGeometry {
  int batch, in_h, in_w, in_c, out_h, out_w, out_c, f_h, f_w, stride_h, stride_w, pad_top, pad_left;
  bool channels_first = false;  // activations NCHW (conv_nchw.h's kernels) instead of NHWC

  std::ptrdiff_t pixels() const { return static_cast<std::ptrdiff_t>(batch) * out_h * out_w; }  // GEMM rows
  int taps() const { return f_h * f_w * in_c; }                                                  // GEMM reduction
  /** 1x1, stride 1, no padding, output the input's size: the input is already the im2col matrix. */
  bool pointwise() const {
    return f_h == 1 && f_w == 1 && stride_h == 1 && stride_w == 1 && pad_top == 0 && pad_left == 0 && out_h == in_h && out_w == in_w;
  }
};

void conv2d(const float* x, const float* filter, float* y, const ConvGeometry& g, ThreadPool& pool, int threads);
void conv2d_backprop_input(const float* dy, const float* filter, float* dx, const ConvGeometry& g, ThreadPool& pool, int threads);
void conv2d_backprop_filter(const float* x, const float* dy, float* d_filter, const ConvGeometry& g, ThreadPool& pool, int threads);

}  // namespace pq
