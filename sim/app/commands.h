#pragma once
// The pcmsim commands: run (config -> chip + network + dataset -> SystemC run -> report and
// output files), validate, bench, list and describe.

#include <string>
#include <vector>

#include "sim/base/params.h"
#include "sim/base/registry.h"

namespace pcmsim {

struct RunOptions {
  std::string config;                  ///< path of the run config
  std::vector<std::string> overrides;  ///< -p key.path=value, applied in order
  std::string out_dir;                 ///< output folder; empty: out/<config stem>
  bool progress = true;                ///< show progress on a terminal
  int threads = 0;                     ///< functional evaluation threads; 0: one per core
  std::string export_device;           ///< validate: write the device table (JSON) here
  std::string chip_name = "chip";      ///< the chip module's name (one per process each)
};

/// @brief Runs the simulation, prints the report on stdout and writes report.txt, stats.json,
/// layers.csv, mapping.txt and resolved_config.yaml into the output folder (all or nothing). Throws
/// Error on bad input. Call once per process (SystemC elaborates once).
void run_simulation(const RunOptions& opts);

/// @brief Builds everything a run would (config, chip, network, mapping, dataset) without
/// simulating; prints a summary. Throws Error on bad input.
void validate_config(const RunOptions& opts);

/// @brief `pcmsim bench`: wall-clock speed of the functional path (@p evaluations passes over
/// the dataset: images/s, MAC/s) and of the cycle-level path (simulated images and layers per
/// second) for the run @p opts describes. Prints a table; writes nothing.
void benchmark(const RunOptions& opts, int evaluations);

/// @brief `pcmsim list`: every registered implementation by interface.
std::string list_registry();

/// @brief `pcmsim describe NAME`: the parameter table of the implementations named NAME.
std::string describe_impl(const std::string& name);

/// @brief The implementations named NAME ("sar" or "adc/sar"); throws Error naming every
/// registered one when there is none.
std::vector<const ImplInfo*> implementations_named(const std::string& name);

/// @brief The parameters implementation @p i declares (a describe pass, no config).
std::vector<ParamInfo> implementation_params(const ImplInfo& i);

/// @brief `pcmsim report DIR`: the HTML page of a run or sweep folder (tools/report.py, with
/// Debian's matplotlib); its exit status.
int make_report(const std::string& dir, const std::string& out);

/// @brief The shipped default run config.
std::string default_config_path();

}  // namespace pcmsim
