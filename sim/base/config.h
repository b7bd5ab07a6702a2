#pragma once
// The configuration tree: YAML files (with include: and -p overrides) loaded into nodes that
// remember where each value came from, so every error can name file, line and key path.

#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace pcmsim {

/// @brief Where a config value came from: a file and line, a -p override, or a default.
struct Source {
  std::string file;  ///< path of the YAML file, "-p" for command-line overrides, "" for defaults
  int line = 0;      ///< 1-based line in file, 0 if not from a file
  std::string describe() const;  ///< "chip.yaml:42", "-p override", "default"
};

/// @brief One node of the configuration tree: a scalar, a map (ordered) or a sequence.
class ConfigNode {
 public:
  enum class Kind { Null, Scalar, Map, Seq };
  struct Entry {
    std::string key;
    Source key_src;
    std::unique_ptr<ConfigNode> value;
  };

  Kind kind = Kind::Null;
  std::string scalar;  ///< text of a scalar, as written
  Source src;
  std::vector<Entry> map;
  std::vector<std::unique_ptr<ConfigNode>> seq;
  bool used = false;  ///< set when a component reads this node

  ConfigNode* find(const std::string& key);
  const ConfigNode* find(const std::string& key) const;
  Entry* find_entry(const std::string& key);
  /// @brief The value under @p key, added as an empty map if missing.
  ConfigNode& child_map(const std::string& key, const Source& src);
  std::unique_ptr<ConfigNode> clone() const;
};

/// @brief Loads a YAML config file, resolving `include:` (a path or list of paths, relative to
/// the including file; later ones and the file itself override earlier ones). Maps merge key by
/// key, except that a map which names a different `impl:` than its base replaces the base map
/// wholly (the base's parameters belong to the other implementation). Throws Error on a missing
/// file, malformed YAML or an include cycle.
std::unique_ptr<ConfigNode> load_config(const std::string& path);

/// @brief Parses YAML text (for tests and sidecars); @p name stands in for the file name.
std::unique_ptr<ConfigNode> parse_config_text(const std::string& text, const std::string& name);

/// @brief Applies a `-p key.path=value` override (value parsed as YAML). Throws Error if the
/// override is malformed or runs through a scalar.
void apply_override(ConfigNode& root, const std::string& assignment);

/// @brief Overlays @p over onto @p base with the merge rule of load_config.
void merge_config(ConfigNode& base, const ConfigNode& over);

/// @brief Marks @p node and everything under it as read (a section a run does not use, such as
/// a run config's `sweep:`).
void mark_used(ConfigNode& node);

/// @brief Writes the tree as YAML (values as written, defaults filled in by the components).
void write_config_yaml(const ConfigNode& root, std::ostream& os);

}  // namespace pcmsim
