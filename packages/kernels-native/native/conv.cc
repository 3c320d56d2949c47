#include "conv.h"

#include <algorithm>

#include "gemm.h"
#include "im2col.h"
#include "scratch.h"

namespace pq {

void conv2d(const float* x, const float* filter, float* y, const ConvGeometry& g, ThreadPool& pool, int threads) {
  // y[pixels, outC] = im2col(x)[pixels, taps] · filter[taps, outC]; Bᵀ's row o is filter column o.
  const StridedRows filter_columns(filter, 1, g.out_c);
  const int pixels = static_cast<int>(g.pixels());
  if (g.pointwise()) {
    const StridedRows a(x, g.in_c, 1);
    gemm({pixels, g.out_c, g.in_c, &a, &filter_columns, y, g.out_c, 1}, pool, threads);
  } else {
    const Im2colRows a(x, g);
    gemm({pixels, g.out_c, g.taps(), &a, &filter_columns, y, g.out_c, 1}, pool, threads);
  }
}

void conv2d_backprop_filter(const float* x, const float* dy, float* d_filter, const ConvGeometry& g, ThreadPool& pool, int threads) {
  // dFilter[taps, outC] = im2col(x)ᵀ[taps, pixels] · dy[pixels, outC]: the pixels are the
  // reduction, in KC blocks in pixel order, whatever the threads (they split taps and outC).
  const StridedRows dy_columns(dy, 1, g.out_c);
  const int pixels = static_cast<int>(g.pixels());
  if (g.pointwise()) {
    const StridedRows a(x, 1, g.in_c);
    gemm({g.in_c, g.out_c, pixels, &a, &dy_columns, d_filter, g.out_c, 1}, pool, threads);
  } else {
    const Im2colTransposedRows a(x, g);
    gemm({g.taps(), g.out_c, pixels, &a, &dy_columns, d_filter, g.out_c, 1}, pool, threads);
  }
}

namespace {

/** Columns of dy·filterᵀ per GEMM: about 4 MiB, whatever the layer, so the scratch stays bounded. */
constexpr std::ptrdiff_t COLUMN_FLOATS = 1 << 20;

thread_local Scratch columns;

/** d[0, n) += s[0, n). */
inline void add_run(float* __restrict d, const float* __restrict s, int n) {
  for (int e = 0; e < n; e++) d[e] += s[e];
}

/**
 * dx += the columns of pixels [p0, p0 + rows), channels [c0, c1) only: each pixel's taps added
 * to the input pixels they came from, pixel by pixel, taps in (fy, fx) order. Channel slices are
 * disjoint in dx, so they run in parallel and every dx element sees the same adds in the same order.
 */
void col2im(const float* cols, float* dx, const ConvGeometry& g, std::ptrdiff_t p0, int rows, int c0, int c1) {
  const int taps = g.taps();
  for (int r = 0; r < rows; r++) {
    const std::ptrdiff_t p = p0 + r;
    const int b = static_cast<int>(p / (static_cast<std::ptrdiff_t>(g.out_h) * g.out_w));
    const int oy = static_cast<int>(p / g.out_w % g.out_h);
    const int ox = static_cast<int>(p % g.out_w);
    const float* src_pixel = cols + static_cast<std::ptrdiff_t>(r) * taps;
    const int ix0 = ox * g.stride_w - g.pad_left;
    const int fx_lo = std::max(0, -ix0), fx_hi = std::min(g.f_w, g.in_w - ix0);  // the taps inside the input's columns
    if (fx_lo >= fx_hi) continue;
    for (int fy = 0; fy < g.f_h; fy++) {
      const int iy = oy * g.stride_h - g.pad_top + fy;
      if (iy < 0 || iy >= g.in_h) continue;
      float* d = dx + ((static_cast<std::ptrdiff_t>(b) * g.in_h + iy) * g.in_w + ix0) * g.in_c;
      const float* s = src_pixel + fy * g.f_w * g.in_c;
      if (c0 == 0 && c1 == g.in_c) {
        // All channels: a filter row's taps are one run in the columns and one in dx.
        add_run(d + fx_lo * g.in_c, s + fx_lo * g.in_c, (fx_hi - fx_lo) * g.in_c);
        continue;
      }
      for (int fx = fx_lo; fx < fx_hi; fx++) add_run(d + fx * g.in_c + c0, s + fx * g.in_c + c0, c1 - c0);
    }
  }
}

}  // namespace

void conv2d_backprop_input(const float* dy, const float* filter, float* dx, const ConvGeometry& g, ThreadPool& pool, int threads) {
  // dx = col2im(dy[pixels, outC] · filterᵀ[outC, taps]); Bᵀ's rows are the filter's rows. Only
  // real taps are computed (no zero-padded "full" convolution of dy).
  const int taps = g.taps();
  const StridedRows filter_rows(filter, g.out_c, 1);
  const std::ptrdiff_t pixels = g.pixels();
  if (g.pointwise()) {
    const StridedRows a(dy, g.out_c, 1);
    gemm({static_cast<int>(pixels), g.in_c, g.out_c, &a, &filter_rows, dx, g.in_c, 1}, pool, threads);
    return;
  }
  std::fill(dx, dx + static_cast<std::ptrdiff_t>(g.batch) * g.in_h * g.in_w * g.in_c, 0.0f);
  const int chunk = static_cast<int>(std::max<std::ptrdiff_t>(MR, COLUMN_FLOATS / taps / MR * MR));
  // Pixels [p0, p1): columns chunk by chunk, each handed to scatter(cols, first pixel, rows) before the next.
  auto chunks = [&](std::ptrdiff_t p0, std::ptrdiff_t p1, int gemm_threads, auto scatter) {
    float* cols = columns.get(static_cast<std::size_t>(std::min<std::ptrdiff_t>(chunk, p1 - p0)) * taps);
    for (std::ptrdiff_t start = p0; start < p1; start += chunk) {
      const int rows = static_cast<int>(std::min<std::ptrdiff_t>(chunk, p1 - start));
      const StridedRows a(dy + start * g.out_c, g.out_c, 1);
      const Gemm product = oriented({rows, taps, g.out_c, &a, &filter_rows, cols, taps, 1});
      if (gemm_threads > 1) gemm(product, pool, gemm_threads);
      else gemm_block(product, 0, product.m, 0, product.n);
      scatter(cols, start, rows);
    }
  };
  const std::ptrdiff_t image = static_cast<std::ptrdiff_t>(g.out_h) * g.out_w;
  if (threads > 1 && g.batch > 1 && worth_splitting(static_cast<double>(pixels) * taps * g.out_c, MIN_SPLIT_MACS)) {
    // Whole images per task: disjoint parts of dx, each task's columns in its own core's cache.
    const int groups = std::min(threads, g.batch);
    pool.run(groups, threads, [&](int t) {
      const std::ptrdiff_t b0 = static_cast<std::ptrdiff_t>(g.batch) * t / groups, b1 = static_cast<std::ptrdiff_t>(g.batch) * (t + 1) / groups;
      chunks(b0 * image, b1 * image, 1, [&](const float* cols, std::ptrdiff_t start, int rows) { col2im(cols, dx, g, start, rows, 0, g.in_c); });
    });
    return;
  }
  // One image: the GEMM split by tiles, col2im by channel slices of whole 8-float vectors.
  const int vectors = (g.in_c + 7) / 8;
  chunks(0, pixels, threads, [&](const float* cols, std::ptrdiff_t start, int rows) {
    const int slices = worth_splitting(static_cast<double>(rows) * taps, MIN_SPLIT_ELEMENTS) ? std::min(threads, vectors) : 1;
    pool.run(slices, threads, [&](int s) {
      col2im(cols, dx, g, start, rows, std::min(g.in_c, vectors * s / slices * 8), std::min(g.in_c, vectors * (s + 1) / slices * 8));
    });
  });
}

}  // namespace pq
