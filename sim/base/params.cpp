#include "sim/base/params.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iomanip>

#include "sim/base/units.h"

namespace pcmsim {

namespace detail {
template <>
bool from_text<bool>(const std::string& t, const std::string&) {
  if (t == "true" || t == "yes" || t == "on") return true;
  if (t == "false" || t == "no" || t == "off") return false;
  throw std::invalid_argument("expected true or false");
}
template <>
std::string from_text<std::string>(const std::string& t, const std::string&) {
  return t;
}
template <>
double from_text<double>(const std::string& t, const std::string& unit) {
  return parse_quantity(t, unit);
}
template <>
int64_t from_text<int64_t>(const std::string& t, const std::string& unit) {
  // A plain integer is read exactly (a double would round above 2^53).
  if (!t.empty() && t.find_first_not_of("+-0123456789") == std::string::npos) {
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(t.c_str(), &end, 10);
    if (*end != '\0' || end == t.c_str()) throw std::invalid_argument("not a number");
    if (errno == ERANGE) throw std::invalid_argument("number out of range");
    return v;
  }
  double v = parse_quantity(t, unit);
  if (v != std::floor(v)) throw std::invalid_argument("expected a whole number");
  if (std::fabs(v) > 9.0e18) throw std::invalid_argument("number out of range");
  return static_cast<int64_t>(v);
}
template <>
int from_text<int>(const std::string& t, const std::string& unit) {
  int64_t v = from_text<int64_t>(t, unit);
  if (v < INT32_MIN || v > INT32_MAX) throw std::invalid_argument("number out of range");
  return static_cast<int>(v);
}
}  // namespace detail

Params::Params(ConfigNode* node, std::string path, std::shared_ptr<ParamContext> ctx)
    : m_node(node), m_path(std::move(path)), m_ctx(std::move(ctx)) {}

std::string Params::key_path(const std::string& name) const {
  return m_path.empty() ? name : m_path + "." + name;
}

const ConfigNode* Params::lookup(const std::string& name, const ParamInfo& info) {
  auto& names = m_ctx->names_at[m_path];
  if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  if (m_ctx->describe) {
    m_ctx->declared.push_back(info);
    return nullptr;
  }
  if (!m_node) return nullptr;
  ConfigNode::Entry* e = m_node->find_entry(name);
  if (!e) return nullptr;
  e->value->used = true;
  return e->value.get();
}

void Params::record_default(const std::string& name, const std::string& text) {
  if (!m_node || m_ctx->describe || m_node->find(name)) return;
  auto n = std::make_unique<ConfigNode>();
  n->kind = ConfigNode::Kind::Scalar;
  n->scalar = text;
  n->used = true;
  m_node->map.push_back({name, Source{}, std::move(n)});
}

std::vector<Params::Item> Params::get_list(const std::string& name, const std::string& desc,
                                           const std::string& unit,
                                           const std::vector<std::string>& def) {
  ParamInfo info;
  info.path = key_path(name);
  info.name = name;
  info.type = "list";
  info.unit = unit;
  info.desc = desc;
  info.def = "[";
  for (size_t i = 0; i < def.size(); ++i) info.def += (i ? ", " : "") + def[i];
  info.def += "]";
  const ConfigNode* node = lookup(name, info);
  std::vector<Item> items;
  if (m_ctx->describe) return items;
  if (!node) {
    auto n = std::make_unique<ConfigNode>();
    n->kind = ConfigNode::Kind::Seq;
    n->used = true;
    for (const std::string& d : def) {
      auto item = std::make_unique<ConfigNode>();
      item->kind = ConfigNode::Kind::Scalar;
      item->scalar = d;
      n->seq.push_back(std::move(item));
      items.push_back({d, Source{}, items.size()});
    }
    if (m_node) m_node->map.push_back({name, Source{}, std::move(n)});
    return items;
  }
  if (node->kind == ConfigNode::Kind::Scalar) return {{node->scalar, node->src, 0}};
  if (node->kind != ConfigNode::Kind::Seq) fail(name, "expected a list of values");
  for (const auto& item : node->seq) {
    if (item->kind != ConfigNode::Kind::Scalar) fail(name, "list items must be single values");
    items.push_back({item->scalar, item->src, items.size()});
  }
  if (items.empty() && !def.empty()) fail(name, "the list is empty");  // optional lists may be
  return items;
}

double Params::item_quantity(const std::string& name, const Item& it, const std::string& unit,
                             double lo, double hi) const {
  std::string place =
      it.src.describe() + ": " + key_path(name) + "[" + std::to_string(it.index) + "] = " + it.text;
  double v;
  try {
    v = parse_quantity(it.text, unit);
  } catch (const std::invalid_argument& e) {
    throw Error(place + ": cannot read as float in " + unit + ": " + e.what());
  }
  if (v < lo || v > hi) {
    throw Error(place + ": not in [" + detail::to_text(lo) + ", " + detail::to_text(hi) + "] " +
                unit);
  }
  return v;
}

std::string Params::item_choice(const std::string& name, const Item& it,
                                const std::vector<std::string>& choices) const {
  for (const std::string& c : choices)
    if (c == it.text) return c;
  std::string list;
  for (size_t i = 0; i < choices.size(); ++i) list += (i ? ", " : " ") + choices[i];
  throw Error(it.src.describe() + ": " + key_path(name) + "[" + std::to_string(it.index) +
              "] = " + it.text + ": not one of" + list);
}

Params Params::child(const std::string& name) {
  auto& names = m_ctx->names_at[m_path];
  if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  if (m_ctx->describe || !m_node) return Params(nullptr, key_path(name), m_ctx);
  ConfigNode::Entry* e = m_node->find_entry(name);
  if (e && e->value->kind != ConfigNode::Kind::Map) {
    fail(name, "expected a map of keys");
  }
  ConfigNode& n = m_node->child_map(name, m_node->src);
  n.used = true;
  return Params(&n, key_path(name), m_ctx);
}

bool Params::has(const std::string& name) const { return m_node && m_node->find(name) != nullptr; }

std::string Params::where(const std::string& name) const {
  if (!m_node) return key_path(name);
  if (name.empty()) return m_node->src.describe() + ": " + m_path;
  const ConfigNode* n = m_node->find(name);
  std::string place = n ? n->src.describe() : m_node->src.describe();
  return place + ": " + key_path(name);
}

std::string Params::base_dir(const std::string& name) const {
  const ConfigNode* n = m_node ? m_node->find(name) : nullptr;
  if (!n || n->src.file.empty() || n->src.file == "-p") return ".";
  std::string dir = std::filesystem::path(n->src.file).parent_path().string();
  return dir.empty() ? "." : dir;
}

void Params::fail(const std::string& name, const std::string& rule) const {
  std::string value;
  const ConfigNode* n = m_node ? m_node->find(name) : nullptr;
  if (n && n->kind == ConfigNode::Kind::Scalar) value = " = " + n->scalar;
  throw Error(where(name) + value + ": " + rule);
}

namespace {
void collect_unused(const ConfigNode& node, const std::string& path, const ParamContext& ctx,
                    std::vector<std::string>& out) {
  if (node.kind != ConfigNode::Kind::Map) return;
  for (const auto& e : node.map) {
    std::string key_path = path.empty() ? e.key : path + "." + e.key;
    if (!e.value->used) {
      std::string msg = e.key_src.describe() + ": " + key_path + ": unknown key";
      auto it = ctx.names_at.find(path);
      if (it != ctx.names_at.end()) {
        const std::string best = closest_name(e.key, it->second);
        if (!best.empty()) {
          msg += " (did you mean '" + best + "'?)";
        } else if (!it->second.empty()) {
          msg += " (known keys here:";
          for (const auto& c : it->second) msg += " " + c;
          msg += ")";
        }
      }
      out.push_back(msg);
    } else {
      collect_unused(*e.value, key_path, ctx, out);
    }
  }
}
}  // namespace

void check_unused(const ConfigNode& root, const ParamContext& ctx) {
  std::vector<std::string> msgs;
  collect_unused(root, "", ctx, msgs);
  if (msgs.empty()) return;
  std::string all;
  for (size_t i = 0; i < msgs.size(); ++i) all += (i ? "\n" : "") + msgs[i];
  throw Error(all);
}

std::string format_param_table(const std::vector<ParamInfo>& params, const std::string& strip) {
  std::vector<std::vector<std::string>> rows = {
      {"name", "type", "unit", "default", "range", "description"}};
  for (const auto& p : params) {
    std::string name = p.path;
    if (!strip.empty() && name.rfind(strip + ".", 0) == 0) name = name.substr(strip.size() + 1);
    // A '|' inside a cell would end it in Markdown.
    std::string desc;
    for (char ch : p.desc) desc += ch == '|' ? std::string("\\|") : std::string(1, ch);
    rows.push_back({name, p.type, p.unit.empty() ? "-" : p.unit, p.required ? "(required)" : p.def,
                    p.range.empty() ? "-" : p.range, desc});
  }
  std::vector<size_t> width(6, 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < 6; ++i) width[i] = std::max(width[i], r[i].size());
  // Markdown table, readable as text and pasteable into docs.
  std::ostringstream os;
  for (size_t ri = 0; ri < rows.size(); ++ri) {
    os << "|";
    for (size_t i = 0; i < 6; ++i)
      os << " " << std::left << std::setw(int(width[i])) << rows[ri][i] << " |";
    os << "\n";
    if (ri == 0) {
      os << "|";
      for (size_t i = 0; i < 6; ++i) os << std::string(width[i] + 2, '-') << "|";
      os << "\n";
    }
  }
  return os.str();
}

}  // namespace pcmsim
