#pragma once
// Declared parameters: every component reads its config through Params, stating each key's
// type, description, unit, default (or that it is required) and valid range:
//   m_bits = p.get<int>("bits").desc("ADC resolution").unit("bit").range(1, 16).def(8);
// Keys are marked as read; after building, check_unused() rejects any key nobody read.

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "sim/base/config.h"
#include "sim/base/error.h"

namespace pcmsim {

/// @brief What a component declared about one parameter (for `pcmsim describe` and docs).
struct ParamInfo {
  std::string path;  ///< full key path, e.g. chip.tile.core.adc.bits
  std::string name;
  std::string type;
  std::string unit;
  std::string def;    ///< default as text; empty if required
  std::string range;  ///< "[1, 16]", "one of a, b", or ""
  std::string desc;
  bool required = false;
};

/// @brief Shared state of one configuration pass: the declarations seen, and whether this is a
/// describe pass (no config; declarations are collected and defaults returned).
struct ParamContext {
  bool describe = false;
  std::vector<ParamInfo> declared;
  std::map<std::string, std::vector<std::string>> names_at;  ///< map path -> keys declared there
};

class Params;

/// @brief A parameter being declared; converts to its value at the end of the chain.
template <class T>
class ParamSpec {
 public:
  ParamSpec(Params& owner, std::string name) : m_owner(owner), m_name(std::move(name)) {}
  ParamSpec& desc(const std::string& d) {
    m_desc = d;
    return *this;
  }
  ParamSpec& unit(const std::string& u) {
    m_unit = u;
    return *this;
  }
  ParamSpec& range(T lo, T hi) {
    m_lo = lo;
    m_hi = hi;
    return *this;
  }
  ParamSpec& min(T lo) {
    m_lo = lo;
    return *this;
  }
  ParamSpec& choices(std::vector<std::string> c) {
    m_choices = std::move(c);
    return *this;
  }
  /// @brief The default; without one the parameter is required.
  ParamSpec& def(T v) {
    m_def = v;
    return *this;
  }
  /// @brief Resolves the value: from the config, or the default, else an Error.
  T value() const;
  operator T() const { return value(); }  // NOLINT: the chain ends in a conversion by design

 private:
  Params& m_owner;
  bool m_unit_is_physical() const;
  std::string m_name, m_desc, m_unit;
  std::optional<T> m_lo, m_hi, m_def;
  std::vector<std::string> m_choices;
};

/// @brief A view on one map of the config tree at a key path.
class Params {
 public:
  Params(ConfigNode* node, std::string path, std::shared_ptr<ParamContext> ctx);

  template <class T>
  ParamSpec<T> get(const std::string& name) {
    return ParamSpec<T>(*this, name);
  }

  /// @brief A list parameter: a YAML sequence (or one scalar, read as a list of one), each item
  /// as text with its source; @p def is the default list. Items are converted by the caller with
  /// item_quantity() or checked against choices with item_choice().
  struct Item {
    std::string text;
    Source src;
    size_t index;
  };
  std::vector<Item> get_list(const std::string& name, const std::string& desc,
                             const std::string& unit, const std::vector<std::string>& def);
  /// @brief Item @p it of list @p name as a number in @p unit within [lo, hi]; Error otherwise.
  double item_quantity(const std::string& name, const Item& it, const std::string& unit, double lo,
                       double hi) const;
  /// @brief Item @p it of list @p name if it is one of @p choices; Error otherwise.
  std::string item_choice(const std::string& name, const Item& it,
                          const std::vector<std::string>& choices) const;

  /// @brief The sub-map @p name (created empty if absent, so all its parameters take defaults).
  Params child(const std::string& name);
  /// @brief Whether the key @p name is present in the config.
  bool has(const std::string& name) const;
  const std::string& path() const { return m_path; }
  std::string key_path(const std::string& name) const;
  /// @brief "file:line key.path" for errors about @p name (or the map itself if empty).
  std::string where(const std::string& name = "") const;
  /// @brief The directory of the file that set @p name, for resolving relative paths.
  std::string base_dir(const std::string& name) const;
  /// @brief Throws Error naming the place of @p name, its value and @p rule.
  [[noreturn]] void fail(const std::string& name, const std::string& rule) const;
  bool describing() const { return m_ctx->describe; }

  // Used by ParamSpec.
  const ConfigNode* lookup(const std::string& name, const ParamInfo& info);
  void record_default(const std::string& name, const std::string& text);

 private:
  ConfigNode* m_node;
  std::string m_path;
  std::shared_ptr<ParamContext> m_ctx;
};

/// @brief Throws Error listing every key in @p root that no component read, each with its place
/// and a did-you-mean among the keys declared at that level.
void check_unused(const ConfigNode& root, const ParamContext& ctx);

/// @brief Formats a table of parameter declarations (name, type, unit, default, range,
/// description).
std::string format_param_table(const std::vector<ParamInfo>& params,
                               const std::string& strip_prefix);

namespace detail {
template <class T>
const char* type_name() {
  if constexpr (std::is_same_v<T, bool>)
    return "bool";
  else if constexpr (std::is_integral_v<T>)
    return "int";
  else if constexpr (std::is_floating_point_v<T>)
    return "float";
  else
    return "string";
}
template <class T>
std::string to_text(const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_same_v<T, std::string>) {
    return v;
  } else {
    // The shortest text that reads back as the same value (defaults are written back).
    for (int digits : {12, 15, std::numeric_limits<T>::max_digits10}) {
      std::ostringstream os;
      os.precision(digits);
      os << v;
      std::istringstream back(os.str());
      T w{};
      back >> w;
      if (w == v || digits == std::numeric_limits<T>::max_digits10) return os.str();
    }
    return std::string();
  }
}
/// Converts scalar text to T in @p unit; throws std::invalid_argument with the reason.
template <class T>
T from_text(const std::string& text, const std::string& unit);
template <>
bool from_text<bool>(const std::string&, const std::string&);
template <>
std::string from_text<std::string>(const std::string&, const std::string&);
template <>
double from_text<double>(const std::string&, const std::string&);
template <>
int64_t from_text<int64_t>(const std::string&, const std::string&);
template <>
int from_text<int>(const std::string&, const std::string&);
}  // namespace detail

bool is_physical_unit(const std::string& unit);

template <class T>
bool ParamSpec<T>::m_unit_is_physical() const {
  return is_physical_unit(m_unit);
}

template <class T>
T ParamSpec<T>::value() const {
  ParamInfo info;
  info.path = m_owner.key_path(m_name);
  info.name = m_name;
  info.type = detail::type_name<T>();
  info.unit = m_unit;
  info.desc = m_desc;
  info.required = !m_def.has_value();
  if (m_def) info.def = detail::to_text(*m_def);
  if (!m_choices.empty()) {
    info.range = "one of";
    for (size_t i = 0; i < m_choices.size(); ++i) info.range += (i ? ", " : " ") + m_choices[i];
  } else if (m_lo && m_hi) {
    info.range = "[" + detail::to_text(*m_lo) + ", " + detail::to_text(*m_hi) + "]";
  } else if (m_lo) {
    info.range = ">= " + detail::to_text(*m_lo);
  }
  const ConfigNode* node = m_owner.lookup(m_name, info);
  if (m_owner.describing()) {
    if (m_def) return *m_def;
    if (m_lo) return *m_lo;
    if constexpr (std::is_same_v<T, std::string>) {
      if (!m_choices.empty()) return m_choices.front();
    }
    return T{};
  }
  if (!node) {
    if (!m_def) m_owner.fail(m_name, "required parameter is missing (" + m_desc + ")");
    m_owner.record_default(m_name, info.def + (m_unit_is_physical() ? m_unit : std::string()));
    return *m_def;
  }
  if (node->kind != ConfigNode::Kind::Scalar) m_owner.fail(m_name, "expected a single value");
  T v;
  try {
    v = detail::from_text<T>(node->scalar, m_unit);
  } catch (const std::invalid_argument& e) {
    m_owner.fail(m_name, std::string("cannot read as ") + info.type +
                             (m_unit.empty() ? "" : " in " + m_unit) + ": " + e.what());
  }
  if (!m_choices.empty()) {
    if constexpr (std::is_same_v<T, std::string>) {
      bool ok = false;
      for (const auto& c : m_choices) ok = ok || c == v;
      if (!ok) m_owner.fail(m_name, "not " + info.range);
    }
  }
  if constexpr (!std::is_same_v<T, std::string> && !std::is_same_v<T, bool>) {
    if ((m_lo && v < *m_lo) || (m_hi && v > *m_hi)) {
      // info.range reads "[lo, hi]" or ">= lo".
      m_owner.fail(m_name,
                   (m_hi ? "not in " : "not ") + info.range + (m_unit.empty() ? "" : " " + m_unit));
    }
  }
  return v;
}

}  // namespace pcmsim
