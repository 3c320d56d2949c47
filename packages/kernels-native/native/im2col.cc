#include "im2col.h"

#include <algorithm>
#include <cstring>

namespace pq {

namespace {

/** An output pixel's coordinates, stepped in row-major order. */
struct Pixel {
  int b, oy, ox;
  Pixel(std::ptrdiff_t i, const ConvGeometry& g)
      : b(static_cast<int>(i / (static_cast<std::ptrdiff_t>(g.out_h) * g.out_w))),
        oy(static_cast<int>(i / g.out_w % g.out_h)),
        ox(static_cast<int>(i % g.out_w)) {}
  void next(const ConvGeometry& g) {
    if (++ox == g.out_w) {
      ox = 0;
      if (++oy == g.out_h) {
        oy = 0;
        b++;
      }
    }
  }
  /** Offset of input pixel (iy, ix) = this pixel's window origin + (fy, fx), or -1 outside the input. */
  std::ptrdiff_t input(const ConvGeometry& g, int fy, int fx) const {
    const int iy = oy * g.stride_h - g.pad_top + fy;
    const int ix = ox * g.stride_w - g.pad_left + fx;
    if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) return -1;
    return ((static_cast<std::ptrdiff_t>(b) * g.in_h + iy) * g.in_w + ix) * g.in_c;
  }
};

}  // namespace

void Im2colA::pack(int i0, int rows, int p0, int kc, float* dst) const {
  const int ci = g_.in_c;
  for (int q = 0; q * MR < rows; q++, dst += static_cast<std::ptrdiff_t>(kc) * MR) {
    for (int r = 0; r < MR; r++) {
      float* out = dst + r;
      if (q * MR + r >= rows) {
        for (int p = 0; p < kc; p++) out[p * MR] = 0.0f;
        continue;
      }
      const Pixel pixel(i0 + q * MR + r, g_);
      // Walk the taps [p0, p0 + kc) as runs of adjacent channels of one (fy, fx).
      int tap = p0 / ci;
      int c = p0 - tap * ci;
      for (int left = kc; left > 0; tap++, c = 0) {
        const int run = std::min(ci - c, left);
        const int fy = tap / g_.f_w;
        const std::ptrdiff_t at = pixel.input(g_, fy, tap - fy * g_.f_w);
        if (at < 0) {
          for (int s = 0; s < run; s++) out[s * MR] = 0.0f;
        } else {
          const float* src = x_ + at + c;
          for (int s = 0; s < run; s++) out[s * MR] = src[s];
        }
        out += static_cast<std::ptrdiff_t>(run) * MR;
        left -= run;
      }
    }
  }
}

void Im2colTransposedA::pack(int i0, int rows, int p0, int kc, float* dst) const {
  const int ci = g_.in_c;
  for (int q = 0; q * MR < rows; q++, dst += static_cast<std::ptrdiff_t>(kc) * MR) {
    const int live = std::min(MR, rows - q * MR);
    const int j0 = i0 + q * MR;
    int fy[MR], fx[MR], ch[MR];
    for (int r = 0; r < live; r++) {
      const int tap = (j0 + r) / ci;
      ch[r] = j0 + r - tap * ci;
      fy[r] = tap / g_.f_w;
      fx[r] = tap - fy[r] * g_.f_w;
    }
    Pixel pixel(p0, g_);
    if (live == MR && ch[0] + MR <= ci) {
      // The common case: six adjacent channels of one tap, so each pixel is one 6-float copy.
      for (int p = 0; p < kc; p++, pixel.next(g_)) {
        const std::ptrdiff_t at = pixel.input(g_, fy[0], fx[0]);
        if (at < 0) std::memset(dst + p * MR, 0, MR * sizeof(float));
        else std::memcpy(dst + p * MR, x_ + at + ch[0], MR * sizeof(float));
      }
      continue;
    }
    for (int p = 0; p < kc; p++, pixel.next(g_)) {
      for (int r = 0; r < MR; r++) {
        const std::ptrdiff_t at = r < live ? pixel.input(g_, fy[r], fx[r]) : -1;
        dst[p * MR + r] = at < 0 ? 0.0f : x_[at + ch[r]];
      }
    }
  }
}

}  // namespace pq
