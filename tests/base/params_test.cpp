#include "sim/base/params.h"

#include <gtest/gtest.h>

#include <sstream>

#include "sim/base/config.h"

namespace pcmsim {
namespace {

struct Fixture {
  std::unique_ptr<ConfigNode> root;
  std::shared_ptr<ParamContext> ctx = std::make_shared<ParamContext>();
  explicit Fixture(const std::string& yaml) : root(parse_config_text(yaml, "chip.yaml")) {}
  Params top() { return Params(root.get(), "", ctx); }
};

// A component as the simulator declares them.
struct Adc {
  int bits;
  double range;
  double t_ns;
  std::string mode;
  explicit Adc(Params p) {
    bits = p.get<int>("bits").desc("ADC resolution").unit("bit").range(1, 16).def(8);
    range = p.get<double>("range").desc("output range").range(0.1, 100.0).def(12.0);
    t_ns = p.get<double>("latency").desc("conversion time").unit("ns").min(0.0).def(1.0);
    mode = p.get<std::string>("mode").desc("conversion mode").choices({"sar", "flash"}).def("sar");
  }
};

std::string error_of(const std::string& yaml) {
  Fixture f(yaml);
  try {
    Params t = f.top();
    Adc a(t.child("adc"));
    check_unused(*f.root, *f.ctx);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Params, ReadsValuesAndFillsDefaults) {
  Fixture f("adc:\n  bits: 6\n  latency: 2.5us\n");
  Params t = f.top();
  Adc a(t.child("adc"));
  check_unused(*f.root, *f.ctx);
  EXPECT_EQ(a.bits, 6);
  EXPECT_DOUBLE_EQ(a.range, 12.0);
  EXPECT_DOUBLE_EQ(a.t_ns, 2500.0);
  EXPECT_EQ(a.mode, "sar");
  // The resolved tree holds the defaults, with units.
  std::ostringstream os;
  write_config_yaml(*f.root, os);
  EXPECT_NE(os.str().find("range: 12"), std::string::npos) << os.str();
  EXPECT_NE(os.str().find("mode: sar"), std::string::npos) << os.str();
  EXPECT_NE(os.str().find("latency: 2.5us"), std::string::npos) << os.str();
}

TEST(Params, OutOfRangeNamesFileLineKeyValueAndRule) {
  EXPECT_EQ(error_of("adc:\n  bits: 20\n"), "chip.yaml:2: adc.bits = 20: not in [1, 16] bit");
}

TEST(Params, BelowMinimum) {
  EXPECT_EQ(error_of("adc:\n  latency: -1ns\n"), "chip.yaml:2: adc.latency = -1ns: not >= 0 ns");
}

TEST(Params, BadUnit) {
  std::string msg = error_of("adc:\n  latency: 3GHz\n");
  EXPECT_NE(msg.find("chip.yaml:2: adc.latency = 3GHz: cannot read as float in ns"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("frequency"), std::string::npos) << msg;
}

TEST(Params, MissingUnit) {
  std::string msg = error_of("adc:\n  latency: 3\n");
  EXPECT_NE(msg.find("adc.latency = 3: cannot read as float in ns: missing unit"),
            std::string::npos)
      << msg;
}

TEST(Params, NotAWholeNumber) {
  std::string msg = error_of("adc:\n  bits: 7.5\n");
  EXPECT_NE(msg.find("adc.bits = 7.5: cannot read as int in bit: expected a whole number"),
            std::string::npos)
      << msg;
}

TEST(Params, NotOneOfTheChoices) {
  EXPECT_EQ(error_of("adc:\n  mode: ramp\n"),
            "chip.yaml:2: adc.mode = ramp: not one of sar, flash");
}

TEST(Params, UnknownKeyWithDidYouMean) {
  EXPECT_EQ(error_of("adc:\n  bitz: 6\n"),
            "chip.yaml:2: adc.bitz: unknown key (did you mean 'bits'?)");
}

TEST(Params, UnknownKeyListsKnownKeysWhenNothingIsClose) {
  std::string msg = error_of("adc:\n  resolution: 6\n");
  EXPECT_EQ(msg,
            "chip.yaml:2: adc.resolution: unknown key (known keys here: bits range latency mode)");
}

TEST(Params, UnknownTopLevelSection) {
  std::string msg = error_of("adc:\n  bits: 6\nadcs:\n  bits: 3\n");
  EXPECT_EQ(msg, "chip.yaml:3: adcs: unknown key (did you mean 'adc'?)");
}

TEST(Params, ValueWhereAMapIsExpected) {
  std::string msg = error_of("adc: 5\n");
  EXPECT_EQ(msg, "chip.yaml:1: adc = 5: expected a map of keys");
}

TEST(Params, RequiredParameterMissing) {
  Fixture f("x: {}\n");
  Params t = f.top();
  Params x = t.child("x");
  try {
    std::string path = x.get<std::string>("onnx").desc("network file");
    FAIL() << "no error for " << path;
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "chip.yaml:1: x.onnx: required parameter is missing (network file)");
  }
}

TEST(Params, DescribeModeCollectsDeclarationsWithoutAConfig) {
  auto ctx = std::make_shared<ParamContext>();
  ctx->describe = true;
  Params p(nullptr, "adc", ctx);
  Adc a(p);
  ASSERT_EQ(ctx->declared.size(), 4u);
  EXPECT_EQ(ctx->declared[0].path, "adc.bits");
  EXPECT_EQ(ctx->declared[0].range, "[1, 16]");
  EXPECT_EQ(ctx->declared[0].def, "8");
  EXPECT_EQ(ctx->declared[3].range, "one of sar, flash");
  std::string table = format_param_table(ctx->declared, "adc");
  EXPECT_NE(table.find("| bits "), std::string::npos) << table;
  EXPECT_NE(table.find("ADC resolution"), std::string::npos) << table;
}

}  // namespace
}  // namespace pcmsim
