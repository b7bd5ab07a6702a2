#include "workloads/onnx_graph.h"

#include <fcntl.h>
#include <onnx/onnx_pb.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include "sim/base/clones.h"
#include "sim/base/error.h"
#include "workloads/onnx_importer.h"

namespace pcmsim {

const char* supported_graph_ops() {
  return "Conv, Gemm, MatMul, Add, Sub, Mul, Div, Relu, LeakyRelu, Clip, Sigmoid, Tanh, MaxPool, "
         "AveragePool, GlobalAveragePool, BatchNormalization, Flatten, Reshape, Concat, Softmax, "
         "Pad, "
         "Identity, Dropout, Constant";
}

namespace onnx_import {

namespace {
/// Whether every x[i] is finite: its exponent bits not all ones (no early exit: it vectorizes).
PCMSIM_CLONES
bool all_finite(const float* x, size_t n) {
  uint32_t bad = 0;
  for (size_t i = 0; i < n; ++i) {
    uint32_t b;
    std::memcpy(&b, &x[i], sizeof b);
    bad |= uint32_t((b & 0x7F800000u) == 0x7F800000u);
  }
  return bad == 0;
}
}  // namespace

std::string read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(std::string("cannot open ") + what + " '" + path + "': no such file or unreadable");
  // Through a stream: pipes and devices too (FileBytes maps regular files instead).
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

FileBytes::FileBytes(const std::string& path, const char* what) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd >= 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    void* p = ::mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (p != MAP_FAILED) {
      m_map = p;
      m_size = size_t(st.st_size);
    }
  }
  if (fd >= 0) ::close(fd);
  if (!m_map) m_read = read_file(path, what);
}

FileBytes::~FileBytes() {
  if (m_map) ::munmap(m_map, m_size);
}

Const to_const(const onnx::TensorProto& t, const std::string& where) {
  Const c;
  int64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || d > (int64_t(1) << 32) || (d > 0 && n > (int64_t(1) << 34) / d)) {
      throw Error(where + ": dimension " + std::to_string(d) + " is negative or too large");
    }
    c.shape.push_back(d);
    n *= d;
  }
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    throw Error(where + ": external data is not supported");
  const std::string& raw = t.raw_data();
  auto need = [&](size_t bytes, size_t have) {
    if (have != bytes) {
      throw Error(where + ": holds " + std::to_string(have) + " bytes of data, shape " +
                  shape_str(c.shape) + " needs " + std::to_string(bytes));
    }
  };
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      // Every size is checked against the data the file holds before anything is allocated.
      if (!raw.empty()) {
        need(size_t(n) * 4, raw.size());
        c.f.resize(size_t(n));
        std::memcpy(c.f.data(), raw.data(), raw.size());
      } else {
        need(size_t(n), size_t(t.float_data_size()));
        c.f.assign(t.float_data().begin(), t.float_data().end());
      }
      break;
    case onnx::TensorProto::DOUBLE: {
      std::vector<double> d;
      if (!raw.empty()) {
        need(size_t(n) * 8, raw.size());
        d.resize(size_t(n));
        std::memcpy(d.data(), raw.data(), raw.size());
      } else {
        need(size_t(n), size_t(t.double_data_size()));
        d.assign(t.double_data().begin(), t.double_data().end());
      }
      c.f.assign(d.begin(), d.end());
      break;
    }
    case onnx::TensorProto::INT64:
      c.integral = true;
      if (!raw.empty()) {
        need(size_t(n) * 8, raw.size());
        c.i.resize(size_t(n));
        std::memcpy(c.i.data(), raw.data(), raw.size());
      } else {
        need(size_t(n), size_t(t.int64_data_size()));
        c.i.assign(t.int64_data().begin(), t.int64_data().end());
      }
      c.f.assign(c.i.begin(), c.i.end());
      break;
    case onnx::TensorProto::INT32:
      c.integral = true;
      if (!raw.empty()) {
        need(size_t(n) * 4, raw.size());
        std::vector<int32_t> v(static_cast<size_t>(n));
        std::memcpy(v.data(), raw.data(), raw.size());
        c.i.assign(v.begin(), v.end());
      } else {
        need(size_t(n), size_t(t.int32_data_size()));
        c.i.assign(t.int32_data().begin(), t.int32_data().end());
      }
      c.f.assign(c.i.begin(), c.i.end());
      break;
    default:
      throw Error(where + ": data type " + std::to_string(t.data_type()) +
                  " is not supported (float, double, int32, int64)");
  }
  if (!all_finite(c.f.data(), c.f.size()))
    throw Error(where + ": holds a value that is not finite (inf or NaN)");
  return c;
}

}  // namespace onnx_import

using onnx_import::Const;
using onnx_import::GraphImporter;
using onnx_import::read_file;
using onnx_import::to_const;

Graph import_onnx_graph(const std::string& path, const std::map<std::string, Tensor>& bind) {
  return GraphImporter(path, bind).run();
}

Tensor read_tensor_pb(const std::string& path) {
  onnx::TensorProto t;
  const std::string bytes = read_file(path, "tensor file");
  if (!t.ParseFromString(bytes)) throw Error(path + ": not a serialized ONNX tensor");
  Const c = to_const(t, path);
  return Tensor{c.shape, c.f};
}

}  // namespace pcmsim
