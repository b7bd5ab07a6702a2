#include "sim/sweep/spec.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <system_error>

#include "sim/base/error.h"
#include "sim/base/rng.h"
#include "sim/base/units.h"

namespace fs = std::filesystem;

namespace pcmsim {

namespace {

[[noreturn]] void fail(const ConfigNode& n, const std::string& path, const std::string& rule) {
  throw Error(n.src.describe() + ": " + path + ": " + rule);
}

/// A scalar's number; the error names where it was set.
double number_of(const ConfigNode& n, const std::string& path) {
  if (n.kind != ConfigNode::Kind::Scalar) fail(n, path, "expected a number");
  char* end = nullptr;
  const double d = std::strtod(n.scalar.c_str(), &end);
  if (n.scalar.empty() || *end != '\0' || !std::isfinite(d))
    fail(n, path, "'" + n.scalar + "' is not a plain number (ranges take numbers without units)");
  return d;
}

bool is_integer(double d) { return std::fabs(d) < 1e15 && d == std::floor(d); }

std::string format_number(double d, bool integer) {
  char buf[64];
  if (integer)
    std::snprintf(buf, sizeof buf, "%.0f", d);
  else
    std::snprintf(buf, sizeof buf, "%.10g", d);
  return buf;
}

/// The values of one axis: a list, {range: [start, stop, step]}, {logspace: [start, stop, n]}
/// or one scalar.
std::vector<std::string> axis_values(const ConfigNode& n, const std::string& path) {
  std::vector<std::string> out;
  if (n.kind == ConfigNode::Kind::Scalar) {
    out.push_back(n.scalar);
  } else if (n.kind == ConfigNode::Kind::Seq) {
    for (const auto& v : n.seq) {
      if (v->kind != ConfigNode::Kind::Scalar)
        fail(*v, path, "an axis lists plain values (a value that is a list or map: quote it)");
      out.push_back(v->scalar);
    }
  } else if (n.kind == ConfigNode::Kind::Map) {
    if (n.map.size() != 1 || (n.map[0].key != "range" && n.map[0].key != "logspace"))
      fail(n, path,
           "an axis is a list of values, {range: [start, stop, step]} or {logspace: "
           "[start, stop, count]}");
    const std::string& kind = n.map[0].key;
    const ConfigNode& args = *n.map[0].value;
    const std::string where = path + "." + kind;
    if (args.kind != ConfigNode::Kind::Seq || args.seq.size() != 3)
      fail(args, where,
           "expected [start, stop, " + std::string(kind == "range" ? "step" : "count") + "]");
    const double a = number_of(*args.seq[0], where), b = number_of(*args.seq[1], where),
                 c = number_of(*args.seq[2], where);
    if (kind == "range") {
      if (c == 0 || (b - a) / c < 0)
        fail(args, where, "the step must be non-zero and lead from start to stop");
      const double steps = std::floor((b - a) / c + 1e-9);
      if (steps > 1e6) fail(args, where, "more than a million values");
      const bool integer = is_integer(a) && is_integer(c);
      for (int64_t i = 0; i <= int64_t(steps); ++i)
        out.push_back(format_number(a + double(i) * c, integer));
    } else {
      if (a <= 0 || b <= 0) fail(args, where, "start and stop must be positive");
      if (!is_integer(c) || c < 2 || c > 1e6) fail(args, where, "count must be an integer >= 2");
      const int count = int(c);
      for (int i = 0; i < count; ++i) {
        const double v = i == count - 1 ? b : a * std::pow(b / a, double(i) / double(count - 1));
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.6g", v);
        out.push_back(buf);
      }
    }
  } else {
    fail(n, path, "an axis needs values");
  }
  if (out.empty()) fail(n, path, "empty axis: it gives no value");
  return out;
}

/// Did-you-mean among @p names, as every error about a name says it.
std::string closest(const std::string& name, const std::vector<std::string>& names) {
  const std::string best = closest_name(name, names);
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

}  // namespace

std::vector<std::string> SweepSpec::overrides(const SweepPoint& p) const {
  std::vector<std::string> out;
  for (size_t a = 0; a < axes.size(); ++a) out.push_back(axes[a].key + "=" + p.values[a]);
  return out;
}

Objective objective_named(const std::string& name, bool minimize) {
  static const std::map<std::string, std::string> kNamed = {
      {"latency", "run.latency_ns"},   {"energy", "run.energy_per_image_pj"},
      {"accuracy", "run.accuracy"},    {"throughput", "run.throughput_images_per_s"},
      {"area", "run.area_mm2"},        {"power", "run.power_mw"},
      {"tops_per_w", "run.tops_per_w"}};
  Objective o;
  o.name = name;
  o.minimize = minimize;
  auto it = kNamed.find(name);
  if (it != kNamed.end()) {
    o.path = it->second;
  } else if (name.find('.') != std::string::npos) {
    o.path = name;
  } else {
    std::vector<std::string> names;
    for (const auto& kv : kNamed) names.push_back(kv.first);
    throw Error("unknown objective '" + name + "'" + closest(name, names) +
                ": one of latency, energy, accuracy, throughput, area, power, tops_per_w, or a "
                "stats.json path such as run.latency_cycles");
  }
  return o;
}

SweepSpec load_sweep(const std::string& path) {
  std::unique_ptr<ConfigNode> root = load_config(path);
  SweepSpec spec;
  spec.file = path;
  ConfigNode* sw = root->find("sweep");
  if (!sw || sw->kind != ConfigNode::Kind::Map)
    throw Error(path +
                ": no sweep: section (a map with axes:, and base: when the file is not "
                "itself a run config)");
  mark_used(*sw);
  for (const ConfigNode::Entry& e : sw->map) {
    static const std::vector<std::string> kKeys = {"base",        "axes",   "zip",
                                                   "constraints", "sample", "objectives"};
    if (std::find(kKeys.begin(), kKeys.end(), e.key) == kKeys.end())
      throw Error(e.key_src.describe() + ": sweep." + e.key + ": unknown key" +
                  closest(e.key, kKeys));
  }
  // The base run config: sweep.base (relative to the file that names it), or this file.
  if (const ConfigNode* b = sw->find("base")) {
    if (b->kind != ConfigNode::Kind::Scalar || b->scalar.empty())
      fail(*b, "sweep.base", "expected the path of a run config");
    fs::path p(b->scalar);
    if (p.is_relative()) p = fs::path(b->src.file).parent_path() / p;
    spec.base = fs::absolute(p).lexically_normal().string();
    // The non-throwing check: a name the file system refuses (too long, say) is no file either.
    std::error_code ec;
    if (!fs::is_regular_file(spec.base, ec))
      fail(*b, "sweep.base", "no such file: " + spec.base + (ec ? " (" + ec.message() + ")" : ""));
  } else {
    spec.base = fs::absolute(path).lexically_normal().string();
  }
  // Axes.
  const ConfigNode::Entry* axes_entry = sw->find_entry("axes");
  if (!axes_entry || axes_entry->value->kind != ConfigNode::Kind::Map ||
      axes_entry->value->map.empty())
    fail(*sw, "sweep.axes", "a sweep needs axes: a map of key paths to their values");
  std::vector<std::string> keys;
  for (const ConfigNode::Entry& e : axes_entry->value->map) {
    SweepAxis a;
    a.key = e.key;
    a.src = e.key_src;
    a.values = axis_values(*e.value, "sweep.axes." + e.key);
    keys.push_back(e.key);
    spec.axes.push_back(std::move(a));
  }
  auto axis_index = [&](const ConfigNode& n, const std::string& where) {
    if (n.kind != ConfigNode::Kind::Scalar) fail(n, where, "expected an axis' key path");
    auto it = std::find(keys.begin(), keys.end(), n.scalar);
    if (it == keys.end())
      fail(n, where, "'" + n.scalar + "' is not one of the axes" + closest(n.scalar, keys));
    return int(it - keys.begin());
  };
  // Zipped groups: one factor each; every other axis is a factor of its own.
  std::vector<int> group_of(spec.axes.size(), -1);
  std::vector<std::vector<int>> groups;
  if (const ConfigNode* z = sw->find("zip")) {
    if (z->kind != ConfigNode::Kind::Seq) fail(*z, "sweep.zip", "expected a list of axis lists");
    for (const auto& g : z->seq) {
      if (g->kind != ConfigNode::Kind::Seq || g->seq.size() < 2)
        fail(*g, "sweep.zip", "a zipped group lists two axes or more");
      std::vector<int> members;
      for (const auto& k : g->seq) {
        const int a = axis_index(*k, "sweep.zip");
        if (group_of[size_t(a)] >= 0)
          fail(*k, "sweep.zip", "axis '" + k->scalar + "' zipped twice");
        group_of[size_t(a)] = int(groups.size());
        members.push_back(a);
      }
      const size_t n = spec.axes[size_t(members[0])].values.size();
      for (int a : members)
        if (spec.axes[size_t(a)].values.size() != n)
          fail(*g, "sweep.zip",
               "zipped axes of unequal length: '" + spec.axes[size_t(members[0])].key + "' has " +
                   std::to_string(n) + " values, '" + spec.axes[size_t(a)].key + "' " +
                   std::to_string(spec.axes[size_t(a)].values.size()));
      groups.push_back(members);
    }
  }
  std::vector<std::vector<int>> factors;  // in the order of their first axis
  std::vector<char> placed(groups.size(), 0);
  for (size_t a = 0; a < spec.axes.size(); ++a) {
    const int g = group_of[a];
    if (g < 0) {
      factors.push_back({int(a)});
    } else if (!placed[size_t(g)]) {
      placed[size_t(g)] = 1;
      factors.push_back(groups[size_t(g)]);
    }
  }
  // Constraints.
  std::vector<std::pair<Expr, const ConfigNode*>> constraints;
  if (const ConfigNode* c = sw->find("constraints")) {
    std::vector<const ConfigNode*> items;
    if (c->kind == ConfigNode::Kind::Scalar) {
      items.push_back(c);
    } else if (c->kind == ConfigNode::Kind::Seq) {
      for (const auto& x : c->seq) items.push_back(x.get());
    } else {
      fail(*c, "sweep.constraints", "expected a list of expressions");
    }
    for (const ConfigNode* x : items) {
      if (x->kind != ConfigNode::Kind::Scalar)
        fail(*x, "sweep.constraints", "expected an expression");
      Expr e;
      try {
        e = Expr::parse(x->scalar);
      } catch (const Error& err) {
        fail(*x, "sweep.constraints", std::string("does not parse: ") + err.what());
      }
      if (e.names().empty()) fail(*x, "sweep.constraints", "'" + x->scalar + "' names no axis");
      for (const std::string& n : e.names())
        if (std::find(keys.begin(), keys.end(), n) == keys.end())
          fail(*x, "sweep.constraints",
               "'" + n + "' in '" + x->scalar + "' is not one of the axes" + closest(n, keys));
      constraints.emplace_back(std::move(e), x);
    }
  }
  // The cartesian product, first factor slowest, filtered by the constraints.
  size_t total = 1;
  for (const auto& f : factors) {
    total *= spec.axes[size_t(f[0])].values.size();
    if (total > 1000000) fail(*sw, "sweep.axes", "more than a million points");
  }
  std::vector<size_t> digit(factors.size(), 0);
  for (size_t i = 0; i < total; ++i) {
    SweepPoint p;
    p.values.resize(spec.axes.size());
    for (size_t f = 0; f < factors.size(); ++f)
      for (int a : factors[f]) p.values[size_t(a)] = spec.axes[size_t(a)].values[digit[f]];
    bool keep = true;
    for (const auto& [e, node] : constraints) {
      auto lookup = [&](const std::string& name) {
        const size_t a = size_t(std::find(keys.begin(), keys.end(), name) - keys.begin());
        return ExprValue::of(p.values[a]);
      };
      try {
        keep = keep && e.holds(lookup);
      } catch (const Error& err) {
        fail(*node, "sweep.constraints", std::string(err.what()));
      }
    }
    if (keep) {
      p.index = int(spec.points.size());
      spec.points.push_back(std::move(p));
    }
    for (size_t f = factors.size(); f-- > 0;) {
      if (++digit[f] < spec.axes[size_t(factors[f][0])].values.size()) break;
      digit[f] = 0;
    }
  }
  if (spec.points.empty())
    fail(*sw, "sweep.constraints",
         "no point satisfies the constraints (of " + std::to_string(total) + ")");
  // Sampling: N points without replacement (a Fisher-Yates prefix on keyed uniform draws),
  // kept in the sweep's order.
  if (const ConfigNode* s = sw->find("sample")) {
    if (s->kind != ConfigNode::Kind::Map) fail(*s, "sweep.sample", "expected {points: N, seed: S}");
    const ConfigNode* pn = s->find("points");
    if (!pn) fail(*s, "sweep.sample", "needs points: N");
    const double n = number_of(*pn, "sweep.sample.points");
    if (!is_integer(n) || n < 1) fail(*pn, "sweep.sample.points", "expected an integer >= 1");
    uint64_t seed = 1;
    if (const ConfigNode* sd = s->find("seed")) {
      const double d = number_of(*sd, "sweep.sample.seed");
      if (!is_integer(d) || d < 0) fail(*sd, "sweep.sample.seed", "expected an integer >= 0");
      seed = uint64_t(d);
    }
    for (const auto& e : s->map)
      if (e.key != "points" && e.key != "seed")
        throw Error(e.key_src.describe() + ": sweep.sample." + e.key +
                    ": unknown key (sample takes points and seed)");
    const size_t want = size_t(n);
    if (want < spec.points.size()) {
      const RngStream rng(seed, DrawKind::Sample, 0, 0);
      std::vector<size_t> order(spec.points.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      for (size_t i = 0; i < want; ++i) {
        const size_t j =
            i + std::min(order.size() - i - 1, size_t(rng.uniform(i) * double(order.size() - i)));
        std::swap(order[i], order[j]);
      }
      order.resize(want);
      std::sort(order.begin(), order.end());
      std::vector<SweepPoint> kept;
      for (size_t i : order) {
        kept.push_back(spec.points[i]);
        kept.back().index = int(kept.size()) - 1;
      }
      spec.points = std::move(kept);
    }
  }
  // Objectives.
  if (const ConfigNode* o = sw->find("objectives")) {
    if (o->kind != ConfigNode::Kind::Map)
      fail(*o, "sweep.objectives", "expected a map of names to min or max");
    for (const ConfigNode::Entry& e : o->map) {
      const ConfigNode& v = *e.value;
      if (v.kind != ConfigNode::Kind::Scalar || (v.scalar != "min" && v.scalar != "max"))
        fail(v, "sweep.objectives." + e.key, "expected min or max");
      try {
        spec.objectives.push_back(objective_named(e.key, v.scalar == "min"));
      } catch (const Error& err) {
        throw Error(e.key_src.describe() + ": sweep.objectives." + e.key + ": " + err.what());
      }
    }
  }
  return spec;
}

}  // namespace pcmsim
