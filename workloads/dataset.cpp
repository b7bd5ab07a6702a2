#include "workloads/dataset.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <memory>

#include "sim/base/error.h"

namespace pcmsim {

namespace {
/// The file's bytes (gzip-compressed or plain), the first @p limit at most.
std::vector<uint8_t> read_all(const std::string& path, size_t limit = SIZE_MAX) {
  // gzread reads gzip-compressed and plain files alike.
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw Error("cannot open dataset file '" + path + "': no such file or unreadable");
  std::unique_ptr<gzFile_s, int (*)(gzFile)> guard(f, gzclose);
  std::vector<uint8_t> out;
  uint8_t buf[1 << 16];
  while (out.size() < limit) {
    const size_t want = std::min(sizeof buf, limit - out.size());
    int n = gzread(f, buf, unsigned(want));
    if (n < 0) {
      int err = 0;
      const char* msg = gzerror(f, &err);
      throw Error(path + ": read error (" + std::string(msg ? msg : "corrupt gzip data") + ")");
    }
    if (n == 0) break;
    out.insert(out.end(), buf, buf + n);
  }
  return out;
}
}  // namespace

namespace {
// Pixels to inputs: x = (pixel * scale - mean) / std, per channel if given (channel = the first
// sample dimension).
void preprocess(const uint8_t* pixels, Dataset& ds, const Preprocess& pre) {
  const bool per_channel = !pre.channel_mean.empty();
  const int64_t channels = per_channel ? int64_t(pre.channel_mean.size()) : 1;
  if (per_channel && (ds.sample_shape.empty() || ds.sample_shape[0] != channels ||
                      pre.channel_std.size() != pre.channel_mean.size())) {
    throw Error("preprocessing has " + std::to_string(channels) + " channel means and " +
                std::to_string(pre.channel_std.size()) + " stds for samples with " +
                std::to_string(ds.sample_shape.empty() ? 0 : ds.sample_shape[0]) + " channels");
  }
  const int64_t plane = ds.sample_size / channels;
  for (size_t i = 0; i < ds.images.size(); ++i) {
    const int64_t c = int64_t(i % size_t(ds.sample_size)) / plane;
    const double mean = per_channel ? pre.channel_mean[size_t(c)] : pre.mean;
    const double std = per_channel ? pre.channel_std[size_t(c)] : pre.std;
    ds.images[i] = static_cast<float>((pixels[i] * pre.scale - mean) / std);
  }
}
}  // namespace

IdxData read_idx(const std::string& path) {
  std::vector<uint8_t> bytes = read_all(path);
  if (bytes.size() < 4)
    throw Error(path + ": not an IDX file (shorter than the 4-byte magic number)");
  if (bytes[0] != 0 || bytes[1] != 0)
    throw Error(path + ": not an IDX file (magic number must start with two zero bytes)");
  if (bytes[2] != 0x08) {
    throw Error(path + ": IDX type code 0x" + std::to_string(bytes[2]) +
                " is not supported (0x08 unsigned byte only)");
  }
  int nd = bytes[3];
  if (nd < 1 || nd > 4)
    throw Error(path + ": IDX file has " + std::to_string(nd) + " dimensions, expected 1 to 4");
  size_t header = 4 + 4 * size_t(nd);
  if (bytes.size() < header) throw Error(path + ": truncated IDX header");
  IdxData d;
  uint64_t n = 1;
  for (int i = 0; i < nd; ++i) {
    const uint8_t* p = &bytes[4 + 4 * i];
    uint32_t v = (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
    d.dims.push_back(v);
    if (v != 0 && n > (uint64_t(1) << 40) / v)
      throw Error(path + ": IDX dimensions describe more than 2^40 bytes");
    n *= v;
  }
  uint64_t have = bytes.size() - header;
  if (have < n) {
    throw Error(path + ": truncated: the header promises " + std::to_string(n) +
                " bytes of data, the file holds " + std::to_string(have));
  }
  if (have > n) {
    throw Error(path + ": " + std::to_string(have - n) + " bytes after the " + std::to_string(n) +
                " bytes of data the header promises");
  }
  d.data.assign(bytes.begin() + header, bytes.end());
  return d;
}

Dataset load_idx_dataset(const std::string& images, const std::string& labels, int64_t limit,
                         const Preprocess& pre) {
  IdxData im = read_idx(images);
  IdxData lb = read_idx(labels);
  if (im.dims.size() < 2)
    throw Error(images + ": image file must have at least 2 dimensions (count, ...)");
  if (lb.dims.size() != 1)
    throw Error(labels + ": label file must have 1 dimension, has " +
                std::to_string(lb.dims.size()));
  if (im.dims[0] != lb.dims[0]) {
    throw Error(images + " holds " + std::to_string(im.dims[0]) + " images but " + labels +
                " holds " + std::to_string(lb.dims[0]) + " labels");
  }
  int64_t total = im.dims[0];
  if (limit > total) {
    throw Error(images + ": " + std::to_string(limit) + " images requested, the file holds " +
                std::to_string(total));
  }
  Dataset ds;
  ds.count = limit > 0 ? limit : total;
  ds.sample_size = 1;
  for (size_t i = 1; i < im.dims.size(); ++i) {
    ds.sample_shape.push_back(im.dims[i]);
    ds.sample_size *= im.dims[i];
  }
  ds.images.resize(size_t(ds.count * ds.sample_size));
  preprocess(im.data.data(), ds, pre);
  ds.labels.assign(lb.data.begin(), lb.data.begin() + ds.count);
  return ds;
}

Dataset load_idx_images(const std::string& images, int64_t limit, const Preprocess& pre) {
  // Only the header and the images asked for are read (a calibration set from a large file).
  std::vector<uint8_t> head = read_all(images, 20);
  if (head.size() < 4 || head[0] != 0 || head[1] != 0 || head[2] != 0x08 || head[3] < 2 ||
      head[3] > 4 || head.size() < 4 + 4 * size_t(head[3])) {
    throw Error(images + ": not an IDX image file of unsigned bytes with 2 to 4 dimensions");
  }
  const size_t nd = head[3], header = 4 + 4 * nd;
  std::vector<int64_t> dims;
  for (size_t i = 0; i < nd; ++i) {
    const uint8_t* p = &head[4 + 4 * i];
    dims.push_back(
        int64_t((uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3]));
  }
  Dataset ds;
  ds.count = std::min(limit > 0 ? limit : dims[0], dims[0]);
  ds.sample_size = 1;
  for (size_t i = 1; i < nd; ++i) {
    ds.sample_shape.push_back(dims[i]);
    ds.sample_size *= dims[i];
    if (ds.sample_size > (int64_t(1) << 30)) throw Error(images + ": IDX samples too large");
  }
  const size_t need = header + size_t(ds.count * ds.sample_size);
  std::vector<uint8_t> bytes = read_all(images, need);
  if (bytes.size() < need) {
    throw Error(images + ": truncated: " + std::to_string(ds.count) + " images need " +
                std::to_string(need) + " bytes, the file holds " + std::to_string(bytes.size()));
  }
  ds.images.resize(size_t(ds.count * ds.sample_size));
  preprocess(bytes.data() + header, ds, pre);
  ds.labels.assign(size_t(ds.count), 0);
  return ds;
}

Dataset load_cifar_dataset(const std::vector<std::string>& files, int classes, int64_t limit,
                           const Preprocess& pre) {
  if (classes != 10 && classes != 100) throw std::invalid_argument("CIFAR has 10 or 100 classes");
  const size_t label_bytes = classes == 10 ? 1 : 2, pixels = 3 * 32 * 32,
               record = label_bytes + pixels;
  std::vector<uint8_t> images;
  Dataset ds;
  ds.sample_shape = {3, 32, 32};
  ds.sample_size = int64_t(pixels);
  for (const std::string& f : files) {
    std::vector<uint8_t> bytes = read_all(f);
    if (bytes.empty() || bytes.size() % record != 0) {
      throw Error(f + ": " + std::to_string(bytes.size()) + " bytes is not a whole number of " +
                  std::to_string(record) + "-byte CIFAR-" + std::to_string(classes) + " records");
    }
    for (size_t r = 0; r < bytes.size() / record; ++r) {
      const uint8_t* rec = &bytes[r * record];
      const int label = rec[label_bytes - 1];  // CIFAR-100: the fine label
      if (label >= classes) {
        throw Error(f + ": record " + std::to_string(r) + " has label " + std::to_string(label) +
                    ", expected 0 to " + std::to_string(classes - 1));
      }
      ds.labels.push_back(label);
      images.insert(images.end(), rec + label_bytes, rec + record);
    }
  }
  const int64_t total = int64_t(ds.labels.size());
  if (limit > total) {
    throw Error(files.empty() ? "no CIFAR files given"
                              : files.front() + ": " + std::to_string(limit) +
                                    " images requested, the files hold " + std::to_string(total));
  }
  ds.count = limit > 0 ? limit : total;
  ds.labels.resize(size_t(ds.count));
  ds.images.resize(size_t(ds.count) * pixels);
  preprocess(images.data(), ds, pre);
  return ds;
}

}  // namespace pcmsim
