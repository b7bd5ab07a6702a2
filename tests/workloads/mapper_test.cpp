#include "workloads/mapper.h"

#include <gtest/gtest.h>

#include "sim/framework/error.h"

namespace pcmsim {
namespace {

Network dense_net(const std::vector<int64_t>& sizes, bool relu) {
  Network n;
  n.source = "test.onnx";
  n.input_shape = {sizes[0]};
  for (size_t i = 0; i + 1 < sizes.size(); ++i) {
    Layer l;
    l.name = "fc" + std::to_string(i + 1);
    l.op = LayerOp::Dense;
    l.in = sizes[i];
    l.out = sizes[i + 1];
    l.weight.assign(size_t(l.in * l.out), 0.1f);
    n.layers.push_back(l);
    if (relu && i + 2 < sizes.size()) {
      Layer r;
      r.name = "relu" + std::to_string(i + 1);
      r.op = LayerOp::Relu;
      r.in = r.out = l.out;
      n.layers.push_back(r);
    }
  }
  return n;
}

TEST(Mapper, SplitsLayersIntoArrayBlocks) {
  Mapping m = map_network(dense_net({784, 256, 128, 10}, true), {4, 4, 256, 256});
  ASSERT_EQ(m.layers.size(), 3u);
  EXPECT_EQ(m.layers[0].row_blocks, 4);  // ceil(784 / 256)
  EXPECT_EQ(m.layers[0].col_blocks, 1);
  EXPECT_TRUE(m.layers[0].relu);
  EXPECT_TRUE(m.layers[1].relu);
  EXPECT_FALSE(m.layers[2].relu);
  ASSERT_EQ(m.blocks.size(), 6u);
  EXPECT_EQ(m.blocks[3].row0, 768);
  EXPECT_EQ(m.blocks[3].rows, 16);  // 784 - 3 x 256
  // Placed in order: 4 cores per tile.
  EXPECT_EQ(m.blocks[3].tile, 0);
  EXPECT_EQ(m.blocks[4].tile, 1);
  EXPECT_EQ(m.blocks[4].core, 0);
  EXPECT_EQ(m.layers[1].home_tile, 1);
  EXPECT_NEAR(m.cell_utilization(), double(784 * 256 + 256 * 128 + 1280) / (6.0 * 65536), 1e-12);
}

TEST(Mapper, SplitsColumnsToo) {
  Mapping m = map_network(dense_net({100, 70}, false), {2, 8, 32, 32});
  EXPECT_EQ(m.layers[0].row_blocks, 4);
  EXPECT_EQ(m.layers[0].col_blocks, 3);
  EXPECT_EQ(m.blocks.size(), 12u);
  EXPECT_EQ(m.blocks[2].cols, 6);   // 70 - 2 x 32
  EXPECT_EQ(m.blocks[11].rows, 4);  // 100 - 3 x 32
  EXPECT_EQ(m.layers[0].tiles, (std::vector<int>{0, 1}));
}

TEST(Mapper, NetworkThatDoesNotFitSaysHowManyArraysAreMissing) {
  try {
    map_network(dense_net({784, 256, 128, 10}, true), {1, 2, 256, 256});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "test.onnx: the network needs 6 arrays of 256x256, the chip has 2 (1 tiles x 2 "
                 "cores): 4 missing");
  }
}

}  // namespace
}  // namespace pcmsim
