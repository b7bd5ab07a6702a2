#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "sim/base/error.h"
#include "sim/base/version.h"
#include "sim/report/report.h"

namespace fs = std::filesystem;

namespace pcmsim {

std::string layers_csv(const Run& r, const Summary& s) {
  std::ostringstream os;
  os << "step,ops,runs_on,in_bytes,out_bytes,matrix_rows,matrix_cols,groups,pixels,copies,arrays,"
        "mvms_per_image,cycles_per_image,busy_cycles_per_image,stall_cycles_per_image";
  for (const std::string& cls : energy_classes())
    if (cls != "leakage") os << "," << cls << "_pj_per_image";
  os << ",energy_pj_per_image\n";
  double n = double(std::max<int64_t>(1, s.images));
  for (size_t i = 0; i < r.chip->steps().size(); ++i) {
    const Step& st = r.chip->steps()[i];
    const StepFigures sf = r.chip->step_figures(int(i));
    os << st.name << "," << step_ops(r.graph, st) << "," << (st.layer >= 0 ? "arrays" : "digital")
       << "," << st.in_bytes << "," << st.out_bytes;
    if (st.layer >= 0) {
      const GraphLayer& l = r.map.layers[size_t(st.layer)];
      os << "," << l.rows << "," << l.cols << "," << l.groups << "," << l.pixels << ","
         << l.replicas << "," << l.blocks.size();
    } else {
      os << ",0,0,0,0,0,0";
    }
    os << "," << double(sf.mvms) / n << "," << double(sf.cycles) / n << "," << double(sf.busy) / n
       << "," << double(sf.stall) / n;
    std::map<std::string, double> per_class = r.ledger.class_energy_of_tag(int(i));
    double total = 0;
    for (const std::string& cls : energy_classes()) {
      if (cls == "leakage") continue;
      os << "," << per_class[cls] / n;
      total += per_class[cls];
    }
    os << "," << total / n << "\n";
  }
  return os.str();
}

Summary summarize(const Run& r, int64_t correct) {
  Summary s;
  const Chip& c = *r.chip;
  s.images = c.images_done();
  s.correct = correct;
  // Latency: mean of admission to output out; throughput: from the interval between images
  // leaving once the pipeline is full (one at a time, that is the latency).
  s.total_ns = c.clock().to_ns(c.total_cycles());
  s.latency_cycles = c.mean_latency();
  s.latency_ns = s.latency_cycles * c.clock().period_ns();
  s.interval_cycles = c.steady_interval();
  const double interval_ns = s.interval_cycles * c.clock().period_ns();
  s.throughput = interval_ns > 0 ? 1e9 / interval_ns : 0.0;
  s.energy = r.ledger.evaluate(s.total_ns);
  // The compensation readouts are charged apart from the per-image figures.
  for (const auto& kv : r.ledger.class_energy_of_tag(c.compensation_tag())) {
    s.energy.by_class_pj[kv.first] -= kv.second;
    s.energy.total_pj -= kv.second;
    s.comp_pj += kv.second;
  }
  s.comp_mvms = c.compensation_mvms();
  s.comp_cycles = c.compensation_cycles().count();
  s.energy_per_image_pj = s.energy.total_pj / double(std::max<int64_t>(1, s.images));
  if (r.comp == Compensation::BatchNorm && s.images > 0) {
    // compensation: batchnorm runs its calibration images through the chip once per
    // evaluation time: charged as this run's images, streamed (the first image's latency, then
    // one interval each). The statistics' accumulation (four digital operations per value a
    // BatchNorm node reads) is not charged.
    const double k = double(r.batchnorm_calibration.count);
    double mvms = 0;
    for (int st = 0; st < int(c.steps().size()); ++st) mvms += double(c.step_figures(st).mvms);
    s.comp_images = r.batchnorm_calibration.count;
    s.comp_pj = k * s.energy_per_image_pj;
    s.comp_mvms = uint64_t(std::llround(k * mvms / double(s.images)));
    s.comp_cycles = uint64_t(std::llround(s.latency_cycles + (k - 1.0) * s.interval_cycles));
  }
  s.power_mw = s.total_ns > 0 ? s.energy.total_pj / s.total_ns : 0.0;  // pJ / ns = mW
  s.area_mm2 = r.ledger.total_area_um2() * 1e-6;
  s.peak = r.chip->peak_power();
  for (const auto& kv : r.chip->tile_area_um2()) s.tile_area_mm2 += kv.second * 1e-6;
  const PeakScope& scope = r.chip->settings().peak_scope;
  const std::map<std::string, double> area = r.ledger.area_by_class_um2();
  for (const std::string& cls : scope.power)
    if (s.peak.chip.count(cls)) s.scoped_peak_mw += s.peak.chip.at(cls);
  for (const std::string& cls : scope.area)
    if (area.count(cls)) s.scoped_area_mm2 += area.at(cls) * 1e-6;
  double scoped_pj = 0;
  for (const std::string& cls : scope.power) scoped_pj += s.energy.by_class_pj.at(cls);
  s.macs_per_image = double(r.map.macs_per_image);
  double ops = 2.0 * s.macs_per_image * double(s.images);
  s.tops = 2.0 * s.macs_per_image * s.throughput * 1e-12;
  s.tops_per_w = s.energy.total_pj > 0 ? ops / (s.energy.total_pj * 1e-12) * 1e-12 : 0.0;
  s.tops_per_mm2 = s.area_mm2 > 0 ? s.tops / s.area_mm2 : 0.0;
  s.scoped_run_tops_per_w = scoped_pj > 0 ? ops / scoped_pj : 0.0;  // ops / pJ = TOPS/W
  s.scoped_peak_tops_per_w =
      s.scoped_peak_mw > 0 ? s.peak.peak_tops / (s.scoped_peak_mw * 1e-3) : 0.0;
  s.scoped_peak_tops_per_mm2 = s.scoped_area_mm2 > 0 ? s.peak.peak_tops / s.scoped_area_mm2 : 0.0;
  return s;
}

nlohmann::ordered_json stats_json(const Run& r, const Summary& s) {
  nlohmann::ordered_json j;
  j["run"] = {{"pcmsim_version", version()},
              {"config", r.config_path},
              {"seed", r.seed},
              {"numerics", r.ideal ? "ideal" : "hardware"},
              {"time_s", r.time_s},
              {"compensation", compensation_name(r.comp)},
              {"compensation_images", s.comp_images},
              {"compensation_mvms", s.comp_mvms},
              {"compensation_cycles", s.comp_cycles},
              {"compensation_energy_pj", s.comp_pj},
              {"images", s.images},
              {"correct", s.correct},
              {"accuracy", double(s.correct) / double(std::max<int64_t>(1, s.images))},
              {"latency_cycles", s.latency_cycles},
              {"latency_ns", s.latency_ns},
              {"latency_min_cycles", r.chip->min_latency().count()},
              {"latency_max_cycles", r.chip->max_latency().count()},
              {"total_cycles", r.chip->total_cycles().count()},
              {"throughput_images_per_s", s.throughput},
              {"steady_interval_cycles", s.interval_cycles},
              {"pipelined", r.chip->pipelined()},
              {"bottleneck_step", r.chip->steps()[size_t(r.chip->bottleneck_step())].name},
              {"energy_pj", s.energy.total_pj},
              {"energy_per_image_pj", s.energy_per_image_pj},
              {"power_mw", s.power_mw},
              {"area_mm2", s.area_mm2},
              {"tops", s.tops},
              {"tops_per_w", s.tops_per_w},
              {"tops_per_mm2", s.tops_per_mm2},
              {"peak_tops", s.peak.peak_tops},
              {"peak_power_mw", s.peak.chip_mw},
              {"tile_peak_power_mw", s.peak.tile_mw},
              {"tile_area_mm2", s.tile_area_mm2},
              {"full_scale_mvm_ns", s.peak.mvm_ns}};
  if (r.fp32_correct >= 0) j["run"]["fp32_correct"] = r.fp32_correct;
  j["datapath"] = {{"quantized", r.datapath.enabled()},
                   {"activation_bits", r.datapath.activation_bits},
                   {"psum_bits", r.datapath.psum_bits},
                   {"calibration_images", r.datapath.calibration_images},
                   {"activation_clips", r.analog->activation_clips()},
                   {"psum_saturations", r.analog->psum_saturations()}};
  nlohmann::ordered_json e;
  for (const std::string& cls : energy_classes()) e[cls] = s.energy.by_class_pj.at(cls);
  j["energy_by_class_pj"] = e;
  nlohmann::ordered_json ec;
  for (const auto& kv : s.energy.by_component_pj) ec[kv.first] = kv.second;
  j["energy_by_component_pj"] = ec;
  nlohmann::ordered_json a;
  for (const auto& kv : r.ledger.area_by_class_um2()) a[kv.first] = kv.second;
  j["area_by_class_um2"] = a;
  const PeakScope& scope = r.chip->settings().peak_scope;
  if (scope.set) {
    j["peak_as_published"] = {{"tops", s.peak.peak_tops},
                              {"power_mw", s.scoped_peak_mw},
                              {"tops_per_w", s.scoped_peak_tops_per_w},
                              {"area_mm2", s.scoped_area_mm2},
                              {"tops_per_mm2", s.scoped_peak_tops_per_mm2},
                              {"power_classes", scope.power},
                              {"area_classes", scope.area},
                              {"run_tops_per_w", s.scoped_run_tops_per_w},
                              {"source", scope.source}};
  }
  nlohmann::ordered_json pc, pt;
  for (const auto& kv : s.peak.chip) pc[kv.first] = kv.second;
  for (const auto& kv : s.peak.per_tile) pt[kv.first] = kv.second;
  j["peak_power_by_class_mw"] = pc;
  j["tile_peak_power_by_class_mw"] = pt;
  nlohmann::ordered_json ut;
  const Cycles run = r.chip->total_cycles();
  for (const Chip::Utilization& u : r.chip->utilization()) {
    ut[u.name] = {{"units", u.units},          {"used", u.used},
                  {"busy_cycles", u.busy},     {"busiest_cycles", u.busiest},
                  {"fraction", u.of_all(run)}, {"fraction_of_used", u.of_used(run)}};
  }
  j["utilization"] = ut;
  if (r.inference.enabled) {
    nlohmann::ordered_json cells = nlohmann::ordered_json::array();
    for (const Inference::Cell& c : r.inference.cells) {
      cells.push_back({{"time", c.t_text},
                       {"time_s", c.t_s},
                       {"compensation", compensation_name(c.comp)},
                       {"accuracy", c.accuracy},
                       {"mean", c.mean},
                       {"std", c.std}});
    }
    j["inference"] = cells;
  }
  j["chip"] = r.chip->stats().to_json();
  j["layers"] = r.layer_stats.to_json();
  return j;
}

void write_outputs(const std::string& dir, const Run& r, const std::string& report,
                   const Summary& s) {
  fs::path out(dir);
  fs::path tmp = out;
  tmp += ".tmp-" + std::to_string(::getpid());
  std::error_code ec;
  fs::remove_all(tmp, ec);
  try {
    fs::create_directories(tmp);
    auto write = [&](const std::string& name, const std::string& text) {
      std::ofstream f(tmp / name);
      f << text;
      if (!f) throw Error("cannot write " + (out / name).string());
    };
    write("report.txt", report);
    write("stats.json", stats_json(r, s).dump(2) + "\n");
    write("layers.csv", layers_csv(r, s));
    write("mapping.txt", mapping_report(r.graph, r.map));
    std::ostringstream y;
    y << "# Resolved config of this run: every parameter with the value used (defaults filled "
         "in).\n";
    write_config_yaml(*r.root, y);
    write("resolved_config.yaml", y.str());
    fs::remove_all(out, ec);
    fs::rename(tmp, out);
  } catch (const std::exception& e) {
    fs::remove_all(tmp, ec);
    throw Error("cannot write output folder '" + dir + "': " + e.what());
  }
}

}  // namespace pcmsim
