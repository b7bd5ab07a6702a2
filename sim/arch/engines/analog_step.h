#pragma once
// The processes of an analog step on the tiles that hold its arrays.
//
// CopyEngine (one per copy of the layer on a tile): for each output pixel of its copy, in order,
// waits until the input rows the pixel's window needs are in the tile's input buffer, reads the
// pixel's input vector (the rows of its arrays' distinct row blocks) out of the buffer, carries
// it on the tile bus if there is one, and puts it into the input register of each of the copy's
// cores on the tile (waiting while one is full); then lets the rows it no longer needs go.
//
// Combiner (one per copy on a tile): once all of the copy's cores on the tile have a pixel's
// partial sums in their output registers, hands them on: on the copy's home tile into its
// accumulator; elsewhere, after adding those that share columns on the tile's digital unit, as a
// message to the home tile, once the home's accumulator window takes the pixel.
//
// Assembler (one per copy, on its home tile): a window of `window` pixels. Once every tile of
// the copy has contributed a pixel's partial sums, its digital unit adds them, the bias and the
// fused element-wise nodes, and the pixel's outputs go to the global buffer; the window moves on.

#include <cstdint>
#include <memory>
#include <systemc>
#include <vector>

#include "sim/arch/common/credits.h"
#include "sim/arch/engines/fabric.h"
#include "sim/arch/noc/interconnect.h"
#include "sim/base/stats.h"

namespace pcmsim {

class Core;
class Partition;
class Tile;
class Assembler;

/// @brief Stall and wait counters of one step, attributed to it; shared by its processes.
struct StepCounters {
  Counter* rows_wait = nullptr;    ///< readers waiting for input rows to arrive
  Counter* input_full = nullptr;   ///< vectors waiting for room in a core's input register
  Counter* window_full = nullptr;  ///< partial sums waiting for the home's accumulator window
  Counter* queue_full = nullptr;   ///< messages waiting for room in an NI's send queue
  Counter* buffer_full = nullptr;  ///< feeder rows waiting for room in a tile's input buffer
  Counter* unit_wait = nullptr;    ///< jobs waiting for a busy digital unit
};

class CopyEngine : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(CopyEngine);
  CopyEngine(sc_core::sc_module_name name, Fabric& f, Tile& tile, int step, int work, int copy_pos,
             int reader, Partition& part, std::vector<Core*> cores, const StepCounters& c);

 private:
  void run();
  Fabric& m_f;
  Tile& m_tile;
  int m_step, m_work, m_pos, m_reader;
  Partition& m_part;
  std::vector<Core*> m_cores;
  StepCounters m_c;
  sc_core::sc_event m_wake;
};

class Combiner : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Combiner);
  Combiner(sc_core::sc_module_name name, Fabric& f, Tile& tile, int step, int work, int copy_pos,
           std::vector<Core*> cores, const StepCounters& c);
  /// @brief A core of the copy finished pixel @p pixel of @p slot.
  void core_done(int slot, int64_t pixel);
  void set_home(Assembler* home) { m_home = home; }

 private:
  void run();
  Fabric& m_f;
  Tile& m_tile;
  int m_step, m_work, m_pos;
  std::vector<Core*> m_cores;
  StepCounters m_c;
  Assembler* m_home = nullptr;
  uint64_t m_results = 0;  ///< results the cores handed over (all cores: pixels x cores)
  sc_core::sc_event m_result_ev, m_wake;
};

class Assembler : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Assembler);
  Assembler(sc_core::sc_module_name name, Fabric& f, Tile& tile, int step, int copy,
            const StepCounters& c);
  /// @brief Source tile @p src contributed its partial sums of the next pixel.
  void contribute(int src);
  /// @brief The window senders wait on before they hand over pixel number @p q.
  Window& window() { return m_window; }

 private:
  void run();
  Fabric& m_f;
  Tile& m_tile;
  int m_step, m_copy;
  StepCounters m_c;
  std::vector<int> m_sources;
  std::vector<uint64_t> m_got;  ///< per source: pixels contributed
  Window m_window;
  sc_core::sc_event m_got_ev, m_wake;
};

/// @brief Pixels of copy @p copy of a layer with @p pixels output pixels in @p replicas copies.
inline int64_t copy_pixels(int64_t pixels, int replicas, int copy) {
  return (pixels - copy + replicas - 1) / replicas;
}

}  // namespace pcmsim
