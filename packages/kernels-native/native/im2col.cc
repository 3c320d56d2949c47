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

namespace {

/** The filter taps a block of reduction steps [p0, p0 + kc) covers: rows [fy0, fy1], columns [fx0, fx1]. */
struct TapRange {
  int fy0, fy1, fx0, fx1;
  TapRange(int first_step, int last_step, const ConvGeometry& g) {
    const int tap0 = first_step / g.in_c, tap1 = last_step / g.in_c;
    fy0 = tap0 / g.f_w;
    fy1 = tap1 / g.f_w;
    // Within one filter row, its columns; over several, every column (the first row reaches
    // f_w - 1, the last starts at 0).
    fx0 = fy0 == fy1 ? tap0 - fy0 * g.f_w : 0;
    fx1 = fy0 == fy1 ? tap1 - fy1 * g.f_w : g.f_w - 1;
  }
  /** Whether every covered tap of the window whose origin is input pixel (iy, ix) lies inside the input. */
  bool inside(int iy, int ix, const ConvGeometry& g) const {
    return iy + fy0 >= 0 && iy + fy1 < g.in_h && ix + fx0 >= 0 && ix + fx1 < g.in_w;
  }
};

/** Offset of the window origin of output pixel `pixel` (possibly outside the input, by the padding). */
std::ptrdiff_t window_origin(const Pixel& pixel, const ConvGeometry& g) {
  const int iy = pixel.oy * g.stride_h - g.pad_top, ix = pixel.ox * g.stride_w - g.pad_left;
  return ((static_cast<std::ptrdiff_t>(pixel.b) * g.in_h + iy) * g.in_w + ix) * g.in_c;
}

}  // namespace

bool Im2colRows::direct(int r0, int p0, int kc, int /*uses*/, DirectPanel* d) const {
  // In place where every tap of the block lies inside the input for each of the six pixels
  // (which may span output rows): pixel r reads table[p] + its window origin.
  const TapRange taps(p0, p0 + kc - 1, g_);
  Pixel pixel(r0, g_);
  for (int r = 0; r < MR; r++, pixel.next(g_)) {
    if (pixel.b >= g_.batch || !taps.inside(pixel.oy * g_.stride_h - g_.pad_top, pixel.ox * g_.stride_w - g_.pad_left, g_)) return false;
    d->offset[r] = window_origin(pixel, g_);
  }
  d->key = 0;  // every in-place panel shares one table of tap offsets
  return true;
}

void Im2colRows::fill_table(long /*key*/, int p0, int kc, const float** table) const {
  // Tap (fy, fx, c) of the window at the input's origin; a panel adds its pixels' window offsets.
  const int ci = g_.in_c;
  int tap = p0 / ci;
  int c = p0 - tap * ci;
  for (int p = 0; p < kc; tap++, c = 0) {
    const int fy = tap / g_.f_w;
    const float* at = x_ + (static_cast<std::ptrdiff_t>(fy) * g_.in_w + (tap - fy * g_.f_w)) * ci;
    for (; c < ci && p < kc; c++, p++) table[p] = at + c;
  }
}

namespace {

/** Key of the filter gradient's table of window origins (taps have keys 0, 1, ...). */
constexpr long WINDOW_ORIGINS = -1;

}  // namespace

bool Im2colTransposedRows::direct(int r0, int p0, int kc, int /*uses*/, DirectPanel* d) const {
  const int ci = g_.in_c;
  if (r0 + MR > g_.taps()) return false;
  // Where every pixel of the block sees all six taps inside the input (a 'valid' convolution
  // always), one table of window origins serves every panel: row r is its tap's offset.
  const TapRange taps(r0, r0 + MR - 1, g_);
  const Pixel first(p0, g_), last(static_cast<std::ptrdiff_t>(p0) + kc - 1, g_);
  const bool one_image = first.b == last.b, one_row = one_image && first.oy == last.oy;
  const int oy0 = one_image ? first.oy : 0, oy1 = one_image ? last.oy : g_.out_h - 1;
  const int ox0 = one_row ? first.ox : 0, ox1 = one_row ? last.ox : g_.out_w - 1;
  const int iy0 = oy0 * g_.stride_h - g_.pad_top, iy1 = oy1 * g_.stride_h - g_.pad_top;
  const int ix0 = ox0 * g_.stride_w - g_.pad_left, ix1 = ox1 * g_.stride_w - g_.pad_left;
  if (taps.inside(iy0, ix0, g_) && taps.inside(iy1, ix1, g_)) {
    for (int r = 0; r < MR; r++) {
      const int tap = (r0 + r) / ci, c = r0 + r - tap * ci, fy = tap / g_.f_w;
      d->offset[r] = (static_cast<std::ptrdiff_t>(fy) * g_.in_w + (tap - fy * g_.f_w)) * ci + c;
    }
    d->key = WINDOW_ORIGINS;
    return true;
  }
  // Else six adjacent channels of one tap: one table per tap, pixels outside the input reading zeros.
  const int tap = r0 / ci;
  const int c = r0 - tap * ci;
  if (c + MR > ci) return false;
  for (int r = 0; r < MR; r++) d->offset[r] = c + r;
  d->key = tap;
  return true;
}

void Im2colTransposedRows::fill_table(long key, int p0, int kc, const float** table) const {
  Pixel pixel(p0, g_);
  if (key == WINDOW_ORIGINS) {
    for (int p = 0; p < kc; p++, pixel.next(g_)) table[p] = x_ + window_origin(pixel, g_);
    return;
  }
  const int tap = static_cast<int>(key);
  const int fy = tap / g_.f_w;
  const int fx = tap - fy * g_.f_w;
  for (int p = 0; p < kc; p++, pixel.next(g_)) {
    const std::ptrdiff_t at = pixel.input(g_, fy, fx);
    table[p] = at < 0 ? zeros_.data() : x_ + at;
  }
}

}  // namespace pq
