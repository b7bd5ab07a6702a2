// Fuzz target: an ONNX file through the importer (shape inference, BatchNorm folding) and the
// mapper onto a small chip, as `pcmsim run` and `validate` do. A bad file must end in
// pcmsim::Error; a crash, a sanitizer report, a hang or an allocation beyond the limit is a
// finding.

#include <cstddef>
#include <cstdint>

#include "sim/base/error.h"
#include "tests/fuzz/fuzz_file.h"
#include "workloads/graph.h"
#include "workloads/graph_mapper.h"
#include "workloads/onnx_graph.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1u << 16)) return -1;  // the cap: the zoo's smallest model is under 64 KiB
  const std::string path = pcmsim::fuzz::write_input(data, size, "model.onnx");
  try {
    pcmsim::Graph g = pcmsim::import_onnx_graph(path);
    pcmsim::fold_batchnorm(g);
    pcmsim::ChipShape chip;
    chip.tiles = 16;
    chip.cores_per_tile = 4;
    chip.rows = chip.cols = 64;
    (void)pcmsim::map_graph(g, chip);
  } catch (const pcmsim::Error&) {
  }
  return 0;
}
