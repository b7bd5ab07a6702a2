#pragma once
// What the byte-moving resources share (the chip's bus, a tile's bus, the off-chip link): a
// width in bytes per cycle, a latency after the last byte, an energy per byte, area and static
// power, read from their config maps with the same names and rules.

#include <cstdint>
#include <string>

#include "sim/base/cycles.h"
#include "sim/base/energy.h"
#include "sim/base/params.h"
#include "sim/base/stats.h"

namespace pcmsim {

struct Wire {
  int64_t width = 32;  ///< bytes per cycle
  Cycles latency;      ///< from the last byte sent to arrival
  double pj_per_byte = 0, area_um2 = 0, leakage_mw = 0;

  /// @brief Cycles @p bytes occupy the wire.
  Cycles busy(uint64_t bytes) const { return Cycles(ceil_div(bytes, uint64_t(width))); }
  /// @brief Power moving `width` bytes every cycle at @p ghz, static power included.
  double peak_mw(double ghz) const { return double(width) * ghz * pj_per_byte + leakage_mw; }
  /// @brief Charges @p bytes at `pj_per_byte` and books area and leakage under @p path, in
  /// energy class @p cls (the off-chip link's is "io").
  void bind(EnergyLedger& ledger, const std::string& path, const Counter& bytes,
            const std::string& cls = "interconnect") const;
};

/// @brief Reads width, latency, energy_per_byte, area and leakage from @p p; @p defaults gives
/// each default, @p what names the resource in the area's description.
Wire read_wire(Params& p, const Wire& defaults, const std::string& what);

}  // namespace pcmsim
