// One step of SGD with momentum over a parameter, as tfjs's MomentumOptimizer's ops compute it
// (each product and sum rounded to float32, no FMA, in this order):
//   v' = m*v + g;  p' = c*v' + p, or with Nesterov p' = c*(g + v'*m) + p   (c = -learning rate)
// @pq/nn's wasm kernel (kernels.wat `momentum`) computes the same, so the bits are its bits.
#pragma once
#include <cstddef>

#include "thread_pool.h"

namespace pq {

void momentum_step(const float* p, const float* v, const float* g, float* p_out, float* v_out, std::ptrdiff_t n, float c, float m, bool nesterov,
                   ThreadPool& pool, int threads);

}  // namespace pq
