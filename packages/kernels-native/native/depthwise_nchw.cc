#include "depthwise_nchw.h"

#include <immintrin.h>

#include <algorithm>
#include <vector>

#include "scratch.h"
#include "split_plane.h"

namespace pq {

namespace {

/** Lanes [0, n) of eight. */
inline __m256i lanes(int n) { return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)); }

/** The taps' offsets in a split plane for output row 0, and the step from one output row to the next. */
struct Taps {
  std::vector<std::ptrdiff_t> at;
  std::ptrdiff_t step;
  Taps(const SplitPlane& sp, const ConvGeometry& g) : at(static_cast<std::size_t>(g.f_h * g.f_w)), step(sp.row(g.stride_h, 0)) {
    for (int fy = 0; fy < g.f_h; fy++) {
      for (int fx = 0; fx < g.f_w; fx++) at[static_cast<std::size_t>(fy * g.f_w + fx)] = sp.row(fy, fx % sp.phases) + fx / sp.phases;
    }
  }
  std::ptrdiff_t of(int oy, int t) const { return at[static_cast<std::size_t>(t)] + oy * step; }
};

thread_local Scratch plane_copy;

/**
 * Tasks over `units` independent units (planes or channels), when the work is worth splitting:
 * `body(u, first)`, first for a task's first unit (which zeroes the padding of its buffers once).
 */
template <typename Body>
void by_units(int units, const ConvGeometry& g, ThreadPool& pool, int threads, Body body) {
  const double work = static_cast<double>(g.batch) * g.out_h * g.out_w * g.f_h * g.f_w * g.in_c;
  const int tasks = worth_splitting(work, MIN_SPLIT_DEPTHWISE_MACS) ? std::min(threads, units) : 1;
  pool.run(tasks, threads, [&](int t) {
    const int u0 = static_cast<int>(static_cast<std::int64_t>(units) * t / tasks), u1 = static_cast<int>(static_cast<std::int64_t>(units) * (t + 1) / tasks);
    for (int u = u0; u < u1; u++) body(u, u == u0);
  });
}

}  // namespace

namespace {

/**
 * Outputs [ox0, ox0 + 8·NV) of rows [oy, oy + ROWS) of one plane: ROWS·NV independent sums (so
 * the adds overlap), each over the taps in (fy, fx) order.
 */
template <int ROWS, int NV>
inline void output_block(const Taps& taps, const ConvGeometry& g, const float* buf, const float* w, std::ptrdiff_t w_stride, float* out, int oy, int ox0) {
  __m256 acc[ROWS][NV];
  for (int r = 0; r < ROWS; r++) {
    for (int v = 0; v < NV; v++) acc[r][v] = _mm256_setzero_ps();
  }
  const int count = g.f_h * g.f_w;
  for (int t = 0; t < count; t++) {
    const __m256 wv = _mm256_set1_ps(w[t * w_stride]);
    for (int r = 0; r < ROWS; r++) {
      const float* src = buf + taps.of(oy + r, t) + ox0;
      for (int v = 0; v < NV; v++) acc[r][v] = _mm256_add_ps(acc[r][v], _mm256_mul_ps(wv, _mm256_loadu_ps(src + 8 * v)));
    }
  }
  for (int r = 0; r < ROWS; r++) {
    float* o = out + static_cast<std::ptrdiff_t>(oy + r) * g.out_w + ox0;
    for (int v = 0; v < NV; v++) {
      const int live = g.out_w - ox0 - 8 * v;
      if (live >= 8) _mm256_storeu_ps(o + 8 * v, acc[r][v]);
      else _mm256_maskstore_ps(o + 8 * v, lanes(live), acc[r][v]);
    }
  }
}

template <int ROWS>
void output_rows(const Taps& taps, const ConvGeometry& g, const float* buf, const float* w, std::ptrdiff_t w_stride, float* out, int oy) {
  for (int ox0 = 0; ox0 < g.out_w; ox0 += 32) {
    switch (std::min(4, (g.out_w - ox0 + 7) / 8)) {
      case 1: output_block<ROWS, 1>(taps, g, buf, w, w_stride, out, oy, ox0); break;
      case 2: output_block<ROWS, 2>(taps, g, buf, w, w_stride, out, oy, ox0); break;
      case 3: output_block<ROWS, 3>(taps, g, buf, w, w_stride, out, oy, ox0); break;
      default: output_block<ROWS, 4>(taps, g, buf, w, w_stride, out, oy, ox0); break;
    }
  }
}

thread_local Scratch row_copy;
thread_local Scratch tap_sums;
thread_local Scratch weights;

}  // namespace

void depthwise_nchw(const float* x, const float* filter, float* y, const ConvGeometry& g, ThreadPool& pool, int threads) {
  const SplitPlane sp = SplitPlane::of(g);
  const Taps taps(sp, g);
  const int c = g.in_c;
  by_units(g.batch * c, g, pool, threads, [&](int plane, bool first) {
    float* buf = plane_copy.get(static_cast<std::size_t>(sp.size()));
    if (first) sp.clear(buf);
    sp.fill(x + plane * plane_size(g.in_h, g.in_w), g.in_h, g.in_w, buf);
    float* out = y + plane * plane_size(g.out_h, g.out_w);
    const float* w = filter + plane % c;
    int oy = 0;
    for (; oy + 2 <= g.out_h; oy += 2) output_rows<2>(taps, g, buf, w, c, out, oy);
    if (oy < g.out_h) output_rows<1>(taps, g, buf, w, c, out, oy);
  });
}

void depthwise_backprop_input_nchw(const float* dy, const float* filter, float* dx, const ConvGeometry& g, ThreadPool& pool, int threads) {
  if (g.stride_h == 1 && g.stride_w == 1) {
    // dy convolved with the filter turned half a turn over the padding f - 1 - pad: the forward
    // kernel's gathers instead of scattered adds.
    const int taps = g.f_h * g.f_w, c = g.in_c;
    std::vector<float> turned(static_cast<std::size_t>(taps) * c);
    for (int t = 0; t < taps; t++) std::copy(filter + static_cast<std::ptrdiff_t>(taps - 1 - t) * c, filter + static_cast<std::ptrdiff_t>(taps - t) * c, turned.begin() + static_cast<std::ptrdiff_t>(t) * c);
    const ConvGeometry t{g.batch, g.out_h, g.out_w, c, g.in_h, g.in_w, c, g.f_h, g.f_w, 1, 1, g.f_h - 1 - g.pad_top, g.f_w - 1 - g.pad_left, true};
    depthwise_nchw(dy, turned.data(), dx, t, pool, threads);
    return;
  }
  const SplitPlane sp = SplitPlane::of(g);
  const int c = g.in_c;
  const int shift = (g.f_w - 1) / g.stride_w;           // the most columns a tap moves an output right, per phase
  const int reach = g.out_w + shift;                    // columns of a phase that some output reaches
  const int lead = (shift + 7) / 8 * 8;                 // zeros before a padded dy row
  const std::ptrdiff_t row_len = lead + reach + 16;  // a dy row between zeros: what the taps' shifted loads read
  by_units(g.batch * c, g, pool, threads, [&](int plane, bool first) {
    float* buf = plane_copy.get(static_cast<std::size_t>(sp.size()));
    float* rows = row_copy.get(static_cast<std::size_t>(g.out_h * row_len));
    sp.clear(buf);
    if (first) std::fill(rows, rows + g.out_h * row_len, 0.0f);
    // The whole plane first, so that the loads below do not wait on the copy's stores.
    const float* in = dy + plane * plane_size(g.out_h, g.out_w);
    for (int oy = 0; oy < g.out_h; oy++) std::copy(in + static_cast<std::ptrdiff_t>(oy) * g.out_w, in + static_cast<std::ptrdiff_t>(oy + 1) * g.out_w, rows + oy * row_len + lead);
    // The plane's weights broadcast once (through `float*` stores the compiler would reload them).
    __m256* wv = reinterpret_cast<__m256*>(weights.get(static_cast<std::size_t>(g.f_h * g.f_w) * 8));
    for (int t = 0; t < g.f_h * g.f_w; t++) wv[t] = _mm256_set1_ps(filter[static_cast<std::ptrdiff_t>(t) * c + plane % c]);
    for (int oy = 0; oy < g.out_h; oy++) {
      const float* row = rows + oy * row_len;
      for (int fy = 0; fy < g.f_h; fy++) {
        for (int ph = 0; ph < sp.phases && ph < g.f_w; ph++) {
          // Padded column j of this phase gets dy[j - fx/stride]·w[fy, fx] for the phase's taps fx, in fx order.
          float* d = buf + sp.row(oy * g.stride_h + fy, ph);
          const float* src = row + lead;
          for (int j = 0; j < reach; j += 8) {
            __m256 v = _mm256_loadu_ps(d + j);
            for (int fx = ph, back = 0; fx < g.f_w; fx += sp.phases, back++) {
              v = _mm256_add_ps(v, _mm256_mul_ps(wv[fy * g.f_w + fx], _mm256_loadu_ps(src + j - back)));
            }
            _mm256_storeu_ps(d + j, v);
          }
        }
      }
    }
    sp.crop(buf, g.in_h, g.in_w, dx + plane * plane_size(g.in_h, g.in_w));
  });
}

void depthwise_backprop_filter_nchw(const float* x, const float* dy, float* d_filter, const ConvGeometry& g, ThreadPool& pool, int threads) {
  const SplitPlane sp = SplitPlane::of(g);
  const Taps at(sp, g);
  const int c = g.in_c, taps = g.f_h * g.f_w;
  by_units(c, g, pool, threads, [&](int ch, bool first) {
    float* sums = tap_sums.get(static_cast<std::size_t>(taps) * 8);  // 64-byte aligned: a vector per tap
    std::fill(sums, sums + taps * 8, 0.0f);
    __m256* acc = reinterpret_cast<__m256*>(sums);
    float* buf = plane_copy.get(static_cast<std::size_t>(sp.size()));
    if (first) sp.clear(buf);
    for (int b = 0; b < g.batch; b++) {
      const std::ptrdiff_t plane = static_cast<std::ptrdiff_t>(b) * c + ch;
      sp.fill(x + plane * plane_size(g.in_h, g.in_w), g.in_h, g.in_w, buf);
      const float* grad = dy + plane * plane_size(g.out_h, g.out_w);
      for (int oy = 0; oy < g.out_h; oy++) {
        const float* ds = grad + static_cast<std::ptrdiff_t>(oy) * g.out_w;
        for (int ox = 0; ox < g.out_w; ox += 8) {
          // The taps' sums are independent chains; a lane's terms still come in (b, oy, ox) order.
          const bool whole = g.out_w - ox >= 8;
          const __m256i m = lanes(g.out_w - ox);  // a row's last lanes add 0·0
          const __m256 d = whole ? _mm256_loadu_ps(ds + ox) : _mm256_maskload_ps(ds + ox, m);
          const float* origin = buf + oy * at.step + ox;
          for (int t = 0; t < taps; t++) {
            const float* xs = origin + at.at[static_cast<std::size_t>(t)];
            const __m256 xv = whole ? _mm256_loadu_ps(xs) : _mm256_maskload_ps(xs, m);
            acc[t] = _mm256_add_ps(acc[t], _mm256_mul_ps(xv, d));
          }
        }
      }
    }
    for (int t = 0; t < taps; t++) {
      float s = 0.0f;
      for (int i = 0; i < 8; i++) s += sums[t * 8 + i];
      d_filter[static_cast<std::ptrdiff_t>(t) * c + ch] = s;
    }
  });
}

}  // namespace pq
