#include "sim/arch/memory/buffer.h"

namespace pcmsim {

uint64_t read_buffer_size(Params& p, const std::string& def, const std::string& desc) {
  const std::string text = p.get<std::string>("size").desc(desc).def(def);
  if (text == "auto") return 0;
  if (text == "unlimited") return kUnlimited;
  try {
    const int64_t b = detail::from_text<int64_t>(text, "B");
    if (b < 1) p.fail("size", "must be at least 1 B (or auto, unlimited)");
    return uint64_t(b);
  } catch (const std::invalid_argument& e) {
    p.fail("size", std::string("expected a size in B, auto or unlimited: ") + e.what());
  }
}

}  // namespace pcmsim
