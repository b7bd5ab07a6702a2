#pragma once
// PCMSIM_CLONES: a vector loop compiled for AVX-512 (x86-64-v4), AVX2 + FMA (x86-64-v3) and the
// baseline, the variant picked at load time. Every variant gives the same bits: the project is
// built without contraction into fused multiply-adds (-ffp-contract=off; std::fma where one is
// meant), and IEEE operations round alike in every instruction set. Plain functions under
// clang (the fuzz build) and the sanitizers.

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__)
#define PCMSIM_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define PCMSIM_CLONES
#endif
