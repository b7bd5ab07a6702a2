#include "sim/app/run_setup.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <systemc>

#include "sim/base/error.h"
#include "sim/base/rng.h"
#include "workloads/onnx_graph.h"
#include "workloads/sidecar.h"

namespace fs = std::filesystem;

namespace pcmsim {

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

}  // namespace

uint64_t repeat_seed(uint64_t seed, int repeat) {
  return repeat == 0 ? seed : derive_seed(seed, uint32_t(repeat), 0xFFFFu);
}

// The seed of read and output noise for an evaluation at @p t_s: the same time gives the same
/// draws, in the cycle-level run and in the accuracy table.
uint64_t eval_seed(uint64_t programming_seed, double t_s) {
  uint64_t bits;
  std::memcpy(&bits, &t_s, sizeof bits);
  return derive_seed(programming_seed, uint32_t(bits), uint32_t(bits >> 32));
}

namespace {

/// `simulation:` (seed, numerics, images, time, compensation).
void read_simulation(Run& r, Params& top) {
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
                               .choices({"none", "global", "per_column", "batchnorm"})
                               .def("none");
  r.comp = parse_compensation(comp);
}

/// `inference:` the accuracy-over-time plan, if any.
void read_inference(Run& r, Params& top) {
  if (!top.has("inference")) return;
  // Accuracy over time after programming: every (time, compensation), over repeated programmings.
  Params ip = top.child("inference");
  Inference& inf = r.inference;
  inf.enabled = true;
  for (const Params::Item& it :
       ip.get_list("times", "times after programming to evaluate", "s", {"1s"})) {
    inf.times_s.push_back(ip.item_quantity("times", it, "s", 0.0, 1e12));
    inf.times_text.push_back(it.text);
  }
  for (const Params::Item& it : ip.get_list(
           "compensation", "drift compensations to evaluate (none, global, per_column, batchnorm)",
           "", {"none"})) {
    inf.comps.push_back(parse_compensation(
        ip.item_choice("compensation", it, {"none", "global", "per_column", "batchnorm"})));
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

/// The model's sidecar (preprocessing it was trained with, FP32 accuracy), if it has one.
Preprocess read_sidecar(Run& r, Params& wp) {
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
    const Sidecar sc = read_sidecar_file(sidecar);
    side = sc.pre;
    r.fp32_correct = sc.fp32_correct;
    r.fp32_images = sc.fp32_images;
  }
  return side;
}

/// `workload:` the network, its sidecar and preprocessing, the dataset's files.
void read_workload(Run& r, Params& top) {
  Params wp = top.child("workload");
  const Preprocess side = read_sidecar(r, wp);
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
  // The calibration set the datapath's scales come from: images of the dataset's format.
  Params cp = wp.child("calibration");
  r.calibration_path = resolve_path(
      cp, *r.root, "images",
      cp.get<std::string>("images")
          .desc("image file of the dataset's format whose first `count` images set the "
                "datapath's scales (the training set, say); empty: the dataset's own images "
                "(synthetic inputs: the run's own)")
          .def(""));
  if (r.dataset_format == "synthetic" && !r.calibration_path.empty())
    cp.fail("images", "the synthetic format generates its calibration inputs; give no file");
  r.calibration_count = cp.get<int64_t>("count")
                            .desc("images the datapath's scales are calibrated on")
                            .unit("images")
                            .range(1, int64_t(1) << 24)
                            .def(64);
  r.batchnorm_images =
      cp.get<int64_t>("batchnorm_images")
          .desc(
              "images of the calibration set (its first) that compensation: batchnorm runs "
              "through the drifted chip to re-estimate the BatchNormalization statistics")
          .unit("images")
          .range(1, int64_t(1) << 24)
          .def(256);
}

/// The calibration set: the first images of its file, or of the dataset itself (synthetic
/// inputs: the run's own), at most as many as it holds.
Dataset load_calibration(Run& r, int64_t count) {
  if (r.calibration_path.empty()) {
    Dataset c = r.data;
    c.count = std::min(c.count, count);
    return c;
  }
  if (r.dataset_format == "idx") return load_idx_images(r.calibration_path, count, r.pre);
  Dataset c =
      load_cifar_dataset({r.calibration_path}, r.dataset_format == "cifar10" ? 10 : 100, 0, r.pre);
  c.count = std::min(c.count, count);
  return c;
}

/// Calibration samples must fit the network.
void check_calibration(const Run& r, const Dataset& cal) {
  if (cal.sample_size != r.data.sample_size) {
    throw Error(r.calibration_path + ": calibration samples have " +
                std::to_string(cal.sample_size) + " values, the network takes " +
                std::to_string(r.data.sample_size));
  }
}

/// `mapping:` batch-norm folding, packing, layer copies.
void read_mapping(Run& r, Params& top) {
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
}

/// The dataset the workload names (synthetic inputs generated from the seed).
void load_dataset(Run& r) {
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
}

/// The dataset against the run's image counts and the network's input and output shapes.
void check_dataset(Run& r, Params& top) {
  if (r.data.count == 0) throw Error(r.images_path + ": the dataset holds no images");
  if (r.images > r.data.count) {
    top.child("simulation")
        .fail("images", "the dataset holds " + std::to_string(r.data.count) + " images (" +
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
}

}  // namespace

void build(Run& r, const RunOptions& o) {
  // 1. Config: load, override, declare and read every parameter, reject unknown keys.
  r.config_path = o.config;
  r.root = load_config(o.config);
  for (const std::string& a : o.overrides) apply_override(*r.root, a);
  // A run config may carry the sweep over it (pcmsim sweep); a run reads none of it.
  if (ConfigNode* sweep = r.root->find("sweep")) mark_used(*sweep);
  Params top(r.root.get(), "", r.ctx);
  read_simulation(r, top);
  read_inference(r, top);
  read_workload(r, top);
  read_mapping(r, top);
  r.chip = std::make_unique<Chip>(o.chip_name.c_str(), top.child("chip"), r.ideal, r.ledger);
  check_unused(*r.root, *r.ctx);

  // 2. Network, mapping, dataset.
  r.graph = import_onnx_graph(r.onnx_path);
  if (r.fold_bn) r.folded_bn = fold_batchnorm(r.graph);
  const std::string unknown = unknown_copied_layer(r.graph, r.mapping);
  if (!unknown.empty()) {
    top.child("mapping").fail(
        "replicate",
        "'" + r.onnx_path + "' has no Conv, Gemm or MatMul node named '" + unknown + "'");
  }
  r.map = map_graph(r.graph, r.chip->shape(), r.mapping);
  load_dataset(r);
  check_dataset(r, top);
  // compensation: batchnorm needs BatchNorm nodes that run digitally and keep their affine.
  const bool bn_comp =
      r.comp == Compensation::BatchNorm ||
      std::count(r.inference.comps.begin(), r.inference.comps.end(), Compensation::BatchNorm) > 0;
  if (bn_comp) {
    int kept = 0;
    for (const GraphNode& n : r.graph.nodes)
      kept += n.op == GraphOp::BatchNorm && !n.bn_gamma.empty();
    if (kept == 0) {
      const std::string why =
          "batchnorm needs BatchNormalization nodes run digitally: " +
          (r.folded_bn > 0
               ? "mapping.batchnorm: fold folded the network's " + std::to_string(r.folded_bn) +
                     " into the weights before them (set mapping.batchnorm: digital)"
               : "'" + r.onnx_path + "' has none (export it with them kept)");
      if (r.comp == Compensation::BatchNorm) top.child("simulation").fail("compensation", why);
      top.child("inference").fail("compensation", why);
    }
  }
  r.analog = std::make_unique<GraphAnalogNetwork>(
      r.graph, r.map, r.chip->device(), r.chip->numerics(), r.chip->encoding(), uint64_t(r.seed));
  if (bn_comp) {
    r.batchnorm_calibration = load_calibration(r, r.batchnorm_images);
    check_calibration(r, r.batchnorm_calibration);
    r.analog->set_batchnorm_calibration(r.batchnorm_calibration.image(0),
                                        r.batchnorm_calibration.sample_size,
                                        r.batchnorm_calibration.count);
  }
  // The arrays as they read at the run's time (compensation: batchnorm re-estimates the
  // statistics once the datapath's formats are set, below: the arrays read the same).
  const Compensation arrays_comp = r.comp == Compensation::BatchNorm ? Compensation::None : r.comp;
  r.analog->prepare(r.time_s, arrays_comp, eval_seed(uint64_t(r.seed), r.time_s));
  r.chip->load(*r.analog, r.layer_stats);
  // 3. The datapath's formats, from the calibration set through the FP32 graph (ideal numerics
  // and a float datapath keep FP32 between tiles).
  if (!r.ideal && r.chip->settings().fixed_datapath) {
    const Dataset cal = load_calibration(r, r.calibration_count);
    check_calibration(r, cal);
    const ValueRanges ranges =
        calibrate(r.graph, r.map, cal.images.data(), cal.count, cal.sample_size);
    std::vector<char> stored(r.graph.values.size());
    for (size_t v = 0; v < stored.size(); ++v) stored[v] = r.chip->schedule().stored(int(v));
    const ChipSettings& cs = r.chip->settings();
    r.datapath = make_datapath(r.graph, r.map, ranges, stored, cs.activation_bits, cs.psum_bits);
    r.datapath.calibration_images = int(cal.count);
    r.analog->set_datapath(r.datapath);
  }
  if (r.comp == Compensation::BatchNorm)
    r.analog->prepare(r.time_s, r.comp, eval_seed(uint64_t(r.seed), r.time_s));
}

void setup_systemc() {
  sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
  // A SystemC warning or error is a bug in the model: stop instead of carrying on.
  sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING,
                                          sc_core::SC_DISPLAY | sc_core::SC_THROW);
  // Except one: each process's stack gets a guard page, a memory mapping of its own; a chip with
  // more processes than the kernel allows mappings (vm.max_map_count, 65530 by default; the
  // ISAAC-like chip's 16,128 cores) runs its later processes without guard pages.
  sc_core::sc_report_handler::set_actions("stack setup failed", sc_core::SC_DO_NOTHING);
}

}  // namespace pcmsim
