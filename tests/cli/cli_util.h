#pragma once
// What the end-to-end tests share: running the pcmsim binary, reading its outputs.

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/base/test_util.h"

namespace pcmsim {
namespace testing {

inline const std::string kSrc = PCMSIM_SOURCE_DIR;
inline const std::string kBin = PCMSIM_BINARY;

struct Result {
  int rc;
  std::string out;  // stdout and stderr
};

inline Result run(const std::string& args) {
  std::string cmd = "cd '" + kSrc + "' && '" + kBin + "' " + args + " 2>&1";
  Result r{-1, ""};
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline nlohmann::json stats(const std::string& dir) {
  std::ifstream f(dir + "/stats.json");
  return nlohmann::json::parse(f);
}

inline std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

/// A run config in @p d for @p onnx on the small chip with exact devices, with @p dataset as the
/// workload.dataset map (YAML lines, indented 4).
inline std::string small_run(TempDir& d, const std::string& onnx, const std::string& dataset,
                             const std::string& extra = "") {
  return d.file("run.yaml", "include:\n  - " + kSrc + "/configs/chips/pcm_small.yaml\n  - " + kSrc +
                                "/configs/devices/ideal.yaml\nsimulation:\n  numerics: ideal\n" +
                                extra + "workload:\n  onnx: " + onnx + "\n  dataset:\n" + dataset);
}

}  // namespace testing
}  // namespace pcmsim
