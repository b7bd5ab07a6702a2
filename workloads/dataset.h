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

/// @brief Pixel preprocessing: x = (pixel * scale - mean) / std; per channel when
/// channel_mean / channel_std are given (one value per channel, e.g. RGB).
struct Preprocess {
  double scale = 1.0 / 255.0;
  double mean = 0.0;
  double std = 1.0;
  std::vector<double> channel_mean, channel_std;
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

/// @brief Loads the first @p limit images (0 = all; at most all the file holds) of an IDX image
/// file, without labels (a calibration set), reading no further into the file. Throws Error
/// naming the file if it is not an IDX image file or is truncated.
Dataset load_idx_images(const std::string& images, int64_t limit, const Preprocess& pre);

/// @brief Loads CIFAR-10 (@p classes = 10: records of 1 label byte + 3072 pixel bytes) or
/// CIFAR-100 (@p classes = 100: coarse and fine label bytes, the fine label used) binary files,
/// in order, as samples of shape [3, 32, 32] (R, G, B planes); keeps the first @p limit (0 =
/// all). Throws Error naming the file for a size that is not a whole number of records, a label
/// out of range, or a limit beyond the samples.
Dataset load_cifar_dataset(const std::vector<std::string>& files, int classes, int64_t limit,
                           const Preprocess& pre);

}  // namespace pcmsim
