#include "im2col.h"

#include <algorithm>
#include <cstring>

namespace pq {

namespace {

/** An output pixel's coordinates, stepped in row-major order. */
struct Pixel {
  int b = 0, oy = 0, ox = 0;
  Pixel() = default;
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

void Im2colRows::pack(int r0, int rows, int p0, int kc, int width, float* dst) const {
  for (int q = 0; q * width < rows; q++, dst += static_cast<std::ptrdiff_t>(kc) * width) {
    const int first = r0 + q * width;
    const int live = std::min(width, rows - q * width);
    // One to three channels make very short runs per pixel; then walking the taps writes each
    // step's `width` values together instead.
    if (g_.in_c < 4) pack_by_tap(first, live, p0, kc, width, dst);
    else pack_by_pixel(first, live, p0, kc, width, dst);
  }
}

namespace {

/** out[0, length) = src[0, length), or zeros for a null src; constant-size copies for a whole panel row. */
inline void copy_run(float* out, const float* src, int length) {
  if (!src) {
    for (int e = 0; e < length; e++) out[e] = 0.0f;
  } else if (length == MR) {
    std::memcpy(out, src, MR * sizeof(float));
  } else if (length == NR) {
    std::memcpy(out, src, NR * sizeof(float));
  } else {
    for (int e = 0; e < length; e++) out[e] = src[e];
  }
}

}  // namespace

void Im2colRows::pack_by_pixel(int r0, int live, int p0, int kc, int width, float* dst) const {
  const int ci = g_.in_c;
  Pixel pixel(r0, g_);
  for (int r = 0; r < width; r++, pixel.next(g_)) {
    float* out = dst + r;
    if (r >= live) {
      for (int p = 0; p < kc; p++) out[p * width] = 0.0f;
      continue;
    }
    // The taps [p0, p0 + kc) as runs of adjacent channels of one (fy, fx).
    int tap = p0 / ci;
    int c = p0 - tap * ci;
    for (int left = kc; left > 0; tap++, c = 0) {
      const int run = std::min(ci - c, left);
      const int fy = tap / g_.f_w;
      const std::ptrdiff_t at = pixel.input(g_, fy, tap - fy * g_.f_w);
      if (at < 0) {
        for (int s = 0; s < run; s++) out[s * width] = 0.0f;
      } else {
        const float* src = x_ + at + c;
        for (int s = 0; s < run; s++) out[s * width] = src[s];
      }
      out += static_cast<std::ptrdiff_t>(run) * width;
      left -= run;
    }
  }
}

void Im2colRows::pack_by_tap(int r0, int live, int p0, int kc, int width, float* dst) const {
  const int ci = g_.in_c;
  // The panel's pixels as runs within one output row each (a 16-pixel panel spans up to a few rows).
  struct Segment {
    Pixel start;
    int row, count;
  } segments[NR];
  int count = 0;
  Pixel pixel(r0, g_);
  for (int r = 0; r < live;) {
    const int n = std::min(live - r, g_.out_w - pixel.ox);
    segments[count++] = {pixel, r, n};
    r += n;
    pixel.ox += n - 1;
    pixel.next(g_);
  }
  const std::ptrdiff_t step = static_cast<std::ptrdiff_t>(g_.stride_w) * ci;
  for (int p = 0; p < kc; p++) {
    float* out = dst + p * width;
    const int j = p0 + p;
    const int tap = j / ci;
    const int c = j - tap * ci;
    const int fy = tap / g_.f_w;
    const int fx = tap - fy * g_.f_w;
    for (int i = 0; i < count; i++) {
      const Segment& seg = segments[i];
      float* o = out + seg.row;
      const int iy = seg.start.oy * g_.stride_h - g_.pad_top + fy;
      int lo = 0, hi = 0;  // the segment's pixels whose input column lies inside the input
      if (iy >= 0 && iy < g_.in_h) {
        const int ix0 = seg.start.ox * g_.stride_w - g_.pad_left + fx;
        lo = ix0 >= 0 ? 0 : std::min(seg.count, (-ix0 + g_.stride_w - 1) / g_.stride_w);
        hi = ix0 >= g_.in_w ? 0 : std::min(seg.count, (g_.in_w - 1 - ix0) / g_.stride_w + 1);
        hi = std::max(hi, lo);
        const float* row = x_ + ((static_cast<std::ptrdiff_t>(seg.start.b) * g_.in_h + iy) * g_.in_w + 0) * ci + c + static_cast<std::ptrdiff_t>(ix0) * ci;
        if (step == 1) {
          for (int r = lo; r < hi; r++) o[r] = row[r];
        } else {
          for (int r = lo; r < hi; r++) o[r] = row[r * step];
        }
      }
      for (int r = 0; r < lo; r++) o[r] = 0.0f;
      for (int r = hi; r < seg.count; r++) o[r] = 0.0f;
    }
    for (int r = live; r < width; r++) out[r] = 0.0f;
  }
}

void Im2colTransposedRows::pack(int r0, int rows, int p0, int kc, int width, float* dst) const {
  const int ci = g_.in_c;
  for (int q = 0; q * width < rows; q++, dst += static_cast<std::ptrdiff_t>(kc) * width) {
    const int live = std::min(width, rows - q * width);
    for (int p = 0; p < kc; p++) std::fill(dst + p * width + live, dst + (p + 1) * width, 0.0f);
    // The panel's rows as runs of adjacent channels of one tap (a single run of `width` rows when
    // the channels allow); each run's pixels go output row by output row, with the bounds checked
    // once per row.
    for (int r = 0; r < live;) {
      const int j = r0 + q * width + r;
      const int tap = j / ci;
      const int c = j - tap * ci;
      const int length = std::min(ci - c, live - r);
      const int fy = tap / g_.f_w;
      const int fx = tap - fy * g_.f_w;
      Pixel pixel(p0, g_);
      for (int p = 0; p < kc;) {
        const int segment = std::min(kc - p, g_.out_w - pixel.ox);
        float* out = dst + static_cast<std::ptrdiff_t>(p) * width + r;
        const int iy = pixel.oy * g_.stride_h - g_.pad_top + fy;
        const float* row = iy >= 0 && iy < g_.in_h ? x_ + (static_cast<std::ptrdiff_t>(pixel.b) * g_.in_h + iy) * g_.in_w * ci + c : nullptr;
        int lo = 0, hi = 0;  // the segment's pixels whose input column lies inside the input
        const int ix0 = pixel.ox * g_.stride_w - g_.pad_left + fx;
        if (row) {
          lo = ix0 >= 0 ? 0 : std::min(segment, (-ix0 + g_.stride_w - 1) / g_.stride_w);
          hi = std::max(lo, ix0 >= g_.in_w ? 0 : std::min(segment, (g_.in_w - 1 - ix0) / g_.stride_w + 1));
        }
        for (int s = 0; s < lo; s++) copy_run(out + s * width, nullptr, length);
        const float* first = row ? row + static_cast<std::ptrdiff_t>(ix0) * ci : nullptr;
        const std::ptrdiff_t step = static_cast<std::ptrdiff_t>(g_.stride_w) * ci;
        if (length == 1) {  // one channel: a strided gather, no per-pixel copy call
          for (int s = lo; s < hi; s++) out[s * width] = first[s * step];
        } else {
          for (int s = lo; s < hi; s++) copy_run(out + s * width, first + s * step, length);
        }
        for (int s = hi; s < segment; s++) copy_run(out + s * width, nullptr, length);
        p += segment;
        pixel.ox += segment - 1;
        pixel.next(g_);
      }
      r += length;
    }
  }
}

bool Im2colRows::direct(int r0, int p0, int kc, DirectPanel* d) const {
  const Pixel pixel(r0, g_);
  if (pixel.ox + MR > g_.out_w) return false;
  const int ci = g_.in_c;
  for (int tap = p0 / ci; tap <= (p0 + kc - 1) / ci; tap++) {
    const int fy = tap / g_.f_w;
    const int fx = tap - fy * g_.f_w;
    const int iy = pixel.oy * g_.stride_h - g_.pad_top + fy;
    const int ix = pixel.ox * g_.stride_w - g_.pad_left + fx;
    if (iy < 0 || iy >= g_.in_h || ix < 0 || ix + (MR - 1) * g_.stride_w >= g_.in_w) return false;
  }
  *d = {0, static_cast<std::ptrdiff_t>(g_.stride_w) * ci, r0};
  return true;
}

void Im2colRows::fill_table(long key, int p0, int kc, const float** table) const {
  const Pixel pixel(key, g_);
  const int ci = g_.in_c;
  int tap = p0 / ci;
  int c = p0 - tap * ci;
  for (int p = 0; p < kc; tap++, c = 0) {
    const int fy = tap / g_.f_w;
    const float* at = x_ + pixel.input(g_, fy, tap - fy * g_.f_w);
    for (; c < ci && p < kc; c++, p++) table[p] = at + c;
  }
}

bool Im2colTransposedRows::direct(int r0, int /*p0*/, int /*kc*/, DirectPanel* d) const {
  const int tap = r0 / g_.in_c;
  const int c = r0 - tap * g_.in_c;
  if (c + MR > g_.in_c) return false;
  *d = {c, 1, tap};
  return true;
}

void Im2colTransposedRows::fill_table(long key, int p0, int kc, const float** table) const {
  const int tap = static_cast<int>(key);
  const int fy = tap / g_.f_w;
  const int fx = tap - fy * g_.f_w;
  Pixel pixel(p0, g_);
  for (int p = 0; p < kc; p++, pixel.next(g_)) {
    const std::ptrdiff_t at = pixel.input(g_, fy, fx);
    table[p] = at < 0 ? zeros_.data() : x_ + at;
  }
}

}  // namespace pq
