#pragma once
// Helpers for tests that need config files on disk.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace pcmsim::testing {

/// A fresh temporary folder, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pcmsim-test-XXXXXX").string();
    m_path = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(m_path); }
  std::string file(const std::string& name, const std::string& text) const {
    std::string p = (std::filesystem::path(m_path) / name).string();
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  std::string path(const std::string& name = "") const {
    return (std::filesystem::path(m_path) / name).string();
  }

 private:
  std::string m_path;
};

}  // namespace pcmsim::testing
