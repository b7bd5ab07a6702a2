#include "sim/base/registry.h"

namespace pcmsim {

std::vector<ImplInfo>& RegistryIndex::all() {
  static std::vector<ImplInfo> v;
  return v;
}

std::vector<std::string>& RegistryIndex::duplicates() {
  static std::vector<std::string> v;
  return v;
}

void RegistryIndex::add(ImplInfo info) { all().push_back(std::move(info)); }

void RegistryIndex::check() {
  if (duplicates().empty()) return;
  std::string msg = "implementation registered twice:";
  for (const auto& d : duplicates()) msg += " " + d;
  throw Error(msg);
}

std::vector<const ImplInfo*> RegistryIndex::find(const std::string& name) {
  std::vector<const ImplInfo*> out;
  for (const auto& i : all()) {
    if (i.name == name || i.interface + "/" + i.name == name) out.push_back(&i);
  }
  return out;
}

std::vector<ParamInfo> RegistryIndex::describe(const ImplInfo& info) {
  auto ctx = std::make_shared<ParamContext>();
  ctx->describe = true;
  Params p(nullptr, info.interface, ctx);
  info.declare(p);
  return ctx->declared;
}

}  // namespace pcmsim
