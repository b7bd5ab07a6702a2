#include "sim/base/stats.h"

#include <gtest/gtest.h>

#include "sim/base/energy.h"

namespace pcmsim {
namespace {

TEST(Stats, HierarchyJsonAndTable) {
  StatGroup chip("chip");
  StatGroup tile("tile0", &chip);
  StatGroup adc("adc", &tile);
  Counter& conv = adc.counter("conversions", "conversions", "conversions done");
  conv += 40;
  ++conv;
  adc.formula("per_cycle", "1", "conversions per cycle", [&conv] { return conv.value() / 82.0; });
  EXPECT_EQ(adc.full_name(), "chip.tile0.adc");
  EXPECT_EQ(chip.find("tile0.adc.conversions")->value(), 41.0);
  EXPECT_EQ(chip.find("tile0.nothing"), nullptr);
  auto j = chip.to_json();
  EXPECT_EQ(j["tile0"]["adc"]["conversions"]["value"], 41);
  EXPECT_EQ(j["tile0"]["adc"]["conversions"]["unit"], "conversions");
  EXPECT_DOUBLE_EQ(j["tile0"]["adc"]["per_cycle"]["value"].get<double>(), 0.5);
  std::string table = chip.to_table();
  EXPECT_NE(table.find("chip.tile0.adc.conversions"), std::string::npos) << table;
  EXPECT_NE(table.find("# conversions done"), std::string::npos) << table;
}

TEST(Energy, CountsTimesEnergyPlusLeakageTimesTime) {
  StatGroup g("core");
  Counter& adc = g.counter("adc", "conv", "");
  Accumulator& x2g = g.accumulator("x2g", "uS", "");
  adc += 100;
  x2g += 2.5;
  EnergyLedger l;
  l.bind("core", "adc", adc, 1.5);
  l.bind("core", "array", x2g, 4.0);
  l.leakage("core", 2.0);  // mW
  l.area("core", "adc", 300.0);
  l.area("core", "array", 700.0);
  EnergyBreakdown b = l.evaluate(10.0);  // 10 ns
  EXPECT_DOUBLE_EQ(b.by_class_pj["adc"], 150.0);
  EXPECT_DOUBLE_EQ(b.by_class_pj["array"], 10.0);
  EXPECT_DOUBLE_EQ(b.by_class_pj["leakage"], 20.0);  // 2 mW x 10 ns = 20 pJ
  EXPECT_DOUBLE_EQ(b.total_pj, 180.0);
  double sum = 0;
  for (const auto& kv : b.by_class_pj) sum += kv.second;
  EXPECT_DOUBLE_EQ(sum, b.total_pj);
  EXPECT_DOUBLE_EQ(l.total_area_um2(), 1000.0);
  EXPECT_THROW(l.bind("core", "nonsense", adc, 1.0), std::logic_error);
}

}  // namespace
}  // namespace pcmsim
