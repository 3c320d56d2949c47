#include "fake_quant_swap.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>

#include "transpose8.h"

namespace pq {

namespace {

using i64 = std::int64_t;

/**
 * x viewed as [outer, columns] with column j = b·inner + c; y's row for column j (each of `outer`
 * floats) is row c·middle + b. The forward kernel walks 8x8 blocks of (a, j), transposed in registers.
 */
struct Swap {
  i64 outer, middle, inner;
  i64 columns() const { return middle * inner; }
  i64 y_row(i64 j) const { return (j % inner) * middle + j / inner; }
};

/** q = nearest(clamp(v·s, lo, hi)) / d, as core's JS loops (`v < lo ? lo : v`, `hi < v ? hi : v`). */
inline float fake_quant(float v, float s, float d, float lo, float hi) {
  float q = v * s;
  q = q < lo ? lo : q;
  q = hi < q ? hi : q;
  return std::nearbyint(q) / d;  // the default rounding mode: to nearest, ties to even
}

inline __m256 fake_quant8(__m256 v, __m256 s, __m256 d, __m256 lo, __m256 hi) {
  // max_ps(lo, q) is `lo > q ? lo : q` and min_ps(hi, q) is `hi < q ? hi : q`: NaN and -0 in q kept.
  const __m256 q = _mm256_min_ps(hi, _mm256_max_ps(lo, _mm256_mul_ps(v, s)));
  return _mm256_div_ps(_mm256_round_ps(q, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), d);
}

/** |v|'s bit mask (a function: a namespace-scope vector would run AVX code when the addon loads). */
inline __m256 abs_mask() { return _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff)); }

/** Weights of at least this many elements (1 MiB: past a core's L2 cache) have their gradient moved in by strips. */
constexpr i64 STRIPS_FROM = 1 << 18;

/** Splits the blocks [0, blocks) over the pool's threads. */
template <typename Body>
void over_blocks(i64 blocks, i64 elements, ThreadPool& pool, int threads, const Body& body) {
  const int tasks = threads <= 1 || !worth_splitting(static_cast<double>(elements), MIN_SPLIT_ELEMENTS) ? 1 : static_cast<int>(std::min<i64>(blocks, threads));
  pool.run(tasks, threads, [&](int t) { body(blocks * t / tasks, blocks * (t + 1) / tasks); });
}

/**
 * straight_through_swap by blocks of sixteen columns j, each walked down all the rows: each row
 * of x and dx read and written a whole 64-byte line at a time. Faster than the strips below while
 * the weight fits in the L2 cache, slower beyond (a page of x and of dx for every row of a block).
 */
void swap_back_by_columns(const float* x, const float* dy, float* dx, i64 outer, i64 middle, i64 inner, const float* bound, ThreadPool& pool, int threads) {
  const Swap s{outer, middle, inner};
  const i64 cols = s.columns(), a8 = outer / 8 * 8;
  over_blocks((cols + 15) / 16, outer * cols, pool, threads, [&](i64 begin, i64 end) {
    for (i64 blk = begin; blk < end; blk++) {
      const i64 j0 = blk * 16, width = std::min<i64>(16, cols - j0);
      i64 rows[16];
      for (i64 k = 0; k < width; k++) rows[k] = s.y_row(j0 + k) * outer;
      const i64 vectors = width / 8;  // whole 8-column halves
      for (i64 a = 0; a < a8; a += 8) {
        for (i64 h = 0; h < vectors; h++) {
          __m256 r[8];
          for (int k = 0; k < 8; k++) r[k] = _mm256_loadu_ps(dy + rows[8 * h + k] + a);
          transpose8(r);  // r[i]: columns j0 + 8h .. + 7 of row a + i
          for (int i = 0; i < 8; i++) {
            const i64 at = (a + i) * cols + j0 + 8 * h;
            const __m256 keep = _mm256_cmp_ps(_mm256_and_ps(_mm256_loadu_ps(x + at), abs_mask()), _mm256_set1_ps(bound[a + i]), _CMP_LE_OQ);
            _mm256_storeu_ps(dx + at, _mm256_and_ps(r[i], keep));
          }
        }
      }
      // The columns past the whole halves, and the last outer % 8 rows.
      for (i64 a = 0; a < outer; a++) {
        for (i64 k = a < a8 ? 8 * vectors : 0; k < width; k++) {
          const i64 at = a * cols + j0 + k;
          dx[at] = std::fabs(x[at]) <= bound[a] ? dy[rows[k] + a] : 0.0f;
        }
      }
    }
  });
}

void swap_back_by_strips(const float* x, const float* dy, float* dx, i64 outer, i64 middle, i64 inner, const float* bound, ThreadPool& pool, int threads) {
  const i64 cols = middle * inner, c8 = inner / 8 * 8, j8 = cols / 8 * 8;
  const i64 dy_row = middle * outer;  // between dy's rows for consecutive taps c of one b
  // Strips of up to sixteen rows a of dx: first dy moved in, b by b (for each b, dy's rows of the
  // `inner` taps give the strip's rows' runs dx[a, b, 0..inner), eight a's and eight taps per 8x8
  // register transpose), then each row masked while the strip is in cache. Walking dy the other
  // way (columns outer, all rows inner) ran at a third of this speed, masking in the same pass at
  // two thirds (ResNet's 512x512x3x3 weight, one thread: 1.8, 1.2 and 1.1 ms).
  over_blocks((outer + 15) / 16, outer * cols, pool, threads, [&](i64 begin, i64 end) {
    for (i64 strip = begin; strip < end; strip++) {
      const i64 a0 = strip * 16, a1 = std::min(outer, a0 + 16), a8 = a0 + (a1 - a0) / 8 * 8;
      for (i64 b = 0; b < middle; b++) {
        const float* from = dy + b * outer;  // dy[c, b, a] = from[c * dy_row + a]
        for (i64 a = a0; a < a8; a += 8) {
          float* to = dx + a * cols + b * inner;
          for (i64 c = 0; c < c8; c += 8) {
            __m256 r[8];
            for (int k = 0; k < 8; k++) r[k] = _mm256_loadu_ps(from + (c + k) * dy_row + a);
            transpose8(r);  // r[i]: taps c..c+7 of row a + i
            for (int i = 0; i < 8; i++) _mm256_storeu_ps(to + i * cols + c, r[i]);
          }
          for (i64 c = c8; c < inner; c++) {
            for (int i = 0; i < 8; i++) to[i * cols + c] = from[c * dy_row + a + i];
          }
        }
        for (i64 a = a8; a < a1; a++) {
          for (i64 c = 0; c < inner; c++) dx[a * cols + b * inner + c] = from[c * dy_row + a];
        }
      }
      for (i64 a = a0; a < a1; a++) {
        const float* xr = x + a * cols;
        float* dr = dx + a * cols;
        const __m256 m = _mm256_set1_ps(bound[a]);
        for (i64 j = 0; j < j8; j += 8) {
          const __m256 keep = _mm256_cmp_ps(_mm256_and_ps(_mm256_loadu_ps(xr + j), abs_mask()), m, _CMP_LE_OQ);
          _mm256_storeu_ps(dr + j, _mm256_and_ps(_mm256_loadu_ps(dr + j), keep));
        }
        for (i64 j = j8; j < cols; j++) dr[j] = std::fabs(xr[j]) <= bound[a] ? dr[j] : 0.0f;
      }
    }
  });
}

}  // namespace

void fake_quant_swap(const float* x, float* y, i64 outer, i64 middle, i64 inner, const float* scale, const float* divisor, float lo, float hi,
                     ThreadPool& pool, int threads) {
  const Swap s{outer, middle, inner};
  const i64 cols = s.columns(), a8 = outer / 8 * 8;
  const __m256 LO = _mm256_set1_ps(lo), HI = _mm256_set1_ps(hi);
  // Blocks of eight columns, the last one possibly short.
  over_blocks((cols + 7) / 8, outer * cols, pool, threads, [&](i64 begin, i64 end) {
    for (i64 blk = begin; blk < end; blk++) {
      const i64 j0 = blk * 8, width = std::min<i64>(8, cols - j0);
      i64 rows[8];
      for (i64 k = 0; k < width; k++) rows[k] = s.y_row(j0 + k) * outer;
      if (width == 8) {
        for (i64 a = 0; a < a8; a += 8) {
          __m256 r[8];
          for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(x + (a + i) * cols + j0);
          transpose8(r);  // r[k]: column j0 + k of rows a..a+7
          const __m256 sc = _mm256_loadu_ps(scale + a), dv = _mm256_loadu_ps(divisor + a);
          for (int k = 0; k < 8; k++) _mm256_storeu_ps(y + rows[k] + a, fake_quant8(r[k], sc, dv, LO, HI));
        }
      }
      for (i64 a = width == 8 ? a8 : 0; a < outer; a++) {
        for (i64 k = 0; k < width; k++) y[rows[k] + a] = fake_quant(x[a * cols + j0 + k], scale[a], divisor[a], lo, hi);
      }
    }
  });
}

void straight_through_swap(const float* x, const float* dy, float* dx, i64 outer, i64 middle, i64 inner, const float* bound, ThreadPool& pool,
                           int threads) {
  // Measured on the development machine (C++ harness, one thread): [160, 960, 1] 0.04 ms by
  // columns, 0.09 by strips; [512, 512, 1] 0.23 and 0.17; [512, 512, 9] 2.0 and 1.4.
  const bool strips = outer * middle * inner >= STRIPS_FROM;
  (strips ? swap_back_by_strips : swap_back_by_columns)(x, dy, dx, outer, middle, inner, bound, pool, threads);
}

}  // namespace pq
