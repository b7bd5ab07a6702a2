#pragma once
// Constraint expressions of a sweep: arithmetic, comparisons and logic over the axes' values,
// e.g. "chip.tile.core.adcs <= chip.tile.core.array.cols and chip.tile.core.adc.bits >= 6".

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pcmsim {

/// @brief A value in an expression: a number, or text (an axis value that is not a number,
/// such as "100ns" or "mesh", or a quoted literal).
struct ExprValue {
  bool is_number = true;
  double number = 0;
  std::string text;
  /// @brief A number if @p scalar reads whole as one (the sweep's test of "a numeric value":
  /// constraints, and the results store's number columns), else text.
  static ExprValue of(const std::string& scalar);
};

/// @brief A parsed expression. Grammar, loosest first: `or`, `and`, `not`, comparisons (==, !=,
/// <, <=, >, >=), + and -, *, / and %, unary minus, then numbers, 'quoted' or "quoted" text,
/// names (letters, digits, _, . and /; the axes' key paths) and parentheses.
class Expr {
 public:
  /// @brief Parses @p text; throws Error("...: RULE at column N") if it does not parse.
  static Expr parse(const std::string& text);
  /// @brief The names it reads, in order of first use.
  const std::vector<std::string>& names() const { return m_names; }
  /// @brief Its value with each name's value from @p lookup; throws Error on a type mismatch
  /// (arithmetic on text, text compared with a number by <).
  ExprValue eval(const std::function<ExprValue(const std::string&)>& lookup) const;
  /// @brief eval() as a truth value (a number other than 0).
  bool holds(const std::function<ExprValue(const std::string&)>& lookup) const;

  struct Node;

 private:
  std::shared_ptr<const Node> m_root;
  std::vector<std::string> m_names;
};

}  // namespace pcmsim
