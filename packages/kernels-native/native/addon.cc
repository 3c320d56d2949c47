// The module's entry: registers the functions and owns the thread pool. This file is compiled
// without -mavx2/-mfma (scripts/build-native.mjs), because it runs at load time on any x86-64 CPU:
// cpuSupported() must be able to answer "no" where the kernels would fault.
#include <node_api.h>

#include "bindings.h"
#include "isa.h"
#include "thread_pool.h"

namespace {

napi_value CpuSupported(napi_env env, napi_callback_info) {
  __builtin_cpu_init();
  const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  napi_value result;
  napi_get_boolean(env, ok, &result);
  return result;
}

/** The micro-kernel's instruction set (isa.h); asked only where cpuSupported() said yes. */
napi_value Isa(napi_env env, napi_callback_info) {
  napi_value result;
  napi_create_string_utf8(env, pq::isa_name(), NAPI_AUTO_LENGTH, &result);
  return result;
}

void FreePool(napi_env, void* data, void*) { delete static_cast<pq::ThreadPool*>(data); }

napi_value Init(napi_env env, napi_value exports) {
  // One pool per Node environment (the main thread, each worker_thread): its workers are joined
  // when the environment is torn down. Idle workers do not keep the event loop alive.
  if (napi_set_instance_data(env, new pq::ThreadPool(), FreePool, nullptr) != napi_ok) return nullptr;
  const napi_property_descriptor functions[] = {
      {"cpuSupported", nullptr, CpuSupported, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"isa", nullptr, Isa, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matmul", nullptr, pq::BindMatmul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2d", nullptr, pq::BindConv2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropInput", nullptr, pq::BindConv2dBackpropInput, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropFilter", nullptr, pq::BindConv2dBackpropFilter, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"depthwiseConv2d", nullptr, pq::BindDepthwiseConv2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"depthwiseConv2dBackpropInput", nullptr, pq::BindDepthwiseBackpropInput, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"depthwiseConv2dBackpropFilter", nullptr, pq::BindDepthwiseBackpropFilter, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"momentumStep", nullptr, pq::BindMomentumStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"channelSums", nullptr, pq::BindChannelSums, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"channelAffine", nullptr, pq::BindChannelAffine, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormTrain", nullptr, pq::BindBatchNormTrain, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormTrainGrad", nullptr, pq::BindBatchNormTrainGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fakeQuantSwap", nullptr, pq::BindFakeQuantSwap, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"straightThroughSwap", nullptr, pq::BindStraightThroughSwap, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"transpose", nullptr, pq::BindTranspose, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"avgPoolGrad", nullptr, pq::BindAvgPoolGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPoolGrad", nullptr, pq::BindMaxPoolGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  if (napi_define_properties(env, exports, sizeof(functions) / sizeof(functions[0]), functions) != napi_ok) return nullptr;
  return exports;
}

}  // namespace

NAPI_MODULE(pq_kernels, Init)
