#pragma once
// The project's hand-written AVX-512 kernels (normal draws, the reference convolution): the
// target their functions are compiled for, the section that wraps them, and the run-time check
// that picks them over their scalar twins, whose bits they give. Only on x86-64 with GCC or
// clang; elsewhere PCMSIM_X86 is undefined and the scalar code runs.

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define PCMSIM_X86 1
#define PCMSIM_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl")))

// GCC 12's AVX-512 intrinsics pass an undefined register as the (unused) merge source of their
// unmasked forms, which its uninitialized-value warnings report: the kernels sit between
// PCMSIM_AVX512_BEGIN and PCMSIM_AVX512_END.
#if defined(__GNUC__) && !defined(__clang__)
#define PCMSIM_AVX512_BEGIN                                                            \
  _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wuninitialized\"") \
      _Pragma("GCC diagnostic ignored \"-Wmaybe-uninitialized\"")
#define PCMSIM_AVX512_END _Pragma("GCC diagnostic pop")
#else
#define PCMSIM_AVX512_BEGIN
#define PCMSIM_AVX512_END
#endif

namespace pcmsim {
/// @brief Whether this CPU runs PCMSIM_AVX512 code (AVX-512 F, DQ and VL).
inline bool has_avx512() {
  static const bool yes = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                          __builtin_cpu_supports("avx512vl");
  return yes;
}
}  // namespace pcmsim
#endif
