#include "sim/base/energy.h"

#include <algorithm>
#include <tuple>

#include "sim/base/error.h"

namespace pcmsim {

const std::vector<std::string>& energy_classes() {
  static const std::vector<std::string> c = {
      "array", "dac", "adc", "periphery", "digital", "interconnect", "io", "buffer", "leakage"};
  return c;
}

namespace {
void check_class(const std::string& cls) {
  const auto& c = energy_classes();
  if (std::find(c.begin(), c.end(), cls) == c.end()) {
    throw std::logic_error("energy class '" + cls + "' is not one of the report's classes");
  }
}
}  // namespace

void EnergyLedger::bind(const std::string& component, const std::string& cls, const Stat& count,
                        double pj_each) {
  check_class(cls);
  m_bindings.push_back({component, cls, &count, pj_each});
}

void EnergyLedger::leakage(const std::string& component, double mw) {
  m_leaks.push_back({component, mw});
}

void EnergyLedger::area(const std::string& component, const std::string& cls, double um2) {
  check_class(cls);
  m_areas.push_back({component, cls, um2});
}

const std::vector<size_t>& EnergyLedger::ordered() const {
  if (m_order.size() != m_bindings.size()) {
    m_order.resize(m_bindings.size());
    for (size_t i = 0; i < m_order.size(); ++i) m_order[i] = i;
    std::stable_sort(m_order.begin(), m_order.end(), [this](size_t a, size_t b) {
      const Binding &x = m_bindings[a], &y = m_bindings[b];
      return std::tie(x.component, x.cls) < std::tie(y.component, y.cls);
    });
  }
  return m_order;
}

EnergyBreakdown EnergyLedger::evaluate(double runtime_ns) const {
  EnergyBreakdown b;
  for (const auto& c : energy_classes()) b.by_class_pj[c] = 0.0;
  for (size_t i : ordered()) {
    const Binding& x = m_bindings[i];
    double pj = x.count->value() * x.pj_each;
    b.by_class_pj[x.cls] += pj;
    b.by_component_pj[x.component] += pj;
    b.total_pj += pj;
  }
  for (const Leak& l : m_leaks) {
    double pj = l.mw * runtime_ns;  // mW x ns = pJ
    b.by_class_pj["leakage"] += pj;
    b.by_component_pj[l.component] += pj;
    b.total_pj += pj;
  }
  return b;
}

std::map<std::string, double> EnergyLedger::class_energy_of_tag(int tag) const {
  std::map<std::string, double> m;
  for (size_t i : ordered()) {
    const Binding& x = m_bindings[i];
    const double v = x.count->value_of(tag);
    if (v != 0.0) m[x.cls] += v * x.pj_each;
  }
  return m;
}

double EnergyLedger::leakage_mw() const {
  double s = 0;
  for (const Leak& l : m_leaks) s += l.mw;
  return s;
}

std::map<std::string, double> EnergyLedger::area_by_class_um2() const {
  std::map<std::string, double> m;
  for (const Area& a : m_areas) m[a.cls] += a.um2;
  return m;
}

std::map<std::string, double> EnergyLedger::area_by_class_um2(const std::string& component) const {
  std::map<std::string, double> m;
  for (const Area& a : m_areas) {
    if (a.component == component || a.component.rfind(component + ".", 0) == 0) m[a.cls] += a.um2;
  }
  return m;
}

double EnergyLedger::total_area_um2() const {
  double s = 0;
  for (const Area& a : m_areas) s += a.um2;
  return s;
}

}  // namespace pcmsim
