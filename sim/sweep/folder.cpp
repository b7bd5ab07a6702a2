#include "sim/sweep/folder.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "sim/base/error.h"

namespace fs = std::filesystem;

namespace pcmsim {

std::string read_file_text(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

void write_file_atomic(const fs::path& path, const std::string& text) {
  fs::path tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary);
    f << text;
    f.flush();
    if (!f) throw Error("cannot write " + path.string());
  }
  fs::rename(tmp, path);
}

nlohmann::ordered_json read_points_json(const fs::path& dir) {
  const fs::path path = dir / "points.json";
  if (!fs::exists(path))
    throw Error(dir.string() +
                ": not a sweep folder (no points.json; `pcmsim sweep run` or `submit` writes it)");
  try {
    return nlohmann::ordered_json::parse(read_file_text(path));
  } catch (const std::exception& e) {
    throw Error(path.string() + ": " + e.what());
  }
}

}  // namespace pcmsim
