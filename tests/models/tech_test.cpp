#include <gtest/gtest.h>

#include "models/tech/tech_table.h"
#include "sim/base/config.h"
#include "sim/base/error.h"

namespace pcmsim {
namespace {

TechTable table(const std::string& yaml) {
  static std::vector<std::unique_ptr<ConfigNode>> keep;
  keep.push_back(parse_config_text(yaml, "tech.yaml"));
  Params top(keep.back().get(), "", std::make_shared<ParamContext>());
  return TechTable(top.child("tech"));
}

double e(const TechTable& t, const std::string& precision, OpKind k) {
  return t.at(precision)[size_t(k)];
}

TEST(TechTable, DefaultsAreHorowitz45nmWithComposedCompareExpAndDivide) {
  const TechTable t = table("tech: {}\n");
  EXPECT_EQ(t.node(), "45nm");
  // Horowitz, ISSCC 2014, Fig. 1.1.9.
  EXPECT_DOUBLE_EQ(e(t, "int8", OpKind::Add), 0.03);
  EXPECT_DOUBLE_EQ(e(t, "int8", OpKind::Mul), 0.2);
  EXPECT_DOUBLE_EQ(e(t, "int32", OpKind::Add), 0.1);
  EXPECT_DOUBLE_EQ(e(t, "int32", OpKind::Mul), 3.1);
  EXPECT_DOUBLE_EQ(e(t, "fp16", OpKind::Add), 0.4);
  EXPECT_DOUBLE_EQ(e(t, "fp16", OpKind::Mul), 1.1);
  EXPECT_DOUBLE_EQ(e(t, "fp32", OpKind::Add), 0.9);
  EXPECT_DOUBLE_EQ(e(t, "fp32", OpKind::Mul), 3.7);
  for (const std::string& p : TechTable::precisions()) {
    const double add = e(t, p, OpKind::Add), mul = e(t, p, OpKind::Mul);
    EXPECT_DOUBLE_EQ(e(t, p, OpKind::Compare), add) << p;
    EXPECT_DOUBLE_EQ(e(t, p, OpKind::Exp), 5 * mul + 5 * add) << p;
    EXPECT_DOUBLE_EQ(e(t, p, OpKind::Div), 5 * mul + 2 * add) << p;
  }
}

TEST(TechTable, TheShipped45nmTableHoldsTheBuiltInDefaults) {
  auto root = load_config(std::string(PCMSIM_SOURCE_DIR) + "/configs/tech/45nm.yaml");
  Params top(root.get(), "", std::make_shared<ParamContext>());
  const TechTable shipped(top.child("chip").child("tech"));
  const TechTable built_in = table("tech: {}\n");
  EXPECT_EQ(shipped.node(), built_in.node());
  for (const std::string& p : TechTable::precisions())
    for (OpKind k : kAllOpKinds)
      EXPECT_NEAR(e(shipped, p, k), e(built_in, p, k), 1e-12) << p << " " << op_kind_name(k);
}

TEST(TechTable, TheShipped14nmTableIsThe45nmTableScaledByStillmakerAndBaas) {
  // Stillmaker & Baas 2017, Table 5 energy polynomials, by hand:
  // E_HP45(0.9 V) = 1.018 x 0.81 - 0.3107 x 0.9 + 0.1539 = 0.698853;
  // E_HP14(0.8 V) = 0.2363 x 0.64 - 0.09675 x 0.8 + 0.02239 = 0.096222; ratio 0.137686.
  // Horowitz's 45 nm 8-bit add 0.03 pJ -> 0.004131 pJ; 32-bit float multiply 3.7 -> 0.5094 pJ.
  auto root = load_config(std::string(PCMSIM_SOURCE_DIR) + "/configs/tech/14nm.yaml");
  Params top(root.get(), "", std::make_shared<ParamContext>());
  const TechTable t(top.child("chip").child("tech"));
  EXPECT_EQ(t.node(), "14nm");
  // The table keeps four significant digits.
  EXPECT_NEAR(e(t, "int8", OpKind::Add), 0.004131, 5e-7);
  EXPECT_NEAR(e(t, "fp32", OpKind::Mul), 0.5094, 5e-5);
  EXPECT_NEAR(e(t, "int32", OpKind::Mul), 3.1 * 0.137686, 5e-5);
  EXPECT_NEAR(e(t, "int8", OpKind::Exp), 5 * (0.2 + 0.03) * 0.137686, 5e-5);
}

TEST(TechTable, ComposedDefaultsFollowTheConfiguredAddAndMultiply) {
  const TechTable t = table("tech: {node: 7nm, int8: {add: 0.01pJ, mul: 0.05pJ, exp: 2pJ}}\n");
  EXPECT_EQ(t.node(), "7nm");
  EXPECT_DOUBLE_EQ(e(t, "int8", OpKind::Compare), 0.01);
  EXPECT_DOUBLE_EQ(e(t, "int8", OpKind::Exp), 2.0);  // given
  EXPECT_DOUBLE_EQ(e(t, "int8", OpKind::Div), 5 * 0.05 + 2 * 0.01);
  EXPECT_DOUBLE_EQ(e(t, "int32", OpKind::Mul), 3.1);  // untouched rows keep their defaults
  EXPECT_THROW(t.at("int4"), Error);
}

TEST(TechTable, NegativeEnergyIsAnErrorNamingTheKey) {
  try {
    table("tech:\n  fp16: {mul: -1pJ}\n");
    FAIL() << "no error";
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find("tech.fp16.mul"), std::string::npos) << err.what();
  }
}

TEST(OpCounts, PartsAddUpToTheWholeKindByKind) {
  OpCounts c;
  c[OpKind::Add] = 100;
  c[OpKind::Exp] = 7;
  c[OpKind::Div] = 3;
  OpCounts sum;
  for (uint64_t i = 0; i < 6; ++i) {
    const OpCounts p = c.part(6, i);
    EXPECT_LE(p[OpKind::Add], 17u);
    EXPECT_GE(p[OpKind::Add], 16u);
    sum += p;
  }
  EXPECT_EQ(sum.n, c.n);
  EXPECT_EQ(c.total(), 110u);
  OpEnergies en{};
  en[size_t(OpKind::Add)] = 0.5;
  en[size_t(OpKind::Exp)] = 2.0;
  en[size_t(OpKind::Div)] = 10.0;
  EXPECT_DOUBLE_EQ(op_energy_pj(c, en), 100 * 0.5 + 7 * 2.0 + 3 * 10.0);
}

}  // namespace
}  // namespace pcmsim
