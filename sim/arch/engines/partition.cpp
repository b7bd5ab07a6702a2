#include "sim/arch/engines/partition.h"

#include <algorithm>

namespace pcmsim {

Partition::Partition(TimeBase& tb, uint64_t capacity, int inputs, int readers, int slots)
    : m_tb(tb),
      m_space(tb, capacity),
      m_readers(readers),
      m_finished(size_t(slots), 0),
      m_image(size_t(slots)) {
  m_in.assign(size_t(slots), std::vector<Input>(size_t(inputs)));
  for (int s = 0; s < slots; ++s) m_image[size_t(s)] = s;  // image i goes to slot i mod slots
  for (auto& s : m_in)
    for (Input& in : s) in.passed.assign(size_t(readers), 0);
}

void Partition::arrived(int slot, int input, int64_t row, uint64_t bytes) {
  Input& in = m_in[size_t(slot)][size_t(input)];
  if (int64_t(in.bytes.size()) != row) throw std::logic_error("partition: rows out of order");
  in.bytes.push_back(bytes);
  free_rows(in);  // a row every reader is already past (beyond the last window) goes at once
  m_tb.count_event();
  m_arrived.notify(sc_core::SC_ZERO_TIME);
}

void Partition::wait_rows(int slot, int64_t image, int input, int64_t rows, Counter* stall,
                          int tag) {
  // Waiting for an image's first row is idling; waiting for later ones, once the image has
  // started arriving, is a stall on the input.
  const Input& in = m_in[size_t(slot)][size_t(input)];
  while (m_image[size_t(slot)] != image || in.bytes.empty()) m_tb.wait(m_arrived);
  const Cycles t0 = m_tb.now();
  while (int64_t(in.bytes.size()) < rows) m_tb.wait(m_arrived);
  const uint64_t waited = (m_tb.now() - t0).count();
  if (stall && waited) stall->add(waited, tag);
}

void Partition::free_rows(Input& in) {
  const int64_t upto = *std::min_element(in.passed.begin(), in.passed.end());
  uint64_t bytes = 0;
  for (; in.freed < upto && in.freed < int64_t(in.bytes.size()); ++in.freed)
    bytes += in.bytes[size_t(in.freed)];
  if (bytes) m_space.release(bytes);
}

void Partition::pass(int reader, int slot, int input, int64_t below) {
  Input& in = m_in[size_t(slot)][size_t(input)];
  int64_t& p = in.passed[size_t(reader)];
  if (below <= p) return;
  p = below;
  free_rows(in);
}

void Partition::finish(int reader, int slot) {
  for (Input& in : m_in[size_t(slot)]) {
    in.passed[size_t(reader)] = int64_t(1) << 62;
    free_rows(in);
  }
  if (++m_finished[size_t(slot)] < m_readers) return;
  // Every reader is done with the image: the slot starts afresh for the next one.
  m_finished[size_t(slot)] = 0;
  m_image[size_t(slot)] += int64_t(m_image.size());
  for (Input& in : m_in[size_t(slot)]) {
    in.bytes.clear();
    std::fill(in.passed.begin(), in.passed.end(), 0);
    in.freed = 0;
  }
  m_tb.count_event();
  m_arrived.notify(sc_core::SC_ZERO_TIME);  // readers waiting for the slot's next image
}

}  // namespace pcmsim
