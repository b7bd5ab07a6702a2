#include "sim/app/simulation.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <systemc>

#include "models/common/rng.h"
#include "models/device/device_model.h"
#include "sim/framework/config.h"
#include "sim/framework/energy.h"
#include "sim/framework/error.h"
#include "sim/framework/params.h"
#include "sim/framework/registry.h"
#include "sim/framework/stats.h"
#include "sim/hw/chip.h"
#include "sim/hw/graph_network.h"
#include "workloads/dataset.h"
#include "workloads/graph_mapper.h"
#include "workloads/onnx_graph.h"

namespace fs = std::filesystem;

namespace pcmsim {

std::string default_config_path() {
  if (const char* home = std::getenv("PCMSIM_HOME"))
    return std::string(home) + "/configs/default.yaml";
  return std::string(PCMSIM_SOURCE_DIR) + "/configs/default.yaml";
}

namespace {

/// The path in @p name resolved against the file that set it, written back absolute so that the
/// resolved config runs from anywhere.
std::string resolve_path(Params& p, ConfigNode& root, const std::string& name,
                         const std::string& value) {
  fs::path v(value);
  if (value.empty()) return value;
  std::string resolved =
      v.is_absolute() ? value
                      : fs::absolute(fs::path(p.base_dir(name)) / v).lexically_normal().string();
  ConfigNode* node = &root;
  std::string path = p.key_path(name), key;
  for (std::stringstream ss(path); std::getline(ss, key, '.');)
    node = node ? node->find(key) : nullptr;
  if (node && node->kind == ConfigNode::Kind::Scalar) node->scalar = resolved;
  // Shown relative to the working directory where that is shorter (reports, messages).
  std::string rel = fs::relative(resolved).string();
  return !rel.empty() && rel.size() < resolved.size() && rel.rfind("..", 0) != 0 ? rel : resolved;
}

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
  EnergyLedger ledger, layer_ledger;
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
};

/// The seed of programming number @p repeat (repeat 0 is the run's seed).
uint64_t repeat_seed(uint64_t seed, int repeat) {
  return repeat == 0 ? seed : derive_seed(seed, uint32_t(repeat), 0xFFFFu);
}

/// The seed of read and output noise for an evaluation at @p t_s: the same time gives the same
/// draws, in the cycle-level run and in the accuracy table.
uint64_t eval_seed(uint64_t programming_seed, double t_s) {
  uint64_t bits;
  std::memcpy(&bits, &t_s, sizeof bits);
  return derive_seed(programming_seed, uint32_t(bits), uint32_t(bits >> 32));
}

void build(Run& r, const RunOptions& o) {
  // 1. Config: load, override, declare and read every parameter, reject unknown keys.
  r.config_path = o.config;
  r.root = load_config(o.config);
  for (const std::string& a : o.overrides) apply_override(*r.root, a);
  Params top(r.root.get(), "", r.ctx);
  Params sp = top.child("simulation");
  r.seed =
      sp.get<int64_t>("seed").desc("seed of every random draw").range(0, int64_t(1) << 62).def(1);
  r.ideal = std::string(
                sp.get<std::string>("numerics")
                    .desc("hardware: quantization and device noise; ideal: exact (reproduces FP32)")
                    .choices({"hardware", "ideal"})
                    .def("hardware")) == "ideal";
  r.images = sp.get<int64_t>("images")
                 .desc("test images to run (0 = all in the dataset)")
                 .unit("images")
                 .range(0, int64_t(1) << 40)
                 .def(0);
  r.time_s = sp.get<double>("time")
                 .desc("time after programming at which the cycle-level run reads the arrays")
                 .unit("s")
                 .range(0.0, 1e12)
                 .def(0.0);
  r.time_text = r.root->find("simulation")->find("time")->scalar;
  const std::string comp = sp.get<std::string>("compensation")
                               .desc("drift compensation of the cycle-level run")
                               .choices({"none", "global", "per_column"})
                               .def("none");
  r.comp = parse_compensation(comp);
  if (top.has("inference")) {
    // Accuracy over time after programming: every (time, compensation), over repeated programmings.
    Params ip = top.child("inference");
    Inference& inf = r.inference;
    inf.enabled = true;
    for (const Params::Item& it :
         ip.get_list("times", "times after programming to evaluate", "s", {"1s"})) {
      inf.times_s.push_back(ip.item_quantity("times", it, "s", 0.0, 1e12));
      inf.times_text.push_back(it.text);
    }
    for (const Params::Item& it :
         ip.get_list("compensation", "drift compensations to evaluate (none, global, per_column)",
                     "", {"none"})) {
      inf.comps.push_back(
          parse_compensation(ip.item_choice("compensation", it, {"none", "global", "per_column"})));
    }
    inf.repeats = ip.get<int>("repeats")
                      .desc("independent programmings per cell")
                      .unit("programmings")
                      .range(1, 100000)
                      .def(1);
    inf.images = ip.get<int64_t>("images")
                     .desc("test images per evaluation (0 = all)")
                     .unit("images")
                     .range(0, int64_t(1) << 40)
                     .def(0);
  }

  Params wp = top.child("workload");
  r.onnx_path = resolve_path(wp, *r.root, "onnx",
                             wp.get<std::string>("onnx").desc("trained network, ONNX file"));
  std::string sidecar_default = fs::path(r.onnx_path).replace_extension(".yaml").string();
  const bool sidecar_named = wp.has("sidecar");
  std::string sidecar = resolve_path(wp, *r.root, "sidecar",
                                     wp.get<std::string>("sidecar")
                                         .desc("model sidecar YAML (preprocessing, FP32 accuracy)")
                                         .def(sidecar_default));
  // The sidecar gives the preprocessing the network was trained with; the config may override.
  Preprocess side;
  if (sidecar_named && !fs::exists(sidecar)) {
    wp.fail("sidecar", "no such file: " + sidecar);
  }
  if (fs::exists(sidecar)) {
    auto sroot = load_config(sidecar);
    auto sctx = std::make_shared<ParamContext>();
    Params s(sroot.get(), "", sctx);
    Params spp = s.child("preprocessing");
    side.scale = spp.get<double>("scale").desc("pixel scale").def(1.0 / 255.0);
    side.mean = spp.get<double>("mean").desc("mean subtracted").def(0.0);
    side.std = spp.get<double>("std").desc("std divided by").range(1e-12, 1e12).def(1.0);
    for (const Params::Item& it :
         spp.get_list("channel_mean", "per-channel mean (overrides mean)", "", {}))
      side.channel_mean.push_back(spp.item_quantity("channel_mean", it, "", -1e12, 1e12));
    for (const Params::Item& it :
         spp.get_list("channel_std", "per-channel std (overrides std)", "", {}))
      side.channel_std.push_back(spp.item_quantity("channel_std", it, "", 1e-12, 1e12));
    r.fp32_correct = s.get<int64_t>("fp32_test_correct").desc("FP32 correct count").def(-1);
    r.fp32_images = s.get<int64_t>("fp32_test_images").desc("FP32 test images").min(0).def(0);
    if (r.fp32_images == 0) r.fp32_correct = -1;  // no reference without its image count
    // The sidecar carries other metadata too; only its preprocessing must hold no unknown key.
    if (ConfigNode* pre = sroot->find("preprocessing")) {
      for (const auto& e : pre->map) {
        if (!e.value->used) {
          throw Error(e.key_src.describe() + ": preprocessing." + e.key +
                      ": unknown key (known keys here: scale mean std channel_mean channel_std)");
        }
      }
    }
  }
  Params pp = wp.child("preprocessing");
  r.pre.scale = pp.get<double>("scale").desc("multiplier on raw pixel values").def(side.scale);
  r.pre.mean = pp.get<double>("mean").desc("subtracted after scaling").def(side.mean);
  r.pre.std =
      pp.get<double>("std").desc("divisor after mean subtraction").range(1e-12, 1e12).def(side.std);
  auto channel_list = [](Params& p, const std::string& name, const std::string& desc, double lo,
                         const std::vector<double>& def) {
    std::vector<std::string> def_text;
    for (double v : def) def_text.push_back(detail::to_text(v));
    std::vector<double> out;
    for (const Params::Item& it : p.get_list(name, desc, "", def_text))
      out.push_back(p.item_quantity(name, it, "", lo, 1e12));
    return out;
  };
  r.pre.channel_mean = channel_list(pp, "channel_mean", "per-channel mean (RGB); overrides mean",
                                    -1e12, side.channel_mean);
  r.pre.channel_std = channel_list(pp, "channel_std", "per-channel std (RGB); overrides std", 1e-12,
                                   side.channel_std);
  if (r.pre.channel_mean.size() != r.pre.channel_std.size()) {
    pp.fail("channel_std",
            "has " + std::to_string(r.pre.channel_std.size()) + " values, channel_mean " +
                std::to_string(r.pre.channel_mean.size()) + ": one of each per channel");
  }
  Params dp = wp.child("dataset");
  r.dataset_format = dp.get<std::string>("format")
                         .desc(
                             "idx: IDX image and label files (MNIST, Fashion-MNIST); cifar10, "
                             "cifar100: a CIFAR binary file (labels inside); synthetic: seeded "
                             "random inputs of the network's input shape (timing and energy "
                             "studies; no accuracy)")
                         .choices({"idx", "cifar10", "cifar100", "synthetic"})
                         .def("idx");
  r.synthetic_samples = dp.get<int64_t>("samples")
                            .desc("synthetic format: inputs to generate")
                            .unit("images")
                            .range(1, int64_t(1) << 24)
                            .def(1);
  r.images_path = resolve_path(
      dp, *r.root, "images",
      dp.get<std::string>("images").desc("image file (IDX raw or .gz; CIFAR .bin)").def(""));
  if (r.dataset_format != "synthetic" && r.images_path.empty())
    dp.fail("images", "the " + r.dataset_format + " format needs an image file");
  if (r.dataset_format == "synthetic" && !r.images_path.empty())
    dp.fail("images", "the synthetic format generates its inputs; give no image file");
  r.labels_path = resolve_path(
      dp, *r.root, "labels",
      dp.get<std::string>("labels").desc("IDX label file (raw or .gz); idx format only").def(""));
  if (r.dataset_format == "idx" && r.labels_path.empty())
    dp.fail("labels", "the idx format needs a label file");
  if (r.dataset_format != "idx" && !r.labels_path.empty())
    dp.fail("labels", "only the idx format reads a label file");

  // The mapping choices.
  Params mp = top.child("mapping");
  r.fold_bn = std::string(mp.get<std::string>("batchnorm")
                              .desc("BatchNormalization after a Conv/Gemm: fold into its weights "
                                    "and bias, or run as a digital affine")
                              .choices({"fold", "digital"})
                              .def("fold")) == "fold";
  r.mapping.pack_groups = mp.get<bool>("pack_groups")
                              .desc(
                                  "put several groups of a grouped convolution on one array "
                                  "(block-diagonal) where they fit")
                              .def(true);
  for (const Params::Item& it :
       mp.get_list("replicate",
                   "layer copies, NAME=N: N copies of the Conv/Gemm/MatMul node NAME "
                   "share its output pixels",
                   "", {})) {
    const size_t eq = it.text.rfind('=');
    int copies = 0;
    if (eq != std::string::npos && eq > 0) {
      try {
        size_t used = 0;
        copies = std::stoi(it.text.substr(eq + 1), &used);
        if (used != it.text.size() - eq - 1) copies = 0;
      } catch (const std::exception&) {
        copies = 0;
      }
    }
    if (copies < 1 || copies > 4096) {
      throw Error(it.src.describe() + ": mapping.replicate: '" + it.text +
                  "': expected NAME=N with N from 1 to 4096");
    }
    r.mapping.copies[it.text.substr(0, eq)] = copies;
  }

  r.chip = std::make_unique<Chip>("chip", top.child("chip"), r.ideal, r.ledger);
  check_unused(*r.root, *r.ctx);

  // 2. Network, mapping, dataset.
  r.graph = import_onnx_graph(r.onnx_path);
  if (r.fold_bn) r.folded_bn = fold_batchnorm(r.graph);
  const std::string unknown = unknown_copied_layer(r.graph, r.mapping);
  if (!unknown.empty()) {
    mp.fail("replicate",
            "'" + r.onnx_path + "' has no Conv, Gemm or MatMul node named '" + unknown + "'");
  }
  r.map = map_graph(r.graph, r.chip->shape(), r.mapping);
  if (r.dataset_format == "synthetic") {
    // Uniform in [-1, 1), keyed by the seed; label 0 (there is no ground truth).
    r.images_path = "synthetic inputs";
    r.data.count = r.synthetic_samples;
    r.data.sample_shape = r.graph.input_shape();
    r.data.sample_size = numel(r.data.sample_shape);
    RngStream rng(uint64_t(r.seed), DrawKind::Input, 0, 0);
    r.data.images.resize(size_t(r.data.count * r.data.sample_size));
    for (size_t i = 0; i < r.data.images.size(); ++i)
      r.data.images[i] = float(rng.uniform(uint64_t(i)) * 2.0 - 1.0);
    r.data.labels.assign(size_t(r.data.count), 0);
    r.fp32_correct = -1;
  } else if (r.dataset_format == "idx") {
    r.data = load_idx_dataset(r.images_path, r.labels_path, 0, r.pre);
  } else {
    r.data =
        load_cifar_dataset({r.images_path}, r.dataset_format == "cifar10" ? 10 : 100, 0, r.pre);
  }
  if (r.data.count == 0) throw Error(r.images_path + ": the dataset holds no images");
  if (r.images > r.data.count) {
    sp.fail("images", "the dataset holds " + std::to_string(r.data.count) + " images (" +
                          r.images_path + ")");
  }
  if (r.inference.images > r.data.count) {
    Params ip = top.child("inference");
    ip.fail("images", "the dataset holds " + std::to_string(r.data.count) + " images (" +
                          r.images_path + ")");
  }
  const int64_t in_size = numel(r.graph.input_shape()), out_size = numel(r.graph.output_shape());
  if (r.data.sample_size != in_size) {
    throw Error(r.images_path + ": samples have shape " + shape_str(r.data.sample_shape) + " (" +
                std::to_string(r.data.sample_size) + " values), network '" + r.onnx_path +
                "' takes " + shape_str(r.graph.input_shape()) + " (" + std::to_string(in_size) +
                ")");
  }
  if (!r.pre.channel_mean.empty() && r.graph.input_shape().size() == 3 &&
      int64_t(r.pre.channel_mean.size()) != r.graph.input_shape()[0]) {
    throw Error(r.onnx_path + ": takes " + std::to_string(r.graph.input_shape()[0]) +
                " channels, the preprocessing gives " + std::to_string(r.pre.channel_mean.size()) +
                " channel means");
  }
  for (int64_t i = 0; i < r.data.count; ++i) {
    if (r.data.labels[size_t(i)] >= out_size) {
      throw Error((r.labels_path.empty() ? r.images_path : r.labels_path) + ": label " +
                  std::to_string(r.data.labels[size_t(i)]) + " of sample " + std::to_string(i) +
                  " is beyond the network's " + std::to_string(out_size) + " outputs");
    }
  }
  r.analog = std::make_unique<GraphAnalogNetwork>(
      r.graph, r.map, r.chip->device(), r.chip->numerics(), r.chip->encoding(), uint64_t(r.seed));
  r.analog->prepare(r.time_s, r.comp, eval_seed(uint64_t(r.seed), r.time_s));
  r.chip->load(*r.analog, r.layer_stats, r.layer_ledger);
}

std::string fmt(double v, int prec) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(prec) << v;
  return os.str();
}

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
  double comp_pj = 0;  ///< drift-compensation readouts (once per evaluation time)
  uint64_t comp_mvms = 0, comp_cycles = 0;
};

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

std::string report_text(const Run& r, const Summary& s) {
  const Chip& c = *r.chip;
  ChipShape sh = c.shape();
  std::ostringstream os;
  os << "pcmsim run: " << r.config_path << "\n";
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
  os << "time        " << r.time_text << " after programming, drift compensation "
     << compensation_name(r.comp) << "\n";
  os << "images      " << s.images << " through the cycle-level chip, "
     << (c.pipelined() ? "pipelined (layers work on different rows and images at once)"
                       : "one step of one image at a time")
     << "\n\n";
  os << "latency     " << fmt(s.latency_cycles, 1) << " cycles = " << fmt(s.latency_ns, 1)
     << " ns per image (mean; min " << c.min_latency().count() << ", max "
     << c.max_latency().count() << " cycles)\n";
  os << "throughput  " << fmt(s.throughput, 0) << " images/s (an image every "
     << fmt(s.interval_cycles, 1) << " cycles once "
     << (c.pipelined() ? "the pipeline is full" : "started") << ")\n";
  if (!c.steps().empty()) {
    const int b = c.bottleneck_step();
    os << "bottleneck  " << c.steps()[size_t(b)].name << ": its busiest "
       << (c.steps()[size_t(b)].layer >= 0 ? "core stream" : "digital unit") << " works "
       << fmt(double(c.layer_counters()[size_t(b)].busy->count()) /
                  double(std::max<int64_t>(1, s.images)),
              1)
       << " cycles per image\n";
  }
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
  const Cycles run = c.total_cycles();
  os << "utilization busy cycles / (units x the run's " << run.count() << " cycles)\n"
     << "  resource               units   used    all %   used %  busiest %\n";
  for (const Chip::Utilization& u : c.utilization()) {
    os << "  " << std::left << std::setw(20) << u.name << std::right << std::setw(8) << u.units
       << std::setw(7) << u.used << std::setw(9) << fmt(100.0 * u.of_all(run), 2) << std::setw(9)
       << fmt(100.0 * u.of_used(run), 2) << std::setw(11)
       << fmt(run.count() ? 100.0 * double(u.busiest) / double(run.count()) : 0.0, 2) << "\n";
  }
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
  if (r.comp != Compensation::None) {
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
  os << "\nper step (per image; an analog step includes the element-wise nodes fused after it)\n";
  os << "  " << std::left << std::setw(28) << "step" << std::setw(20) << "op" << std::right
     << std::setw(8) << "arrays" << std::setw(10) << "mvms" << std::setw(11) << "cycles"
     << std::setw(10) << "busy" << std::setw(10) << "stall" << std::setw(14) << "energy pJ\n";
  EnergyBreakdown le = r.layer_ledger.evaluate(0.0);
  double n = double(std::max<int64_t>(1, s.images));
  for (size_t i = 0; i < c.steps().size(); ++i) {
    const Step& st = c.steps()[i];
    const LayerCounters& lc = c.layer_counters()[i];
    const size_t arrays = st.layer >= 0 ? r.map.layers[size_t(st.layer)].blocks.size() : 0;
    os << "  " << std::left << std::setw(28) << st.name.substr(0, 27) << std::setw(20)
       << step_ops(r.graph, st).substr(0, 19) << std::right << std::setw(8) << arrays
       << std::setw(10) << fmt(double(lc.mvms->count()) / n, 0) << std::setw(11)
       << fmt(double(lc.cycles->count()) / n, 0) << std::setw(10)
       << fmt(double(lc.busy->count()) / n, 0) << std::setw(10)
       << fmt(double(lc.input_stall->count() + lc.core_stall->count()) / n, 0) << std::setw(13)
       << fmt(le.by_component_pj[lc.group->full_name()] / n, 2) << "\n";
  }
  return os.str();
}

std::string layers_csv(const Run& r, const Summary& s) {
  std::ostringstream os;
  os << "step,ops,runs_on,in_bytes,out_bytes,matrix_rows,matrix_cols,groups,pixels,copies,arrays,"
        "mvms_per_image,cycles_per_image,busy_cycles_per_image,input_stall_cycles_per_image,"
        "core_stall_cycles_per_image";
  for (const std::string& cls : energy_classes())
    if (cls != "leakage") os << "," << cls << "_pj_per_image";
  os << ",energy_pj_per_image\n";
  double n = double(std::max<int64_t>(1, s.images));
  for (size_t i = 0; i < r.chip->steps().size(); ++i) {
    const Step& st = r.chip->steps()[i];
    const LayerCounters& lc = r.chip->layer_counters()[i];
    const std::string path = lc.group->full_name();
    os << st.name << "," << step_ops(r.graph, st) << "," << (st.layer >= 0 ? "arrays" : "digital")
       << "," << st.in_bytes << "," << st.out_bytes;
    if (st.layer >= 0) {
      const GraphLayer& l = r.map.layers[size_t(st.layer)];
      os << "," << l.rows << "," << l.cols << "," << l.groups << "," << l.pixels << ","
         << l.replicas << "," << l.blocks.size();
    } else {
      os << ",0,0,0,0,0,0";
    }
    os << "," << double(lc.mvms->count()) / n << "," << double(lc.cycles->count()) / n << ","
       << double(lc.busy->count()) / n << "," << double(lc.input_stall->count()) / n << ","
       << double(lc.core_stall->count()) / n;
    std::map<std::string, double> per_class = r.layer_ledger.class_energy_of(path);
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
  const LayerCounters& comp = c.compensation_counters();
  for (const auto& kv : r.layer_ledger.class_energy_of(comp.group->full_name())) {
    s.energy.by_class_pj[kv.first] -= kv.second;
    s.energy.total_pj -= kv.second;
    s.comp_pj += kv.second;
  }
  s.comp_mvms = comp.mvms->count();
  s.comp_cycles = c.compensation_cycles().count();
  s.energy_per_image_pj = s.energy.total_pj / double(std::max<int64_t>(1, s.images));
  s.power_mw = s.total_ns > 0 ? s.energy.total_pj / s.total_ns : 0.0;  // pJ / ns = mW
  s.area_mm2 = r.ledger.total_area_um2() * 1e-6;
  s.peak = r.chip->peak_power();
  for (const auto& kv : r.chip->tile_area_um2()) s.tile_area_mm2 += kv.second * 1e-6;
  s.macs_per_image = double(r.map.macs_per_image);
  double ops = 2.0 * s.macs_per_image * double(s.images);
  s.tops = 2.0 * s.macs_per_image * s.throughput * 1e-12;
  s.tops_per_w = s.energy.total_pj > 0 ? ops / (s.energy.total_pj * 1e-12) * 1e-12 : 0.0;
  s.tops_per_mm2 = s.area_mm2 > 0 ? s.tops / s.area_mm2 : 0.0;
  return s;
}

nlohmann::ordered_json stats_json(const Run& r, const Summary& s) {
  nlohmann::ordered_json j;
  j["run"] = {{"config", r.config_path},
              {"seed", r.seed},
              {"numerics", r.ideal ? "ideal" : "hardware"},
              {"time_s", r.time_s},
              {"compensation", compensation_name(r.comp)},
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
  nlohmann::ordered_json e;
  for (const std::string& cls : energy_classes()) e[cls] = s.energy.by_class_pj.at(cls);
  j["energy_by_class_pj"] = e;
  nlohmann::ordered_json ec;
  for (const auto& kv : s.energy.by_component_pj) ec[kv.first] = kv.second;
  j["energy_by_component_pj"] = ec;
  nlohmann::ordered_json a;
  for (const auto& kv : r.ledger.area_by_class_um2()) a[kv.first] = kv.second;
  j["area_by_class_um2"] = a;
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

void setup_systemc() {
  sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
  // A SystemC warning or error is a bug in the model: stop instead of carrying on.
  sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING,
                                          sc_core::SC_DISPLAY | sc_core::SC_THROW);
}

}  // namespace

int64_t top1_correct(GraphAnalogNetwork& a, const Dataset& d, int64_t n) {
  int64_t correct = 0;
  std::vector<float> y;
  for (int64_t i = 0; i < n; ++i) {
    a.forward(d.image(i), i, y);
    size_t best = 0;
    for (size_t k = 1; k < y.size(); ++k)
      if (y[k] > y[best]) best = k;
    correct += int(best) == d.labels[size_t(i)];
  }
  return correct;
}

/// Functional mode: accuracy for every (time, compensation) over repeated programmings. The
/// numerics are those of the cycle-level chip (same GraphAnalogNetwork calls, no SystemC kernel).
void evaluate_over_time(Run& r, bool tty) {
  Inference& inf = r.inference;
  const int64_t n = inf.images > 0 ? inf.images : r.data.count;
  for (size_t k = 0; k < inf.times_s.size(); ++k)
    for (Compensation c : inf.comps)
      inf.cells.push_back({inf.times_s[k], inf.times_text[k], c, {}, 0, 0});
  const size_t total = inf.cells.size() * size_t(inf.repeats);
  size_t done = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int rep = 0; rep < inf.repeats; ++rep) {
    const uint64_t seed = repeat_seed(uint64_t(r.seed), rep);
    GraphAnalogNetwork a(r.graph, r.map, r.chip->device(), r.chip->numerics(), r.chip->encoding(),
                         seed);
    for (Inference::Cell& cell : inf.cells) {
      a.prepare(cell.t_s, cell.comp, eval_seed(seed, cell.t_s));
      cell.accuracy.push_back(double(top1_correct(a, r.data, n)) / double(n));
      ++done;
      if (tty) {
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::fprintf(stderr,
                     "\r  accuracy over time: evaluation %zu/%zu (%lld images each), %.1f s", done,
                     total, (long long)n, secs);
        if (done == total) std::fprintf(stderr, "\n");
      }
    }
  }
  for (Inference::Cell& cell : inf.cells) {
    double m = 0, v = 0;
    for (double x : cell.accuracy) m += x / double(cell.accuracy.size());
    for (double x : cell.accuracy) v += (x - m) * (x - m);
    cell.mean = m;
    // Sample standard deviation over programmings (0 for one programming).
    cell.std = cell.accuracy.size() > 1 ? std::sqrt(v / double(cell.accuracy.size() - 1)) : 0.0;
  }
}

void validate_config(const RunOptions& o) {
  setup_systemc();
  Run r;
  build(r, o);
  std::cout << "config OK: " << o.config << "\n  chip " << r.chip->preset_name() << ", network "
            << r.onnx_path << " (" << r.graph.nodes.size() << " nodes, " << r.map.layers.size()
            << " on arrays, " << r.chip->steps().size() << " steps), dataset " << r.data.count
            << " samples of " << shape_str(r.data.sample_shape) << "\n\n"
            << mapping_report(r.graph, r.map);
}

void run_simulation(const RunOptions& o) {
  setup_systemc();
  Run r;
  build(r, o);
  std::string out_dir = o.out_dir.empty() ? "out/" + fs::path(o.config).stem().string() : o.out_dir;

  int64_t correct = 0;
  const bool tty = o.progress && ::isatty(2);
  const int64_t n = r.images > 0 ? r.images : r.data.count;
  const int64_t step = std::max<int64_t>(1, n / 100);
  auto t0 = std::chrono::steady_clock::now();
  r.chip->set_inputs(
      r.data.images.data(), n, r.data.sample_size, [&](int64_t img, const std::vector<float>& y) {
        // Top-1: the first index of the largest logit.
        size_t best = 0;
        for (size_t k = 1; k < y.size(); ++k)
          if (y[k] > y[best]) best = k;
        if (int(best) == r.data.labels[size_t(img)]) ++correct;
        if (tty && ((img + 1) % step == 0 || img + 1 == n)) {
          double secs =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
          std::fprintf(stderr, "\r  simulating: image %lld/%lld (%3d %%), %.1f s",
                       (long long)(img + 1), (long long)n, int(100 * (img + 1) / n), secs);
          if (img + 1 == n) std::fprintf(stderr, "\n");
        }
      });
  sc_core::sc_start();
  if (r.chip->images_done() != n) {
    throw std::logic_error("simulation ended after " + std::to_string(r.chip->images_done()) +
                           " of " + std::to_string(n) + " images");
  }
  if (r.inference.enabled) evaluate_over_time(r, tty);
  Summary s = summarize(r, correct);
  std::string report = report_text(r, s);
  write_outputs(out_dir, r, report, s);
  std::cout << report << "\noutputs in " << out_dir
            << "/ (report.txt, stats.json, layers.csv, mapping.txt, resolved_config.yaml)\n";
}

/// A rate with 3 significant digits below 100, whole numbers above.
std::string rate(double v) { return fmt(v, v >= 100 ? 0 : v >= 10 ? 1 : 2); }

void benchmark(const RunOptions& o, int evaluations) {
  setup_systemc();
  using clock = std::chrono::steady_clock;
  auto secs = [](clock::time_point a, clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  };
  Run r;
  auto t_build0 = clock::now();
  build(r, o);
  const double build_s = secs(t_build0, clock::now());
  const int64_t n = r.inference.images > 0 ? r.inference.images : r.data.count;
  const double macs = double(r.map.macs_per_image);
  // 1. Functional path: prepare (read at t, compensation) and a pass over the images.
  double func_s = 0;
  int64_t correct = 0;
  for (int e = 0; e < evaluations; ++e) {
    auto t0 = clock::now();
    r.analog->prepare(r.time_s, r.comp, eval_seed(uint64_t(r.seed), r.time_s));
    correct = top1_correct(*r.analog, r.data, n);
    func_s += secs(t0, clock::now());
  }
  // 2. Cycle-level path: the timed images through the SystemC chip.
  const int64_t timed = r.images > 0 ? r.images : r.data.count;
  r.analog->prepare(r.time_s, r.comp, eval_seed(uint64_t(r.seed), r.time_s));
  r.chip->set_inputs(r.data.images.data(), timed, r.data.sample_size, nullptr);
  auto t_sim0 = clock::now();
  sc_core::sc_start();
  const double sim_s = secs(t_sim0, clock::now());
  const double layers = double(timed) * double(r.chip->steps().size());
  std::cout << "pcmsim bench: " << o.config << " (" << r.graph.source << ", "
            << r.chip->steps().size() << " steps, " << r.map.blocks.size() << " arrays, "
            << fmt(macs, 0) << " MACs per image)\n";
  std::cout << "  build (config, import, map, program)  " << fmt(build_s, 3) << " s\n";
  std::cout << "  functional: " << evaluations << " x " << n << " images in " << fmt(func_s, 3)
            << " s: " << rate(double(evaluations) * double(n) / func_s) << " images/s, "
            << fmt(double(evaluations) * double(n) * macs / func_s * 1e-9, 3) << " GMAC/s (top-1 "
            << fmt(100.0 * double(correct) / double(n), 2) << " %)\n";
  std::cout << "  cycle-level: " << timed << " images in " << fmt(sim_s, 3)
            << " s: " << rate(double(timed) / sim_s) << " images/s, " << rate(layers / sim_s)
            << " steps (layers) /s, "
            << fmt(r.chip->clock().to_ns(r.chip->total_cycles()) * 1e-3 / sim_s, 1)
            << " simulated us per second\n";
  std::cout << "  SystemC: " << r.chip->kernel_events() << " events (timed waits, notifications, "
            << "FIFO writes), " << sc_core::sc_delta_count()
            << " delta cycles: " << rate(double(r.chip->kernel_events()) / sim_s) << " events/s\n";
}

std::string list_registry() {
  std::map<std::string, std::vector<const ImplInfo*>> by_iface;
  for (const ImplInfo& i : RegistryIndex::all()) by_iface[i.interface].push_back(&i);
  std::ostringstream os;
  for (const auto& kv : by_iface) {
    os << kv.first << ":\n";
    for (const ImplInfo* i : kv.second)
      os << "  " << std::left << std::setw(12) << i->name << i->desc << "\n";
  }
  return os.str();
}

std::string describe_impl(const std::string& name) {
  auto found = RegistryIndex::find(name);
  if (found.empty()) {
    std::string names;
    for (const ImplInfo& i : RegistryIndex::all()) names += " " + i.interface + "/" + i.name;
    throw Error("no implementation named '" + name + "'; registered:" + names);
  }
  std::ostringstream os;
  for (const ImplInfo* i : found) {
    os << i->interface << "/" << i->name << ": " << i->desc << "\n\n";
    os << format_param_table(RegistryIndex::describe(*i), i->interface) << "\n";
  }
  return os.str();
}

}  // namespace pcmsim
