// The schedule compiler (plain C++): the rows of an input each output row needs, from one window
// formula for convolutions and pooling (dilation included), and what it asks of the chip's
// buffers.

#include "sim/schedule/schedule.h"

#include <gtest/gtest.h>

#include "tests/workloads/graph_builder.h"

namespace pcmsim {
namespace {

TEST(Schedule, ADilatedMaxPoolNeedsTheRowsItsDilatedWindowSpans) {
  // MaxPool 2x2, stride 1, dilation 2 on 4 x 8 x 8 (pipelined steps track the 8 rows): output
  // row r reads input rows r and r + 2, so it needs rows r .. r + 2 (6 output rows). Without
  // the dilation it would read rows r .. r + 1 only.
  GraphBuilder b({4, 8, 8}, 1);
  int c = b.conv(b.graph().input, 4, 1, 1, 0, 1, "conv");  // stores the pool's input by rows
  int p = b.maxpool(c, 2, "pool");
  Graph g = b.finish(p);
  GraphNode& pool = g.nodes[1];
  pool.stride[0] = pool.stride[1] = 1;
  pool.dilation[0] = pool.dilation[1] = 2;
  g.values[size_t(pool.output)].shape = {4, 6, 6};
  GraphMapping map = map_graph(g, {1, 4, 16, 16, 1});
  Schedule s(g, map, {1, 2});
  ASSERT_EQ(s.steps().size(), 2u);
  const Step& st = s.step(1);
  ASSERT_EQ(st.inputs.size(), 1u);
  EXPECT_EQ(st.inputs[0].kind, WindowKind::Kernel);
  EXPECT_EQ(st.inputs[0].rows, 8);
  EXPECT_EQ(st.out_rows, 6);
  for (int64_t r = 0; r < 6; ++r) {
    const RowWindow w = s.window(1, 0, r);
    EXPECT_EQ(w.lo, r) << r;
    EXPECT_EQ(w.hi, r + 2) << r;
  }
}

TEST(Schedule, AStridedPaddedConvolutionsRowsAreClippedToTheInput) {
  // 3x3 conv, stride 2, pad 1 on 2 x 7 x 7 -> 4 x 4 outputs: output row r reads input rows
  // 2r - 1 .. 2r + 1, the first clipped at row 0 and the last at row 6.
  GraphBuilder b({2, 7, 7}, 2);
  int c = b.conv(b.graph().input, 4, 3, 2, 1, 1, "conv");
  Graph g = b.finish(c);
  GraphMapping map = map_graph(g, {1, 4, 32, 16, 1});
  Schedule s(g, map, {1, 2});
  const std::vector<RowWindow> want = {{0, 1}, {1, 3}, {3, 5}, {5, 6}};
  ASSERT_EQ(s.step(0).out_rows, 4);
  for (int64_t r = 0; r < 4; ++r) {
    EXPECT_EQ(s.window(0, 0, r).lo, want[size_t(r)].lo) << r;
    EXPECT_EQ(s.window(0, 0, r).hi, want[size_t(r)].hi) << r;
  }
  // One tile holds the layer's array: its share is the whole input (2 x 49 B).
  ASSERT_EQ(s.step(0).work.size(), 1u);
  EXPECT_EQ(s.step(0).work[0].share_bytes, 98u);
}

TEST(Schedule, RowsSplitAValueIntoEqualPartsTheLastTakingTheRest) {
  EXPECT_EQ(Schedule::row_part(10, 3, 0), 3u);
  EXPECT_EQ(Schedule::row_part(10, 3, 1), 3u);
  EXPECT_EQ(Schedule::row_part(10, 3, 2), 4u);
  EXPECT_EQ(Schedule::row_part(10, 1, 0), 10u);
}

}  // namespace
}  // namespace pcmsim
