#pragma once
// A model's sidecar: the YAML file beside its ONNX file that says how the network was trained to
// see its inputs (the preprocessing) and its FP32 accuracy on the test set. Other keys are
// metadata and pass; an unknown key under `preprocessing` is an error.

#include <cstdint>
#include <string>

#include "workloads/dataset.h"

namespace pcmsim {

struct Sidecar {
  Preprocess pre;
  int64_t fp32_correct = -1;  ///< -1: no reference
  int64_t fp32_images = 0;
};

/// @brief Reads the sidecar at @p path; throws Error naming the file, line and rule.
Sidecar read_sidecar_file(const std::string& path);

}  // namespace pcmsim
