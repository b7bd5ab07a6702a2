#pragma once
// What the chip's step engines share, owned by the chip: the time base, the schedule, each image
// in flight (its values' timing inputs), the interconnect and the global buffer's record of
// which rows of which values are stored.

#include <cstdint>
#include <functional>
#include <systemc>
#include <vector>

#include "sim/arch/common/timebase.h"
#include "sim/functional/graph_network.h"
#include "sim/schedule/schedule.h"

namespace pcmsim {

class Interconnect;
class Buffer;
class Tile;

/// @brief An image in flight, in its slot: what its MVMs did (codes and read energies, from
/// its values computed at admission) and how far each step got.
struct ImageRecord {
  int64_t image = -1;
  Cycles admitted, in;
  std::vector<std::vector<MvmCost>> costs;  ///< per analog layer
  std::vector<ReadCodes> codes;             ///< per analog layer
  std::vector<std::vector<double>> basis;   ///< per analog layer
  std::vector<float> logits;
  std::vector<Cycles> step_start;  ///< per step: when its first input row was read
  std::vector<char> step_done;     ///< per step: all its outputs stored
  int steps_done = 0;
};

/// @brief Which rows of each stored value of each image slot are in the global buffer, and
/// which steps are done with each image.
class ValueStore {
 public:
  ValueStore(TimeBase& tb, const Schedule& sched, int slots, int values);
  /// @brief A new image in @p slot: nothing of it stored yet.
  void admit(int slot, int64_t image);
  /// @brief @p bytes of row @p row of value @p v of @p slot were written.
  void written(int slot, int v, int64_t row, uint64_t bytes);
  /// @brief Whether row @p row of step input @p in (read whole: all of its bases) of image
  /// @p image, in @p slot, is stored.
  bool ready(int slot, int64_t image, const StepInput& in, int64_t row) const;
  /// @brief Whether every row of the bases is stored.
  bool complete(int slot, int64_t image, const std::vector<int>& bases) const;
  /// @brief Notified whenever a row of any value is stored.
  sc_core::sc_event& stored() { return m_stored; }
  /// @brief Called when value @p v of @p slot is complete.
  std::function<void(int slot, int v)> on_complete;

 private:
  struct Value {
    std::vector<uint64_t> left;  ///< per row: bytes still to be written
    int64_t rows_left = 0;
  };
  TimeBase& m_tb;
  const Schedule& m_sched;
  std::vector<int64_t> m_image;              ///< per slot
  std::vector<std::vector<Value>> m_values;  ///< [slot][value]
  sc_core::sc_event m_stored;
};

/// @brief Stable ids of the processes that contend for shared resources (arbitration keys): a
/// process's id depends on what it does (kind, step, copy), never on creation order.
inline uint64_t requester_id(int kind, int step, int copy) {
  return (uint64_t(kind) << 48) | (uint64_t(uint32_t(step)) << 20) | uint64_t(uint32_t(copy));
}
enum RequesterKind {
  kFeeder = 1,
  kController = 2,
  kRetire = 3,
  kReceive = 4,
  kCopyEngine = 5,
  kCombiner = 6,
  kAccumulator = 7,
  kDigitalStep = 8
};

struct Fabric {
  TimeBase* tb = nullptr;
  const Schedule* sched = nullptr;
  const Graph* graph = nullptr;
  const GraphMapping* map = nullptr;
  std::vector<ImageRecord>* images = nullptr;  ///< per slot
  ValueStore* store = nullptr;
  Interconnect* noc = nullptr;
  Buffer* gbuf = nullptr;
  std::vector<Tile*> tiles;
  int64_t count = 0;                           ///< images to run
  int slots = 1;                               ///< images in flight at most
  bool pipelined = false;                      ///< steps start on the rows that have arrived
  int window = 4;                              ///< accumulator pixels per copy
  sc_core::sc_event* steps_changed = nullptr;  ///< notified when any step finishes an image
  ImageRecord& record(int slot) { return (*images)[size_t(slot)]; }
};

}  // namespace pcmsim
