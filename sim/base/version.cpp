#include "sim/base/version.h"

namespace pcmsim {

const char* version() { return PCMSIM_VERSION; }

}  // namespace pcmsim
