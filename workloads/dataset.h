#pragma once
// Datasets: IDX files (MNIST / Fashion-MNIST format, raw or gzip-compressed).

#include <cstdint>
#include <string>
#include <vector>

namespace pcmsim {

/// @brief Contents of an IDX file: dimensions and unsigned-byte data.
struct IdxData {
  std::vector<uint32_t> dims;
  std::vector<uint8_t> data;
};

/// @brief Reads an IDX file (raw or .gz). Checks the magic number (two zero bytes, type code
/// 0x08 unsigned byte, 1 to 4 dimensions) and that the data size equals the product of the
/// dimensions. Throws Error naming the file and the check that failed.
IdxData read_idx(const std::string& path);

/// @brief Pixel preprocessing: x = (pixel * scale - mean) / std.
struct Preprocess {
  double scale = 1.0 / 255.0;
  double mean = 0.0;
  double std = 1.0;
};

/// @brief Images (preprocessed) and labels.
struct Dataset {
  int64_t count = 0;
  std::vector<int64_t> sample_shape;  ///< e.g. [28, 28]
  int64_t sample_size = 0;
  std::vector<float> images;  ///< count x sample_size
  std::vector<int> labels;
  const float* image(int64_t i) const { return images.data() + i * sample_size; }
};

/// @brief Loads an IDX image file and its label file; keeps the first @p limit samples
/// (0 = all). Throws Error if the files disagree or @p limit exceeds the samples.
Dataset load_idx_dataset(const std::string& images, const std::string& labels, int64_t limit,
                         const Preprocess& pre);

}  // namespace pcmsim
