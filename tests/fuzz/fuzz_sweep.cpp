// Fuzz target: a sweep spec through load_sweep (axes, ranges, zips, constraints, sampling,
// objectives), the points expanded.

#include <cstddef>
#include <cstdint>

#include "sim/base/error.h"
#include "sim/sweep/spec.h"
#include "tests/fuzz/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1u << 14)) return -1;
  const std::string path = pcmsim::fuzz::write_input(data, size, "sweep.yaml");
  try {
    (void)pcmsim::load_sweep(path);
  } catch (const pcmsim::Error&) {
  }
  return 0;
}
