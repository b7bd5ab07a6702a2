#pragma once
// Energy and area accounting (after Accelergy): timing code only counts actions; after the run,
// energy = sum over actions of count x energy per action + sum of leakage power x time.
// Components bind their counters to an action with its per-action energy and class.

#include <map>
#include <string>
#include <vector>

#include "sim/base/stats.h"

namespace pcmsim {

/// @brief The classes in which the report breaks energy and area down.
const std::vector<std::string>& energy_classes();

/// @brief Energy and area of a finished run, by class and by component.
struct EnergyBreakdown {
  std::map<std::string, double> by_class_pj;      ///< class -> pJ (leakage as its own class)
  std::map<std::string, double> by_component_pj;  ///< component path -> pJ (dynamic + leakage)
  double total_pj = 0;
};

class EnergyLedger {
 public:
  /// @brief Each unit of @p count costs @p pj_each picojoules, in @p cls, at @p component.
  void bind(const std::string& component, const std::string& cls, const Stat& count,
            double pj_each);
  /// @brief @p component leaks @p mw milliwatts for the whole run.
  void leakage(const std::string& component, double mw);
  /// @brief @p component occupies @p um2 square micrometres, in @p cls.
  void area(const std::string& component, const std::string& cls, double um2);

  /// @brief Evaluates energies from the current counts and a run of @p runtime_ns.
  EnergyBreakdown evaluate(double runtime_ns) const;
  /// @brief Dynamic energy attributed to @p tag (a step) by class, in pJ.
  std::map<std::string, double> class_energy_of_tag(int tag) const;
  double leakage_mw() const;
  std::map<std::string, double> area_by_class_um2() const;
  /// @brief Area by class of @p component and the components below it (dotted paths).
  std::map<std::string, double> area_by_class_um2(const std::string& component) const;
  double total_area_um2() const;

 private:
  struct Binding {
    std::string component, cls;
    const Stat* count;
    double pj_each;
  };
  struct Leak {
    std::string component;
    double mw;
  };
  struct Area {
    std::string component, cls;
    double um2;
  };
  /// The bindings by component path and class (a binding's place in m_bindings follows the
  /// order in which the components were built): sums over them do not depend on that order.
  const std::vector<size_t>& ordered() const;
  std::vector<Binding> m_bindings;
  mutable std::vector<size_t> m_order;
  std::vector<Leak> m_leaks;
  std::vector<Area> m_areas;
};

}  // namespace pcmsim
