// The graph mapper: im2col matrices, splitting into arrays, placement, packing of groups,
// copies; BatchNorm folding.

#include <gtest/gtest.h>

#include <cmath>

#include "sim/base/error.h"
#include "tests/workloads/graph_builder.h"
#include "workloads/graph_mapper.h"

namespace pcmsim {
namespace {

TEST(Mapper, SplitsLayersIntoArrayBlocks) {
  GraphMapping m = map_graph(dense_chain({784, 256, 128, 10}, 1), {4, 4, 256, 256});
  ASSERT_EQ(m.layers.size(), 3u);
  EXPECT_EQ(m.layers[0].row_blocks, 4);  // ceil(784 / 256)
  EXPECT_EQ(m.layers[0].col_blocks, 1);
  EXPECT_EQ(m.layer_of_node, (std::vector<int>{0, -1, 1, -1, 2}));
  ASSERT_EQ(m.blocks.size(), 6u);
  EXPECT_EQ(m.blocks[3].row0, 768);
  EXPECT_EQ(m.blocks[3].rows, 16);  // 784 - 3 x 256
  // Placed in order: 4 cores per tile.
  EXPECT_EQ(m.blocks[3].tile, 0);
  EXPECT_EQ(m.blocks[4].tile, 1);
  EXPECT_EQ(m.blocks[4].core, 0);
  EXPECT_EQ(m.layers[1].home_tiles, (std::vector<int>{1}));
  EXPECT_NEAR(m.cell_utilization(), double(784 * 256 + 256 * 128 + 1280) / (6.0 * 65536), 1e-12);
  EXPECT_EQ(m.macs_per_image, 784 * 256 + 256 * 128 + 1280);
}

TEST(Mapper, SplitsColumnsToo) {
  GraphMapping m = map_graph(dense_chain({100, 70}, 1), {2, 8, 32, 32});
  EXPECT_EQ(m.layers[0].row_blocks, 4);
  EXPECT_EQ(m.layers[0].col_blocks, 3);
  EXPECT_EQ(m.blocks.size(), 12u);
  EXPECT_EQ(m.blocks[2].cols, 6);   // 70 - 2 x 32
  EXPECT_EQ(m.blocks[11].rows, 4);  // 100 - 3 x 32
  EXPECT_EQ(m.layers[0].tiles, (std::vector<int>{0, 1}));
}

TEST(Mapper, NetworkThatDoesNotFitSaysHowManyArraysAreMissing) {
  try {
    map_graph(dense_chain({784, 256, 128, 10}, 1), {1, 2, 256, 256});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "test: the network needs 6 arrays of 256x256, the chip has 2 (1 tiles x 2 "
                 "cores): 4 missing");
  }
}

TEST(Mapper, EachEncodingLevelHasItsOwnArray) {
  GraphMapping m = map_graph(dense_chain({64, 40}, 5), {2, 8, 32, 32, 3});
  ASSERT_EQ(m.blocks.size(), 2u * 2 * 3);
  EXPECT_EQ(m.blocks[0].level, 0);
  EXPECT_EQ(m.blocks[2].level, 2);
  EXPECT_EQ(m.blocks[2].col0, 0);
  EXPECT_EQ(m.blocks[3].col0, 32);
  EXPECT_EQ(m.blocks[3].level, 0);
  EXPECT_THROW(map_graph(dense_chain({64, 40}, 5), {1, 11, 32, 32, 3}), Error);  // needs 12
}

TEST(Mapper, ConvolutionIsIm2colPerGroupWithOneMvmPerOutputPixel) {
  // 6 input channels, 3x3 kernel, stride 2, pad 1, 2 groups: 12x12 -> 6x6 outputs.
  GraphBuilder b({6, 12, 12}, 3);
  int v = b.conv(b.graph().input, 8, 3, 2, 1, 2, "conv");
  Graph g = b.finish(v);
  GraphMapping m = map_graph(g, {1, 8, 16, 16}, {false, {}});
  const GraphLayer& l = m.layers[0];
  EXPECT_EQ(l.rows, 3 * 3 * 3);  // C/g * kh * kw
  EXPECT_EQ(l.cols, 4);          // M/g
  EXPECT_EQ(l.pixels, 36);
  EXPECT_EQ(l.row_blocks, 2);  // 27 rows on 16-row arrays
  EXPECT_EQ(l.blocks.size(), 4u);
  EXPECT_EQ(m.macs_per_image, 8 * 27 * 36);
  // Row (c, i, j) of group 1's matrix is weight [4 + m][c][i][j].
  std::vector<float> w = layer_matrix(g, l, 1);
  const GraphNode& n = g.nodes[0];
  EXPECT_EQ(w[size_t((1 * 9 + 2 * 3 + 0) * 4 + 3)],
            n.weight.data[size_t((4 + 3) * 27 + 1 * 9 + 6)]);
}

TEST(Mapper, SmallGroupsArePackedBlockDiagonally) {
  // Depthwise 3x3 on 10 channels: 9x1 per group; a 32x32 array holds 3 groups (27 rows).
  GraphBuilder b({10, 5, 5}, 4);
  int v = b.conv(b.graph().input, 10, 3, 1, 1, 10, "dw");
  Graph g = b.finish(v);
  GraphMapping packed = map_graph(g, {1, 8, 32, 32});
  GraphMapping single = map_graph(g, {2, 8, 32, 32}, {false, {}});
  EXPECT_EQ(packed.layers[0].pack, 3);
  ASSERT_EQ(packed.blocks.size(), 4u);  // groups 0-2, 3-5, 6-8, 9
  EXPECT_EQ(single.blocks.size(), 10u);
  EXPECT_EQ(packed.blocks[3].group, 9);
  EXPECT_EQ(packed.blocks[3].packed, 1);
  EXPECT_EQ(packed.blocks[1].rows, 27);
  EXPECT_EQ(packed.blocks[1].cols, 3);
  // Block 1 holds groups 3, 4, 5 on its diagonal and zeros elsewhere.
  std::vector<float> w = block_weights(g, packed, packed.blocks[1]);
  const GraphNode& n = g.nodes[0];
  for (int r = 0; r < 27; ++r) {
    for (int c = 0; c < 3; ++c) {
      const float expect = r / 9 == c ? n.weight.data[size_t((3 + c) * 9 + r % 9)] : 0.0f;
      EXPECT_EQ(w[size_t(r * 3 + c)], expect) << r << "," << c;
    }
  }
  EXPECT_NEAR(packed.layers[0].utilization, 90.0 / (4 * 1024.0), 1e-12);
}

TEST(Mapper, CopiesHoldAllWeightsAndTakeEveryNthPixel) {
  GraphBuilder b({3, 8, 8}, 5);
  int v = b.conv(b.graph().input, 16, 3, 1, 1, 1, "conv1");
  v = b.conv(v, 16, 3, 1, 1, 1, "conv2");
  Graph g = b.finish(v);
  GraphMapping m = map_graph(g, {2, 4, 32, 32}, {true, {{"conv1", 3}}});
  EXPECT_EQ(m.layers[0].replicas, 3);
  EXPECT_EQ(m.layers[0].arrays_per_replica(), 1);  // 27 x 16 fits one array
  EXPECT_EQ(m.layers[1].arrays_per_replica(), 5);  // 144 rows: 5 row blocks
  EXPECT_EQ(m.blocks[2].replica, 2);
  EXPECT_EQ(m.layers[0].home_tiles, (std::vector<int>{0, 0, 0}));
  EXPECT_EQ(m.macs_per_image, (27 + 144) * 16 * 64);  // copies add arrays, not MACs
  try {
    map_graph(g, {2, 4, 32, 32}, {true, {{"conv9", 2}}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no analog layer named 'conv9'"), std::string::npos);
  }
}

TEST(Mapper, MappingReportListsEveryNode) {
  GraphBuilder b({10, 5, 5}, 4);
  int v = b.conv(b.graph().input, 10, 3, 1, 1, 10, "dw");
  v = b.unary(GraphOp::Relu, v, "act");
  Graph g = b.finish(v);
  std::string r = mapping_report(g, map_graph(g, {1, 8, 32, 32}));
  EXPECT_NE(r.find("dw"), std::string::npos) << r;
  EXPECT_NE(r.find("9x1"), std::string::npos) << r;
  EXPECT_NE(r.find("act"), std::string::npos) << r;
  EXPECT_NE(r.find("digital"), std::string::npos) << r;
  EXPECT_NE(r.find("4 of 8 arrays of 32x32 used"), std::string::npos) << r;
}

TEST(BatchNormFold, FoldedConvAndDenseComputeWhatTheyDidWithTheAffine) {
  GraphBuilder b({3, 6, 6}, 6);
  int v = b.conv(b.graph().input, 4, 3, 1, 1, 1, "conv", false);
  v = b.batchnorm(v, "bn1");
  v = b.unary(GraphOp::Relu, v, "relu");
  v = b.unary(GraphOp::Flatten, v, "flat");
  v = b.dense(v, 5, "fc");
  v = b.unary(GraphOp::Identity, v, "id");  // BatchNorm1d after the Dense
  Graph g = b.finish(v);
  // BatchNorm1d on the Dense output, added by hand (5 features).
  GraphNode bn;
  bn.name = "bn2";
  bn.op = GraphOp::BatchNorm;
  bn.onnx_op = "BatchNormalization";
  bn.inputs = {g.nodes[4].output};
  bn.scale = {0.5f, 2.0f, -1.0f, 1.5f, 0.25f};
  bn.shift = {0.1f, -0.2f, 0.3f, 0.0f, 1.0f};
  bn.output = int(g.values.size());
  g.values.push_back({"bn2", {5}});
  g.nodes[5].inputs = {bn.output};
  g.nodes.insert(g.nodes.begin() + 5, bn);
  std::vector<float> x(108);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(std::sin(double(i)));
  std::vector<float> before = run_reference(g, x.data());
  Graph f = g;
  EXPECT_EQ(fold_batchnorm(f), 2);
  EXPECT_EQ(f.nodes[1].op, GraphOp::Identity);
  EXPECT_EQ(f.nodes[5].op, GraphOp::Identity);
  EXPECT_EQ(f.nodes[0].bias.data.size(), 4u);  // created by the fold
  std::vector<float> after = run_reference(f, x.data());
  for (size_t k = 0; k < before.size(); ++k)
    EXPECT_NEAR(after[k], before[k], 1e-5 * (1 + std::fabs(before[k])));
}

TEST(BatchNormFold, ABatchNormWhoseInputIsReadElsewhereStays) {
  GraphBuilder b({2, 4, 4}, 7);
  int c = b.conv(b.graph().input, 2, 3, 1, 1, 1, "conv");
  int n = b.batchnorm(c, "bn");
  int v = b.add(c, n, "sum");  // the conv output is read twice
  Graph g = b.finish(v);
  EXPECT_EQ(fold_batchnorm(g), 0);
  EXPECT_EQ(g.nodes[1].op, GraphOp::BatchNorm);
}

}  // namespace
}  // namespace pcmsim
