#pragma once
// Technology table of the digital logic: energy per element operation by kind (add, multiply,
// compare, exp, divide) at each datapath precision of one technology node, and the operation
// counts of a piece of digital work by kind. A chip reads its table from `chip.tech`
// (configs/tech/ holds tables to include); a digital unit charges its operations at the row of
// its `precision`.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/base/params.h"

namespace pcmsim {

enum class OpKind { Add, Mul, Compare, Exp, Div };
constexpr size_t kOpKinds = 5;
constexpr std::array<OpKind, kOpKinds> kAllOpKinds = {OpKind::Add, OpKind::Mul, OpKind::Compare,
                                                      OpKind::Exp, OpKind::Div};
/// @brief "add", "mul", "compare", "exp", "div": the key of the kind in tables and stats.
const char* op_kind_name(OpKind k);

/// @brief Element operations by kind.
struct OpCounts {
  std::array<uint64_t, kOpKinds> n{};
  uint64_t& operator[](OpKind k) { return n[size_t(k)]; }
  uint64_t operator[](OpKind k) const { return n[size_t(k)]; }
  uint64_t total() const {
    uint64_t t = 0;
    for (uint64_t v : n) t += v;
    return t;
  }
  OpCounts& operator+=(const OpCounts& o) {
    for (size_t i = 0; i < kOpKinds; ++i) n[i] += o.n[i];
    return *this;
  }
  /// @brief Part @p i of @p parts of these counts, kind by kind, as even as integers allow
  /// (the parts add up to the whole exactly).
  OpCounts part(uint64_t parts, uint64_t i) const;
  static OpCounts of(OpKind k, uint64_t count) {
    OpCounts c;
    c[k] = count;
    return c;
  }
};

/// @brief Energy per operation of each kind, in pJ, at one precision.
using OpEnergies = std::array<double, kOpKinds>;

/// @brief A technology node's table: per precision, the energy of each kind of operation.
class TechTable {
 public:
  /// @brief Datapath precisions a table gives: int8, int32, fp16, fp32.
  static const std::vector<std::string>& precisions();
  /// @brief Reads the table from @p p (`chip.tech`); its defaults are the 45 nm figures of
  /// Horowitz, ISSCC 2014 (see configs/tech/45nm.yaml for the derivations).
  explicit TechTable(Params p);
  TechTable() = default;
  const std::string& node() const { return m_node; }
  /// @brief The energies of @p precision (one of precisions()).
  const OpEnergies& at(const std::string& precision) const;

 private:
  std::string m_node;
  std::vector<OpEnergies> m_rows;  ///< in the order of precisions()
};

/// @brief pJ of @p ops at @p e.
double op_energy_pj(const OpCounts& ops, const OpEnergies& e);

}  // namespace pcmsim
