#pragma once
// Physical quantities written with units in config values: "1GHz", "25uS", "100ns", "64KiB".

#include <string>
#include <vector>

namespace pcmsim {

/// @brief Whether @p unit names a physical unit that values must carry ("ns", "uS", "pJ", "B",
/// "mW", "um2" ...). Labels such as "bit", "cycles" or "" are dimensionless: values are bare
/// numbers.
bool is_physical_unit(const std::string& unit);

/// @brief Parses @p text ("100ns", "1.2 GHz", "64KiB", "3e-3") as a number in @p unit.
/// For a physical unit the text must carry a unit of the same dimension with an SI prefix
/// (binary prefixes Ki/Mi/Gi for bytes); a bare 0 is accepted. Throws std::invalid_argument with
/// the reason on anything else.
double parse_quantity(const std::string& text, const std::string& unit);

/// @brief Levenshtein edit distance, for did-you-mean suggestions.
size_t edit_distance(const std::string& a, const std::string& b);

/// @brief The candidate @p name was most likely meant as (the first at the smallest edit
/// distance, at most 3 and at most max(2, a third of the candidate's length)), or "" if none is
/// that close: the "did you mean" of every error about a name.
std::string closest_name(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace pcmsim
