// The 2-D convolution and its two gradients on channels-first (NCHW) activations, filters HWIO as
// in conv.h. Where `channels_first_direct` holds, the activations are read where they lie, never
// transposed: the forward pass and the input gradient are GEMMs whose B operand is a zero-padded
// copy of one image read in place along its rows, so y comes out NCHW; the filter gradient reads
// its taps in place from a padded copy of the batch. Elsewhere the activations are transposed to
// NHWC around conv.h's kernels.
#pragma once

#include "conv.h"

namespace pq {

/** Whether the channels-first kernels run without transposes: stride 1 and rows of at least 12 outputs and inputs (narrower rows waste the micro-tile's columns). */
bool channels_first_direct(const ConvGeometry& g);

void conv2d_nchw(const float* x, const float* filter, float* y, const ConvGeometry& g, ThreadPool& pool, int threads);
void conv2d_backprop_input_nchw(const float* dy, const float* filter, float* dx, const ConvGeometry& g, ThreadPool& pool, int threads);
void conv2d_backprop_filter_nchw(const float* x, const float* dy, float* d_filter, const ConvGeometry& g, ThreadPool& pool, int threads);

}  // namespace pq
