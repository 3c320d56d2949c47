#include "bindings.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "batch_norm.h"
#include "channel_affine.h"
#include "channel_sums.h"
#include "fake_quant_swap.h"
#include "conv.h"
#include "conv_nchw.h"
#include "depthwise.h"
#include "depthwise_nchw.h"
#include "matmul.h"
#include "momentum.h"
#include "pool.h"
#include "thread_pool.h"
#include "transpose.h"

namespace pq {

namespace {

/** A refused argument; becomes a JavaScript Error with this message. */
struct ArgumentError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr std::int64_t MAX_ELEMENTS = INT32_MAX;

class Call {
 public:
  Call(napi_env env, napi_callback_info info, const char* name, std::size_t count) : env_(env), name_(name) {
    std::size_t got = MAX_ARGS;
    if (napi_get_cb_info(env, info, &got, args_, nullptr, nullptr) != napi_ok || got < count) {
      fail("expected " + std::to_string(count) + " arguments, got " + std::to_string(got));
    }
  }

  [[noreturn]] void fail(const std::string& message) const { throw ArgumentError(std::string(name_) + ": " + message); }

  std::int64_t integer(std::size_t i, const char* what, std::int64_t min, std::int64_t max = MAX_ELEMENTS) const {
    double v;
    if (napi_get_value_double(env_, args_[i], &v) != napi_ok) fail(std::string(what) + " must be a number");
    if (!(v >= static_cast<double>(min) && v <= static_cast<double>(max)) || v != static_cast<double>(static_cast<std::int64_t>(v))) {
      fail(std::string(what) + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max) + " (got " + std::to_string(v) + ")");
    }
    return static_cast<std::int64_t>(v);
  }

  bool boolean(std::size_t i, const char* what) const {
    bool v;
    if (napi_get_value_bool(env_, args_[i], &v) != napi_ok) fail(std::string(what) + " must be a boolean");
    return v;
  }

  /** A Float32Array (over an ArrayBuffer or a SharedArrayBuffer) of exactly `expected` elements. */
  float* floats(std::size_t i, const char* what, std::int64_t expected) {
    bool is_typed = false;
    napi_typedarray_type type;
    std::size_t length = 0;
    void* data = nullptr;
    if (napi_is_typedarray(env_, args_[i], &is_typed) != napi_ok || !is_typed ||
        napi_get_typedarray_info(env_, args_[i], &type, &length, &data, nullptr, nullptr) != napi_ok || type != napi_float32_array) {
      fail(std::string(what) + " must be a Float32Array");
    }
    if (expected > MAX_ELEMENTS || static_cast<std::int64_t>(length) != expected) {
      fail(std::string(what) + " has " + std::to_string(length) + " elements, expected " + std::to_string(expected));
    }
    float* p = static_cast<float*>(data);
    ranges_[used_++] = {p, p + length, what};
    return p;
  }

  /**
   * A Float32Array or an Int32Array of exactly `expected` elements, as 32-bit words (moved, never
   * read as numbers); `type` says which.
   */
  std::uint32_t* words(std::size_t i, const char* what, std::int64_t expected, napi_typedarray_type* type) {
    bool is_typed = false;
    std::size_t length = 0;
    void* data = nullptr;
    if (napi_is_typedarray(env_, args_[i], &is_typed) != napi_ok || !is_typed ||
        napi_get_typedarray_info(env_, args_[i], type, &length, &data, nullptr, nullptr) != napi_ok ||
        (*type != napi_float32_array && *type != napi_int32_array)) {
      fail(std::string(what) + " must be a Float32Array or an Int32Array");
    }
    if (expected > MAX_ELEMENTS || static_cast<std::int64_t>(length) != expected) {
      fail(std::string(what) + " has " + std::to_string(length) + " elements, expected " + std::to_string(expected));
    }
    const float* p = static_cast<const float*>(data);
    ranges_[used_++] = {p, p + length, what};
    return static_cast<std::uint32_t*>(data);
  }

  /** An Int32Array of at most `max_length` values. */
  std::vector<std::int32_t> int32s(std::size_t i, const char* what, std::size_t max_length) const {
    bool is_typed = false;
    napi_typedarray_type type;
    std::size_t length = 0;
    void* data = nullptr;
    if (napi_is_typedarray(env_, args_[i], &is_typed) != napi_ok || !is_typed ||
        napi_get_typedarray_info(env_, args_[i], &type, &length, &data, nullptr, nullptr) != napi_ok || type != napi_int32_array) {
      fail(std::string(what) + " must be an Int32Array");
    }
    if (length > max_length) fail(std::string(what) + " has " + std::to_string(length) + " values, at most " + std::to_string(max_length) + " allowed");
    const std::int32_t* v = static_cast<const std::int32_t*>(data);
    return std::vector<std::int32_t>(v, v + length);
  }

  /** The outputs (the last `outputs` arrays taken) share no memory with any other array: they are written while the rest are read. */
  void output_apart(int outputs = 1) const {
    for (int o = used_ - outputs; o < used_; o++) {
      const Range& out = ranges_[o];
      for (int r = 0; r < o; r++) {
        if (out.begin < ranges_[r].end && ranges_[r].begin < out.end) fail(std::string(out.name) + " overlaps " + ranges_[r].name);
      }
    }
  }

  /** A finite number (a float32 constant of the kernel). */
  float real(std::size_t i, const char* what) const { return static_cast<float>(real64(i, what)); }

  /** A finite number, kept in float64. */
  double real64(std::size_t i, const char* what) const {
    double v;
    if (napi_get_value_double(env_, args_[i], &v) != napi_ok || !(v - v == 0)) fail(std::string(what) + " must be a finite number");
    return v;
  }

  /** The 13 int32 of a Conv2dGeometry, in its declaration order. */
  ConvGeometry geometry(std::size_t i) const {
    const std::int32_t* v = ints(i, 14, 11);
    if (v[13] > 1) fail("geometry value 13 (channelsFirst) is " + std::to_string(v[13]) + ", not 0 or 1");
    return {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13] == 1};
  }

  /** The 12 int32 of a Pool2dGeometry, in its declaration order. */
  PoolGeometry pool_geometry(std::size_t i) const {
    const std::int32_t* v = ints(i, 12, 10);
    return {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]};
  }

  ThreadPool& pool() const {
    void* data = nullptr;
    if (napi_get_instance_data(env_, &data) != napi_ok || !data) fail("the addon's thread pool is gone");
    return *static_cast<ThreadPool*>(data);
  }

 private:
  /** An Int32Array of `count` geometry values: sizes >= 1, those from `first_pad` on (the padding) >= 0. */
  const std::int32_t* ints(std::size_t i, std::size_t count, std::size_t first_pad) const {
    bool is_typed = false;
    napi_typedarray_type type;
    std::size_t length = 0;
    void* data = nullptr;
    if (napi_is_typedarray(env_, args_[i], &is_typed) != napi_ok || !is_typed ||
        napi_get_typedarray_info(env_, args_[i], &type, &length, &data, nullptr, nullptr) != napi_ok || type != napi_int32_array || length != count) {
      fail("geometry must be an Int32Array of " + std::to_string(count) + " values");
    }
    const std::int32_t* v = static_cast<const std::int32_t*>(data);
    for (std::size_t f = 0; f < count; f++) {
      if (v[f] < (f >= first_pad ? 0 : 1)) fail("geometry value " + std::to_string(f) + " is " + std::to_string(v[f]) + ", out of range");
    }
    return v;
  }

  static constexpr std::size_t MAX_ARGS = 12;
  struct Range {
    const float* begin;
    const float* end;
    const char* name;
  };
  napi_env env_;
  const char* name_;
  napi_value args_[MAX_ARGS] = {};
  Range ranges_[8] = {};
  int used_ = 0;
};

/** Runs `body`, turning what it throws into a pending JavaScript exception. */
template <typename Body>
napi_value guarded(napi_env env, Body body) {
  try {
    body();
  } catch (const ArgumentError& e) {
    napi_throw_error(env, nullptr, e.what());
  } catch (const std::bad_alloc&) {
    napi_throw_error(env, nullptr, "@pq/kernels-native: out of memory for scratch buffers");
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return nullptr;
}

/** The product of positive sizes, or MAX_ELEMENTS + 1 once it exceeds MAX_ELEMENTS (no overflow, whatever the sizes). */
std::int64_t elements(std::initializer_list<std::int32_t> sizes) {
  std::int64_t n = 1;
  for (const std::int32_t s : sizes) n = std::min(n * s, MAX_ELEMENTS + 1);
  return n;
}

std::int64_t activation(const ConvGeometry& g, bool input) {
  return static_cast<std::int64_t>(g.batch) * (input ? static_cast<std::int64_t>(g.in_h) * g.in_w * g.in_c : static_cast<std::int64_t>(g.out_h) * g.out_w * g.out_c);
}
std::int64_t filter_size(const ConvGeometry& g) { return static_cast<std::int64_t>(g.f_h) * g.f_w * g.in_c * g.out_c; }
std::int64_t depthwise_filter_size(const ConvGeometry& g) { return static_cast<std::int64_t>(g.f_h) * g.f_w * g.in_c; }

constexpr int INPUT = 0, OUTPUT = 1, FILTER = 2, DEPTHWISE_FILTER = 3;

using ConvKernel = void (*)(const float*, const float*, float*, const ConvGeometry&, ThreadPool&, int);

/** A conv binding: (in0, in1, out, geometry, threads), the three arrays sized by `roles`; `channels_first` runs a channels-first geometry (null: refused). */
napi_value conv_call(napi_env env, napi_callback_info info, const char* name, const char* const names[3], const int roles[3], ConvKernel kernel,
                     ConvKernel channels_first = nullptr) {
  return guarded(env, [&] {
    Call call(env, info, name, 5);
    const ConvGeometry g = call.geometry(3);
    const int threads = static_cast<int>(call.integer(4, "threads", 1, 256));
    float* arrays[3];
    if (roles[0] == DEPTHWISE_FILTER || roles[1] == DEPTHWISE_FILTER || roles[2] == DEPTHWISE_FILTER) {
      if (g.in_c != g.out_c) call.fail("a depthwise geometry needs inChannels == outChannels (got " + std::to_string(g.in_c) + " and " + std::to_string(g.out_c) + ")");
    }
    for (int i = 0; i < 3; i++) {
      const std::int64_t size = roles[i] == FILTER ? filter_size(g) : roles[i] == DEPTHWISE_FILTER ? depthwise_filter_size(g) : activation(g, roles[i] == INPUT);
      arrays[i] = call.floats(i, names[i], size);
    }
    call.output_apart();
    if (g.channels_first && !channels_first) call.fail("channelsFirst is not supported here (NHWC activations only)");
    if (!g.channels_first && !kernel) call.fail("only channels-first geometries are supported here (channelsFirst: true)");
    (g.channels_first ? channels_first : kernel)(arrays[0], arrays[1], arrays[2], g, call.pool(), threads);
  });
}

}  // namespace

napi_value BindMatmul(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call call(env, info, "matmul", 10);
    const std::int64_t batch = call.integer(3, "batch", 0), m = call.integer(4, "m", 0), n = call.integer(5, "n", 0), k = call.integer(6, "k", 0);
    const bool trans_a = call.boolean(7, "transA"), trans_b = call.boolean(8, "transB");
    const int threads = static_cast<int>(call.integer(9, "threads", 1, 256));
    const float* a = call.floats(0, "a", batch * m * k);
    const float* b = call.floats(1, "b", batch * k * n);
    float* c = call.floats(2, "c", batch * m * n);
    call.output_apart();
    matmul(a, b, c, static_cast<int>(batch), static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), trans_a, trans_b, call.pool(), threads);
  });
}

napi_value BindConv2d(napi_env env, napi_callback_info info) {
  static const char* const names[3] = {"x", "filter", "y"};
  static const int roles[3] = {INPUT, FILTER, OUTPUT};
  return conv_call(env, info, "conv2d", names, roles, conv2d, conv2d_nchw);
}

napi_value BindConv2dBackpropInput(napi_env env, napi_callback_info info) {
  static const char* const names[3] = {"dy", "filter", "dx"};
  static const int roles[3] = {OUTPUT, FILTER, INPUT};
  return conv_call(env, info, "conv2dBackpropInput", names, roles, conv2d_backprop_input, conv2d_backprop_input_nchw);
}

napi_value BindConv2dBackpropFilter(napi_env env, napi_callback_info info) {
  static const char* const names[3] = {"x", "dy", "dFilter"};
  static const int roles[3] = {INPUT, OUTPUT, FILTER};
  return conv_call(env, info, "conv2dBackpropFilter", names, roles, conv2d_backprop_filter, conv2d_backprop_filter_nchw);
}

napi_value BindDepthwiseConv2d(napi_env env, napi_callback_info info) {
  static const char* const names[3] = {"x", "filter", "y"};
  static const int roles[3] = {INPUT, DEPTHWISE_FILTER, OUTPUT};
  return conv_call(env, info, "depthwiseConv2d", names, roles, nullptr, depthwise_nchw);
}

napi_value BindDepthwiseBackpropInput(napi_env env, napi_callback_info info) {
  static const char* const names[3] = {"dy", "filter", "dx"};
  static const int roles[3] = {OUTPUT, DEPTHWISE_FILTER, INPUT};
  return conv_call(env, info, "depthwiseConv2dBackpropInput", names, roles, depthwise_backprop_input, depthwise_backprop_input_nchw);
}

napi_value BindDepthwiseBackpropFilter(napi_env env, napi_callback_info info) {
  static const char* const names[3] = {"x", "dy", "dFilter"};
  static const int roles[3] = {INPUT, OUTPUT, DEPTHWISE_FILTER};
  return conv_call(env, info, "depthwiseConv2dBackpropFilter", names, roles, depthwise_backprop_filter, depthwise_backprop_filter_nchw);
}

napi_value BindMomentumStep(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call call(env, info, "momentumStep", 10);
    const std::int64_t n = call.integer(5, "n", 0);
    const float c = call.real(6, "c"), m = call.real(7, "m");
    const bool nesterov = call.boolean(8, "nesterov");
    const int threads = static_cast<int>(call.integer(9, "threads", 1, 256));
    const float* p = call.floats(0, "p", n);
    const float* v = call.floats(1, "v", n);
    const float* g = call.floats(2, "g", n);
    float* p_out = call.floats(3, "pOut", n);
    float* v_out = call.floats(4, "vOut", n);
    call.output_apart(2);
    momentum_step(p, v, g, p_out, v_out, n, c, m, nesterov, call.pool(), threads);
  });
}

napi_value BindChannelSums(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call call(env, info, "channelSums", 6);
    const std::int64_t outer = call.integer(2, "outer", 0), channels = call.integer(3, "channels", 0), inner = call.integer(4, "inner", 0);
    const int threads = static_cast<int>(call.integer(5, "threads", 1, 256));
    const std::int64_t total = std::min(outer * channels, MAX_ELEMENTS + 1) * inner;  // each factor <= 2^31: no overflow
    const float* x = call.floats(0, "x", total);
    float* sums = call.floats(1, "sums", channels);
    call.output_apart();
    channel_sums(x, sums, outer, static_cast<int>(channels), inner, call.pool(), threads);
  });
}

/** A batch norm's [N, C, S] (an Int32Array of three counts) and the element count. */
struct BatchNormShape {
  std::int64_t n, c, s, total;
};

BatchNormShape batch_norm_shape(const Call& call, std::size_t i) {
  const std::vector<std::int32_t> v = call.int32s(i, "shape", 3);
  if (v.size() != 3 || v[0] < 0 || v[1] < 0 || v[2] < 0) call.fail("shape must be [N, C, S], three counts");
  const std::int64_t total = std::min<std::int64_t>(std::int64_t{v[0]} * v[1], MAX_ELEMENTS + 1) * v[2];
  return {v[0], v[1], v[2], std::min(total, MAX_ELEMENTS + 1)};
}

napi_value BindChannelAffine(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call call(env, info, "channelAffine", 8);
    const std::int64_t outer = call.integer(4, "outer", 0), channels = call.integer(5, "channels", 0), inner = call.integer(6, "inner", 0);
    const int threads = static_cast<int>(call.integer(7, "threads", 1, 256));
    const std::int64_t total = std::min(std::min(outer * channels, MAX_ELEMENTS + 1) * inner, MAX_ELEMENTS + 1);
    const float* x = call.floats(0, "x", total);
    const float* scale = call.floats(1, "scale", channels);
    const float* shift = call.floats(2, "shift", channels);
    float* y = call.floats(3, "y", total);
    call.output_apart();
    channel_affine(x, scale, shift, y, outer, channels, inner, call.pool(), threads);
  });
}

napi_value BindBatchNormTrain(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call call(env, info, "batchNormTrain", 9);
    const BatchNormShape sh = batch_norm_shape(call, 6);
    const double eps = call.real64(7, "eps");
    const int threads = static_cast<int>(call.integer(8, "threads", 1, 256));
    const float* x = call.floats(0, "x", sh.total);
    const float* weight = call.floats(1, "weight", sh.c);
    const float* bias = call.floats(2, "bias", sh.c);
    float* y = call.floats(3, "y", sh.total);
    float* mean = call.floats(4, "mean", sh.c);
    float* variance = call.floats(5, "variance", sh.c);
    call.output_apart(3);
    batch_norm_train(x, weight, bias, y, mean, variance, sh.n, sh.c, sh.s, eps, call.pool(), threads);
  });
}

napi_value BindBatchNormTrainGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call call(env, info, "batchNormTrainGrad", 11);
    const BatchNormShape sh = batch_norm_shape(call, 8);
    const double eps = call.real64(9, "eps");
    const int threads = static_cast<int>(call.integer(10, "threads", 1, 256));
    const float* dy = call.floats(0, "dy", sh.total);
    const float* x = call.floats(1, "x", sh.total);
    const float* mean = call.floats(2, "mean", sh.c);
    const float* variance = call.floats(3, "variance", sh.c);
    const float* weight = call.floats(4, "weight", sh.c);
    float* dx = call.floats(5, "dx", sh.total);
    float* dweight = call.floats(6, "dWeight", sh.c);
    float* dbias = call.floats(7, "dBias", sh.c);
    call.output_apart(3);
    batch_norm_train_grad(dy, x, mean, variance, weight, dx, dweight, dbias, sh.n, sh.c, sh.s, eps, call.pool(), threads);
  });
}

/** The element count of [outer, middle, inner] (each a count; capped past MAX_ELEMENTS, so no overflow). */
std::int64_t swap_elements(Call& call) {
  const std::int64_t outer = call.integer(2, "outer", 0), middle = call.integer(3, "middle", 0), inner = call.integer(4, "inner", 0);
  return std::min(std::min(outer * middle, MAX_ELEMENTS + 1) * inner, MAX_ELEMENTS + 1);
}

napi_value BindFakeQuantSwap(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call call(env, info, "fakeQuantSwap", 10);
    const std::int64_t total = swap_elements(call), outer = call.integer(2, "outer", 0);
    const float lo = call.real(7, "lo"), hi = call.real(8, "hi");
    const int threads = static_cast<int>(call.integer(9, "threads", 1, 256));
    const float* x = call.floats(0, "x", total);
    const float* scale = call.floats(5, "scale", outer);
    const float* divisor = call.floats(6, "divisor", outer);
    float* y = call.floats(1, "y", total);
    call.output_apart();
    fake_quant_swap(x, y, outer, call.integer(3, "middle", 0), call.integer(4, "inner", 0), scale, divisor, lo, hi, call.pool(), threads);
  });
}

napi_value BindStraightThroughSwap(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call call(env, info, "straightThroughSwap", 8);
    const std::int64_t total = swap_elements(call), outer = call.integer(2, "outer", 0);
    const int threads = static_cast<int>(call.integer(7, "threads", 1, 256));
    const float* x = call.floats(0, "x", total);
    const float* dy = call.floats(1, "dy", total);
    const float* bound = call.floats(5, "bound", outer);
    float* dx = call.floats(6, "dx", total);
    call.output_apart();
    straight_through_swap(x, dy, dx, outer, call.integer(3, "middle", 0), call.integer(4, "inner", 0), bound, call.pool(), threads);
  });
}

napi_value BindTranspose(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call call(env, info, "transpose", 5);
    const std::vector<std::int32_t> shape32 = call.int32s(2, "shape", TRANSPOSE_MAX_RANK);
    const std::vector<std::int32_t> perm32 = call.int32s(3, "perm", TRANSPOSE_MAX_RANK);
    const int rank = static_cast<int>(shape32.size());
    if (perm32.size() != shape32.size()) call.fail("perm has " + std::to_string(perm32.size()) + " values, the shape " + std::to_string(rank));
    std::int64_t shape[TRANSPOSE_MAX_RANK];
    int perm[TRANSPOSE_MAX_RANK];
    bool seen[TRANSPOSE_MAX_RANK] = {};
    std::int64_t total = 1;
    for (int i = 0; i < rank; i++) {
      if (shape32[i] < 0) call.fail("shape[" + std::to_string(i) + "] is " + std::to_string(shape32[i]) + ", negative");
      shape[i] = shape32[i];
      total *= shape[i];
      if (total > MAX_ELEMENTS) call.fail("the shape has more than " + std::to_string(MAX_ELEMENTS) + " elements");
      if (perm32[i] < 0 || perm32[i] >= rank || seen[perm32[i]]) call.fail("perm is not a permutation of 0.." + std::to_string(rank - 1));
      seen[perm32[i]] = true;
      perm[i] = perm32[i];
    }
    const int threads = static_cast<int>(call.integer(4, "threads", 1, 256));
    napi_typedarray_type x_type, y_type;
    const std::uint32_t* x = call.words(0, "x", total, &x_type);
    std::uint32_t* y = call.words(1, "y", total, &y_type);
    if (x_type != y_type) call.fail("x and y must be arrays of the same type (both Float32Array or both Int32Array)");
    call.output_apart();
    transpose(x, y, shape, perm, rank, call.pool(), threads);
  });
}

napi_value BindAvgPoolGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call call(env, info, "avgPoolGrad", 4);
    const PoolGeometry g = call.pool_geometry(2);
    const int threads = static_cast<int>(call.integer(3, "threads", 1, 256));
    const float* dy = call.floats(0, "dy", elements({g.batch, g.out_h, g.out_w, g.channels}));
    float* dx = call.floats(1, "dx", elements({g.batch, g.in_h, g.in_w, g.channels}));
    call.output_apart();
    avg_pool_grad(dy, dx, g, call.pool(), threads);
  });
}

napi_value BindMaxPoolGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call call(env, info, "maxPoolGrad", 5);
    const PoolGeometry g = call.pool_geometry(3);
    const int threads = static_cast<int>(call.integer(4, "threads", 1, 256));
    const std::int64_t in = elements({g.batch, g.in_h, g.in_w, g.channels});
    const std::int64_t out = elements({g.batch, g.out_h, g.out_w, g.channels});
    const float* x = call.floats(0, "x", in);
    const float* dy = call.floats(1, "dy", out);
    float* dx = call.floats(2, "dx", in);
    call.output_apart();
    max_pool_grad(x, dy, dx, g, call.pool(), threads);
  });
}

}  // namespace pq
