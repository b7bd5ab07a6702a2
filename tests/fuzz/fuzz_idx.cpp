// Fuzz target: an IDX images file (raw or gzip) and an IDX labels file through the dataset
// loader. The input is split at its first byte: that many bytes (times 16) go to the labels.

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "sim/base/error.h"
#include "tests/fuzz/fuzz_file.h"
#include "workloads/dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > (1u << 16)) return -1;
  const size_t labels = std::min(size - 1, size_t(data[0]) * 16);
  const std::string lab = pcmsim::fuzz::write_input(data + 1, labels, "labels.idx");
  const std::string img =
      pcmsim::fuzz::write_input(data + 1 + labels, size - 1 - labels, "images.idx");
  try {
    (void)pcmsim::load_idx_dataset(img, lab, 0, pcmsim::Preprocess{});
  } catch (const pcmsim::Error&) {
  }
  try {
    (void)pcmsim::load_idx_images(img, 100, pcmsim::Preprocess{});
  } catch (const pcmsim::Error&) {
  }
  return 0;
}
