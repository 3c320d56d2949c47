// A channels-first plane copied zero-padded and split by column phase, so that a convolution's
// windows at a column stride read contiguous runs: shared by the channels-first convolutions
// (conv_nchw.cc, one phase) and depthwise ones (depthwise_nchw.cc).
#pragma once
#include <algorithm>
#include <cstddef>

#include "conv.h"

namespace pq {

inline std::ptrdiff_t plane_size(int h, int w) { return static_cast<std::ptrdiff_t>(h) * w; }

/**
 * One plane zero-padded and split by column phase: padded row r (input row r - top), padded
 * column q = j·phases + ph (input column q - left) at (r·phases + ph)·cols + j. Rows and columns
 * cover every window of g, plus a vector's slack past the last output.
 */
struct SplitPlane {
  int top, left, rows, phases, cols;

  static SplitPlane of(const ConvGeometry& g) {
    // Columns for blocks of up to 32 outputs along a row: a row's last block reads on past its end.
    return {g.pad_top, g.pad_left, (g.out_h - 1) * g.stride_h + g.f_h, g.stride_w, (g.out_w + 31) / 32 * 32 + (g.f_w - 1) / g.stride_w + 8};
  }
  std::ptrdiff_t size() const { return static_cast<std::ptrdiff_t>(rows) * phases * cols; }
  void clear(float* dst) const { std::fill(dst, dst + size(), 0.0f); }
  /** Padded row r at phase ph: the run of columns j·phases + ph. */
  std::ptrdiff_t row(int r, int ph) const { return (static_cast<std::ptrdiff_t>(r) * phases + ph) * cols; }
  /** src, a plane of in_h x in_w, into dst, whose padding is already zero (`clear`): only the input's pixels are written. */
  void fill(const float* src, int in_h, int in_w, float* dst) const {
    if (phases == 1) {  // stride 1: one run per row
      const int c0 = std::max(0, -left), c1 = std::min(in_w, cols - left);
      for (int iy = std::max(0, -top); iy < std::min(in_h, rows - top) && c0 < c1; iy++) {
        std::copy(src + static_cast<std::ptrdiff_t>(iy) * in_w + c0, src + static_cast<std::ptrdiff_t>(iy) * in_w + c1, dst + row(iy + top, 0) + c0 + left);
      }
      return;
    }
    each_column(in_w, [&](int ix, int ph, int j) {
      for (int iy = std::max(0, -top); iy < std::min(in_h, rows - top); iy++) dst[row(iy + top, ph) + j] = src[static_cast<std::ptrdiff_t>(iy) * in_w + ix];
    });
  }
  /** dst, a plane of in_h x in_w, from src (zero where src has no pixel). */
  void crop(const float* src, int in_h, int in_w, float* dst) const {
    if (phases == 1) {
      const int c0 = std::max(0, -left), c1 = std::max(c0, std::min(in_w, cols - left));
      for (int iy = 0; iy < in_h; iy++) {
        float* d = dst + static_cast<std::ptrdiff_t>(iy) * in_w;
        const int r = iy + top;
        if (r < 0 || r >= rows) {
          std::fill(d, d + in_w, 0.0f);
          continue;
        }
        std::fill(d, d + c0, 0.0f);
        std::copy(src + row(r, 0) + c0 + left, src + row(r, 0) + c1 + left, d + c0);
        std::fill(d + c1, d + in_w, 0.0f);
      }
      return;
    }
    std::fill(dst, dst + static_cast<std::ptrdiff_t>(in_h) * in_w, 0.0f);
    each_column(in_w, [&](int ix, int ph, int j) {
      for (int iy = std::max(0, -top); iy < std::min(in_h, rows - top); iy++) dst[static_cast<std::ptrdiff_t>(iy) * in_w + ix] = src[row(iy + top, ph) + j];
    });
  }
  /** visit(ix, phase, j) for the input columns inside the padded plane (no division per column). */
  template <typename Visit>
  void each_column(int in_w, Visit visit) const {
    int ix = std::max(0, -left), q = ix + left;
    int ph = q % phases, j = q / phases;
    for (; ix < in_w && j < cols; ix++) {
      visit(ix, ph, j);
      if (++ph == phases) {
        ph = 0;
        j++;
      }
    }
  }
};

}  // namespace pq
