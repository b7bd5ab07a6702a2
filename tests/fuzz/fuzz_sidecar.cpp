// Fuzz target: a model's sidecar YAML (preprocessing, FP32 accuracy) through its reader.

#include <cstddef>
#include <cstdint>

#include "sim/base/error.h"
#include "tests/fuzz/fuzz_file.h"
#include "workloads/sidecar.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1u << 14)) return -1;
  const std::string path = pcmsim::fuzz::write_input(data, size, "model.yaml");
  try {
    (void)pcmsim::read_sidecar_file(path);
  } catch (const pcmsim::Error&) {
  }
  return 0;
}
