#include "sim/arch/engines/fabric.h"

#include <algorithm>

namespace pcmsim {

ValueStore::ValueStore(TimeBase& tb, const Schedule& sched, int slots, int values)
    : m_tb(tb), m_sched(sched), m_image(size_t(slots), -1) {
  m_values.assign(size_t(slots), std::vector<Value>(size_t(values)));
}

void ValueStore::admit(int slot, int64_t image) {
  m_image[size_t(slot)] = image;
  std::vector<Value>& vs = m_values[size_t(slot)];
  for (size_t v = 0; v < vs.size(); ++v) {
    if (!m_sched.stored(int(v))) continue;
    Value& x = vs[v];
    const int64_t rows = m_sched.rows_of(int(v));
    const uint64_t bytes = m_sched.value_bytes(int(v));
    x.left.resize(size_t(rows));
    for (int64_t r = 0; r < rows; ++r) x.left[size_t(r)] = Schedule::row_part(bytes, rows, r);
    x.rows_left = rows;
  }
}

void ValueStore::written(int slot, int v, int64_t row, uint64_t bytes) {
  Value& x = m_values[size_t(slot)][size_t(v)];
  uint64_t& left = x.left[size_t(row)];
  if (left == 0) return;
  left -= std::min(left, bytes);
  if (left > 0) return;
  --x.rows_left;
  m_tb.count_event();
  m_stored.notify(sc_core::SC_ZERO_TIME);
  if (x.rows_left == 0 && on_complete) on_complete(slot, v);
}

bool ValueStore::ready(int slot, int64_t image, const StepInput& in, int64_t row) const {
  if (in.rows <= 1) return complete(slot, image, in.bases);  // read whole
  if (m_image[size_t(slot)] != image) return false;
  return m_values[size_t(slot)][size_t(in.bases[0])].left[size_t(row)] == 0;
}

bool ValueStore::complete(int slot, int64_t image, const std::vector<int>& bases) const {
  if (m_image[size_t(slot)] != image) return false;
  for (int b : bases)
    if (m_values[size_t(slot)][size_t(b)].rows_left != 0) return false;
  return true;
}

}  // namespace pcmsim
