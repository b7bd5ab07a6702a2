#include "sim/app/commands.h"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <systemc>

#include "sim/app/device_export.h"
#include "sim/app/run_setup.h"
#include "sim/base/error.h"
#include "sim/base/parallel.h"
#include "sim/base/registry.h"
#include "sim/report/report.h"

namespace fs = std::filesystem;

namespace pcmsim {

std::string default_config_path() {
  if (const char* home = std::getenv("PCMSIM_HOME"))
    return std::string(home) + "/configs/default.yaml";
  return std::string(PCMSIM_SOURCE_DIR) + "/configs/default.yaml";
}

int make_report(const std::string& dir, const std::string& out) {
  const char* home = std::getenv("PCMSIM_HOME");
  const std::string script = std::string(home ? home : PCMSIM_SOURCE_DIR) + "/tools/report.py";
  if (!std::filesystem::exists(script)) throw Error(script + ": the report tool is missing");
  std::vector<std::string> args = {"/usr/bin/python3", script, dir};
  if (!out.empty()) {
    args.push_back("--out");
    args.push_back(out);
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::cout.flush();
  const pid_t pid = ::fork();
  if (pid < 0) throw Error("cannot start the report tool");
  if (pid == 0) {
    ::execv(argv[0], argv.data());
    std::fprintf(stderr,
                 "pcmsim: error: cannot run /usr/bin/python3 (tools/setup.sh installs it)\n");
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

namespace {

int64_t top1_correct(GraphAnalogNetwork& a, const Dataset& d, int64_t n, int threads) {
  const std::vector<float> y = a.forward_many(d.image(0), d.sample_size, 0, n, threads);
  const size_t k_out = a.output_size();
  int64_t correct = 0;
  for (int64_t i = 0; i < n; ++i) {
    // Top-1: the first index of the largest logit.
    const float* yi = y.data() + size_t(i) * k_out;
    size_t best = 0;
    for (size_t k = 1; k < k_out; ++k)
      if (yi[k] > yi[best]) best = k;
    correct += int(best) == d.labels[size_t(i)];
  }
  return correct;
}

}  // namespace

void evaluate_over_time(Run& r, bool tty, int threads) {
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
    a.set_datapath(r.datapath);
    if (r.batchnorm_calibration.count > 0)
      a.set_batchnorm_calibration(r.batchnorm_calibration.image(0),
                                  r.batchnorm_calibration.sample_size,
                                  r.batchnorm_calibration.count);
    for (Inference::Cell& cell : inf.cells) {
      a.prepare(cell.t_s, cell.comp, eval_seed(seed, cell.t_s));
      cell.accuracy.push_back(double(top1_correct(a, r.data, n, threads)) / double(n));
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
  if (!o.export_device.empty()) {
    DeviceTablePlan plan;
    plan.seed = uint64_t(r.seed);
    const std::string text = export_device_table(r.chip->device(), r.chip->numerics(), r.map.rows,
                                                 r.map.cols, plan, o.config);
    // Whole or not at all: written beside the target, then renamed over it.
    const std::string tmp = o.export_device + ".part";
    bool ok = false;
    {
      std::ofstream f(tmp, std::ios::binary);
      f << text;
      ok = f.good();
    }
    std::error_code ec;
    if (ok) fs::rename(tmp, o.export_device, ec);
    if (!ok || ec) {
      fs::remove(tmp, ec);
      throw Error("--export-device: cannot write " + o.export_device +
                  (ok ? "" : " (no such folder, or not writable)"));
    }
    std::cout << "\ndevice table written to " << o.export_device << "\n";
  }
}

void run_simulation(const RunOptions& o) {
  setup_systemc();
  set_default_threads(o.threads);
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
  if (r.inference.enabled) evaluate_over_time(r, tty, o.threads);
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
  set_default_threads(o.threads);
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
  double func_s = 0, prepare_s = 0;
  int64_t correct = 0;
  for (int e = 0; e < evaluations; ++e) {
    auto t0 = clock::now();
    r.analog->prepare(r.time_s, r.comp, eval_seed(uint64_t(r.seed), r.time_s));
    const auto t1 = clock::now();
    correct = top1_correct(*r.analog, r.data, n, o.threads);
    prepare_s += secs(t0, t1);
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
  const int threads = default_threads();
  std::cout << "  functional (" << threads << (threads == 1 ? " thread" : " threads")
            << "): " << evaluations << " x " << n << " images in " << fmt(func_s, 3)
            << " s: " << rate(double(evaluations) * double(n) / func_s) << " images/s, "
            << fmt(double(evaluations) * double(n) * macs / func_s * 1e-9, 3) << " GMAC/s (top-1 "
            << fmt(100.0 * double(correct) / double(n), 2) << " %)\n"
            << "    of which prepare (read at t, compensation) " << fmt(prepare_s / evaluations, 3)
            << " s each; the images alone "
            << fmt(double(evaluations) * double(n) * macs / (func_s - prepare_s) * 1e-9, 3)
            << " GMAC/s\n";
  std::cout << "  cycle-level: " << timed << " images in " << fmt(sim_s, 3)
            << " s: " << rate(double(timed) / sim_s) << " images/s, " << rate(layers / sim_s)
            << " steps (layers) /s, "
            << fmt(r.chip->clock().to_ns(r.chip->total_cycles()) * 1e-3 / sim_s, 1)
            << " simulated us per second\n";
  // What the run simulated, per image: array MVMs, and the flits (mesh) or transfers (bus) its
  // interconnect carried; and the SystemC events its processes scheduled for them.
  uint64_t mvms = 0;
  for (int s = 0; s < int(r.chip->steps().size()); ++s) mvms += r.chip->step_figures(s).mvms;
  const Stat* flits = r.chip->stats().find("interconnect.flits");
  const Stat* transfers = r.chip->stats().find("interconnect.transfers");
  const double moved = flits ? flits->value() : transfers ? transfers->value() : 0.0;
  const double per = 1.0 / double(std::max<int64_t>(1, timed));
  std::cout << "  per image: " << fmt(double(mvms) * per, 0) << " MVMs, " << fmt(moved * per, 0)
            << (flits ? " flits" : " bus transfers") << ", "
            << fmt(double(r.chip->kernel_events()) * per, 0)
            << " SystemC events (timed and delta notifications, timed waits)\n";
  std::cout << "  SystemC: " << r.chip->kernel_events() << " events, " << sc_core::sc_delta_count()
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

std::vector<const ImplInfo*> implementations_named(const std::string& name) {
  auto found = RegistryIndex::find(name);
  if (found.empty()) {
    std::string names;
    for (const ImplInfo& i : RegistryIndex::all()) names += " " + i.interface + "/" + i.name;
    throw Error("no implementation named '" + name + "'; registered:" + names);
  }
  return found;
}

std::vector<ParamInfo> implementation_params(const ImplInfo& i) {
  // Implementations of module interfaces are SystemC modules: they take their name from the
  // kernel's name stack, also when built only to declare their parameters.
  const std::string module = "describe_" + i.interface + "_" + i.name;
  sc_core::sc_module_name scope(module.c_str());
  return RegistryIndex::describe(i);
}

std::string describe_impl(const std::string& name) {
  std::ostringstream os;
  for (const ImplInfo* i : implementations_named(name)) {
    os << i->interface << "/" << i->name << ": " << i->desc << "\n\n";
    os << format_param_table(implementation_params(*i), i->interface) << "\n";
  }
  return os.str();
}

}  // namespace pcmsim
