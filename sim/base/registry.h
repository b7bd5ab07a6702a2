#pragma once
// The implementation registry (after Ramulator 2.0): each implementation registers itself under
// (interface, name); the YAML key `impl:` picks one. PCMSIM_REGISTER goes in the .cpp of the
// implementation, which must be in an OBJECT library so the linker keeps it.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/base/params.h"

namespace pcmsim {

/// @brief One registered implementation, as `pcmsim list` and `pcmsim describe` see it.
struct ImplInfo {
  std::string interface;
  std::string name;
  std::string desc;
  std::function<void(Params&)> declare;  ///< constructs the impl on a describe-mode Params
};

/// @brief The program-wide index of all registries.
class RegistryIndex {
 public:
  static std::vector<ImplInfo>& all();
  /// @brief "(interface, name)" pairs registered more than once.
  static std::vector<std::string>& duplicates();
  static void add(ImplInfo info);
  /// @brief Throws Error if any name was registered twice (called at start-up).
  static void check();
  /// @brief The implementations named @p name (several interfaces may share a name).
  static std::vector<const ImplInfo*> find(const std::string& name);
  /// @brief Parameter declarations of one implementation, collected in describe mode.
  static std::vector<ParamInfo> describe(const ImplInfo& info);
};

template <class Interface>
class Registry {
 public:
  using Factory = std::function<std::unique_ptr<Interface>(Params&)>;

  static bool add(const std::string& name, const std::string& desc, Factory f) {
    if (!table().emplace(name, f).second) {
      RegistryIndex::duplicates().push_back(std::string(Interface::kInterface) + "/" + name);
      return false;
    }
    RegistryIndex::add({Interface::kInterface, name, desc, [f](Params& p) { f(p); }});
    return true;
  }

  /// @brief Builds the implementation that @p p names in its `impl:` key (@p def if it names
  /// none and @p def is not empty).
  static std::unique_ptr<Interface> create(Params& p, const std::string& def = "") {
    std::vector<std::string> names;
    for (const auto& kv : table()) names.push_back(kv.first);
    auto spec = p.get<std::string>("impl")
                    .desc(std::string("implementation of the ") + Interface::kInterface)
                    .choices(names);
    if (!def.empty()) spec.def(def);
    const std::string impl = spec;
    return table().at(impl)(p);
  }

  static std::map<std::string, Factory>& table() {
    static std::map<std::string, Factory> t;
    return t;
  }
};

#define PCMSIM_CONCAT_INNER(a, b) a##b
#define PCMSIM_CONCAT(a, b) PCMSIM_CONCAT_INNER(a, b)
/// Registers CLASS (constructible from Params&) as implementation NAME of INTERFACE.
#define PCMSIM_REGISTER(INTERFACE, CLASS, NAME, DESC)                                            \
  static const bool PCMSIM_CONCAT(s_registered_, __LINE__) = ::pcmsim::Registry<INTERFACE>::add( \
      NAME, DESC,                                                                                \
      [](::pcmsim::Params& p) { return std::unique_ptr<INTERFACE>(std::make_unique<CLASS>(p)); })

}  // namespace pcmsim
