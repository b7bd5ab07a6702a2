#pragma once
// One step's part of a tile's input buffer: the space its rows take (the step's feeder acquires
// a row's bytes before it sends the row, so it never sends what the tile cannot hold), which
// rows of the image in each slot have arrived, and when they can go: a row is freed once every
// reader on the tile (the layer's copies there, or the digital step) is past it.

#include <cstdint>
#include <vector>

#include "sim/arch/common/credits.h"
#include "sim/arch/common/timebase.h"
#include "sim/schedule/schedule.h"

namespace pcmsim {

class Partition {
 public:
  Partition(TimeBase& tb, uint64_t capacity, int inputs, int readers, int slots);
  Credits& space() { return m_space; }
  /// @brief Row @p row of input @p input of the image in @p slot arrived with @p bytes (rows of
  /// one input arrive in order).
  void arrived(int slot, int input, int64_t row, uint64_t bytes);
  /// @brief From a reader's thread: waits until @p slot holds image @p image (a reader done
  /// with the slot's last image waits for the others to be done too) and rows 0 .. @p rows - 1
  /// of @p input are here; adds the wait to @p stall.
  void wait_rows(int slot, int64_t image, int input, int64_t rows, Counter* stall, int tag);
  /// @brief Reader @p reader needs no row of @p input below @p below any more.
  void pass(int reader, int slot, int input, int64_t below);
  /// @brief Reader @p reader is done with the image in @p slot (every row it holds is passed).
  void finish(int reader, int slot);

 private:
  struct Input {
    std::vector<uint64_t> bytes;  ///< per arrived row
    std::vector<int64_t> passed;  ///< per reader: rows below this are passed
    int64_t freed = 0;            ///< rows below this are freed
  };
  void free_rows(Input& in);
  TimeBase& m_tb;
  Credits m_space;
  int m_readers;
  std::vector<std::vector<Input>> m_in;  ///< [slot][input]
  std::vector<int> m_finished;           ///< per slot: readers done with its image
  std::vector<int64_t> m_image;          ///< per slot: the image it holds
  sc_core::sc_event m_arrived;
};

}  // namespace pcmsim
