// im2col of the functional path: the rows of a convolution's patch that each array reads,
// gathered from the layer's input (GraphAnalogNetwork's gather tables and gather()).

#include <algorithm>
#include <cstdint>
#include <limits>

#include "sim/base/avx512.h"
#include "sim/base/error.h"
#include "sim/functional/graph_network.h"

namespace pcmsim {

void GraphAnalogNetwork::build_gather_tables() {
  // Per array of a convolution, per row: where its input sits relative to the patch's corner
  // (channel, kernel row and column; dilation), so that gathering a patch is one add per row.
  m_gather.resize(m_map.blocks.size());
  for (const GraphLayer& l : m_map.layers) {
    const GraphNode& n = m_g.nodes[size_t(l.node)];
    if (n.op != GraphOp::Conv) continue;
    const Shape& in_shape = m_g.values[size_t(n.inputs[0])].shape;
    const int64_t H = in_shape[1], W = in_shape[2], cg = in_shape[0] / n.group;
    const int kh = n.kernel[0], kw = n.kernel[1], kk = kh * kw;
    if (numel(in_shape) > std::numeric_limits<int32_t>::max()) {
      throw Error(n.name + ": its input has " + std::to_string(numel(in_shape)) +
                  " values, more than a convolution's input may have (2^31 - 1)");
    }
    for (int bi : l.blocks) {
      const GraphBlock& blk = m_map.blocks[size_t(bi)];
      GatherTable& t = m_gather[size_t(bi)];
      const int rows_g = blk.rows / blk.packed;
      for (int j = 0; j < blk.packed; ++j) {
        for (int r = 0; r < rows_g; ++r) {
          const int row = blk.row0 + r, c = row / kk, i = (row / kw) % kh, jj = row % kw;
          const int dh = i * n.dilation[0], dw = jj * n.dilation[1];
          t.offset.push_back(
              int32_t((int64_t(blk.group + j) * cg + c) * H * W + int64_t(dh) * W + dw));
          t.dh.push_back(dh);
          t.dw.push_back(dw);
          t.max_dh = std::max(t.max_dh, dh);
          t.max_dw = std::max(t.max_dw, dw);
        }
      }
    }
  }
}

namespace {
#ifdef PCMSIM_X86
PCMSIM_AVX512_BEGIN
/// gather_rows() with AVX-512's gather, 16 rows an instruction (GCC does not vectorize the loop
/// into gathers for a generic target).
PCMSIM_AVX512 void gather_rows_avx512(const float* base, const int32_t* offset, size_t n,
                                      float* dst) {
  size_t r = 0;
  for (; r + 16 <= n; r += 16) {
    const __m512i at = _mm512_loadu_si512(offset + r);
    _mm512_storeu_ps(dst + r, _mm512_i32gather_ps(at, base, 4));
  }
  if (r < n) {
    const __mmask16 left = __mmask16((1u << (n - r)) - 1u);
    const __m512i at = _mm512_maskz_loadu_epi32(left, offset + r);
    _mm512_mask_storeu_ps(dst + r, left,
                          _mm512_mask_i32gather_ps(_mm512_setzero_ps(), left, at, base, 4));
  }
}

/// The rows of a patch that reaches into the padding: row r reads input (h0 + dh[r], w0 +
/// dw[r]) at index corner + offset[r] where that lies inside the H x W plane, 0 elsewhere.
PCMSIM_AVX512 void gather_border_avx512(const float* in, int32_t H, int32_t W, int32_t h0,
                                        int32_t w0, int32_t corner, const int32_t* offset,
                                        const int32_t* dh, const int32_t* dw, size_t n,
                                        float* dst) {
  const __m512i vh0 = _mm512_set1_epi32(h0), vw0 = _mm512_set1_epi32(w0);
  const __m512i vH = _mm512_set1_epi32(H), vW = _mm512_set1_epi32(W);
  const __m512i vc = _mm512_set1_epi32(corner), zero = _mm512_setzero_si512();
  for (size_t r = 0; r < n; r += 16) {
    const __mmask16 left = n - r >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (n - r)) - 1u);
    const __m512i h = _mm512_add_epi32(vh0, _mm512_maskz_loadu_epi32(left, dh + r));
    const __m512i w = _mm512_add_epi32(vw0, _mm512_maskz_loadu_epi32(left, dw + r));
    __mmask16 inside = _mm512_mask_cmpge_epi32_mask(left, h, zero);
    inside = _mm512_mask_cmplt_epi32_mask(inside, h, vH);
    inside = _mm512_mask_cmpge_epi32_mask(inside, w, zero);
    inside = _mm512_mask_cmplt_epi32_mask(inside, w, vW);
    const __m512i at = _mm512_add_epi32(vc, _mm512_maskz_loadu_epi32(left, offset + r));
    _mm512_mask_storeu_ps(dst + r, left,
                          _mm512_mask_i32gather_ps(_mm512_setzero_ps(), inside, at, in, 4));
  }
}
PCMSIM_AVX512_END
#endif

/// dst[r] = base[offset[r]].
void gather_rows(const float* base, const int32_t* offset, size_t n, float* dst) {
#ifdef PCMSIM_X86
  if (has_avx512()) {
    gather_rows_avx512(base, offset, n, dst);
    return;
  }
#endif
  for (size_t r = 0; r < n; ++r) dst[r] = base[offset[r]];
}
}  // namespace

void GraphAnalogNetwork::gather(const GraphLayer& l, const GraphBlock& blk,
                                const std::vector<float>& in, int64_t p, float* dst) const {
  // Rows row0.. of the patch of pixel p of each group on the block (im2col, zeros in the
  // padding); a dense layer's rows are its input's.
  const GraphNode& n = m_g.nodes[size_t(l.node)];
  if (n.op != GraphOp::Conv) {
    std::copy(in.data() + blk.row0, in.data() + blk.row0 + blk.rows, dst);
    return;
  }
  const Shape& in_shape = m_g.values[size_t(n.inputs[0])].shape;
  const Shape& out_shape = m_g.values[size_t(n.output)].shape;
  const int64_t H = in_shape[1], W = in_shape[2], OW = out_shape[2];
  const int64_t h0 = window_input(n, 0, p / OW, 0), w0 = window_input(n, 1, p % OW, 0);
  const GatherTable& t = m_gather[size_t(&blk - m_map.blocks.data())];
  const int64_t corner = h0 * W + w0;  // may lie in the padding: an index, not a pointer
  const size_t rows = t.offset.size();
  if (h0 >= 0 && w0 >= 0 && h0 + t.max_dh < H && w0 + t.max_dw < W) {  // inside: no padding
    gather_rows(in.data() + corner, t.offset.data(), rows, dst);
    return;
  }
#ifdef PCMSIM_X86
  if (has_avx512()) {
    gather_border_avx512(in.data(), int32_t(H), int32_t(W), int32_t(h0), int32_t(w0),
                         int32_t(corner), t.offset.data(), t.dh.data(), t.dw.data(), rows, dst);
    return;
  }
#endif
  for (size_t r = 0; r < rows; ++r) {
    const int64_t h = h0 + t.dh[r], w = w0 + t.dw[r];
    dst[r] = (h >= 0 && h < H && w >= 0 && w < W) ? in[size_t(corner + t.offset[r])] : 0.0f;
  }
}

}  // namespace pcmsim
