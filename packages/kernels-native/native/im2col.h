// Implicit im2col: row sources that pack GEMM panels straight from the NHWC input, so no
// [pixels, taps] matrix is ever written out. Taps outside the input pack as zeros.
#pragma once
#include <vector>

#include "conv.h"
#include "gemm.h"

namespace pq {

/** The im2col matrix: row = output pixel (b, oy, ox), step = tap (fy, fx, c). The forward pass's A. */
class Im2colRows final : public Rows {
 public:
  Im2colRows(const float* x, const ConvGeometry& g) : x_(x), g_(g) {}
  void pack(int r0, int rows, int p0, int kc, int width, float* dst) const override;
  /** In place where every tap of the block lies inside the input for the panel's six pixels: A(p, r) = table[p][origin of pixel r]. */
  bool direct(int r0, int p0, int kc, int uses, DirectPanel* d) const override;
  void fill_table(long key, int p0, int kc, const float** table) const override;

 private:
  void pack_by_pixel(int r0, int live, int p0, int kc, int width, float* dst) const;
  void pack_by_tap(int r0, int live, int p0, int kc, int width, float* dst) const;
  const float* x_;
  ConvGeometry g_;
};

/** Its transpose: row = tap (fy, fx, c), step = output pixel. The filter gradient's A. */
class Im2colTransposedRows final : public Rows {
 public:
  Im2colTransposedRows(const float* x, const ConvGeometry& g) : x_(x), g_(g), zeros_(g.in_c + NR, 0.0f) {}
  void pack(int r0, int rows, int p0, int kc, int width, float* dst) const override;
  /** In place where the block's windows hold the panel's six taps (one table of window origins), or the six rows are adjacent channels of one tap (a table per tap, pixels outside the input reading zeros). */
  bool direct(int r0, int p0, int kc, int uses, DirectPanel* d) const override;
  void fill_table(long key, int p0, int kc, const float** table) const override;

 private:
  const float* x_;
  ConvGeometry g_;
  std::vector<float> zeros_;  // what a tap outside the input reads: channels [c, c + MR) of nothing
};

}  // namespace pq
