#include "sim/base/units.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <utility>
#include <vector>

namespace pcmsim {
namespace {

struct Base {
  const char* symbol;
  const char* dimension;
};
// Longest symbols first so that "m2" wins over "m" and "Hz" is not read as a prefix.
const std::vector<Base> kBases = {{"Ohm", "resistance"}, {"Hz", "frequency"},  {"m2", "area"},
                                  {"s", "time"},         {"S", "conductance"}, {"B", "bytes"},
                                  {"J", "energy"},       {"W", "power"},       {"V", "voltage"},
                                  {"A", "current"},      {"F", "capacitance"}, {"m", "length"}};

struct Prefix {
  const char* symbol;
  double factor;
};
const std::vector<Prefix> kPrefixes = {{"", 1.0},   {"f", 1e-15},       {"p", 1e-12}, {"n", 1e-9},
                                       {"u", 1e-6}, {"\xC2\xB5", 1e-6}, {"m", 1e-3},  {"k", 1e3},
                                       {"K", 1e3},  {"M", 1e6},         {"G", 1e9},   {"T", 1e12}};
const std::vector<Prefix> kBinaryPrefixes = {
    {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}};

// Time units outside SI, without prefixes: minute, hour, day, year of 365 days.
const std::vector<Prefix> kLongTimes = {
    {"min", 60.0}, {"h", 3600.0}, {"d", 86400.0}, {"y", 31536000.0}};

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Splits a unit symbol into (dimension, factor to SI); false if it is not a physical unit.
bool split_unit(const std::string& sym, std::string* dimension, double* factor) {
  for (const Prefix& t : kLongTimes) {
    if (sym == t.symbol) {
      *dimension = "time";
      *factor = t.factor;
      return true;
    }
  }
  for (const Base& b : kBases) {
    if (!ends_with(sym, b.symbol)) continue;
    std::string prefix = sym.substr(0, sym.size() - std::string(b.symbol).size());
    double scale = std::string(b.dimension) == "area" ? 2.0 : 1.0;  // um2 = (1e-6)^2 m2
    for (const Prefix& p : kPrefixes) {
      if (prefix == p.symbol) {
        *dimension = b.dimension;
        *factor = std::pow(p.factor, scale);
        return true;
      }
    }
    if (std::string(b.symbol) == "B") {
      for (const Prefix& p : kBinaryPrefixes) {
        if (prefix == p.symbol) {
          *dimension = b.dimension;
          *factor = p.factor;
          return true;
        }
      }
    }
  }
  return false;
}

}  // namespace

bool is_physical_unit(const std::string& unit) {
  std::string dim;
  double f = 0;
  return split_unit(unit, &dim, &f);
}

double parse_quantity(const std::string& text, const std::string& unit) {
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  double number = std::strtod(begin, &end);
  if (end == begin) throw std::invalid_argument("not a number");
  if (errno == ERANGE || !std::isfinite(number)) throw std::invalid_argument("number out of range");
  std::string suffix(end);
  while (!suffix.empty() && suffix.front() == ' ') suffix.erase(0, 1);

  std::string want_dim;
  double want_factor = 1.0;
  if (!split_unit(unit, &want_dim, &want_factor)) {
    if (!suffix.empty()) {
      throw std::invalid_argument("unexpected unit '" + suffix + "' (expected a plain number" +
                                  (unit.empty() ? std::string() : " of " + unit) + ")");
    }
    return number;
  }
  if (suffix.empty()) {
    if (number == 0.0) return 0.0;
    throw std::invalid_argument("missing unit (expected a " + want_dim + " such as 1" + unit + ")");
  }
  std::string dim;
  double factor = 1.0;
  if (!split_unit(suffix, &dim, &factor)) {
    throw std::invalid_argument("unknown unit '" + suffix + "' (expected a " + want_dim +
                                " such as 1" + unit + ")");
  }
  if (dim != want_dim) {
    throw std::invalid_argument("unit '" + suffix + "' is a " + dim + ", expected a " + want_dim +
                                " such as 1" + unit);
  }
  return number * factor / want_factor;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest_name(const std::string& name, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = 4;
  for (const std::string& cand : candidates) {
    const size_t d = edit_distance(name, cand);
    if (d < best_d && d <= std::max<size_t>(2, cand.size() / 3)) {
      best_d = d;
      best = cand;
    }
  }
  return best;
}

}  // namespace pcmsim
