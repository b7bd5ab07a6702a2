#include "sim/base/registry.h"

#include <gtest/gtest.h>

#include "sim/base/config.h"

namespace pcmsim {
namespace {

struct Widget {
  static constexpr const char* kInterface = "widget";
  virtual ~Widget() = default;
  virtual int size() const = 0;
};

struct SmallWidget : Widget {
  explicit SmallWidget(Params& p)
      : m_size(p.get<int>("size").desc("widget size").range(1, 10).def(2)) {}
  int size() const override { return m_size; }
  int m_size;
};
struct BigWidget : Widget {
  explicit BigWidget(Params&) {}
  int size() const override { return 100; }
};

PCMSIM_REGISTER(Widget, SmallWidget, "small", "a small widget");
PCMSIM_REGISTER(Widget, BigWidget, "big", "a big widget");

TEST(Registry, CreatesTheImplNamedInConfig) {
  auto root = parse_config_text("w:\n  impl: small\n  size: 5\n", "t.yaml");
  auto ctx = std::make_shared<ParamContext>();
  Params top(root.get(), "", ctx);
  Params wp = top.child("w");
  auto w = Registry<Widget>::create(wp);
  EXPECT_EQ(w->size(), 5);
  check_unused(*root, *ctx);
}

TEST(Registry, UnknownImplListsTheChoices) {
  auto root = parse_config_text("w:\n  impl: huge\n", "t.yaml");
  Params top(root.get(), "", std::make_shared<ParamContext>());
  Params wp = top.child("w");
  try {
    Registry<Widget>::create(wp);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "t.yaml:2: w.impl = huge: not one of big, small");
  }
}

TEST(Registry, DuplicateNameIsAStartupError) {
  RegistryIndex::check();  // nothing registered twice so far
  EXPECT_FALSE(Registry<Widget>::add("small", "again",
                                     [](Params& p) { return std::make_unique<SmallWidget>(p); }));
  EXPECT_THROW(RegistryIndex::check(), Error);
  RegistryIndex::duplicates().clear();
}

TEST(Registry, DescribeListsParameters) {
  auto found = RegistryIndex::find("widget/small");
  ASSERT_EQ(found.size(), 1u);
  auto params = RegistryIndex::describe(*found[0]);
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params[0].name, "size");
  EXPECT_EQ(params[0].desc, "widget size");
}

}  // namespace
}  // namespace pcmsim
