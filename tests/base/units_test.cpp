#include "sim/base/units.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "sim/base/cycles.h"

namespace pcmsim {
namespace {

TEST(Units, ParsesPrefixedQuantitiesIntoTheDeclaredUnit) {
  EXPECT_DOUBLE_EQ(parse_quantity("1GHz", "GHz"), 1.0);
  EXPECT_DOUBLE_EQ(parse_quantity("1200MHz", "GHz"), 1.2);
  EXPECT_DOUBLE_EQ(parse_quantity("100ns", "ns"), 100.0);
  EXPECT_DOUBLE_EQ(parse_quantity("1.5us", "ns"), 1500.0);
  EXPECT_DOUBLE_EQ(parse_quantity("25uS", "uS"), 25.0);
  EXPECT_DOUBLE_EQ(parse_quantity("25 uS", "uS"), 25.0);
  EXPECT_DOUBLE_EQ(parse_quantity("0.025mS", "uS"), 25.0);
  EXPECT_DOUBLE_EQ(parse_quantity("64KiB", "B"), 65536.0);
  EXPECT_DOUBLE_EQ(parse_quantity("2MiB", "B"), 2097152.0);
  EXPECT_DOUBLE_EQ(parse_quantity("6.1fJ", "pJ"), 6.1e-3);
  EXPECT_DOUBLE_EQ(parse_quantity("3mW", "mW"), 3.0);
  EXPECT_DOUBLE_EQ(parse_quantity("0.2V", "V"), 0.2);
  EXPECT_NEAR(parse_quantity("1mm2", "um2"), 1e6, 1e-6);
  EXPECT_DOUBLE_EQ(parse_quantity("0", "ns"), 0.0);
  EXPECT_DOUBLE_EQ(parse_quantity("7", "bit"), 7.0);
  EXPECT_DOUBLE_EQ(parse_quantity("1e-3", ""), 1e-3);
}

TEST(Units, RejectsMissingUnknownAndMismatchedUnits) {
  EXPECT_THROW(parse_quantity("100", "ns"), std::invalid_argument);     // missing unit
  EXPECT_THROW(parse_quantity("1GHzz", "GHz"), std::invalid_argument);  // unknown unit
  EXPECT_THROW(parse_quantity("5ns", "uS"), std::invalid_argument);     // wrong dimension
  EXPECT_THROW(parse_quantity("abc", "ns"), std::invalid_argument);     // not a number
  EXPECT_THROW(parse_quantity("8bit", "bit"), std::invalid_argument);   // label, not a unit
  EXPECT_THROW(parse_quantity("3KiHz", "Hz"), std::invalid_argument);   // binary prefix on Hz
  try {
    parse_quantity("5ns", "uS");
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("time"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("conductance"), std::string::npos) << e.what();
  }
}

TEST(Units, EditDistance) {
  EXPECT_EQ(edit_distance("bits", "bits"), 0u);
  EXPECT_EQ(edit_distance("bitz", "bits"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("latnecy", "latency"), 2u);
}

TEST(Cycles, ClockConvertsBothWays) {
  Clock ghz(1.0);
  EXPECT_EQ(ghz.cycles_for_ns(100.0), Cycles(100));
  EXPECT_EQ(ghz.cycles_for_ns(100.5), Cycles(101));
  EXPECT_DOUBLE_EQ(ghz.to_ns(Cycles(250)), 250.0);
  Clock isaac(1.2);
  EXPECT_EQ(isaac.cycles_for_ns(100.0), Cycles(120));
  EXPECT_EQ(isaac.cycles_for_ns(1.0), Cycles(2));  // 1.2 cycles -> 2 whole cycles
  EXPECT_EQ(Cycles(3) + Cycles(4), Cycles(7));
  EXPECT_EQ(Cycles(3) * 4, Cycles(12));
  EXPECT_EQ(max(Cycles(3), Cycles(9)), Cycles(9));
  EXPECT_EQ(ceil_div(33, 8), 5u);
}

}  // namespace
}  // namespace pcmsim
