#pragma once
// The project's one version number (CMakeLists.txt's project VERSION), for --version, the
// report header and stats.json.

namespace pcmsim {

/// @brief "MAJOR.MINOR.PATCH".
const char* version();

}  // namespace pcmsim
