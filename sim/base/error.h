#pragma once
// Errors that pcmsim reports to its user: bad config, ONNX, dataset or command line.

#include <stdexcept>
#include <string>

namespace pcmsim {

/// @brief An error in what the user gave pcmsim. The message names the file, the place and the
/// rule broken; the command line prints it and exits non-zero.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace pcmsim
