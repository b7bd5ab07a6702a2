#include "sim/base/config.h"

#include <gtest/gtest.h>

#include <sstream>

#include "sim/base/error.h"
#include "tests/base/test_util.h"

namespace pcmsim {
namespace {

using testing::TempDir;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Config, IncludeMergesMapsAndLocalValuesWin) {
  TempDir d;
  d.file("chip.yaml", "chip:\n  tiles: 4\n  adc:\n    impl: sar\n    bits: 8\n    range: 12\n");
  std::string run = d.file("run.yaml", "include: chip.yaml\nchip:\n  adc:\n    bits: 6\n");
  auto root = load_config(run);
  const ConfigNode* adc = root->find("chip")->find("adc");
  EXPECT_EQ(adc->find("bits")->scalar, "6");
  EXPECT_EQ(adc->find("range")->scalar, "12");
  EXPECT_EQ(root->find("chip")->find("tiles")->scalar, "4");
  EXPECT_EQ(root->find("include"), nullptr);
  // Sources point at the file that set each value.
  EXPECT_EQ(adc->find("bits")->src.describe(), run + ":4");
  EXPECT_EQ(adc->find("range")->src.describe(), d.path("chip.yaml") + ":6");
}

TEST(Config, MapNamingAnotherImplReplacesTheBaseMap) {
  TempDir d;
  d.file("base.yaml", "device:\n  impl: pcm\n  prog_noise_scale: 2\n");
  auto root = load_config(d.file("run.yaml", "include: [base.yaml]\ndevice:\n  impl: ideal\n"));
  const ConfigNode* dev = root->find("device");
  EXPECT_EQ(dev->find("impl")->scalar, "ideal");
  EXPECT_EQ(dev->find("prog_noise_scale"), nullptr);
}

TEST(Config, LaterIncludesOverrideEarlierOnes) {
  TempDir d;
  d.file("a.yaml", "x: 1\ny: 1\n");
  d.file("b.yaml", "y: 2\n");
  auto root = load_config(d.file("run.yaml", "include: [a.yaml, b.yaml]\n"));
  EXPECT_EQ(root->find("x")->scalar, "1");
  EXPECT_EQ(root->find("y")->scalar, "2");
}

TEST(Config, MissingFileIsAnError) {
  std::string msg = error_of([] { load_config("/nonexistent/run.yaml"); });
  EXPECT_NE(msg.find("cannot open config file '/nonexistent/run.yaml'"), std::string::npos) << msg;
}

TEST(Config, MissingIncludeNamesTheIncludingLine) {
  TempDir d;
  std::string run = d.file("run.yaml", "a: 1\ninclude: nothere.yaml\n");
  std::string msg = error_of([&] { load_config(run); });
  EXPECT_NE(msg.find("nothere.yaml"), std::string::npos) << msg;
  EXPECT_NE(msg.find("included from " + run + ":2"), std::string::npos) << msg;
}

TEST(Config, MalformedYamlNamesFileLineAndColumn) {
  TempDir d;
  std::string run = d.file("bad.yaml", "chip:\n  tiles: 4\n  adc: [1, 2\n");
  std::string msg = error_of([&] { load_config(run); });
  EXPECT_NE(msg.find(run + ":"), std::string::npos) << msg;
  EXPECT_NE(msg.find("malformed YAML"), std::string::npos) << msg;
}

TEST(Config, DuplicateKeyIsAnError) {
  TempDir d;
  std::string run = d.file("dup.yaml", "a: 1\nb: 2\na: 3\n");
  std::string msg = error_of([&] { load_config(run); });
  EXPECT_NE(msg.find(run + ":3: key 'a' appears twice"), std::string::npos) << msg;
}

TEST(Config, IncludeCycleIsAnError) {
  TempDir d;
  d.file("a.yaml", "include: b.yaml\n");
  d.file("b.yaml", "include: a.yaml\n");
  std::string msg = error_of([&] { load_config(d.path("a.yaml")); });
  EXPECT_NE(msg.find("include cycle"), std::string::npos) << msg;
}

TEST(Config, TopLevelMustBeAMap) {
  TempDir d;
  std::string msg = error_of([&] { load_config(d.file("l.yaml", "- 1\n- 2\n")); });
  EXPECT_NE(msg.find("must be a map"), std::string::npos) << msg;
}

TEST(Config, OverrideSetsCreatesAndSwitchesImpl) {
  auto root =
      parse_config_text("chip:\n  tiles: 4\n  adc:\n    impl: sar\n    bits: 8\n", "t.yaml");
  apply_override(*root, "chip.tiles=16");
  apply_override(*root, "chip.new.key=2.5");
  EXPECT_EQ(root->find("chip")->find("tiles")->scalar, "16");
  EXPECT_EQ(root->find("chip")->find("tiles")->src.describe(), "-p override");
  EXPECT_EQ(root->find("chip")->find("new")->find("key")->scalar, "2.5");
  apply_override(*root, "chip.adc.impl=flash");
  EXPECT_EQ(root->find("chip")->find("adc")->find("bits"), nullptr);  // the old impl's keys go
  apply_override(*root, "chip.adc.impl=flash");                       // same impl: keys stay
  EXPECT_NE(root->find("chip")->find("adc")->find("impl"), nullptr);
}

TEST(Config, MalformedOverridesAreErrors) {
  auto root = parse_config_text("chip:\n  tiles: 4\n", "t.yaml");
  EXPECT_NE(error_of([&] { apply_override(*root, "chip.tiles"); }).find("expected key.path=value"),
            std::string::npos);
  EXPECT_NE(error_of([&] { apply_override(*root, "chip..x=1"); }).find("empty key"),
            std::string::npos);
  std::string msg = error_of([&] { apply_override(*root, "chip.tiles.x=1"); });
  EXPECT_NE(msg.find("chip.tiles is a value (set at t.yaml:2)"), std::string::npos) << msg;
}

TEST(Config, WritesYamlThatReadsBack) {
  auto root = parse_config_text("a:\n  b: 1GHz\n  c: [1, 2]\nd: x\n", "t.yaml");
  std::ostringstream os;
  write_config_yaml(*root, os);
  auto back = parse_config_text(os.str(), "back.yaml");
  EXPECT_EQ(back->find("a")->find("b")->scalar, "1GHz");
  EXPECT_EQ(back->find("a")->find("c")->seq.size(), 2u);
  EXPECT_EQ(back->find("d")->scalar, "x");
}

}  // namespace
}  // namespace pcmsim
