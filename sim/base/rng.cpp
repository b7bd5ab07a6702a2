#include "sim/base/rng.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "sim/base/avx512.h"
#include "sim/base/detmath.h"

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

// Single-precision Box-Muller (decision 65) on the project's own logarithm, sine and cosine
// (sim/base/detmath.h): the scalar and vector code round alike on every machine.
constexpr float kHalfPiF = 1.57079632679489661923f, kTwoM24F = 1.0f / 16777216.0f;

/// Box-Muller on two Philox words: (r cos 2 pi u2, r sin 2 pi u2), r = sqrt(-2 ln u1), with
/// u1 = 1 - (w1 >> 8) 2^-24 in (0, 1] and u2 = (w2 >> 8) 2^-24 in [0, 1), in single precision.
inline void box_muller(uint32_t w1, uint32_t w2, float* z0, float* z1) {
  const float u1 = 1.0f - float(w1 >> 8) * kTwoM24F, u2 = float(w2 >> 8) * kTwoM24F;
  const float ln = det::log(u1);  // u1 >= 2^-24: a normal number
  const float radius = std::sqrt(-2.0f * ln);
  // The angle 2 pi u2 = (q + f) pi / 2: quadrant q, f in [0, 1) (both exact); x in [0, pi/4].
  const float t = u2 * 4.0f;
  const float q = std::floor(t), f = t - q;
  const bool upper = f > 0.5f;
  const float x = (upper ? 1.0f - f : f) * kHalfPiF, x2 = x * x;
  const float sx = x * det::poly(det::kSinSeries, x2), cx = det::poly(det::kCosSeries, x2);
  float c = upper ? sx : cx, sn = upper ? cx : sx;  // cos and sin of f pi / 2
  const int quadrant = int(q);
  if (quadrant == 1) {
    const float c0 = c;
    c = -sn;
    sn = c0;
  } else if (quadrant == 2) {
    c = -c;
    sn = -sn;
  } else if (quadrant == 3) {
    const float c0 = c;
    c = sn;
    sn = -c0;
  }
  *z0 = radius * c;
  *z1 = radius * sn;
}

/// The four draws of one Philox block: Box-Muller on words (0, 1) and on words (2, 3).
inline void block_normals(const std::array<uint32_t, 4>& r, float* z) {
  box_muller(r[0], r[1], &z[0], &z[1]);
  box_muller(r[2], r[3], &z[2], &z[3]);
}

#ifdef PCMSIM_X86
PCMSIM_AVX512_BEGIN

template <size_t N>
PCMSIM_AVX512 inline __m512 poly16(const float (&c)[N], __m512 x) {
  __m512 p = _mm512_set1_ps(c[0]);
  for (size_t k = 1; k < N; ++k) p = _mm512_add_ps(_mm512_mul_ps(p, x), _mm512_set1_ps(c[k]));
  return p;
}

/// Box-Muller on sixteen pairs of words (lanes 0-7: words 0 and 1 of eight blocks, lanes
/// 8-15: words 2 and 3), lane by lane exactly as box_muller(); block k's four draws to
/// z[4k .. 4k + 3].
PCMSIM_AVX512 __attribute__((always_inline)) inline void box_muller16(__m512i w1, __m512i w2,
                                                                      float* z) {
  const __m512 one = _mm512_set1_ps(1.0f), scale = _mm512_set1_ps(kTwoM24F);
  const __m512 u1 =
      _mm512_sub_ps(one, _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32(w1, 8)), scale));
  const __m512 u2 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32(w2, 8)), scale);
  // ln u1 as det::log: getmant gives m in [1, 2) and getexp e, as the exponent bits do.
  __m512 m = _mm512_getmant_ps(u1, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_src);
  __m512 e = _mm512_getexp_ps(u1);
  const __mmask16 big = _mm512_cmp_ps_mask(m, _mm512_set1_ps(det::kSqrt2), _CMP_GT_OQ);
  m = _mm512_mask_mul_ps(m, big, m, _mm512_set1_ps(0.5f));
  e = _mm512_mask_add_ps(e, big, e, one);
  const __m512 sr = _mm512_div_ps(_mm512_sub_ps(m, one), _mm512_add_ps(m, one));
  const __m512 ln =
      _mm512_add_ps(_mm512_mul_ps(e, _mm512_set1_ps(det::kLn2)),
                    _mm512_mul_ps(sr, poly16(det::kLogSeries, _mm512_mul_ps(sr, sr))));
  const __m512 radius = _mm512_sqrt_ps(_mm512_mul_ps(_mm512_set1_ps(-2.0f), ln));
  const __m512 t = _mm512_mul_ps(u2, _mm512_set1_ps(4.0f));
  const __m512 q = _mm512_roundscale_ps(t, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  const __m512 f = _mm512_sub_ps(t, q);
  const __mmask16 upper = _mm512_cmp_ps_mask(f, _mm512_set1_ps(0.5f), _CMP_GT_OQ);
  const __m512 x = _mm512_mul_ps(_mm512_mask_sub_ps(f, upper, one, f), _mm512_set1_ps(kHalfPiF));
  const __m512 x2 = _mm512_mul_ps(x, x);
  const __m512 sx = _mm512_mul_ps(x, poly16(det::kSinSeries, x2)), cx = poly16(det::kCosSeries, x2);
  __m512 c = _mm512_mask_blend_ps(upper, cx, sx), sn = _mm512_mask_blend_ps(upper, sx, cx);
  // Quadrants 1 and 3 swap cosine and sine; 1 and 2 negate the cosine, 2 and 3 the sine.
  const __m512i qi = _mm512_cvttps_epi32(q);
  const __mmask16 q1 = _mm512_cmpeq_epi32_mask(qi, _mm512_set1_epi32(1));
  const __mmask16 q2 = _mm512_cmpeq_epi32_mask(qi, _mm512_set1_epi32(2));
  const __mmask16 q3 = _mm512_cmpeq_epi32_mask(qi, _mm512_set1_epi32(3));
  const __m512 swap_c = _mm512_mask_blend_ps(q1 | q3, c, sn);
  const __m512 swap_s = _mm512_mask_blend_ps(q1 | q3, sn, c);
  const __m512 zero = _mm512_setzero_ps();
  c = _mm512_mul_ps(radius, _mm512_mask_sub_ps(swap_c, q1 | q2, zero, swap_c));
  sn = _mm512_mul_ps(radius, _mm512_mask_sub_ps(swap_s, q2 | q3, zero, swap_s));
  // Block k's draws: cos and sin of lane k, then of lane 8 + k. Pairs P_L = (c_L, s_L) as
  // 64-bit units: lo = P0 P1 P4 P5 P8 P9 P12 P13, hi = P2 P3 P6 P7 P10 P11 P14 P15 (the
  // unpacks work within 128-bit lanes); the output is P0 P8 P1 P9 ... P7 P15.
  const __m512d lo = _mm512_castps_pd(_mm512_unpacklo_ps(c, sn));
  const __m512d hi = _mm512_castps_pd(_mm512_unpackhi_ps(c, sn));
  _mm512_storeu_pd(reinterpret_cast<double*>(z),
                   _mm512_permutex2var_pd(lo, _mm512_setr_epi64(0, 4, 1, 5, 8, 12, 9, 13), hi));
  _mm512_storeu_pd(reinterpret_cast<double*>(z + 16),
                   _mm512_permutex2var_pd(lo, _mm512_setr_epi64(2, 6, 3, 7, 10, 14, 11, 15), hi));
}

/// The 32 G draws of G groups of 8 Philox blocks, group g the blocks @p b[g] .. b[g] + 7
/// (counter words: block's low and high halves, array, kind and layer), into @p z (z[32 g +
/// 4 k + j]: draw j of block b[g] + k). The G groups run their Philox rounds side by side:
/// each round depends on the last, so one group alone leaves the vector units waiting.
template <int G>
PCMSIM_AVX512 void normals_groups(const uint64_t* b, uint32_t array, uint32_t kind_layer,
                                  std::array<uint32_t, 2> key, float* z) {
  const __m512i low32 = _mm512_set1_epi64(0xFFFFFFFFll);
  const __m512i m0 = _mm512_set1_epi64(kM0), m1 = _mm512_set1_epi64(kM1);
  __m512i c0[G], c1[G], c2[G], c3[G];
  for (int g = 0; g < G; ++g) {
    const __m512i ctr = _mm512_add_epi64(_mm512_set1_epi64(int64_t(b[g])),
                                         _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7));
    c0[g] = _mm512_and_si512(ctr, low32);
    c1[g] = _mm512_srli_epi64(ctr, 32);
    c2[g] = _mm512_set1_epi64(array);
    c3[g] = _mm512_set1_epi64(kind_layer);
  }
  for (int round = 0; round < 10; ++round) {
    const __m512i k0 = _mm512_set1_epi64(key[0]), k1 = _mm512_set1_epi64(key[1]);
    for (int g = 0; g < G; ++g) {
      const __m512i p0 = _mm512_mul_epu32(m0, c0[g]), p1 = _mm512_mul_epu32(m1, c2[g]);
      const __m512i hi0 = _mm512_srli_epi64(p0, 32), lo0 = _mm512_and_si512(p0, low32);
      const __m512i hi1 = _mm512_srli_epi64(p1, 32), lo1 = _mm512_and_si512(p1, low32);
      c0[g] = _mm512_xor_si512(_mm512_xor_si512(hi1, c1[g]), k0);
      c1[g] = lo1;
      c2[g] = _mm512_xor_si512(_mm512_xor_si512(hi0, c3[g]), k1);
      c3[g] = lo0;
    }
    key[0] += kW0;
    key[1] += kW1;
  }
  for (int g = 0; g < G; ++g) {
    // Sixteen pairs: lanes 0-7 words (0, 1) of the group's blocks, lanes 8-15 words (2, 3).
    const __m512i w1 = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(c0[g])),
                                          _mm512_cvtepi64_epi32(c2[g]), 1);
    const __m512i w2 = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(c1[g])),
                                          _mm512_cvtepi64_epi32(c3[g]), 1);
    box_muller16(w1, w2, z + 32 * g);
  }
}
PCMSIM_AVX512_END
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
  float z[4];
  block_normals(block(index >> 2), z);
  return double(z[index & 3]);
}

template <typename T>
void RngStream::normals_into(uint64_t index, size_t n, T* out) const {
  // Draw index + i is draw (index + i) & 3 of block (index + i) >> 2.
  size_t i = 0;
#ifdef PCMSIM_X86
  if (has_avx512()) {
    // 32 blocks (128 draws) at a time, 24, 16 or 8 for what is left after them.
    constexpr int kGroups = 4;
    constexpr size_t kBig = 32 * kGroups;
    float z[kBig];
    while (i < n) {
      const uint64_t d = index + i, b0 = d >> 2;
      const uint64_t b[4] = {b0, b0 + 8, b0 + 16, b0 + 24};
      const size_t skip = size_t(d & 3);
      if (skip == 0 && n - i >= kBig) {
        if constexpr (std::is_same_v<T, float>) {
          normals_groups<kGroups>(b, m_array, m_kind_layer, m_key, out + i);
        } else {
          normals_groups<kGroups>(b, m_array, m_kind_layer, m_key, z);
          for (size_t k = 0; k < kBig; ++k) out[i + k] = T(z[k]);
        }
        i += kBig;
        continue;
      }
      // As many groups as the draws left need (from the block boundary), up to four.
      const size_t need = n - i + skip, groups = std::min<size_t>(4, (need + 31) / 32);
      const size_t take = std::min(n - i, 32 * groups - skip);
      switch (groups) {
        case 4:
          normals_groups<4>(b, m_array, m_kind_layer, m_key, z);
          break;
        case 3:
          normals_groups<3>(b, m_array, m_kind_layer, m_key, z);
          break;
        case 2:
          normals_groups<2>(b, m_array, m_kind_layer, m_key, z);
          break;
        default:
          normals_groups<1>(b, m_array, m_kind_layer, m_key, z);
      }
      for (size_t k = 0; k < take; ++k) out[i + k] = T(z[skip + k]);
      i += take;
    }
    return;
  }
#endif
  float z[4];
  while (i < n) {
    const uint64_t d = index + i;
    const size_t skip = size_t(d & 3), take = std::min(n - i, 4 - skip);
    block_normals(block(d >> 2), z);
    for (size_t k = 0; k < take; ++k) out[i + k] = T(z[skip + k]);
    i += take;
  }
}

void RngStream::normals(uint64_t index, size_t n, double* out) const {
  normals_into(index, n, out);
}

void RngStream::normals(uint64_t index, size_t n, float* out) const { normals_into(index, n, out); }

void RngStream::normals_batch(const uint64_t* index, size_t count, size_t n, float* out) const {
#ifdef PCMSIM_X86
  // Whole groups of 8 blocks (32 draws) from block boundaries: the groups of all the requests,
  // in order, are consecutive in the output, so they run 4 at a time whichever request they
  // belong to (a request of 64 draws alone would run 2).
  if (n == 0) return;
  bool whole = has_avx512() && n % 32 == 0;
  for (size_t k = 0; whole && k < count; ++k) whole = index[k] % 4 == 0;
  if (whole) {
    // Group g of the output: group g % per of request g / per.
    const size_t per = n / 32, groups = count * per;
    uint64_t b[4];
    size_t g = 0;
    auto bases = [&](size_t first, size_t k) {
      for (size_t j = 0; j < k; ++j)
        b[j] = index[(first + j) / per] / 4 + 8 * uint64_t((first + j) % per);
    };
    for (; g + 4 <= groups; g += 4) {
      bases(g, 4);
      normals_groups<4>(b, m_array, m_kind_layer, m_key, out + 32 * g);
    }
    bases(g, groups - g);
    switch (groups - g) {
      case 3:
        normals_groups<3>(b, m_array, m_kind_layer, m_key, out + 32 * g);
        break;
      case 2:
        normals_groups<2>(b, m_array, m_kind_layer, m_key, out + 32 * g);
        break;
      case 1:
        normals_groups<1>(b, m_array, m_kind_layer, m_key, out + 32 * g);
        break;
      default:
        break;
    }
    return;
  }
#endif
  for (size_t k = 0; k < count; ++k) normals(index[k], n, out + k * n);
}

double RngStream::uniform(uint64_t index) const {
  auto r = block(index);
  return double(bits53(r[0], r[1])) * kTwoM53;
}

}  // namespace pcmsim
