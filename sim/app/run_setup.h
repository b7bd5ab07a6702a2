#pragma once
// A run as the config describes it: the chip, the network and its mapping, the dataset, the
// accuracy-over-time plan, and the seeds of its draws. Built once per process (SystemC
// elaborates once).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/array/programmed_array.h"
#include "sim/app/commands.h"
#include "sim/arch/chip.h"
#include "sim/base/config.h"
#include "sim/base/energy.h"
#include "sim/base/params.h"
#include "sim/base/stats.h"
#include "sim/functional/datapath.h"
#include "sim/functional/graph_network.h"
#include "workloads/dataset.h"
#include "workloads/graph_mapper.h"

namespace pcmsim {

/// The accuracy-over-time plan (`inference:`) and its results.
struct Inference {
  bool enabled = false;
  std::vector<double> times_s;
  std::vector<std::string> times_text;
  std::vector<Compensation> comps;
  int repeats = 1;
  int64_t images = 0;
  struct Cell {
    double t_s;
    std::string t_text;
    Compensation comp;
    std::vector<double> accuracy;  ///< one per programming
    double mean = 0, std = 0;
  };
  std::vector<Cell> cells;
};

/// Everything a run is made of, built from the config.
struct Run {
  std::unique_ptr<ConfigNode> root;
  std::shared_ptr<ParamContext> ctx = std::make_shared<ParamContext>();
  std::string config_path;
  int64_t seed = 1;
  bool ideal = false;
  int64_t images = 0;
  std::string onnx_path, images_path, labels_path, dataset_format;
  int64_t synthetic_samples = 1;
  MappingOptions mapping;
  bool fold_bn = true;
  int folded_bn = 0;
  Preprocess pre;
  int64_t fp32_correct = -1, fp32_images = 0;
  EnergyLedger ledger;
  StatGroup layer_stats{"layers"};
  double time_s = 0;
  std::string time_text;
  Compensation comp = Compensation::None;
  Inference inference;
  std::unique_ptr<Chip> chip;
  Graph graph;
  GraphMapping map;
  Dataset data;
  std::unique_ptr<GraphAnalogNetwork> analog;
  /// The calibration set: where its images come from and how many (the datapath's scales).
  std::string calibration_path;
  int64_t calibration_count = 64;
  /// The images compensation: batchnorm runs through the chip: the calibration set's first
  /// batchnorm_images (loaded when a compensation is batchnorm).
  int64_t batchnorm_images = 256;
  Dataset batchnorm_calibration;
  Datapath datapath;
};

/// @brief The seed of programming number @p repeat (repeat 0 is the run's seed).
uint64_t repeat_seed(uint64_t seed, int repeat);
/// @brief The seed of read and output noise for an evaluation at @p t_s: the same time gives the
/// same draws, in the cycle-level run and in the accuracy table.
uint64_t eval_seed(uint64_t programming_seed, double t_s);

/// @brief Reads the config of @p o (with its overrides), builds the chip, imports and maps the
/// network, loads the dataset, programs the arrays and loads the chip. Throws Error on bad input.
void build(Run& r, const RunOptions& o);

/// @brief The accuracy-over-time plan of @p r (`inference:`): accuracy for every (time,
/// compensation) over its repeated programmings, into r.inference.cells, on @p threads threads
/// (0: the default). The numerics are those of the cycle-level chip (the same GraphAnalogNetwork
/// calls) without the SystemC kernel; @p tty shows progress on stderr.
void evaluate_over_time(Run& r, bool tty, int threads);

/// @brief SystemC settings of every command: picosecond resolution, warnings are errors.
void setup_systemc();

}  // namespace pcmsim
