#include "sim/base/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/base/error.h"

namespace fs = std::filesystem;

namespace pcmsim {

std::string Source::describe() const {
  if (file.empty()) return "default";
  if (file == "-p") return "-p override";
  return line > 0 ? file + ":" + std::to_string(line) : file;
}

ConfigNode* ConfigNode::find(const std::string& key) {
  Entry* e = find_entry(key);
  return e ? e->value.get() : nullptr;
}
const ConfigNode* ConfigNode::find(const std::string& key) const {
  return const_cast<ConfigNode*>(this)->find(key);
}
ConfigNode::Entry* ConfigNode::find_entry(const std::string& key) {
  for (Entry& e : map)
    if (e.key == key) return &e;
  return nullptr;
}

ConfigNode& ConfigNode::child_map(const std::string& key, const Source& s) {
  if (ConfigNode* n = find(key)) return *n;
  auto n = std::make_unique<ConfigNode>();
  n->kind = Kind::Map;
  n->src = s;
  map.push_back({key, s, std::move(n)});
  return *map.back().value;
}

std::unique_ptr<ConfigNode> ConfigNode::clone() const {
  auto n = std::make_unique<ConfigNode>();
  n->kind = kind;
  n->scalar = scalar;
  n->src = src;
  n->used = used;
  for (const Entry& e : map) n->map.push_back({e.key, e.key_src, e.value->clone()});
  for (const auto& s : seq) n->seq.push_back(s->clone());
  return n;
}

namespace {

Source mark_of(const YAML::Node& n, const std::string& file) {
  return Source{file, n.Mark().line >= 0 ? n.Mark().line + 1 : 0};
}

std::unique_ptr<ConfigNode> convert(const YAML::Node& y, const std::string& file) {
  auto n = std::make_unique<ConfigNode>();
  n->src = mark_of(y, file);
  switch (y.Type()) {
    case YAML::NodeType::Scalar:
      n->kind = ConfigNode::Kind::Scalar;
      n->scalar = y.Scalar();
      break;
    case YAML::NodeType::Sequence:
      n->kind = ConfigNode::Kind::Seq;
      for (const auto& item : y) n->seq.push_back(convert(item, file));
      break;
    case YAML::NodeType::Map:
      n->kind = ConfigNode::Kind::Map;
      for (const auto& kv : y) {
        std::string key = kv.first.Scalar();
        Source ks = mark_of(kv.first, file);
        if (n->find(key)) throw Error(ks.describe() + ": key '" + key + "' appears twice");
        n->map.push_back({key, ks, convert(kv.second, file)});
      }
      break;
    default:
      n->kind = ConfigNode::Kind::Null;
  }
  return n;
}

std::unique_ptr<ConfigNode> parse_yaml(const std::string& text, const std::string& file) {
  YAML::Node y;
  try {
    y = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(file + ":" + std::to_string(e.mark.line + 1) + ":" +
                std::to_string(e.mark.column + 1) + ": malformed YAML: " + e.msg);
  }
  auto root = convert(y, file);
  if (root->kind == ConfigNode::Kind::Null) {
    root->kind = ConfigNode::Kind::Map;
  } else if (root->kind != ConfigNode::Kind::Map) {
    throw Error(root->src.describe() + ": a config file must be a map of keys at its top level");
  }
  return root;
}

std::string impl_of(const ConfigNode& n) {
  const ConfigNode* i = n.find("impl");
  return i && i->kind == ConfigNode::Kind::Scalar ? i->scalar : std::string();
}

std::unique_ptr<ConfigNode> load_recursive(const fs::path& path, std::vector<fs::path>& stack) {
  std::ifstream in(path);
  if (!in)
    throw Error("cannot open config file '" + path.string() + "': no such file or unreadable");
  fs::path canon = fs::weakly_canonical(path);
  if (std::find(stack.begin(), stack.end(), canon) != stack.end()) {
    throw Error(path.string() + ": include cycle (the file includes itself through its includes)");
  }
  std::stringstream text;
  text << in.rdbuf();
  auto own = parse_yaml(text.str(), path.string());

  ConfigNode::Entry* inc = own->find_entry("include");
  if (!inc) return own;
  std::vector<const ConfigNode*> items;
  if (inc->value->kind == ConfigNode::Kind::Scalar) {
    items.push_back(inc->value.get());
  } else if (inc->value->kind == ConfigNode::Kind::Seq) {
    for (const auto& s : inc->value->seq) items.push_back(s.get());
  }
  if (items.empty())
    throw Error(inc->key_src.describe() + ": include: must be a path or a list of paths");

  stack.push_back(canon);
  auto merged = std::make_unique<ConfigNode>();
  merged->kind = ConfigNode::Kind::Map;
  merged->src = own->src;
  for (const ConfigNode* item : items) {
    if (item->kind != ConfigNode::Kind::Scalar)
      throw Error(item->src.describe() + ": include: entries must be paths");
    fs::path p = item->scalar;
    if (p.is_relative()) p = path.parent_path() / p;
    std::unique_ptr<ConfigNode> base;
    try {
      base = load_recursive(p, stack);
    } catch (const Error& e) {
      throw Error(std::string(e.what()) + "\n  included from " + item->src.describe());
    }
    merge_config(*merged, *base);
  }
  stack.pop_back();
  own->map.erase(std::remove_if(own->map.begin(), own->map.end(),
                                [](const ConfigNode::Entry& e) { return e.key == "include"; }),
                 own->map.end());
  merge_config(*merged, *own);
  return merged;
}

}  // namespace

void merge_config(ConfigNode& base, const ConfigNode& over) {
  for (const ConfigNode::Entry& e : over.map) {
    ConfigNode::Entry* b = base.find_entry(e.key);
    if (!b) {
      base.map.push_back({e.key, e.key_src, e.value->clone()});
      continue;
    }
    bool both_maps =
        b->value->kind == ConfigNode::Kind::Map && e.value->kind == ConfigNode::Kind::Map;
    std::string over_impl = impl_of(*e.value);
    if (both_maps && (over_impl.empty() || over_impl == impl_of(*b->value))) {
      merge_config(*b->value, *e.value);
    } else {
      b->key_src = e.key_src;
      b->value = e.value->clone();
    }
  }
}

std::unique_ptr<ConfigNode> load_config(const std::string& path) {
  std::vector<fs::path> stack;
  return load_recursive(path, stack);
}

std::unique_ptr<ConfigNode> parse_config_text(const std::string& text, const std::string& name) {
  return parse_yaml(text, name);
}

void apply_override(ConfigNode& root, const std::string& assignment) {
  size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw Error("-p " + assignment + ": expected key.path=value");
  }
  std::string path = assignment.substr(0, eq);
  std::string text = assignment.substr(eq + 1);
  Source src{"-p", 0};
  std::unique_ptr<ConfigNode> value;
  try {
    value = convert(YAML::Load(text), "-p");
  } catch (const YAML::Exception& e) {
    throw Error("-p " + assignment + ": malformed value: " + e.msg);
  }
  if (value->kind == ConfigNode::Kind::Null) {
    value->kind = ConfigNode::Kind::Scalar;  // "-p key=" sets an empty string
  }
  std::vector<std::string> keys;
  std::stringstream ss(path);
  for (std::string k; std::getline(ss, k, '.');) {
    if (k.empty()) throw Error("-p " + assignment + ": empty key in path '" + path + "'");
    keys.push_back(k);
  }
  ConfigNode* node = &root;
  std::string walked;
  for (size_t i = 0; i + 1 < keys.size(); ++i) {
    walked += (walked.empty() ? "" : ".") + keys[i];
    ConfigNode& next = node->child_map(keys[i], src);
    if (next.kind != ConfigNode::Kind::Map) {
      throw Error("-p " + assignment + ": " + walked + " is a value (set at " +
                  next.src.describe() + "), not a map of keys");
    }
    node = &next;
  }
  const std::string& leaf = keys.back();
  // Switching implementation drops the old implementation's parameters, as in merge_config.
  if (leaf == "impl" && impl_of(*node) != text) {
    // The old implementation's parameters go, but not what other -p overrides set.
    node->map.erase(
        std::remove_if(node->map.begin(), node->map.end(),
                       [](const ConfigNode::Entry& e) { return e.key_src.file != "-p"; }),
        node->map.end());
  }
  ConfigNode::Entry* e = node->find_entry(leaf);
  value->src = src;
  if (e) {
    e->key_src = src;
    e->value = std::move(value);
  } else {
    node->map.push_back({leaf, src, std::move(value)});
  }
}

namespace {
void emit(YAML::Emitter& out, const ConfigNode& n) {
  switch (n.kind) {
    case ConfigNode::Kind::Scalar:
      out << n.scalar;
      break;
    case ConfigNode::Kind::Seq:
      out << YAML::BeginSeq;
      for (const auto& s : n.seq) emit(out, *s);
      out << YAML::EndSeq;
      break;
    case ConfigNode::Kind::Map:
      out << YAML::BeginMap;
      for (const auto& e : n.map) {
        out << YAML::Key << e.key << YAML::Value;
        emit(out, *e.value);
      }
      out << YAML::EndMap;
      break;
    default:
      out << YAML::Null;
  }
}
}  // namespace

void write_config_yaml(const ConfigNode& root, std::ostream& os) {
  YAML::Emitter out;
  emit(out, root);
  os << out.c_str() << "\n";
}

void mark_used(ConfigNode& node) {
  node.used = true;
  for (auto& e : node.map) mark_used(*e.value);
  for (auto& v : node.seq) mark_used(*v);
}

}  // namespace pcmsim
