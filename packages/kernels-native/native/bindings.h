// The kernels as Node-API functions (bindings.cc): arguments checked again here, so that no call,
// from the TypeScript wrapper or not, reads or writes outside the arrays it was given.
#pragma once
#include <node_api.h>

namespace pq {

napi_value BindMatmul(napi_env env, napi_callback_info info);
napi_value BindConv2d(napi_env env, napi_callback_info info);
napi_value BindConv2dBackpropInput(napi_env env, napi_callback_info info);
napi_value BindConv2dBackpropFilter(napi_env env, napi_callback_info info);
napi_value BindDepthwiseConv2d(napi_env env, napi_callback_info info);
napi_value BindDepthwiseBackpropInput(napi_env env, napi_callback_info info);
napi_value BindDepthwiseBackpropFilter(napi_env env, napi_callback_info info);
napi_value BindMomentumStep(napi_env env, napi_callback_info info);
napi_value BindChannelSums(napi_env env, napi_callback_info info);
napi_value BindChannelAffine(napi_env env, napi_callback_info info);
napi_value BindBatchNormTrain(napi_env env, napi_callback_info info);
napi_value BindBatchNormTrainGrad(napi_env env, napi_callback_info info);
napi_value BindFakeQuantSwap(napi_env env, napi_callback_info info);
napi_value BindStraightThroughSwap(napi_env env, napi_callback_info info);
napi_value BindTranspose(napi_env env, napi_callback_info info);
napi_value BindAvgPoolGrad(napi_env env, napi_callback_info info);
napi_value BindMaxPoolGrad(napi_env env, napi_callback_info info);

}  // namespace pq
