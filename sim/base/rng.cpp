#include "sim/base/rng.h"

#include <cmath>

#include "sim/base/detmath.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define PCMSIM_X86 1
#endif

// Every operation below is an IEEE basic operation (+, -, *, /, sqrt, fma) written out, and the
// project is built without contraction into fused multiply-adds (-ffp-contract=off), so scalar
// and vector code round alike.

namespace pcmsim {

namespace {
// Multipliers and Weyl key increments of Philox4x32 (Salmon et al. 2011, Sec. 5).
constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;

inline void mulhilo(uint32_t a, uint32_t b, uint32_t* hi, uint32_t* lo) {
  uint64_t p = static_cast<uint64_t>(a) * b;
  *hi = static_cast<uint32_t>(p >> 32);
  *lo = static_cast<uint32_t>(p);
}

inline uint64_t bits53(uint32_t hi, uint32_t lo) {
  return ((static_cast<uint64_t>(hi) << 21) ^ (lo >> 11)) & ((1ull << 53) - 1);
}
constexpr double kTwoM53 = 1.0 / 9007199254740992.0;  // 2^-53

constexpr double kHalfPi = 1.57079632679489661923;

/// Box-Muller on one Philox block: (r cos 2 pi u2, r sin 2 pi u2), r = sqrt(-2 ln u1).
inline void box_muller(const std::array<uint32_t, 4>& r, double* z0, double* z1) {
  const double u1 = 1.0 - double(bits53(r[0], r[1])) * kTwoM53;  // (0, 1]: ln stays finite
  const double u2 = double(bits53(r[2], r[3])) * kTwoM53;        // [0, 1)
  const double ln = det::log(u1);
  const double radius = std::sqrt(-2.0 * ln);
  // The angle 2 pi u2 = (q + f) pi / 2: quadrant q, f in [0, 1) (both exact); x in [0, pi/4].
  const double t = u2 * 4.0;
  const double q = std::floor(t), f = t - q;
  const bool upper = f > 0.5;
  const double x = (upper ? 1.0 - f : f) * kHalfPi, x2 = x * x;
  const double sx = x * det::horner(det::kSinSeries, x2), pc = det::horner(det::kCosSeries, x2);
  double c = upper ? sx : pc, sn = upper ? pc : sx;  // cos and sin of f pi / 2
  const int quadrant = int(q);
  if (quadrant == 1) {
    const double c0 = c;
    c = -sn;
    sn = c0;
  } else if (quadrant == 2) {
    c = -c;
    sn = -sn;
  } else if (quadrant == 3) {
    const double c0 = c;
    c = sn;
    sn = -c0;
  }
  *z0 = radius * c;
  *z1 = radius * sn;
}

#ifdef PCMSIM_X86
#define PCMSIM_AVX512 __attribute__((target("avx512f,avx512dq")))
// GCC 12's AVX-512 intrinsics pass an undefined register as the (unused) merge source of their
// unmasked forms, which its uninitialized-value warnings report.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

bool has_avx512() {
  static const bool yes = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
  return yes;
}

/// det::horner on eight lanes.
template <size_t N>
PCMSIM_AVX512 inline __m512d horner(const double (&c)[N], __m512d x) {
  __m512d p = _mm512_set1_pd(c[0]);
  for (size_t k = 1; k < N; ++k) p = _mm512_fmadd_pd(p, x, _mm512_set1_pd(c[k]));
  return p;
}

PCMSIM_AVX512 inline __m512d unit53(__m512i hi, __m512i lo) {
  const __m512i bits =
      _mm512_and_si512(_mm512_xor_si512(_mm512_slli_epi64(hi, 21), _mm512_srli_epi64(lo, 11)),
                       _mm512_set1_epi64((1ll << 53) - 1));
  return _mm512_mul_pd(_mm512_cvtepu64_pd(bits), _mm512_set1_pd(kTwoM53));
}

/// Box-Muller on the eight Philox blocks numbered @p blocks[0..7] (counter words: block's low
/// and high halves, array, kind and layer), lane by lane exactly as box_muller().
PCMSIM_AVX512 void box_muller8(const uint64_t* blocks, uint32_t array, uint32_t kind_layer,
                               std::array<uint32_t, 2> key, double* z0, double* z1) {
  const __m512i ctr = _mm512_loadu_si512(blocks);
  const __m512i low32 = _mm512_set1_epi64(0xFFFFFFFFll);
  __m512i c0 = _mm512_and_si512(ctr, low32), c1 = _mm512_srli_epi64(ctr, 32);
  __m512i c2 = _mm512_set1_epi64(array), c3 = _mm512_set1_epi64(kind_layer);
  const __m512i m0 = _mm512_set1_epi64(kM0), m1 = _mm512_set1_epi64(kM1);
  for (int round = 0; round < 10; ++round) {
    const __m512i p0 = _mm512_mul_epu32(m0, c0), p1 = _mm512_mul_epu32(m1, c2);
    const __m512i hi0 = _mm512_srli_epi64(p0, 32), lo0 = _mm512_and_si512(p0, low32);
    const __m512i hi1 = _mm512_srli_epi64(p1, 32), lo1 = _mm512_and_si512(p1, low32);
    c0 = _mm512_xor_si512(_mm512_xor_si512(hi1, c1), _mm512_set1_epi64(key[0]));
    c1 = lo1;
    c2 = _mm512_xor_si512(_mm512_xor_si512(hi0, c3), _mm512_set1_epi64(key[1]));
    c3 = lo0;
    key[0] += kW0;
    key[1] += kW1;
  }
  const __m512d one = _mm512_set1_pd(1.0);
  const __m512d u1 = _mm512_sub_pd(one, unit53(c0, c1)), u2 = unit53(c2, c3);
  // ln u1 as det::log: getmant gives m in [1, 2) and getexp e, as its exponent bits do.
  __m512d m = _mm512_getmant_pd(u1, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_src);
  __m512d e = _mm512_getexp_pd(u1);
  const __mmask8 big = _mm512_cmp_pd_mask(m, _mm512_set1_pd(det::kSqrt2), _CMP_GT_OQ);
  m = _mm512_mask_mul_pd(m, big, m, _mm512_set1_pd(0.5));
  e = _mm512_mask_add_pd(e, big, e, one);
  const __m512d s = _mm512_div_pd(_mm512_sub_pd(m, one), _mm512_add_pd(m, one));
  const __m512d p = horner(det::kLogSeries, _mm512_mul_pd(s, s));
  const __m512d ln =
      _mm512_fmadd_pd(e, _mm512_set1_pd(det::kLn2Hi),
                      _mm512_fmadd_pd(e, _mm512_set1_pd(det::kLn2Lo), _mm512_mul_pd(s, p)));
  const __m512d radius = _mm512_sqrt_pd(_mm512_mul_pd(_mm512_set1_pd(-2.0), ln));
  const __m512d t = _mm512_mul_pd(u2, _mm512_set1_pd(4.0));
  const __m512d q = _mm512_roundscale_pd(t, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  const __m512d f = _mm512_sub_pd(t, q);
  const __mmask8 upper = _mm512_cmp_pd_mask(f, _mm512_set1_pd(0.5), _CMP_GT_OQ);
  const __m512d x = _mm512_mul_pd(_mm512_mask_sub_pd(f, upper, one, f), _mm512_set1_pd(kHalfPi));
  const __m512d x2 = _mm512_mul_pd(x, x);
  const __m512d sx = _mm512_mul_pd(x, horner(det::kSinSeries, x2)),
                cx = horner(det::kCosSeries, x2);
  __m512d c = _mm512_mask_blend_pd(upper, cx, sx), sn = _mm512_mask_blend_pd(upper, sx, cx);
  // Quadrants 1 and 3 swap cosine and sine; 1 and 2 negate the cosine, 2 and 3 the sine.
  const __m512i qi = _mm512_cvttpd_epi64(q);
  const __mmask8 q1 = _mm512_cmpeq_epi64_mask(qi, _mm512_set1_epi64(1));
  const __mmask8 q2 = _mm512_cmpeq_epi64_mask(qi, _mm512_set1_epi64(2));
  const __mmask8 q3 = _mm512_cmpeq_epi64_mask(qi, _mm512_set1_epi64(3));
  const __m512d swap_c = _mm512_mask_blend_pd(q1 | q3, c, sn);
  const __m512d swap_s = _mm512_mask_blend_pd(q1 | q3, sn, c);
  const __m512d zero = _mm512_setzero_pd();
  c = _mm512_mask_sub_pd(swap_c, q1 | q2, zero, swap_c);
  sn = _mm512_mask_sub_pd(swap_s, q2 | q3, zero, swap_s);
  _mm512_storeu_pd(z0, _mm512_mul_pd(radius, c));
  _mm512_storeu_pd(z1, _mm512_mul_pd(radius, sn));
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif
}  // namespace

std::array<uint32_t, 4> philox4x32(std::array<uint32_t, 4> c, std::array<uint32_t, 2> k) {
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0, lo0, hi1, lo1;
    mulhilo(kM0, c[0], &hi0, &lo0);
    mulhilo(kM1, c[2], &hi1, &lo1);
    c = {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
    k[0] += kW0;
    k[1] += kW1;
  }
  return c;
}

RngStream::RngStream(uint64_t seed, DrawKind kind, uint32_t layer, uint32_t array)
    : m_key{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)},
      m_array(array),
      m_kind_layer((static_cast<uint32_t>(kind) << 20) | (layer & 0xFFFFFu)) {}

std::array<uint32_t, 4> RngStream::block(uint64_t index) const {
  return philox4x32(
      {static_cast<uint32_t>(index), static_cast<uint32_t>(index >> 32), m_array, m_kind_layer},
      m_key);
}

double RngStream::normal(uint64_t index) const {
  double z0, z1;
  box_muller(block(index >> 1), &z0, &z1);
  return (index & 1) ? z1 : z0;
}

void RngStream::normals(uint64_t index, size_t n, double* out) const {
  size_t i = 0;
  if (n > 0 && (index & 1)) out[i++] = normal(index);  // the second of a pair
    // Whole pairs: draws index + i and index + i + 1 are block (index + i) / 2.
#ifdef PCMSIM_X86
  if (has_avx512()) {
    double z0[8], z1[8];
    for (; i + 16 <= n; i += 16) {
      uint64_t blocks[8];
      for (int k = 0; k < 8; ++k) blocks[k] = ((index + i) >> 1) + uint64_t(k);
      box_muller8(blocks, m_array, m_kind_layer, m_key, z0, z1);
      for (int k = 0; k < 8; ++k) {
        out[i + 2 * size_t(k)] = z0[k];
        out[i + 2 * size_t(k) + 1] = z1[k];
      }
    }
  }
#endif
  for (; i + 2 <= n; i += 2) box_muller(block((index + i) >> 1), &out[i], &out[i + 1]);
  if (i < n) out[i] = normal(index + i);
}

void RngStream::normal_pairs(const uint64_t* blocks, size_t n, double* even, double* odd) const {
  size_t i = 0;
#ifdef PCMSIM_X86
  if (has_avx512()) {
    for (; i + 8 <= n; i += 8)
      box_muller8(blocks + i, m_array, m_kind_layer, m_key, even + i, odd + i);
  }
#endif
  for (; i < n; ++i) box_muller(block(blocks[i]), &even[i], &odd[i]);
}

double RngStream::uniform(uint64_t index) const {
  auto r = block(index);
  return double(bits53(r[0], r[1])) * kTwoM53;
}

}  // namespace pcmsim
