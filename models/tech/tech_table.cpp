#include "models/tech/tech_table.h"

#include <algorithm>

#include "sim/base/error.h"

namespace pcmsim {

const char* op_kind_name(OpKind k) {
  switch (k) {
    case OpKind::Add:
      return "add";
    case OpKind::Mul:
      return "mul";
    case OpKind::Compare:
      return "compare";
    case OpKind::Exp:
      return "exp";
    case OpKind::Div:
      return "div";
  }
  return "?";
}

OpCounts OpCounts::part(uint64_t parts, uint64_t i) const {
  OpCounts c;
  for (size_t k = 0; k < kOpKinds; ++k) c.n[k] = n[k] * (i + 1) / parts - n[k] * i / parts;
  return c;
}

const std::vector<std::string>& TechTable::precisions() {
  static const std::vector<std::string> p = {"int8", "int32", "fp16", "fp32"};
  return p;
}

TechTable::TechTable(Params p) {
  m_node = p.get<std::string>("node")
               .desc("technology node the table describes (a label for reports)")
               .def("45nm");
  // Add and multiply at 45 nm, 0.9 V: Horowitz, "Computing's energy problem (and what we can do
  // about it)", ISSCC 2014, Fig. 1.1.9: 8-bit add 0.03 pJ, 32-bit add 0.1 pJ, 8-bit multiply
  // 0.2 pJ, 32-bit multiply 3.1 pJ; 16-bit float add 0.4 pJ, multiply 1.1 pJ; 32-bit float add
  // 0.9 pJ, multiply 3.7 pJ.
  struct Row {
    double add, mul;
  };
  const Row rows[] = {{0.03, 0.2}, {0.1, 3.1}, {0.4, 1.1}, {0.9, 3.7}};
  for (size_t i = 0; i < precisions().size(); ++i) {
    const std::string& name = precisions()[i];
    Params r = p.child(name);
    OpEnergies e{};
    auto get = [&](OpKind k, double def, const std::string& desc) {
      e[size_t(k)] = r.get<double>(op_kind_name(k)).desc(desc).unit("pJ").range(0.0, 1e6).def(def);
    };
    get(OpKind::Add, rows[i].add, "energy of one " + name + " addition (subtraction)");
    get(OpKind::Mul, rows[i].mul, "energy of one " + name + " multiplication");
    const double add = e[size_t(OpKind::Add)], mul = e[size_t(OpKind::Mul)];
    // Assumed: a comparison is a subtraction, so it costs an addition.
    get(OpKind::Compare, add, "energy of one " + name + " comparison (default: one addition)");
    // Assumed: exp(x) = 2^n * 2^f with x * log2(e) = n + f (1 multiply), 2^f by a degree-4
    // polynomial in Horner form (4 multiplies, 4 additions), n added to the exponent (1 add).
    get(OpKind::Exp, 5 * mul + 5 * add,
        "energy of one " + name + " exponential (default: 5 multiplies + 5 additions)");
    // Assumed: a / d = a * (1 / d) with 1 / d by two Newton-Raphson steps from a seed table,
    // r' = r * (2 - d * r) (2 multiplies and 1 addition each), then the multiply by a.
    get(OpKind::Div, 5 * mul + 2 * add,
        "energy of one " + name + " division (default: 5 multiplies + 2 additions)");
    m_rows.push_back(e);
  }
}

const OpEnergies& TechTable::at(const std::string& precision) const {
  const auto& p = precisions();
  const size_t i = size_t(std::find(p.begin(), p.end(), precision) - p.begin());
  if (i >= m_rows.size()) throw Error("technology table: no precision '" + precision + "'");
  return m_rows[i];
}

double op_energy_pj(const OpCounts& ops, const OpEnergies& e) {
  double pj = 0;
  for (size_t k = 0; k < kOpKinds; ++k) pj += double(ops.n[k]) * e[k];
  return pj;
}

}  // namespace pcmsim
