#pragma once
// Building the module hierarchy: registered implementations of module interfaces are SystemC
// modules created by name from the config, and some modules create children after their
// constructor (once the chip's time base exists). Both need the kernel's hierarchy scope set.

#include <memory>
#include <string>
#include <systemc>

#include "sim/base/registry.h"

namespace pcmsim {

/// @brief Runs @p f with @p m as the current module, so modules and processes @p f creates become
/// @p m's children.
template <class F>
void within(sc_core::sc_module& m, F f) {
  sc_core::sc_simcontext* sc = sc_core::sc_get_curr_simcontext();
  sc->hierarchy_push(&m);
  try {
    f();
  } catch (...) {
    sc->hierarchy_pop();
    throw;
  }
  sc->hierarchy_pop();
}

/// @brief Creates the implementation of module interface @p Interface that @p p names, as a
/// module called @p name below the current module.
template <class Interface>
std::unique_ptr<Interface> create_module(Params& p, const std::string& name,
                                         const std::string& def = "") {
  sc_core::sc_module_name nm(name.c_str());
  return Registry<Interface>::create(p, def);
}

}  // namespace pcmsim
