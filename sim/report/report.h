#pragma once
// The report of a finished run: its summary figures, the text report, stats.json, layers.csv
// and the output folder (written whole or not at all).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/app/run_setup.h"

namespace pcmsim {

/// Numbers of the finished run.
struct Summary {
  int64_t images = 0, correct = 0;
  double latency_cycles = 0, latency_ns = 0, total_ns = 0, throughput = 0;
  double interval_cycles = 0;  ///< between images leaving, once the pipeline is full
  EnergyBreakdown energy;
  double energy_per_image_pj = 0, power_mw = 0, area_mm2 = 0, macs_per_image = 0;
  double tops = 0, tops_per_w = 0, tops_per_mm2 = 0;
  Chip::PeakPower peak;
  double tile_area_mm2 = 0;
  /// The peak the chip's papers state, over their scope (chip.peak_scope): its power (mW) and
  /// area (mm2) are the full-activity figures of the scope's classes.
  double scoped_peak_mw = 0, scoped_area_mm2 = 0;
  double scoped_peak_tops_per_w = 0, scoped_peak_tops_per_mm2 = 0;  ///< peak TOPS over those
  double scoped_run_tops_per_w = 0;  ///< this run's ops over its energy in the scope's classes
  double comp_pj = 0;                ///< drift-compensation readouts (once per evaluation time)
  uint64_t comp_mvms = 0, comp_cycles = 0;
  int64_t comp_images = 0;  ///< compensation: batchnorm's calibration images (0: readouts)
};

/// @brief The summary figures of the finished run @p r with @p correct top-1 hits.
Summary summarize(const Run& r, int64_t correct);
/// @brief The report as printed and written to report.txt.
std::string report_text(const Run& r, const Summary& s);
/// @brief stats.json: the run's figures, energy and area breakdowns, utilization, accuracy over
/// time, and every stat of every component and step.
nlohmann::ordered_json stats_json(const Run& r, const Summary& s);
/// @brief layers.csv: per step what runs where, its work, time and energy by class per image.
std::string layers_csv(const Run& r, const Summary& s);
/// @brief Writes report.txt, stats.json, layers.csv, mapping.txt and resolved_config.yaml into
/// @p dir: all of them or, on failure, none (Error).
void write_outputs(const std::string& dir, const Run& r, const std::string& report,
                   const Summary& s);
/// @brief The ONNX ops a step runs, its main node first ("Conv+Relu"); views left out.
std::string step_ops(const Graph& g, const Step& st);
/// @brief @p v with @p prec digits after the point.
std::string fmt(double v, int prec);

}  // namespace pcmsim
