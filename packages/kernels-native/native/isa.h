// Which micro-kernel the GEMM runs: AVX-512 where the CPU and OS have it, else AVX2. Both compute
// every element of C with the same chain of FMAs and the same stores and adds, so the choice
// changes speed, never bits. PQ_KERNELS_ISA=avx2 in the environment forces AVX2 (the tests
// compare the two).
#pragma once

namespace pq {

bool use_avx512();
/** "avx512f" or "avx2+fma". */
const char* isa_name();

}  // namespace pq
