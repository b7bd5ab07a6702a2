#pragma once
// The schedule compiler: turns a mapped graph into the steps the chip runs and everything its
// modules need to know about them, computed once at load and kept as data (no SystemC here).
//
// A step is an analog layer (a Conv/Dense node on arrays, with the element-wise nodes that follow
// it fused) or a digital node on one tile's digital unit (with its fused nodes); views join a
// neighbouring step. Values live in the global buffer between the step that stores them and the
// last step that reads them, tracked per row (the height of a [C, H, W] value; one row
// otherwise). For each step the schedule gives its inputs and the rows of each that an output
// row needs, and, for an analog step, what each tile holding its arrays does: the copies of the
// layer on it, the input bytes it receives and needs at once, the partial sums it adds and sends.

#include <cstdint>
#include <string>
#include <vector>

#include "models/tech/tech_table.h"
#include "workloads/graph.h"
#include "workloads/graph_mapper.h"

namespace pcmsim {

/// @brief The rows [lo, hi] of an input that one output row needs.
struct RowWindow {
  int64_t lo = 0, hi = 0;
};

/// @brief How a step's output rows depend on the rows of one of its inputs.
enum class WindowKind {
  All,      ///< every row (a dense layer, a global pool, anything reshaping)
  SameRow,  ///< row r of an input as tall as the output (element-wise nodes)
  Kernel    ///< a convolution's or pooling window's rows (kernel, stride, padding, dilation)
};

/// @brief One input of a step.
struct StepInput {
  int value = -1;          ///< the value the step's node reads (possibly a view)
  std::vector<int> bases;  ///< the stored values behind it
  int64_t rows = 1;        ///< rows the schedule tracks (1 for views and values not [C, H, W])
  uint64_t bytes = 0;      ///< whole value, at activation_bits
  WindowKind kind = WindowKind::All;
};

/// @brief One copy of an analog layer on one tile.
struct CopyWork {
  int copy = 0;
  int home = 0;             ///< tile that assembles this copy's outputs
  std::vector<int> blocks;  ///< positions in the layer's blocks of this tile's arrays of the copy
  uint64_t vec_bytes = 0;   ///< input bytes its cores read per pixel (their distinct row blocks)
  uint64_t send_bytes = 0;  ///< partial-sum bytes per pixel sent to the home tile (0 on it)
  uint64_t local_adds = 0;  ///< additions per pixel before sending (blocks sharing columns)
  uint64_t values = 0;      ///< partial-sum values per pixel it hands the home tile
};

/// @brief What one tile does in one analog step.
struct TileWork {
  int tile = 0;
  uint64_t share_bytes = 0;  ///< input bytes its arrays use (per image), sent by unicast
  std::vector<CopyWork> copies;
};

/// @brief One step of the schedule.
struct Step {
  int index = 0;
  std::string name;
  int layer = -1;          ///< analog layer, or -1 for a digital step
  int node = -1;           ///< its main node
  std::vector<int> nodes;  ///< graph nodes it runs, in order (views included)
  int tile = 0;            ///< digital step: the tile whose unit runs it
  OpCounts ops;            ///< digital step: element operations of the main node
  OpCounts fused_ops;      ///< element operations of the fused nodes (and the bias)
  std::vector<StepInput> inputs;
  uint64_t in_bytes = 0, out_bytes = 0;
  int out_value = -1;               ///< the value it stores (-1: views only)
  int64_t out_rows = 1;             ///< rows of its stored value
  int64_t pixels = 1;               ///< analog: output pixels of the layer (all copies together)
  int64_t out_width = 1;            ///< analog: pixels per output row
  int replicas = 1;                 ///< analog: copies of the layer
  std::vector<uint64_t> copy_adds;  ///< analog: home-tile additions per pixel, per copy
  std::vector<std::vector<int>> sources;  ///< analog: per copy, the tiles that contribute
  std::vector<TileWork> work;             ///< analog: per tile holding its arrays
  std::vector<int> release;               ///< values no later step reads
  std::vector<int> producers;             ///< steps whose outputs it reads (-1: the image)
  std::vector<int> consumers;             ///< steps that read its output
  bool analog() const { return layer >= 0; }
};

/// @brief What the schedule needs to know of the chip.
struct ScheduleOptions {
  int activation_bytes = 1;
  int psum_bytes = 2;
};

class Schedule {
 public:
  Schedule() = default;
  Schedule(const Graph& g, const GraphMapping& map, const ScheduleOptions& opt);

  const std::vector<Step>& steps() const { return m_steps; }
  const Step& step(int s) const { return m_steps[size_t(s)]; }
  /// @brief The rows of input @p i of step @p s that its output row @p r needs.
  RowWindow window(int s, int i, int64_t r) const;
  /// @brief Bytes of row @p r of a value of @p bytes in @p rows rows (equal parts, the last one
  /// taking the remainder).
  static uint64_t row_part(uint64_t bytes, int64_t rows, int64_t r);
  /// @brief Rows the schedule tracks of stored value @p v.
  int64_t rows_of(int v) const { return m_rows[size_t(v)]; }
  /// @brief The stored values behind value @p v (itself, or a view's bases).
  const std::vector<int>& bases(int v) const { return m_base[size_t(v)]; }
  /// @brief Bytes of value @p v at activation_bits.
  uint64_t value_bytes(int v) const;
  /// @brief Largest bytes of stored values live at one step.
  uint64_t peak_live_bytes() const { return m_peak_live; }
  /// @brief Bytes live at step @p s.
  uint64_t live_bytes(int s) const { return m_live[size_t(s)]; }
  /// @brief Whether value @p v is stored in the global buffer (not a view, not streamed inside
  /// its step).
  bool stored(int v) const { return m_stored[size_t(v)] != 0; }
  int activation_bytes() const { return m_act; }

 private:
  void make_steps(const Graph& g, const GraphMapping& map);
  void place_values(const Graph& g, const GraphMapping& map);
  void link_steps(const Graph& g);
  void make_inputs(const Graph& g);
  void make_tile_work(const Graph& g, const GraphMapping& map);

  const Graph* m_g = nullptr;
  int m_act = 1, m_psum = 2;
  std::vector<Step> m_steps;
  std::vector<std::vector<int>> m_base;  ///< per value: the stored values a view reads
  std::vector<int> m_step_of;            ///< per value: the step that writes it (-1: none)
  std::vector<int> m_last_read;          ///< per value: the last step that reads it
  std::vector<char> m_stored;
  std::vector<int64_t> m_rows;
  std::vector<uint64_t> m_live;
  uint64_t m_peak_live = 0;
};

}  // namespace pcmsim
