#include "sim/base/stats.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace pcmsim {

StatGroup::StatGroup(std::string name, StatGroup* parent)
    : m_name(std::move(name)), m_parent(parent) {
  if (m_parent) m_parent->m_children.push_back(this);
}

StatGroup::~StatGroup() {
  if (m_parent) {
    auto& c = m_parent->m_children;
    c.erase(std::remove(c.begin(), c.end(), this), c.end());
  }
  for (StatGroup* child : m_children) child->m_parent = nullptr;
}

Counter& StatGroup::counter(const std::string& name, const std::string& unit,
                            const std::string& desc) {
  m_stats.push_back(std::make_unique<Counter>(name, unit, desc));
  return static_cast<Counter&>(*m_stats.back());
}

Accumulator& StatGroup::accumulator(const std::string& name, const std::string& unit,
                                    const std::string& desc) {
  m_stats.push_back(std::make_unique<Accumulator>(name, unit, desc));
  return static_cast<Accumulator&>(*m_stats.back());
}

Formula& StatGroup::formula(const std::string& name, const std::string& unit,
                            const std::string& desc, std::function<double()> f) {
  m_stats.push_back(std::make_unique<Formula>(name, unit, desc, std::move(f)));
  return static_cast<Formula&>(*m_stats.back());
}

std::string StatGroup::full_name() const {
  return m_parent ? m_parent->full_name() + "." + m_name : m_name;
}

const Stat* StatGroup::find(const std::string& path) const {
  size_t dot = path.find('.');
  if (dot == std::string::npos) {
    for (const auto& s : m_stats)
      if (s->name() == path) return s.get();
    return nullptr;
  }
  std::string head = path.substr(0, dot);
  for (const StatGroup* c : m_children)
    if (c->name() == head) return c->find(path.substr(dot + 1));
  return nullptr;
}

namespace {
/// Natural order: runs of digits compare as numbers.
bool natural_less(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) &&
        std::isdigit(static_cast<unsigned char>(b[j]))) {
      size_t i2 = i, j2 = j;
      while (i2 < a.size() && std::isdigit(static_cast<unsigned char>(a[i2]))) ++i2;
      while (j2 < b.size() && std::isdigit(static_cast<unsigned char>(b[j2]))) ++j2;
      const std::string x = a.substr(i, i2 - i), y = b.substr(j, j2 - j);
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      i = i2;
      j = j2;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}
}  // namespace

std::vector<const StatGroup*> StatGroup::sorted_children() const {
  std::vector<const StatGroup*> c(m_children.begin(), m_children.end());
  std::stable_sort(c.begin(), c.end(), [](const StatGroup* a, const StatGroup* b) {
    return natural_less(a->name(), b->name());
  });
  return c;
}

nlohmann::ordered_json StatGroup::to_json() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& s : m_stats) {
    nlohmann::ordered_json e;
    double v = s->value();
    if (s->integral()) {
      e["value"] = static_cast<uint64_t>(v);
    } else if (std::isfinite(v)) {
      e["value"] = v;
    } else {
      e["value"] = nullptr;
    }
    e["unit"] = s->unit();
    e["desc"] = s->desc();
    j[s->name()] = e;
  }
  for (const StatGroup* c : sorted_children()) j[c->name()] = c->to_json();
  return j;
}

void StatGroup::table_rows(std::vector<std::vector<std::string>>& rows) const {
  std::string prefix = full_name();
  for (const auto& s : m_stats) {
    std::ostringstream v;
    if (s->integral()) {
      v << static_cast<uint64_t>(s->value());
    } else {
      v << std::setprecision(6) << s->value();
    }
    rows.push_back({prefix + "." + s->name(), v.str(), s->unit(), s->desc()});
  }
  for (const StatGroup* c : sorted_children()) c->table_rows(rows);
}

std::string StatGroup::to_table() const {
  std::vector<std::vector<std::string>> rows;
  table_rows(rows);
  size_t w0 = 0, w1 = 0, w2 = 0;
  for (const auto& r : rows) {
    w0 = std::max(w0, r[0].size());
    w1 = std::max(w1, r[1].size());
    w2 = std::max(w2, r[2].size());
  }
  std::ostringstream os;
  for (const auto& r : rows) {
    os << std::left << std::setw(int(w0)) << r[0] << "  " << std::right << std::setw(int(w1))
       << r[1] << "  " << std::left << std::setw(int(w2)) << r[2] << "  # " << r[3] << "\n";
  }
  return os.str();
}

}  // namespace pcmsim
