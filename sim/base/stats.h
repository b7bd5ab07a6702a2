#pragma once
// Hierarchical statistics (after gem5's stat groups): each component owns a StatGroup; each stat
// has a name, a unit and a description; formulas are evaluated when the stats are dumped.
// One dumper writes stats.json (for machines) and a text table (for people).

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pcmsim {

/// @brief One named statistic. Counters and accumulators may also attribute what they count to
/// tags (the schedule's steps): the same action is counted once, and a step's share is read
/// back with value_of(tag).
class Stat {
 public:
  Stat(std::string name, std::string unit, std::string desc)
      : m_name(std::move(name)), m_unit(std::move(unit)), m_desc(std::move(desc)) {}
  virtual ~Stat() = default;
  virtual double value() const = 0;
  virtual bool integral() const { return false; }
  /// @brief The part of value() attributed to @p tag (0 if none).
  double value_of(int tag) const {
    return tag >= 0 && size_t(tag) < m_by_tag.size() ? m_by_tag[size_t(tag)] : 0.0;
  }
  const std::string& name() const { return m_name; }
  const std::string& unit() const { return m_unit; }
  const std::string& desc() const { return m_desc; }

 protected:
  void attribute(int tag, double v) {
    if (tag < 0) return;
    if (size_t(tag) >= m_by_tag.size()) m_by_tag.resize(size_t(tag) + 1, 0.0);
    m_by_tag[size_t(tag)] += v;
  }

 private:
  std::string m_name, m_unit, m_desc;
  std::vector<double> m_by_tag;
};

/// @brief An event counter (actions, bytes, cycles).
class Counter : public Stat {
 public:
  using Stat::Stat;
  Counter& operator+=(uint64_t n) {
    m_v += n;
    return *this;
  }
  Counter& operator++() {
    ++m_v;
    return *this;
  }
  /// @brief Counts @p n, attributed to @p tag (a step; negative: to none).
  void add(uint64_t n, int tag) {
    m_v += n;
    attribute(tag, double(n));
  }
  uint64_t count() const { return m_v; }
  double value() const override { return static_cast<double>(m_v); }
  bool integral() const override { return true; }

 private:
  uint64_t m_v = 0;
};

/// @brief A real-valued accumulator (e.g. summed conductance-input products).
class Accumulator : public Stat {
 public:
  using Stat::Stat;
  Accumulator& operator+=(double x) {
    m_v += x;
    return *this;
  }
  /// @brief Adds @p x, attributed to @p tag (negative: to none).
  void add(double x, int tag) {
    m_v += x;
    attribute(tag, x);
  }
  double value() const override { return m_v; }

 private:
  double m_v = 0;
};

/// @brief A value derived from other stats, evaluated at dump time.
class Formula : public Stat {
 public:
  Formula(std::string name, std::string unit, std::string desc, std::function<double()> f)
      : Stat(std::move(name), std::move(unit), std::move(desc)), m_f(std::move(f)) {}
  double value() const override { return m_f(); }

 private:
  std::function<double()> m_f;
};

/// @brief A named group of stats and child groups; names follow the module hierarchy.
class StatGroup {
 public:
  explicit StatGroup(std::string name, StatGroup* parent = nullptr);
  StatGroup(const StatGroup&) = delete;
  StatGroup& operator=(const StatGroup&) = delete;
  ~StatGroup();

  Counter& counter(const std::string& name, const std::string& unit, const std::string& desc);
  Accumulator& accumulator(const std::string& name, const std::string& unit,
                           const std::string& desc);
  Formula& formula(const std::string& name, const std::string& unit, const std::string& desc,
                   std::function<double()> f);

  const std::string& name() const { return m_name; }
  /// @brief Dotted path from the root group, e.g. chip.tile0.core1.adc.
  std::string full_name() const;
  const std::deque<std::unique_ptr<Stat>>& stats() const { return m_stats; }
  /// @brief The stat at dotted @p path below this group, or nullptr.
  const Stat* find(const std::string& path) const;

  /// @brief Child groups in natural order of their names (tile2 before tile10), whatever order
  /// they were created in.
  std::vector<const StatGroup*> sorted_children() const;
  /// @brief {"stat": {"value": v, "unit": u, "desc": d}, "child": {...}}
  nlohmann::ordered_json to_json() const;
  /// @brief One line per stat: full name, value, unit, description.
  std::string to_table() const;

 private:
  void table_rows(std::vector<std::vector<std::string>>& rows) const;
  std::string m_name;
  StatGroup* m_parent;
  std::vector<StatGroup*> m_children;
  std::deque<std::unique_ptr<Stat>> m_stats;
};

}  // namespace pcmsim
