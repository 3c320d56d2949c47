#include "conv_nchw.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "gemm.h"
#include "isa.h"
#include "microkernel.h"
#include "scratch.h"
#include "split_plane.h"
#include "transpose.h"
#include "transpose8.h"

namespace pq {

namespace {

/** Narrowest output (and input) row the direct kernels take. */
constexpr int MIN_DIRECT_WIDTH = 12;
/** Offsets of the taps (fy, fx, c), HWIO's order, in a padded image of planes p (one phase): c·plane + fy·cols + fx. */
std::vector<std::ptrdiff_t> tap_offsets(const ConvGeometry& g, const SplitPlane& p) {
  std::vector<std::ptrdiff_t> off(static_cast<std::size_t>(g.taps()));
  for (int fy = 0; fy < g.f_h; fy++) {
    for (int fx = 0; fx < g.f_w; fx++) {
      for (int c = 0; c < g.in_c; c++) off[static_cast<std::size_t>((fy * g.f_w + fx) * g.in_c + c)] = c * p.size() + p.row(fy, 0) + fx;
    }
  }
  return off;
}

/** Images [b0, b1) of x ([batch, channels, in_h, in_w]) into dst, plane after plane, whose padding is already zero. */
void fill_images(const SplitPlane& p, const float* x, int b0, int b1, const ConvGeometry& g, float* dst) {
  for (std::ptrdiff_t i = static_cast<std::ptrdiff_t>(b0) * g.in_c; i < static_cast<std::ptrdiff_t>(b1) * g.in_c; i++) {
    p.fill(x + i * plane_size(g.in_h, g.in_w), g.in_h, g.in_w, dst + (i - static_cast<std::ptrdiff_t>(b0) * g.in_c) * p.size());
  }
}

int round_up(int v, int to) { return (v + to - 1) / to * to; }

thread_local Scratch image_copy;
thread_local Scratch batch_copy;
thread_local Scratch nhwc_in, nhwc_out;

/**
 * y = conv(x, filter) per image, channels first, stride_w 1: C[o, pixel] = filter[taps, o]ᵀ ·
 * window[taps, pixel], A the filter packed once, B a row segment of the padded image read in
 * place at step t from base + tap offset t. The taps, their KC blocks and the FMA chains are the
 * NHWC kernel's (conv.h), so the bits are too.
 */
void conv_direct(const float* x, const float* filter, float* y, const ConvGeometry& g, ThreadPool& pool, int threads) {
  const int taps = g.taps(), co = g.out_c, rows_a = round_up(co, MR);
  std::vector<float> a(static_cast<std::size_t>(rows_a) * taps);
  const StridedRows filter_columns(filter, 1, co);
  for (int pc = 0; pc < taps; pc += KC) filter_columns.pack(0, co, pc, std::min(KC, taps - pc), MR, a.data() + static_cast<std::ptrdiff_t>(pc) * rows_a);
  const SplitPlane pad = SplitPlane::of(g);  // one phase: stride_w is 1
  const std::vector<std::ptrdiff_t> steps = tap_offsets(g, pad);
  const bool wide = use_avx512();
  const int span = wide ? 2 * NR : NR;
  const std::ptrdiff_t out_plane = plane_size(g.out_h, g.out_w), image = g.in_c * pad.size();
  const int tasks = worth_splitting(static_cast<double>(g.pixels()) * taps * co, MIN_SPLIT_MACS) ? std::min(threads, g.batch) : 1;
  pool.run(tasks, threads, [&](int t) {
    float* buf = image_copy.get(static_cast<std::size_t>(image));
    std::fill(buf, buf + image, 0.0f);  // the padding, once: each image then writes only its pixels
    for (int b = g.batch * t / tasks; b < g.batch * (t + 1) / tasks; b++) {
      fill_images(pad, x, b, b + 1, g, buf);
      float* yb = y + static_cast<std::ptrdiff_t>(b) * co * out_plane;
      for (int pc = 0; pc < taps; pc += KC) {
        const int kc = std::min(KC, taps - pc);
        const float* ap = a.data() + static_cast<std::ptrdiff_t>(pc) * rows_a;
        for (int oy = 0; oy < g.out_h; oy++) {
          for (int ox = 0; ox < g.out_w; ox += span) {
            const InPlaceB bsrc{buf + pad.row(oy * g.stride_h, 0) + ox, steps.data() + pc};
            const int cols = std::min(span, g.out_w - ox);
            for (int ir = 0; ir < co; ir += MR) {
              micro_kernel(wide, kc, PackedPanel{ap + static_cast<std::ptrdiff_t>(ir) * kc}, bsrc, yb + ir * out_plane + oy * g.out_w + ox, out_plane, 1,
                           std::min(MR, co - ir), cols, pc > 0);
            }
          }
        }
      }
    }
  });
}

/** The window matrix of a padded batch: row = tap (fy, fx, c), step = output pixel (b, oy, ox); the filter gradient's A, read in place. */
class PaddedWindowRows final : public Rows {
 public:
  PaddedWindowRows(const float* batch, const ConvGeometry& g, const SplitPlane& p) : batch_(batch), g_(g), pad_(p), taps_(tap_offsets(g, p)) {}

  void pack(int r0, int rows, int p0, int kc, int width, float* dst) const override {
    for (int q = 0; q * width < rows; q++, dst += static_cast<std::ptrdiff_t>(kc) * width) {
      const int live = std::min(width, rows - q * width);
      for (int p = 0; p < kc; p++) {
        const float* origin = batch_ + window(p0 + p);
        float* d = dst + static_cast<std::ptrdiff_t>(p) * width;
        for (int r = 0; r < live; r++) d[r] = origin[taps_[static_cast<std::size_t>(r0 + q * width + r)]];
        for (int r = live; r < width; r++) d[r] = 0.0f;
      }
    }
  }
  bool direct(int r0, int /*p0*/, int /*kc*/, int /*uses*/, DirectPanel* d) const override {
    for (int r = 0; r < MR; r++) d->offset[r] = taps_[static_cast<std::size_t>(r0 + r)];
    d->key = 0;  // one table of window origins for every panel
    return true;
  }
  void fill_table(long /*key*/, int p0, int kc, const float** table) const override {
    for (int p = 0; p < kc; p++) table[p] = batch_ + window(p0 + p);
  }

 private:
  /** Offset of pixel s's window origin in the padded batch. */
  std::ptrdiff_t window(std::ptrdiff_t s) const {
    const std::ptrdiff_t image = plane_size(g_.out_h, g_.out_w);
    const std::ptrdiff_t b = s / image, oy = s % image / g_.out_w, ox = s % g_.out_w;
    return b * g_.in_c * pad_.size() + pad_.row(static_cast<int>(oy) * g_.stride_h, 0) + ox * g_.stride_w;
  }
  const float* batch_;
  ConvGeometry g_;
  SplitPlane pad_;
  std::vector<std::ptrdiff_t> taps_;
};

/** Channels-first activations as rows: row = channel, step = pixel (b, y, x) over the batch. */
class ChannelsFirstRows final : public Rows {
 public:
  ChannelsFirstRows(const float* data, int channels, std::ptrdiff_t plane) : data_(data), channels_(channels), plane_(plane) {}
  void pack(int r0, int rows, int p0, int kc, int width, float* dst) const override {
    for (int q = 0; q * width < rows; q++, dst += static_cast<std::ptrdiff_t>(kc) * width) {
      const int first = r0 + q * width, live = std::min(width, rows - q * width);
      // Runs of steps within one image: there, row r is contiguous.
      for (int p = 0; p < kc;) {
        const std::ptrdiff_t s = p0 + p, b = s / plane_, i = s % plane_;
        const int run = static_cast<int>(std::min<std::ptrdiff_t>(kc - p, plane_ - i));
        const float* src = data_ + (b * channels_ + first) * plane_ + i;
        float* d = dst + static_cast<std::ptrdiff_t>(p) * width;
        const int run8 = run / 8 * 8, live8 = live / 8 * 8;
        // 8 rows by 8 steps at a time, transposed in registers; the rest one by one.
        for (int r = 0; r < live8; r += 8) {
          for (int e = 0; e < run8; e += 8) {
            __m256 v[8];
            for (int i = 0; i < 8; i++) v[i] = _mm256_loadu_ps(src + (r + i) * plane_ + e);
            transpose8(v);
            for (int i = 0; i < 8; i++) _mm256_storeu_ps(d + static_cast<std::ptrdiff_t>(e + i) * width + r, v[i]);
          }
        }
        for (int r = 0; r < width; r++) {
          const float* row = r < live ? src + r * plane_ : nullptr;
          for (int e = r < live8 ? run8 : 0; e < run; e++) d[static_cast<std::ptrdiff_t>(e) * width + r] = row ? row[e] : 0.0f;
        }
        p += run;
      }
    }
  }

 private:
  const float* data_;
  int channels_;
  std::ptrdiff_t plane_;
};

/** The NHWC shape of a channels-first activation [b, c, h, w], and the permutations between the layouts. */
constexpr int TO_NHWC[4] = {0, 2, 3, 1};
constexpr int TO_NCHW[4] = {0, 3, 1, 2};

void to_layout(const float* from, float* to, std::int64_t b, std::int64_t d1, std::int64_t d2, std::int64_t d3, const int perm[4], ThreadPool& pool, int threads) {
  const std::int64_t shape[4] = {b, d1, d2, d3};
  transpose(reinterpret_cast<const std::uint32_t*>(from), reinterpret_cast<std::uint32_t*>(to), shape, perm, 4, pool, threads);
}

std::size_t activation_floats(const ConvGeometry& g, bool input) {
  return static_cast<std::size_t>(g.batch) * (input ? plane_size(g.in_h, g.in_w) * g.in_c : plane_size(g.out_h, g.out_w) * g.out_c);
}

}  // namespace

bool channels_first_direct(const ConvGeometry& g) {
  return g.stride_h == 1 && g.stride_w == 1 && g.out_w >= MIN_DIRECT_WIDTH && g.in_w >= MIN_DIRECT_WIDTH;
}

void conv2d_nchw(const float* x, const float* filter, float* y, const ConvGeometry& g, ThreadPool& pool, int threads) {
  if (channels_first_direct(g)) return conv_direct(x, filter, y, g, pool, threads);
  float* xt = nhwc_in.get(activation_floats(g, true));
  float* yt = nhwc_out.get(activation_floats(g, false));
  to_layout(x, xt, g.batch, g.in_c, g.in_h, g.in_w, TO_NHWC, pool, threads);
  conv2d(xt, filter, yt, g, pool, threads);
  to_layout(yt, y, g.batch, g.out_h, g.out_w, g.out_c, TO_NCHW, pool, threads);
}

void conv2d_backprop_input_nchw(const float* dy, const float* filter, float* dx, const ConvGeometry& g, ThreadPool& pool, int threads) {
  if (!channels_first_direct(g)) {
    float* dyt = nhwc_in.get(activation_floats(g, false));
    float* dxt = nhwc_out.get(activation_floats(g, true));
    to_layout(dy, dyt, g.batch, g.out_c, g.out_h, g.out_w, TO_NHWC, pool, threads);
    conv2d_backprop_input(dyt, filter, dxt, g, pool, threads);
    to_layout(dxt, dx, g.batch, g.in_h, g.in_w, g.in_c, TO_NCHW, pool, threads);
    return;
  }
  // At stride 1, dx is dy convolved with the filter turned half a turn and its channels swapped,
  // over the padding f - 1 - pad: dx[i, iy, ix] = Σ filter[fy, fx, i, o]·dy[o, iy + pad - fy, ix + pad - fx].
  const int fh = g.f_h, fw = g.f_w, ci = g.in_c, co = g.out_c;
  std::vector<float> turned(static_cast<std::size_t>(fh) * fw * ci * co);
  for (int fy = 0; fy < fh; fy++) {
    for (int fx = 0; fx < fw; fx++) {
      const float* from = filter + static_cast<std::ptrdiff_t>((fh - 1 - fy) * fw + (fw - 1 - fx)) * ci * co;
      float* to = turned.data() + static_cast<std::ptrdiff_t>(fy * fw + fx) * co * ci;
      for (int i = 0; i < ci; i++) {
        for (int o = 0; o < co; o++) to[o * ci + i] = from[i * co + o];
      }
    }
  }
  const ConvGeometry t{g.batch, g.out_h, g.out_w, co, g.in_h, g.in_w, ci, fh, fw, 1, 1, fh - 1 - g.pad_top, fw - 1 - g.pad_left};
  conv_direct(dy, turned.data(), dx, t, pool, threads);
}

void conv2d_backprop_filter_nchw(const float* x, const float* dy, float* d_filter, const ConvGeometry& g, ThreadPool& pool, int threads) {
  if (!channels_first_direct(g)) {
    float* xt = nhwc_in.get(activation_floats(g, true));
    float* dyt = nhwc_out.get(activation_floats(g, false));
    to_layout(x, xt, g.batch, g.in_c, g.in_h, g.in_w, TO_NHWC, pool, threads);
    to_layout(dy, dyt, g.batch, g.out_c, g.out_h, g.out_w, TO_NHWC, pool, threads);
    conv2d_backprop_filter(xt, dyt, d_filter, g, pool, threads);
    return;
  }
  // dFilter[taps, o] = window[taps, pixels] · dyᵀ[pixels, o], the pixels the reduction in KC
  // blocks in pixel order, as in conv.h's NHWC kernel (the same bits).
  const SplitPlane pad = SplitPlane::of(g);
  const std::ptrdiff_t image = g.in_c * pad.size();
  float* buf = batch_copy.get(static_cast<std::size_t>(g.batch * image));
  const int tasks = worth_splitting(static_cast<double>(g.batch) * image, MIN_SPLIT_ELEMENTS) ? std::min(threads, g.batch) : 1;
  pool.run(tasks, threads, [&](int t) {
    const int b0 = g.batch * t / tasks, b1 = g.batch * (t + 1) / tasks;
    std::fill(buf + b0 * image, buf + b1 * image, 0.0f);
    fill_images(pad, x, b0, b1, g, buf + b0 * image);
  });
  const PaddedWindowRows a(buf, g, pad);
  const ChannelsFirstRows dy_rows(dy, g.out_c, plane_size(g.out_h, g.out_w));
  gemm({g.taps(), g.out_c, static_cast<int>(g.pixels()), &a, &dy_rows, d_filter, g.out_c, 1}, pool, threads);
}

}  // namespace pq
