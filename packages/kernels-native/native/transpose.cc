#include "transpose.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "transpose8.h"

namespace pq {

namespace {

using u32 = std::uint32_t;
using i64 = std::int64_t;
constexpr int MAX_RANK = TRANSPOSE_MAX_RANK;

/** The permutation with size-1 axes dropped and runs of input axes that stay adjacent merged. */
struct Merged {
  int rank = 0;
  i64 dims[MAX_RANK] = {};  // merged input axes, in input order
  int perm[MAX_RANK] = {};  // output axis i is merged input axis perm[i]
};

Merged merge(const i64* shape, const int* perm, int rank) {
  int kept[MAX_RANK];  // input axes of size > 1, in output order
  int n = 0;
  for (int i = 0; i < rank; i++) {
    if (shape[perm[i]] != 1) kept[n++] = perm[i];
  }
  int order[MAX_RANK];  // kept[i]'s position among the kept axes in input order
  for (int i = 0; i < n; i++) {
    order[i] = 0;
    for (int j = 0; j < n; j++) order[i] += kept[j] < kept[i];
  }
  // Runs of output axes that are consecutive kept input axes: each becomes one axis.
  int first[MAX_RANK];
  i64 size[MAX_RANK];
  int runs = 0;
  for (int i = 0; i < n; i++) {
    if (runs > 0 && order[i] == order[i - 1] + 1) {
      size[runs - 1] *= shape[kept[i]];
    } else {
      first[runs] = order[i];
      size[runs++] = shape[kept[i]];
    }
  }
  Merged m;
  m.rank = runs;
  for (int r = 0; r < runs; r++) {
    int at = 0;  // the run's place in input order
    for (int s = 0; s < runs; s++) at += first[s] < first[r];
    m.perm[r] = at;
    m.dims[at] = size[r];
  }
  return m;
}

/** An odometer over some output axes (slowest first), tracking the input and output offsets. */
struct Outer {
  int n = 0;
  i64 dim[MAX_RANK] = {};
  i64 in_stride[MAX_RANK] = {};
  i64 out_stride[MAX_RANK] = {};

  i64 count() const {
    i64 c = 1;
    for (int a = 0; a < n; a++) c *= dim[a];
    return c;
  }
  /** Sets idx and the offsets to those of the k-th position. */
  void seek(i64 k, i64* idx, i64& xo, i64& yo) const {
    xo = yo = 0;
    for (int a = n - 1; a >= 0; a--) {
      idx[a] = k % dim[a];
      k /= dim[a];
      xo += idx[a] * in_stride[a];
      yo += idx[a] * out_stride[a];
    }
  }
  void next(i64* idx, i64& xo, i64& yo) const {
    for (int a = n - 1; a >= 0; a--) {
      xo += in_stride[a];
      yo += out_stride[a];
      if (++idx[a] < dim[a]) return;
      xo -= dim[a] * in_stride[a];
      yo -= dim[a] * out_stride[a];
      idx[a] = 0;
    }
  }
};

/** Runs units [0, units) in contiguous ranges, one task per range: `body(begin, end)`. */
template <typename Body>
void split(i64 units, i64 elements, ThreadPool& pool, int threads, const Body& body) {
  const int tasks = !worth_splitting(static_cast<double>(elements), MIN_SPLIT_ELEMENTS) || threads <= 1 ? 1 : static_cast<int>(std::min<i64>(units, 4 * static_cast<i64>(threads)));
  pool.run(tasks, threads, [&](int t) { body(units * t / tasks, units * (t + 1) / tasks); });
}

/** y[c*ldo + r] = x[r*ldi + c] for an 8x8 block. */
inline void block8x8(const float* x, i64 ldi, float* y, i64 ldo) {
  __m256 r[8];
  for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(x + i * ldi);
  transpose8(r);
  for (int i = 0; i < 8; i++) _mm256_storeu_ps(y + i * ldo, r[i]);
}

/** y[c*ldo + r] = x[r*ldi + c] for a 4x4 block, in SSE registers. */
inline void block4x4(const float* x, i64 ldi, float* y, i64 ldo) {
  __m128 a = _mm_loadu_ps(x), b = _mm_loadu_ps(x + ldi), c = _mm_loadu_ps(x + 2 * ldi), d = _mm_loadu_ps(x + 3 * ldi);
  _MM_TRANSPOSE4_PS(a, b, c, d);
  _mm_storeu_ps(y, a);
  _mm_storeu_ps(y + ldo, b);
  _mm_storeu_ps(y + 2 * ldo, c);
  _mm_storeu_ps(y + 3 * ldo, d);
}

/** y[c*ldo + r] = x[r*ldi + c] one 32-bit word at a time, for r < rows and c < cols. */
void words(const u32* x, i64 ldi, u32* y, i64 ldo, i64 rows, i64 cols) {
  for (i64 c = 0; c < cols; c++) {
    for (i64 r = 0; r < rows; r++) y[c * ldo + r] = x[r * ldi + c];
  }
}

/** The same by 4x4 blocks where four rows and columns remain (the edges of the 8x8 blocks). */
__attribute__((noinline)) void edge(const u32* x, i64 ldi, u32* y, i64 ldo, i64 rows, i64 cols) {
  const i64 r4 = rows & ~i64{3}, c4 = cols & ~i64{3};
  const float* xf = reinterpret_cast<const float*>(x);
  float* yf = reinterpret_cast<float*>(y);
  for (i64 c = 0; c < c4; c += 4) {
    for (i64 r = 0; r < r4; r += 4) block4x4(xf + r * ldi + c, ldi, yf + c * ldo + r, ldo);
  }
  words(x + r4 * ldi, ldi, y + r4, ldo, rows - r4, cols);
  words(x + c4, ldi, y + c4 * ldo, ldo, r4, cols - c4);
}

/** Rows per unit of the 2-d path: the output gets whole 64-byte lines (16 floats) at a time. */
constexpr i64 STRIP = 16;

/** Planes of at least this many elements are walked one after the other (see transpose()). */
constexpr i64 PLANE_MAJOR = 4096;

/**
 * y[c*ldo + r] = x[r*ldi + c] for r < rows (at most STRIP) and every c < cols by 8x8 register
 * blocks, walking the columns eight at a time: the input rows are read in order, and the output
 * rows get whole 64-byte lines. Loads, shuffles and stores only: the 32-bit patterns are not touched.
 */
__attribute__((noinline)) void strip(const u32* x, i64 ldi, u32* y, i64 ldo, i64 rows, i64 cols) {
  const i64 r8 = rows & ~i64{7}, c8 = cols & ~i64{7};
  const float* xf = reinterpret_cast<const float*>(x);
  float* yf = reinterpret_cast<float*>(y);
  for (i64 c = 0; c < c8; c += 8) {
    for (i64 r = 0; r < r8; r += 8) block8x8(xf + r * ldi + c, ldi, yf + c * ldo + r, ldo);
  }
  edge(x + r8 * ldi, ldi, y + r8, ldo, rows - r8, cols);  // the last rows % 8 rows
  edge(x + c8, ldi, y + c8 * ldo, ldo, r8, cols - c8);    // the last cols % 8 columns of the others
}

}  // namespace

void transpose(const u32* x, u32* y, const i64* shape, const int* perm, int rank, ThreadPool& pool, int threads) {
  i64 total = 1;
  for (int a = 0; a < rank; a++) total *= shape[a];
  if (total == 0) return;
  const Merged m = merge(shape, perm, rank);
  const int r = m.rank;
  if (r <= 1) {  // the memory order is unchanged: one copy, in chunks
    constexpr i64 CHUNK = 1 << 15;
    split((total + CHUNK - 1) / CHUNK, total, pool, threads, [&](i64 begin, i64 end) {
      const i64 from = begin * CHUNK, to = std::min(total, end * CHUNK);
      std::memcpy(y + from, x + from, static_cast<std::size_t>(to - from) * sizeof(u32));
    });
    return;
  }
  i64 in_stride[MAX_RANK], out_stride[MAX_RANK];
  in_stride[r - 1] = out_stride[r - 1] = 1;
  for (int a = r - 2; a >= 0; a--) {
    in_stride[a] = in_stride[a + 1] * m.dims[a + 1];
    out_stride[a] = out_stride[a + 1] * m.dims[m.perm[a + 1]];
  }
  // The odometer over the output axes in `axes`.
  auto outer_over = [&](auto keep) {
    Outer o;
    for (int a = 0; a < r; a++) {
      if (!keep(a)) continue;
      o.dim[o.n] = m.dims[m.perm[a]];
      o.in_stride[o.n] = in_stride[m.perm[a]];
      o.out_stride[o.n++] = out_stride[a];
    }
    return o;
  };

  if (m.perm[r - 1] == r - 1) {  // the innermost axis stays innermost: whole rows copied
    const i64 row = m.dims[r - 1];
    const Outer o = outer_over([&](int a) { return a < r - 1; });
    split(o.count(), total, pool, threads, [&](i64 begin, i64 end) {
      i64 idx[MAX_RANK], xo, yo;
      o.seek(begin, idx, xo, yo);
      for (i64 k = begin; k < end; k++, o.next(idx, xo, yo)) std::memcpy(y + yo, x + xo, static_cast<std::size_t>(row) * sizeof(u32));
    });
    return;
  }

  // Otherwise a 2-d transpose for each position of the other axes: the output's innermost axis
  // (input axis `a`, the plane's rows) and the input's innermost (output axis `q`, its columns).
  const int a = m.perm[r - 1];
  int q = 0;
  while (m.perm[q] != r - 1) q++;
  const i64 rows = m.dims[a], cols = m.dims[r - 1], ldi = in_stride[a], ldo = out_stride[q];
  const Outer o = outer_over([&](int b) { return b != q && b != r - 1; });
  // Planes under eight columns wide take several strips per unit, so that a unit moves about 1K
  // elements (wider ones keep 16 rows a unit: a conv weight's 9 taps then read 16 input rows at once).
  const i64 unit_rows = cols < 8 ? std::max(STRIP, 1024 / cols / STRIP * STRIP) : STRIP;
  const i64 strips = (rows + unit_rows - 1) / unit_rows, planes = o.count();
  // Units of STRIP plane rows. A large plane is walked unit after unit (each input and output row
  // streamed in order); small planes strip-major, the other axes fastest, so that consecutive
  // units read neighbouring input (a conv weight's taps of consecutive input channels).
  const bool by_plane = rows * cols >= PLANE_MAJOR;
  split(strips * planes, total, pool, threads, [&](i64 begin, i64 end) {
    i64 idx[MAX_RANK], xo, yo;
    i64 plane = by_plane ? begin / strips : begin % planes;
    o.seek(plane, idx, xo, yo);
    for (i64 u = begin; u < end; u++) {
      const i64 p = by_plane ? u / strips : u % planes;
      if (p != plane) {
        if (p == 0) {
          o.seek(0, idx, xo, yo);
        } else {
          o.next(idx, xo, yo);
        }
        plane = p;
      }
      const i64 first = (by_plane ? u % strips : u / planes) * unit_rows, last = std::min(rows, first + unit_rows);
      for (i64 row = first; row < last; row += STRIP) strip(x + xo + row * ldi, ldi, y + yo + row, ldo, std::min(STRIP, last - row), cols);
    }
  });
}

}  // namespace pq
