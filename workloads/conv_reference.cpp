#include "workloads/conv_reference.h"

#include <algorithm>

#include "sim/base/avx512.h"
#include "sim/base/parallel.h"

namespace pcmsim {

namespace {

#ifdef PCMSIM_X86
PCMSIM_AVX512_BEGIN

/// Segments of the output plane a tile of the kernel below keeps in registers.
constexpr int kTileSegments = 3;

/// The output plane of a convolution cut into segments of 8 neighbouring columns of one row
/// (the last of a row masked to the row's end), grouped in tiles of kTileSegments; for each
/// tile, kernel tap (i, j) and segment of the tile, the offset in an input plane of the tap's
/// input column for the segment's first lane, and the lanes whose input falls inside the plane
/// (none when row i falls in the padding, and none for the segments that pad the last tile).
struct ConvSegments {
  int64_t count = 0;             ///< segments, the padding ones not counted
  std::vector<int64_t> oh, ow0;  ///< [segment]
  std::vector<int64_t> offset;   ///< [(tile x taps + tap) x kTileSegments + segment in tile]
  std::vector<uint8_t> lanes;    ///< same index
};

ConvSegments conv_segments(const GraphNode& n, int64_t H, int64_t W, int64_t OH, int64_t OW) {
  ConvSegments s;
  for (int64_t oh = 0; oh < OH; ++oh)
    for (int64_t ow0 = 0; ow0 < OW; ow0 += 8) {
      s.oh.push_back(oh);
      s.ow0.push_back(ow0);
    }
  s.count = int64_t(s.oh.size());
  const int64_t kh = n.kernel[0], kw = n.kernel[1], taps = kh * kw;
  const int64_t tiles = (s.count + kTileSegments - 1) / kTileSegments;
  s.offset.assign(size_t(tiles * taps * kTileSegments), 0);
  s.lanes.assign(s.offset.size(), 0);
  for (int64_t seg = 0; seg < s.count; ++seg) {
    const int64_t oh = s.oh[size_t(seg)], ow0 = s.ow0[size_t(seg)];
    const int64_t tile = seg / kTileSegments, k = seg % kTileSegments;
    for (int64_t i = 0; i < kh; ++i) {
      const int64_t h = window_input(n, 0, oh, i);
      for (int64_t j = 0; j < kw; ++j) {
        uint8_t m = 0;
        for (int64_t l = 0; l < 8 && ow0 + l < OW; ++l) {
          const int64_t v = window_input(n, 1, ow0 + l, j);
          if (h >= 0 && h < H && v >= 0 && v < W) m = uint8_t(m | (1u << l));
        }
        const size_t at = size_t((tile * taps + i * kw + j) * kTileSegments + k);
        s.lanes[at] = m;
        s.offset[at] = m ? h * W + window_input(n, 1, ow0, j) : 0;
      }
    }
  }
  return s;
}

/// Output channels [m0, m0 + MB) (one group) of the convolution on eight-lane vectors of
/// doubles: each output the bias, then w x x added for every input channel, kernel row and
/// kernel column in that order (taps in the padding skipped), each sum rounded once as in the
/// scalar loop: the scalar loop's bits. The product of two floats is exact in double (24 + 24
/// significand bits < 53, and no exponent of it under- or overflows a double), so a fused
/// multiply-add rounds the same sum the scalar loop's product-then-add does. A tile of
/// kTileSegments segments of the MB channels stays in registers over all the taps; each input
/// vector loaded serves the MB channels. @p w holds the block's weights as doubles,
/// [input channel][tap][channel of the block]; STRIDED: the input columns of a segment's lanes
/// are @p sw apart (gathered), else neighbours (loaded).
template <int MB, bool STRIDED>
PCMSIM_AVX512 void conv_block_avx512(const ConvSegments& sg, const double* w, const double* bias,
                                     int64_t taps, int64_t sw, const float* xg, int64_t cg,
                                     int64_t HW, int64_t OW, float* y, int64_t OHW) {
  constexpr int SB = kTileSegments;
  const __m256i lane_step =
      _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(int(sw)));
  for (int64_t t0 = 0; t0 < sg.count; t0 += SB) {
    const int64_t* off = sg.offset.data() + t0 * taps;
    const uint8_t* lanes = sg.lanes.data() + t0 * taps;
    __m512d acc[MB][SB];
#pragma GCC unroll 8
    for (int b = 0; b < MB; ++b)
#pragma GCC unroll 8
      for (int k = 0; k < SB; ++k) acc[b][k] = _mm512_set1_pd(bias[b]);
    // One loop over (input channel, tap) pairs: nested loops left the accumulators in memory
    // between input channels.
    const float* xc = xg;
    for (int64_t ct = 0, t = 0; ct < cg * taps; ++ct) {
      const double* wc = w + ct * MB;
      __m512d xd[SB];
      __mmask8 mk[SB];
#pragma GCC unroll 8
      for (int k = 0; k < SB; ++k) {
        mk[k] = _cvtu32_mask8(lanes[t * SB + k]);
        // Input column of lane l: the segment's first plus l x stride; masked lanes unread.
        const float* at = xc + off[t * SB + k];
        const __m256 xv =
            STRIDED ? _mm256_mmask_i32gather_ps(_mm256_setzero_ps(), mk[k], lane_step, at, 4)
                    : _mm256_maskz_loadu_ps(mk[k], at);
        xd[k] = _mm512_cvtps_pd(xv);
      }
#pragma GCC unroll 8
      for (int b = 0; b < MB; ++b) {
        const __m512d wb = _mm512_set1_pd(wc[b]);
#pragma GCC unroll 8
        for (int k = 0; k < SB; ++k) acc[b][k] = _mm512_mask3_fmadd_pd(wb, xd[k], acc[b][k], mk[k]);
      }
      if (++t == taps) {
        t = 0;
        xc += HW;
      }
    }
    // Constant indices into acc only (a variable one would keep it in memory).
#pragma GCC unroll 8
    for (int k = 0; k < SB; ++k) {
      if (t0 + k >= sg.count) break;
      const size_t s = size_t(t0 + k);
      const int64_t valid = std::min<int64_t>(8, OW - sg.ow0[s]);
#pragma GCC unroll 8
      for (int b = 0; b < MB; ++b)
        _mm256_mask_storeu_ps(y + b * OHW + sg.oh[s] * OW + sg.ow0[s], __mmask8((1u << valid) - 1),
                              _mm512_cvtpd_ps(acc[b][k]));
    }
  }
}

template <int MB>
void conv_block(bool strided, const ConvSegments& sg, const double* w, const double* bias,
                int64_t taps, int64_t sw, const float* xg, int64_t cg, int64_t HW, int64_t OW,
                float* y, int64_t OHW) {
  if (strided)
    conv_block_avx512<MB, true>(sg, w, bias, taps, sw, xg, cg, HW, OW, y, OHW);
  else
    conv_block_avx512<MB, false>(sg, w, bias, taps, sw, xg, cg, HW, OW, y, OHW);
}

PCMSIM_AVX512_END
#endif

}  // namespace

void conv_reference(const GraphNode& n, const Shape& in, const Shape& out,
                    const std::vector<float>& x, std::vector<float>& y) {
  // Per output channel: the bias, then each input channel and kernel tap added over the output
  // plane (rows and columns whose input falls in the padding skipped), in double. Output
  // channels are independent: they run on the default threads (the same sums on any number).
  const int64_t C = in[0], H = in[1], W = in[2], M = out[0], OH = out[1], OW = out[2];
  const int64_t cg = C / n.group, mg = M / n.group, kh = n.kernel[0], kw = n.kernel[1];
  y.assign(size_t(M * OH * OW), 0.0f);
  // Small layers stay on the calling thread (starting threads would cost more).
  const int threads = M * OH * OW * cg * kh * kw < (int64_t(1) << 22) ? 1 : 0;
#ifdef PCMSIM_X86
  if (has_avx512()) {
    // Blocks of up to 8 output channels of one group, on threads; each block's weights as
    // doubles in the order the kernel reads them.
    constexpr int64_t kBlock = 8;
    const ConvSegments sg = conv_segments(n, H, W, OH, OW);
    const int64_t taps = kh * kw, per_group = (mg + kBlock - 1) / kBlock;
    const int64_t blocks = n.group * per_group;
    std::vector<std::vector<double>> wd(size_t(worker_count(size_t(blocks), threads)));
    parallel_for(
        size_t(blocks),
        [&](size_t bi, int worker) {
          const int64_t g = int64_t(bi) / per_group, m0 = g * mg + int64_t(bi) % per_group * kBlock;
          const int64_t mb = std::min<int64_t>(kBlock, (g + 1) * mg - m0);
          // Pieces of 8, 4, 2 and 1 channels (the kernel's register tiles).
          for (int64_t p0 = m0; p0 < m0 + mb;) {
            const int64_t left = m0 + mb - p0;
            const int piece = left >= 8 ? 8 : left >= 4 ? 4 : left >= 2 ? 2 : 1;
            std::vector<double>& w = wd[size_t(worker)];
            w.resize(size_t(cg * taps * piece));
            const float* src = n.weight.data.data() + p0 * cg * taps;
            for (int64_t ct = 0; ct < cg * taps; ++ct)
              for (int b = 0; b < piece; ++b)
                w[size_t(ct * piece + b)] = double(src[b * cg * taps + ct]);
            double bias[8];
            for (int b = 0; b < piece; ++b)
              bias[b] = n.bias.data.empty() ? 0.0 : double(n.bias.data[size_t(p0 + b)]);
            const float* xg = x.data() + g * cg * H * W;
            float* yb = y.data() + p0 * OH * OW;
            const bool strided = n.stride[1] != 1;
            const int64_t sw = n.stride[1];
            switch (piece) {
              case 8:
                conv_block<8>(strided, sg, w.data(), bias, taps, sw, xg, cg, H * W, OW, yb,
                              OH * OW);
                break;
              case 4:
                conv_block<4>(strided, sg, w.data(), bias, taps, sw, xg, cg, H * W, OW, yb,
                              OH * OW);
                break;
              case 2:
                conv_block<2>(strided, sg, w.data(), bias, taps, sw, xg, cg, H * W, OW, yb,
                              OH * OW);
                break;
              default:
                conv_block<1>(strided, sg, w.data(), bias, taps, sw, xg, cg, H * W, OW, yb,
                              OH * OW);
            }
            p0 += piece;
          }
        },
        threads);
    return;
  }
#endif
  std::vector<std::vector<double>> accs(size_t(worker_count(size_t(M), threads)));
  parallel_for(
      size_t(M),
      [&](size_t mi, int worker) {
        const int64_t m = int64_t(mi);
        std::vector<double>& acc = accs[size_t(worker)];
        acc.resize(size_t(OH * OW));
        const int64_t g = m / mg;
        std::fill(acc.begin(), acc.end(),
                  n.bias.data.empty() ? 0.0 : double(n.bias.data[size_t(m)]));
        for (int64_t c = 0; c < cg; ++c) {
          const float* xc = x.data() + (g * cg + c) * H * W;
          for (int64_t i = 0; i < kh; ++i) {
            for (int64_t j = 0; j < kw; ++j) {
              const double w = n.weight.data[size_t(((m * cg + c) * kh + i) * kw + j)];
              // The output columns whose input column ow x stride - pad + j x dilation lies in
              // [0, W): ow in [lo, hi).
              const int64_t sw = n.stride[1], v0 = window_input(n, 1, 0, j);
              const int64_t lo = v0 >= 0 ? 0 : (-v0 + sw - 1) / sw;
              const int64_t hi = W - v0 <= 0 ? 0 : std::min(OW, (W - v0 + sw - 1) / sw);
              if (lo >= hi) continue;
              for (int64_t oh = 0; oh < OH; ++oh) {
                const int64_t h = window_input(n, 0, oh, i);
                if (h < 0 || h >= H) continue;
                const int64_t base = h * W + v0;  // input column v(ow) at xc[base + ow x sw]
                double* a = acc.data() + oh * OW;
                if (sw == 1) {
                  const float* row = xc + base + lo;
                  for (int64_t ow = lo; ow < hi; ++ow) a[ow] += w * double(row[ow - lo]);
                } else {
                  for (int64_t ow = lo; ow < hi; ++ow) a[ow] += w * double(xc[base + ow * sw]);
                }
              }
            }
          }
        }
        for (int64_t k = 0; k < OH * OW; ++k) y[size_t(m * OH * OW + k)] = float(acc[size_t(k)]);
      },
      threads);
}

}  // namespace pcmsim
