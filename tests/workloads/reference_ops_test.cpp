// The FP32 reference's convolution and pooling (their vectorized loops) against their
// definitions written out, bit for bit.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "sim/base/rng.h"
#include "tests/workloads/graph_builder.h"
#include "workloads/graph.h"

namespace pcmsim {
namespace {

TEST(GraphReference, PoolingHasTheBitsOfItsDefinition) {
  // Max and average pooling against their definition written out: each output's window taps in
  // order (kernel row, then column), those in the padding skipped; the average divides by the
  // taps inside, or with count_include_pad by those inside the padded extent (not beyond it:
  // ceil-mode windows). Inputs with zeros of both signs (a max keeps the first of equal zeros).
  struct Case {
    bool max;
    int kh, kw, sh, sw, dh, dw;
    int pad[4];  // top, left, bottom, right
    bool include_pad, ceil;
  };
  const Case cases[] = {
      {true, 3, 3, 2, 2, 1, 1, {1, 1, 1, 1}, false, false},   // the ResNet stem's
      {false, 3, 3, 1, 1, 1, 1, {1, 1, 1, 1}, true, false},   // average, padding counted
      {false, 3, 3, 1, 1, 1, 1, {1, 1, 1, 1}, false, false},  // average, padding not counted
      {false, 2, 2, 2, 2, 1, 1, {0, 0, 0, 0}, true, true},    // ceil: windows past the edge
      {true, 2, 3, 1, 2, 2, 2, {1, 2, 0, 1}, false, false},   // dilated, asymmetric pads
      {false, 3, 2, 2, 3, 1, 1, {2, 1, 1, 0}, true, true},    // ceil beyond the padded extent
  };
  const int64_t C = 3, H = 9, W = 11;
  uint64_t seed = 40;
  for (const Case& cs : cases) {
    GraphBuilder b({C, H, W}, ++seed);
    const int v = b.maxpool(0, 2, "pool");
    Graph& g = b.graph();
    GraphNode& n = g.nodes.back();
    if (!cs.max) {
      n.op = GraphOp::AveragePool;
      n.onnx_op = "AveragePool";
    }
    n.kernel[0] = cs.kh;
    n.kernel[1] = cs.kw;
    n.stride[0] = cs.sh;
    n.stride[1] = cs.sw;
    n.dilation[0] = cs.dh;
    n.dilation[1] = cs.dw;
    for (int i = 0; i < 4; ++i) n.pad[i] = cs.pad[i];
    n.count_include_pad = cs.include_pad;
    auto extent = [&](int64_t size, int p0, int p1, int k, int s, int d) {
      const int64_t span = size + p0 + p1 - d * (k - 1) - 1;
      return (cs.ceil ? (span + s - 1) / s : span / s) + 1;
    };
    const int64_t OH = extent(H, cs.pad[0], cs.pad[2], cs.kh, cs.sh, cs.dh);
    const int64_t OW = extent(W, cs.pad[1], cs.pad[3], cs.kw, cs.sw, cs.dw);
    g.values[size_t(v)].shape = {C, OH, OW};
    Graph graph = b.finish(v);
    std::vector<float> x(size_t(C * H * W));
    RngStream r(seed, DrawKind::Fault, 2, 2);
    for (size_t i = 0; i < x.size(); ++i)
      x[i] = i % 5 == 0 ? (i % 10 == 0 ? -0.0f : 0.0f) : float(r.normal(i));
    const std::vector<float> y = run_reference(graph, x.data());
    ASSERT_EQ(y.size(), size_t(C * OH * OW));
    for (int64_t c = 0; c < C; ++c)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double acc = cs.max ? -INFINITY : 0.0;
          int64_t count = 0;
          for (int i = 0; i < cs.kh; ++i)
            for (int j = 0; j < cs.kw; ++j) {
              const int64_t h = oh * cs.sh - cs.pad[0] + i * cs.dh;
              const int64_t w = ow * cs.sw - cs.pad[1] + j * cs.dw;
              if (h < 0 || h >= H || w < 0 || w >= W) {
                count += cs.include_pad && h < H + cs.pad[2] && w < W + cs.pad[3];
                continue;
              }
              const double t = x[size_t((c * H + h) * W + w)];
              if (cs.max) {
                acc = acc < t ? t : acc;
              } else {
                acc = acc + t;
                ++count;
              }
            }
          const float want = float(cs.max ? acc : (count ? acc / double(count) : 0.0));
          const float got = y[size_t((c * OH + oh) * OW + ow)];
          ASSERT_EQ(std::memcmp(&want, &got, sizeof want), 0)
              << (cs.max ? "max" : "average") << " " << cs.kh << "x" << cs.kw << ": output (" << c
              << ", " << oh << ", " << ow << ") " << got << " vs " << want;
        }
  }
}

// The reference convolution (vectorized where the machine allows) against the definition
// written out here: each output the bias, then w x x for every input channel, kernel row and
// kernel column in that order, taps in the padding skipped, in double with one rounding per
// multiply and per add, then rounded to float. Bit for bit, over strides, dilations,
// asymmetric pads, groups and rows of every length modulo the vector width.
TEST(GraphReference, ConvolutionHasTheBitsOfItsDefinition) {
  struct Case {
    int64_t C, H, W, M;
    int k, sh, sw, dh, dw, group;
    int pad[4];  // top, left, bottom, right
  };
  const Case cases[] = {
      {3, 23, 29, 5, 7, 2, 2, 1, 1, 1, {3, 3, 3, 3}},  // a stem: 7 x 7, stride 2
      {4, 9, 17, 6, 3, 1, 1, 1, 1, 1, {1, 1, 1, 1}},   // 3 x 3, 'same'
      {6, 8, 8, 6, 3, 1, 1, 1, 1, 6, {1, 1, 1, 1}},    // depthwise
      {4, 10, 21, 4, 3, 1, 1, 2, 2, 2, {2, 0, 1, 3}},  // dilated, asymmetric pads, groups
      {8, 7, 7, 3, 1, 2, 2, 1, 1, 1, {0, 0, 0, 0}},    // 1 x 1, stride 2
      {2, 5, 40, 3, 2, 1, 3, 1, 1, 1, {0, 1, 0, 2}},   // stride 3 along the row
      {2, 3, 1, 2, 3, 1, 1, 1, 1, 1, {1, 1, 1, 1}},    // one column
      {1, 12, 12, 2, 5, 3, 1, 1, 2, 1, {2, 4, 2, 0}},  // wider than the rows' padding
      // Register tiles of 8, 4, 2 and 1 channels; row segments not a multiple of the tile's.
      {5, 11, 13, 15, 3, 1, 1, 1, 1, 1, {1, 1, 1, 1}},  // 15 channels: 8 + 4 + 2 + 1
      {4, 9, 10, 22, 3, 2, 2, 1, 1, 1, {1, 1, 1, 1}},   // strided, 22: 8 + 8 + 4 + 2
      {12, 6, 7, 18, 1, 1, 1, 1, 1, 2, {0, 0, 0, 0}},   // two groups of 9: 8 + 1 each
  };
  uint64_t seed = 7;
  for (const Case& cs : cases) {
    GraphBuilder b({cs.C, cs.H, cs.W}, ++seed);
    const int v = b.conv(0, cs.M, cs.k, 1, 0, cs.group, "conv");
    Graph& g = b.graph();
    GraphNode& n = g.nodes.back();
    n.stride[0] = cs.sh;
    n.stride[1] = cs.sw;
    n.dilation[0] = cs.dh;
    n.dilation[1] = cs.dw;
    for (int i = 0; i < 4; ++i) n.pad[i] = cs.pad[i];
    const int64_t OH = (cs.H + cs.pad[0] + cs.pad[2] - cs.dh * (cs.k - 1) - 1) / cs.sh + 1;
    const int64_t OW = (cs.W + cs.pad[1] + cs.pad[3] - cs.dw * (cs.k - 1) - 1) / cs.sw + 1;
    g.values[size_t(v)].shape = {cs.M, OH, OW};
    n.bias.data[0] = -0.0f;  // a channel whose first sums start from a negative zero
    Graph graph = b.finish(v);
    std::vector<float> x(size_t(cs.C * cs.H * cs.W));
    RngStream r(seed, DrawKind::Fault, 1, 1);
    for (size_t i = 0; i < x.size(); ++i) x[i] = float(r.normal(i));
    x[3] = -0.0f;
    const std::vector<float> y = run_reference(graph, x.data());
    const GraphNode& c = graph.nodes.back();
    const int64_t cg = cs.C / cs.group, mg = cs.M / cs.group;
    ASSERT_EQ(y.size(), size_t(cs.M * OH * OW));
    for (int64_t m = 0; m < cs.M; ++m)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double acc = double(c.bias.data[size_t(m)]);
          for (int64_t ci = 0; ci < cg; ++ci)
            for (int64_t i = 0; i < cs.k; ++i)
              for (int64_t j = 0; j < cs.k; ++j) {
                const int64_t h = oh * cs.sh - cs.pad[0] + i * cs.dh;
                const int64_t w = ow * cs.sw - cs.pad[1] + j * cs.dw;
                if (h < 0 || h >= cs.H || w < 0 || w >= cs.W) continue;
                const double wt = c.weight.data[size_t(((m * cg + ci) * cs.k + i) * cs.k + j)];
                const double prod =
                    wt * double(x[size_t(((m / mg * cg + ci) * cs.H + h) * cs.W + w)]);
                acc = acc + prod;
              }
          const float want = float(acc), got = y[size_t((m * OH + oh) * OW + ow)];
          ASSERT_EQ(std::memcmp(&want, &got, sizeof want), 0)
              << "kernel " << cs.k << " stride " << cs.sh << "x" << cs.sw << ": output (" << m
              << ", " << oh << ", " << ow << ") " << got << " vs " << want;
        }
  }
}

}  // namespace
}  // namespace pcmsim
