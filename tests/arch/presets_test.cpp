// The published-chip presets against the figures they are built from: the ISAAC-like chip's
// per-tile power at full activity and area add up to the paper's component table (Shafiee et
// al., ISCA 2016, Table 2).

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <systemc>

#include "sim/arch/chip.h"
#include "sim/base/config.h"
#include "sim/base/registry.h"

namespace pcmsim {
namespace {

/// A preset from configs/chips with the PCM device, as the run configs include them.
struct Preset {
  std::unique_ptr<ConfigNode> root;
  std::shared_ptr<ParamContext> ctx = std::make_shared<ParamContext>();
  EnergyLedger ledger;
  std::unique_ptr<Chip> chip;
  Preset(const char* name, const std::string& file) {
    const std::string dir = std::string(PCMSIM_SOURCE_DIR) + "/configs/";
    root = load_config(dir + "chips/" + file);
    merge_config(*root, *load_config(dir + "devices/pcm.yaml"));
    Params top(root.get(), "", ctx);
    chip = std::make_unique<Chip>(name, top.child("chip"), false, ledger);
    check_unused(*root, *ctx);
  }
};

// The paper's table, in mW and mm2: per IMA (8 crossbars) and per tile.
struct Row {
  double mw, mm2;
};
constexpr Row kImaAdc{16, 0.0096}, kImaDac{4, 0.00017}, kImaSh{0.01, 0.00004},
    kImaArray{2.4, 0.0002}, kImaShiftAdd{0.2, 0.00024}, kImaIr{1.24, 0.0021}, kImaOr{0.23, 0.00077};
// A router at full activity forwards a flit a cycle on each of its outputs; the preset takes the
// table's 42 mW for ISAAC's router with 8 (4 links, 4 tiles) and charges 42 mW / (8 x 1.28 G)
// per flit. On the 7 x 6 mesh of 42 routers, those on its edges have fewer links: 2 x 6 x 6 +
// 2 x 7 x 5 = 142 links and 168 tile ports plus the global buffer's, 311 outputs in all, so a
// tile's share of the routers is 311 x 42 / 8 / 168 mW, not the table's 42 / 4.
constexpr double kRouterShareMw = 311 * 42.0 / 8 / 168;
constexpr Row kEdram{20.7, 0.083}, kTileBus{7, 0.090}, kRouterShare{kRouterShareMw, 0.151 / 4},
    kSigmoid{0.52, 0.0006}, kTileShiftAdd{0.05, 0.00006}, kMaxPool{0.4, 0.00024},
    kTileOr{1.68, 0.0032};
constexpr int kImas = 12, kTiles = 168;
constexpr Row kHyperTransport{10400, 22.88};

TEST(Presets, IsaacTilePowerAndAreaAddUpToTheComponentTable) {
  Preset p("isaac", "isaac.yaml");
  const Chip::PeakPower pp = p.chip->peak_power();
  // Class by class: each is a sum of table rows (per IMA x 12, plus the tile's own).
  const double tol = 1e-9;
  auto near = [&](double got, double want) { EXPECT_NEAR(got, want, tol * want) << want; };
  near(pp.per_tile.at("adc"), kImas * kImaAdc.mw);
  near(pp.per_tile.at("dac"), kImas * kImaDac.mw);
  near(pp.per_tile.at("array"), kImas * kImaArray.mw);
  near(pp.per_tile.at("periphery"),
       kImas * (kImaSh.mw + kImaShiftAdd.mw + kImaIr.mw + kImaOr.mw) + kTileOr.mw);
  near(pp.per_tile.at("digital"), kSigmoid.mw + kTileShiftAdd.mw + kMaxPool.mw);
  near(pp.per_tile.at("buffer"), kEdram.mw);
  near(pp.per_tile.at("interconnect"), kTileBus.mw + kRouterShare.mw);
  const double ima_mw =
      kImaAdc.mw + kImaDac.mw + kImaSh.mw + kImaArray.mw + kImaShiftAdd.mw + kImaIr.mw + kImaOr.mw;
  const double tile_mw = kImas * ima_mw + kEdram.mw + kTileBus.mw + kRouterShare.mw + kSigmoid.mw +
                         kTileShiftAdd.mw + kMaxPool.mw + kTileOr.mw;
  EXPECT_NEAR(tile_mw, 329.81 - (42.0 / 4 - kRouterShareMw), 1e-9);
  near(pp.tile_mw, tile_mw);

  const std::map<std::string, double> area = p.chip->tile_area_um2();
  auto um2 = [](double mm2) { return mm2 * 1e6; };
  near(area.at("adc"), um2(kImas * kImaAdc.mm2));
  near(area.at("dac"), um2(kImas * kImaDac.mm2));
  near(area.at("array"), um2(kImas * kImaArray.mm2));
  near(area.at("periphery"),
       um2(kImas * (kImaSh.mm2 + kImaShiftAdd.mm2 + kImaIr.mm2 + kImaOr.mm2) + kTileOr.mm2));
  near(area.at("digital"), um2(kSigmoid.mm2 + kTileShiftAdd.mm2 + kMaxPool.mm2));
  near(area.at("buffer"), um2(kEdram.mm2));
  near(area.at("interconnect"), um2(kTileBus.mm2 + 0.151 / 4));
  double tile_um2 = 0;
  for (const auto& kv : area) tile_um2 += kv.second;
  const double ima_mm2 = kImaAdc.mm2 + kImaDac.mm2 + kImaSh.mm2 + kImaArray.mm2 + kImaShiftAdd.mm2 +
                         kImaIr.mm2 + kImaOr.mm2;
  const double tile_mm2 = kImas * ima_mm2 + kEdram.mm2 + kTileBus.mm2 + 0.151 / 4 + kSigmoid.mm2 +
                          kTileShiftAdd.mm2 + kMaxPool.mm2 + kTileOr.mm2;
  near(tile_um2, um2(tile_mm2));
  // The paper's tile: 0.372 mm2 (its router row rounds 0.151 / 4 to 0.0378).
  EXPECT_NEAR(tile_mm2, 0.372, 0.0005);

  // The chip: 168 tiles and the HyperTransport links, 65.8 W and 85.4 mm2 in the paper (its
  // 42 routers at 8 outputs each; the edge routers' missing links take 0.27 W off here).
  near(pp.chip_mw, kTiles * tile_mw + kHyperTransport.mw);
  EXPECT_NEAR(pp.chip_mw / 1000, 65.8 - 42 * 42.0 / 8 * (8 - 311.0 / 42) / 1000, 0.05);
  const double chip_mm2 = p.ledger.total_area_um2() / 1e6;
  near(chip_mm2, kTiles * tile_mm2 + kHyperTransport.mm2);
  EXPECT_NEAR(chip_mm2, 85.4, 0.05);
}

}  // namespace
}  // namespace pcmsim
