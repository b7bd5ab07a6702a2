#include <iomanip>
#include <sstream>

#include "sim/base/version.h"
#include "sim/report/report.h"

namespace pcmsim {

std::string fmt(double v, int prec) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(prec) << v;
  return os.str();
}

/// The ONNX ops a step runs, its main node first ("Conv+Relu"); views left out.
std::string step_ops(const Graph& g, const Step& st) {
  std::string ops;
  for (int i : st.nodes) {
    const GraphNode& n = g.nodes[size_t(i)];
    if (i != st.node && is_view(n.op)) continue;
    ops += (ops.empty() ? "" : "+") + n.onnx_op;
  }
  return ops.empty() ? "views" : ops;
}

namespace {

/// The run's identity: config, chip, network, mapping, numerics, datapath, time, images.
void report_header(std::ostream& os, const Run& r, const Summary& s) {
  const Chip& c = *r.chip;
  const ChipShape sh = c.shape();
  os << "pcmsim " << version() << " run: " << r.config_path << "\n";
  os << "chip        " << c.preset_name() << ": " << sh.tiles << " tiles x " << sh.cores_per_tile
     << (sh.cores_per_tile == 1 ? " core" : " cores") << ", arrays " << sh.rows << "x" << sh.cols
     << ", " << fmt(c.clock().freq_ghz(), 3) << " GHz, " << fmt(s.area_mm2, 3) << " mm2\n";
  os << "network     " << r.onnx_path << ": " << r.graph.nodes.size() << " nodes, "
     << r.map.layers.size() << " on arrays (" << r.map.weights << " weights), " << c.steps().size()
     << " steps";
  if (r.folded_bn > 0) os << ", " << r.folded_bn << " BatchNorm folded";
  os << "\nmapping     " << r.map.blocks.size() << " of " << r.map.arrays_available
     << " arrays (cell utilization " << fmt(100.0 * r.map.cell_utilization(), 1) << " %), peak "
     << c.peak_buffer_bytes() << " B of activations in the global buffer\n";
  os << "numerics    " << (r.ideal ? "ideal (no quantization, exact devices)" : "hardware")
     << ", seed " << r.seed << "\n";
  os << "datapath    ";
  if (r.datapath.enabled()) {
    os << r.datapath.activation_bits << "-bit activations, " << r.datapath.psum_bits
       << "-bit partial sums (scales from " << r.datapath.calibration_images
       << " calibration images): " << r.analog->activation_clips() << " activations clipped, "
       << r.analog->psum_saturations() << " partial sums saturated\n";
  } else {
    os << (r.ideal ? "FP32 (ideal numerics)\n" : "float between tiles (chip.datapath: float)\n");
  }
  os << "time        " << r.time_text << " after programming, drift compensation "
     << compensation_name(r.comp) << "\n";
  os << "images      " << s.images << " through the cycle-level chip, "
     << (c.pipelined() ? "pipelined (layers work on different rows and images at once)"
                       : "one step of one image at a time")
     << "\n\n";
}

/// Latency, throughput and the bottleneck step.
void report_timing(std::ostream& os, const Chip& c, const Summary& s) {
  os << "latency     " << fmt(s.latency_cycles, 1) << " cycles = " << fmt(s.latency_ns, 1)
     << " ns per image (mean; min " << c.min_latency().count() << ", max "
     << c.max_latency().count() << " cycles)\n";
  os << "throughput  " << fmt(s.throughput, 0) << " images/s (an image every "
     << fmt(s.interval_cycles, 1) << " cycles once "
     << (c.pipelined() ? "the pipeline is full" : "started") << ")\n";
  if (!c.steps().empty()) {
    const int b = c.bottleneck_step();
    os << "bottleneck  " << c.steps()[size_t(b)].name << ": its busiest "
       << (c.steps()[size_t(b)].layer >= 0 ? "core" : "digital unit") << " works "
       << fmt(double(c.step_figures(b).busy) / double(std::max<int64_t>(1, s.images)), 1)
       << " cycles per image\n";
  }
}

/// Energy per image, its classes with area and peak power, efficiency and the peak line.
void report_energy(std::ostream& os, const Run& r, const Summary& s) {
  os << "energy      " << fmt(s.energy_per_image_pj / 1000.0, 3) << " nJ per image, average power "
     << fmt(s.power_mw, 3) << " mW\n";
  // By class: energy of this run, area, power at full activity (classes with none of the three
  // are left out; stats.json has them all).
  const Chip::PeakPower& pk = s.peak;
  const std::map<std::string, double> area = r.ledger.area_by_class_um2();
  os << "  class           pJ/image      %    area mm2      %     peak mW\n";
  for (const std::string& cls : energy_classes()) {
    const double pj = s.energy.by_class_pj.at(cls) / double(std::max<int64_t>(1, s.images));
    const double pct =
        s.energy.total_pj > 0 ? 100.0 * s.energy.by_class_pj.at(cls) / s.energy.total_pj : 0.0;
    const double mm2 = area.count(cls) ? area.at(cls) * 1e-6 : 0.0;
    const double peak = pk.chip.count(cls) ? pk.chip.at(cls) : 0.0;
    if (pj == 0 && mm2 == 0 && peak == 0) continue;
    os << "  " << std::left << std::setw(13) << cls << std::right << std::setw(12) << fmt(pj, 2)
       << std::setw(7) << fmt(pct, 1) << std::setw(12) << fmt(mm2, 4) << std::setw(7)
       << fmt(s.area_mm2 > 0 ? 100.0 * mm2 / s.area_mm2 : 0.0, 1) << std::setw(12)
       << (cls == "leakage" ? std::string("-") : fmt(peak, 2)) << "\n";
  }
  os << "efficiency  " << fmt(s.tops_per_w, 3) << " TOPS/W, " << fmt(s.tops, 4) << " TOPS, "
     << fmt(s.tops_per_mm2, 4) << " TOPS/mm2 (1 MAC = 2 ops; " << fmt(s.macs_per_image, 0)
     << " MACs per image)\n";
  os << "peak        " << fmt(pk.peak_tops, 2) << " TOPS at full activity (every array a "
     << "full-scale MVM every " << fmt(pk.mvm_ns, 1) << " ns), " << fmt(pk.chip_mw / 1000.0, 3)
     << " W: " << fmt(pk.chip_mw > 0 ? pk.peak_tops / (pk.chip_mw * 1e-3) : 0.0, 3) << " TOPS/W, "
     << fmt(s.area_mm2 > 0 ? pk.peak_tops / s.area_mm2 : 0.0, 3) << " TOPS/mm2; a tile "
     << fmt(pk.tile_mw, 2) << " mW, " << fmt(s.tile_area_mm2, 4) << " mm2\n";
  // The same peak over what the chip's papers count (chip.peak_scope).
  const PeakScope& scope = r.chip->settings().peak_scope;
  if (!scope.set) return;
  auto names = [](const std::vector<std::string>& v) {
    std::string out;
    for (const std::string& x : v) out += (out.empty() ? "" : ", ") + x;
    return out;
  };
  os << "  as published" << (scope.source.empty() ? std::string() : " (" + scope.source + ")")
     << ": " << fmt(pk.peak_tops, 2) << " TOPS, " << fmt(s.scoped_peak_mw / 1000.0, 3) << " W of "
     << names(scope.power) << ": " << fmt(s.scoped_peak_tops_per_w, 3) << " TOPS/W (this run "
     << fmt(s.scoped_run_tops_per_w, 3) << "); " << fmt(s.scoped_peak_tops_per_mm2, 3)
     << " TOPS/mm2 of " << fmt(s.scoped_area_mm2, 3) << " mm2 of " << names(scope.area) << "\n";
}

/// Busy fractions of each kind of resource.
void report_utilization(std::ostream& os, const Chip& c) {
  const Cycles run = c.total_cycles();
  os << "utilization busy cycles / (units x the run's " << run.count() << " cycles)\n"
     << "  resource               units   used    all %   used %  busiest %\n";
  for (const Chip::Utilization& u : c.utilization()) {
    os << "  " << std::left << std::setw(20) << u.name << std::right << std::setw(8) << u.units
       << std::setw(7) << u.used << std::setw(9) << fmt(100.0 * u.of_all(run), 2) << std::setw(9)
       << fmt(100.0 * u.of_used(run), 2) << std::setw(11)
       << fmt(run.count() ? 100.0 * double(u.busiest) / double(run.count()) : 0.0, 2) << "\n";
  }
}

/// Top-1 accuracy, the compensation readouts and the accuracy-over-time table.
void report_accuracy(std::ostream& os, const Run& r, const Summary& s) {
  if (r.dataset_format == "synthetic") {
    os << "accuracy    not measured (synthetic inputs)";
  } else {
    os << "accuracy    top-1 "
       << fmt(100.0 * double(s.correct) / double(std::max<int64_t>(1, s.images)), 2) << " % ("
       << s.correct << "/" << s.images << ")";
  }
  if (r.fp32_correct >= 0) {
    os << "; FP32 reference " << fmt(100.0 * double(r.fp32_correct) / double(r.fp32_images), 2)
       << " % (" << r.fp32_correct << "/" << r.fp32_images << ")";
  }
  os << "\n";
  if (r.comp == Compensation::BatchNorm) {
    os << "compensation batchnorm: " << s.comp_images
       << " calibration images through the chip: " << s.comp_mvms << " MVMs, " << s.comp_cycles
       << " cycles, " << fmt(s.comp_pj / 1000.0, 3)
       << " nJ once per evaluation time (as this run's images; not in the per-image figures)\n";
  } else if (r.comp != Compensation::None) {
    os << "compensation " << compensation_name(r.comp)
       << " drift compensation readouts: " << s.comp_mvms << " MVMs, " << s.comp_cycles
       << " cycles, " << fmt(s.comp_pj / 1000.0, 3)
       << " nJ once per evaluation time (not in the per-image figures)\n";
  }
  if (r.inference.enabled) {
    const Inference& inf = r.inference;
    int64_t n = inf.images > 0 ? inf.images : r.data.count;
    os << "\naccuracy over time (functional mode, " << n << " images, " << inf.repeats
       << " programming" << (inf.repeats > 1 ? "s" : "") << "; top-1 %, mean +- std)\n";
    os << "  " << std::left << std::setw(10) << "time";
    for (Compensation c : inf.comps) os << std::right << std::setw(18) << compensation_name(c);
    os << "\n";
    for (size_t k = 0; k < inf.times_s.size(); ++k) {
      os << "  " << std::left << std::setw(10) << inf.times_text[k];
      for (size_t ci = 0; ci < inf.comps.size(); ++ci) {
        const Inference::Cell& cell = inf.cells[k * inf.comps.size() + ci];
        os << std::right << std::setw(18)
           << (fmt(100.0 * cell.mean, 2) + " +- " + fmt(100.0 * cell.std, 2));
      }
      os << "\n";
    }
  }
}

/// Per step: what it runs on, its MVMs, span, busiest resource, stalls and energy.
void report_steps(std::ostream& os, const Run& r, const Summary& s) {
  const Chip& c = *r.chip;
  os << "\nper step (per image; an analog step includes the element-wise nodes fused after it)\n";
  os << "  " << std::left << std::setw(28) << "step" << std::setw(20) << "op" << std::right
     << std::setw(8) << "arrays" << std::setw(10) << "mvms" << std::setw(11) << "cycles"
     << std::setw(10) << "busy" << std::setw(10) << "stall" << std::setw(14) << "energy pJ\n";

  double n = double(std::max<int64_t>(1, s.images));
  for (size_t i = 0; i < c.steps().size(); ++i) {
    const Step& st = c.steps()[i];
    const StepFigures sf = c.step_figures(int(i));
    double pj = 0;
    for (const auto& kv : r.ledger.class_energy_of_tag(int(i))) pj += kv.second;
    const size_t arrays = st.layer >= 0 ? r.map.layers[size_t(st.layer)].blocks.size() : 0;
    os << "  " << std::left << std::setw(28) << st.name.substr(0, 27) << std::setw(20)
       << step_ops(r.graph, st).substr(0, 19) << std::right << std::setw(8) << arrays
       << std::setw(10) << fmt(double(sf.mvms) / n, 0) << std::setw(11)
       << fmt(double(sf.cycles) / n, 0) << std::setw(10) << fmt(double(sf.busy) / n, 0)
       << std::setw(10) << fmt(double(sf.stall) / n, 0) << std::setw(13) << fmt(pj / n, 2) << "\n";
  }
}

}  // namespace

std::string report_text(const Run& r, const Summary& s) {
  std::ostringstream os;
  report_header(os, r, s);
  report_timing(os, *r.chip, s);
  report_energy(os, r, s);
  report_utilization(os, *r.chip);
  report_accuracy(os, r, s);
  report_steps(os, r, s);
  return os.str();
}

}  // namespace pcmsim
