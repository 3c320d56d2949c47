// Implicit im2col: packers that read GEMM panels straight from the NHWC input, so no [pixels,
// taps] matrix is ever written out. Taps outside the input pack as zeros.
#pragma once
#include "conv.h"
#include "gemm.h"

namespace pq {

/** The im2col matrix as A: row = output pixel (b, oy, ox), column = tap (fy, fx, c). For the forward pass. */
class Im2colA final : public APacker {
 public:
  Im2colA(const float* x, const ConvGeometry& g) : x_(x), g_(g) {}
  void pack(int i0, int rows, int p0, int kc, float* dst) const override;

 private:
  const float* x_;
  ConvGeometry g_;
};

/** Its transpose as A: row = tap (fy, fx, c), column = output pixel. For the filter gradient. */
class Im2colTransposedA final : public APacker {
 public:
  Im2colTransposedA(const float* x, const ConvGeometry& g) : x_(x), g_(g) {}
  void pack(int i0, int rows, int p0, int kc, float* dst) const override;

 private:
  const float* x_;
  ConvGeometry g_;
};

}  // namespace pq
