#pragma once
// The fuzz targets drive the loaders through their real entry points, which read files: each
// input is written to a file of this process (in $TMPDIR or /tmp) first.

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

namespace pcmsim::fuzz {

/// @brief Writes @p size bytes at @p data to this process's file named @p name; its path.
inline std::string write_input(const uint8_t* data, size_t size, const std::string& name) {
  const char* tmp = std::getenv("TMPDIR");
  const std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/pcmsim-fuzz-" +
                           std::to_string(getpid()) + "-" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), std::streamsize(size));
  return path;
}

}  // namespace pcmsim::fuzz
