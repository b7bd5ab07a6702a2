#pragma once
// A digital step on its tile's digital unit: for each output row, once the rows of its inputs
// that the row needs (a pooling window, the same row of an element-wise node's inputs, or
// everything) are in the tile's input buffer, reads the rows it has not read yet, runs the row's
// element operations and sends the row to the global buffer.

#include <systemc>

#include "sim/arch/engines/analog_step.h"
#include "sim/arch/engines/fabric.h"

namespace pcmsim {

class DigitalStep : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(DigitalStep);
  DigitalStep(sc_core::sc_module_name name, Fabric& f, Tile& tile, int step, Partition& part,
              const StepCounters& c);

 private:
  void run();
  Fabric& m_f;
  Tile& m_tile;
  int m_step;
  Partition& m_part;
  StepCounters m_c;
  sc_core::sc_event m_wake;
};

/// @brief A step's feeder at the global buffer: for each image, its inputs' rows in order, each
/// once it is stored (pipelined) or once the step before has finished the image (one step at a
/// time), read out of the buffer and sent to the tiles that run the step (the whole row by
/// multicast, or each tile the part its arrays use), each after reserving its room in the
/// tile's input-buffer partition.
class Feeder : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Feeder);
  Feeder(sc_core::sc_module_name name, Fabric& f, int step, std::vector<Partition*> parts,
         const StepCounters& c);

 private:
  void run();
  void send_row(int slot, int input, int64_t row);
  Fabric& m_f;
  int m_step;
  std::vector<Partition*> m_parts;  ///< per destination tile (st.work order, or st.tile)
  std::vector<int> m_tiles;
  StepCounters m_c;
  sc_core::sc_event m_wake;
};

}  // namespace pcmsim
