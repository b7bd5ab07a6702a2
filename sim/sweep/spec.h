#pragma once
// A sweep: the `sweep:` section of a run config or of its own file. Its axes use the key paths
// of `-p`; each point of the sweep is the base run config with one value per axis.
//
//   sweep:
//     base: ../default.yaml          # own file: the run config the points change
//     axes:
//       chip.tile.core.adc.bits: [6, 7, 8]                      # a list
//       chip.tile.core.array.rows: {range: [128, 512, 128]}    # start, stop (inclusive), step
//       chip.tile.core.array.cols: {range: [128, 512, 128]}
//       chip.tile.core.device.prog_noise_scale: {logspace: [0.5, 2, 3]}  # n values, log-spaced
//     zip: [[chip.tile.core.array.rows, chip.tile.core.array.cols]]     # vary together
//     constraints: ["chip.tile.core.adc.bits >= 7 or chip.tile.core.array.rows <= 256"]
//     sample: {points: 10, seed: 1}  # N points drawn without replacement
//     objectives: {latency: min, energy: min, accuracy: max}
//
// Points are the cartesian product of the axes (a zipped group counts as one axis, its values
// taken together), the first axis varying slowest, less those a constraint rejects, less those
// sampling leaves out.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/base/config.h"
#include "sim/sweep/expr.h"

namespace pcmsim {

struct SweepAxis {
  std::string key;                  ///< a `-p` key path
  Source src;                       ///< where the spec names it
  std::vector<std::string> values;  ///< each as the YAML text a `-p` value takes
};

/// @brief A named objective: a number of a point's stats.json, minimized or maximized.
struct Objective {
  std::string name;  ///< as the spec names it (latency, energy, ... or a stats path)
  std::string path;  ///< dotted path into stats.json
  bool minimize = true;
};

struct SweepPoint {
  int index = 0;                    ///< position among the sweep's points
  std::vector<std::string> values;  ///< one per axis, in the spec's order
};

struct SweepSpec {
  std::string file;  ///< the spec, as given
  std::string base;  ///< the run config each point changes (absolute)
  std::vector<SweepAxis> axes;
  std::vector<Objective> objectives;
  std::vector<SweepPoint> points;
  /// @brief `-p key=value` assignments of point @p p.
  std::vector<std::string> overrides(const SweepPoint& p) const;
};

/// @brief Reads the sweep in @p path (a run config with a `sweep:` section, or a file whose
/// `sweep.base` names the run config) and expands its points. Throws Error naming the file, line
/// and rule: no `sweep:` section, an empty axis, a bad range, zipped axes of unequal length or
/// not among the axes, a constraint that does not parse or names no axis, an unknown objective,
/// no point left after the constraints.
SweepSpec load_sweep(const std::string& path);

/// @brief The objective a spec names @p name: latency, energy, accuracy, throughput, area,
/// power, tops_per_w, or a dotted stats.json path (run.latency_cycles). Throws Error otherwise.
Objective objective_named(const std::string& name, bool minimize);

}  // namespace pcmsim
