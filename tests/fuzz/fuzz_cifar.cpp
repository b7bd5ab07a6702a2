// Fuzz target: a CIFAR-10 and a CIFAR-100 binary file through the dataset loader, with the
// per-channel normalization the CIFAR configs use.

#include <cstddef>
#include <cstdint>

#include "sim/base/error.h"
#include "tests/fuzz/fuzz_file.h"
#include "workloads/dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1u << 16)) return -1;
  const std::string path = pcmsim::fuzz::write_input(data, size, "batch.bin");
  pcmsim::Preprocess pre;
  pre.channel_mean = {0.49, 0.48, 0.45};
  pre.channel_std = {0.25, 0.24, 0.26};
  for (int classes : {10, 100}) {
    try {
      (void)pcmsim::load_cifar_dataset({path}, classes, 0, pre);
    } catch (const pcmsim::Error&) {
    }
  }
  return 0;
}
