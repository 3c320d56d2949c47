#include "isa.h"

#include <cstdlib>
#include <cstring>

namespace pq {

bool use_avx512() {
  // Decided on first use (a kernel call), not at load: load time runs on CPUs without AVX2 too.
  static const bool avx512 = [] {
    const char* forced = std::getenv("PQ_KERNELS_ISA");
    if (forced != nullptr && std::strcmp(forced, "avx2") == 0) return false;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;  // libgcc also checks that the OS saves the zmm state
  }();
  return avx512;
}

const char* isa_name() { return use_avx512() ? "avx512f" : "avx2+fma"; }

}  // namespace pq
