// pcmsim command line: run, validate, bench, sweep, list, describe.

#include <malloc.h>

#include <boost/program_options.hpp>
#include <cstdlib>
#include <iostream>
#include <string>
#include <systemc>
#include <vector>

#include "sim/app/commands.h"
#include "sim/base/error.h"
#include "sim/base/registry.h"
#include "sim/base/version.h"
#include "sim/sweep/runner.h"

namespace po = boost::program_options;

namespace {

// libsystemc owns main() and prints its banner before sc_main runs; a static initializer runs
// earlier still.
const int kQuietSystemC = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);

// The build allocates and frees buffers of megabytes (the model file, each array's draws and
// targets); glibc's defaults hand every one above a few MB back to the kernel and fault the
// next one in afresh, page by page (ResNet-50's build: 277,000 faults for 820 MB resident, a
// quarter of its wall time in the kernel). Kept in the heap instead, freed buffers serve the
// next ones: 204,000 faults, the same peak.
const bool kHeapKept = mallopt(M_MMAP_THRESHOLD, 256 << 20) && mallopt(M_TRIM_THRESHOLD, 1 << 30);

const char* kUsage =
    "usage: pcmsim [COMMAND] [ARGS]\n"
    "  pcmsim                         run the shipped default (configs/default.yaml)\n"
    "  pcmsim run [CONFIG] [-p key.path=value]... [--out DIR] [--threads N] [--no-progress]\n"
    "  pcmsim validate CONFIG [-p key.path=value]... [--export-device FILE]\n"
    "  pcmsim bench CONFIG [-p key.path=value]... [--evaluations N] [--threads N]\n"
    "                                 speed of the functional and cycle-level paths\n"
    "  pcmsim sweep run SPEC [-j N] [--out DIR] [--threads N] [--no-progress]\n"
    "  pcmsim sweep submit SPEC --backend slurm [--partition P] [--max-parallel K] [--out DIR]\n"
    "  pcmsim sweep list SPEC | pcmsim sweep collect DIR\n"
    "                                 design-space sweeps (docs/sweeps.md)\n"
    "  pcmsim report DIR [--out FILE]  an HTML page of a run or sweep folder\n"
    "  pcmsim list                    registered implementations\n"
    "  pcmsim describe NAME           parameters of an implementation (e.g. sar, adc/sar)\n"
    "  pcmsim --version               the version\n"
    "  pcmsim COMMAND --help          the usage of one command\n";

/// Usage of one command, for `pcmsim COMMAND --help` and its errors.
std::string usage_of(const std::string& cmd) {
  if (cmd == "run")
    return "usage: pcmsim run [CONFIG] [-p key.path=value]... [--out DIR] [--threads N] "
           "[--no-progress]\n"
           "  simulates CONFIG (default configs/default.yaml) on the cycle-level chip, prints the\n"
           "  report and writes report.txt, stats.json, layers.csv, mapping.txt and\n"
           "  resolved_config.yaml into DIR (default out/<config name>); the accuracy over time\n"
           "  runs on N threads (default: one per core; the results do not depend on N)\n";
  if (cmd == "validate")
    return "usage: pcmsim validate CONFIG [-p key.path=value]... [--export-device FILE]\n"
           "  builds everything CONFIG describes (chip, network, mapping, dataset), simulates "
           "nothing;\n"
           "  --export-device writes the device model's read statistics (levels x times, from\n"
           "  pcmsim's own draws) and the DAC/ADC settings as JSON, for hardware-aware training\n";
  if (cmd == "bench")
    return "usage: pcmsim bench CONFIG [-p key.path=value]... [--evaluations N] [--threads N]\n"
           "  times the functional path (N passes, default 3, on --threads threads, default 1)\n"
           "  and the cycle-level path on this machine, with MVMs, flits or transfers and\n"
           "  SystemC events per image\n";
  if (cmd == "sweep")
    return "usage: pcmsim sweep run SPEC [-j N] [--out DIR] [--threads N] [--no-progress]\n"
           "       pcmsim sweep submit SPEC --backend slurm [--partition P] [--max-parallel K]\n"
           "                           [--max-array-size N] [--no-submit] [--out DIR] [--threads "
           "N]\n"
           "       pcmsim sweep list SPEC\n"
           "       pcmsim sweep collect DIR\n"
           "  run: every point of SPEC's sweep not done yet in DIR (default out/sweeps/<SPEC\n"
           "  name>), N at a time (default 1), each in its own process on --threads threads\n"
           "  (default 1); exit status 1 if a point failed. list: the points with their hashes.\n"
           "  submit: the points not done yet as a Slurm job array (chunked beyond the cluster's\n"
           "  array limit) and a collect job after it; --no-submit writes the scripts only.\n"
           "  collect: DIR's points into DIR/results.sqlite and DIR/results.csv\n";
  if (cmd == "report")
    return "usage: pcmsim report DIR [--out FILE]\n"
           "  one static, offline HTML page (default DIR/report.html) of a run folder (energy,\n"
           "  latency, utilization, accuracy over time, area) or of a collected sweep folder\n"
           "  (the Pareto front, each objective against each axis)\n";
  if (cmd == "list") return "usage: pcmsim list\n  registered implementations, by interface\n";
  if (cmd == "describe")
    return "usage: pcmsim describe NAME\n"
           "  parameter table of an implementation (NAME: sar, adc/sar, ...)\n";
  return kUsage;
}

bool asks_help(const std::vector<std::string>& args) {
  for (const std::string& a : args)
    if (a == "-h" || a == "--help") return true;
  return false;
}

int sweep_command(std::vector<std::string> args) {
  if (args.empty()) throw po::error("needs a subcommand: run, list or collect");
  const std::string sub = args.front();
  args.erase(args.begin());
  if (sub == "list" || sub == "collect") {
    if (args.size() != 1)
      throw po::error(sub + " takes one " + (sub == "list" ? "spec file" : "sweep folder"));
    std::cout << (sub == "list" ? pcmsim::list_sweep(args[0]) : pcmsim::collect_sweep(args[0]));
    return 0;
  }
  if (sub != "run" && sub != "submit" && sub != "task")
    throw po::error("unknown subcommand '" + sub + "' (expected run, submit, list or collect)");
  pcmsim::SweepOptions o;
  pcmsim::SlurmOptions so;
  std::string backend;
  std::vector<std::string> positional;
  po::options_description desc("options");
  if (sub == "submit")
    desc.add_options()("backend", po::value<std::string>(&backend), "slurm")(
        "partition", po::value<std::string>(&so.partition), "Slurm partition")(
        "max-parallel", po::value<int>(&so.max_parallel)->default_value(0),
        "array tasks at once (0: no limit)")("max-array-size",
                                             po::value<int>(&so.max_array_size)->default_value(0),
                                             "tasks per array (0: the cluster's MaxArraySize)")(
        "no-submit", "write the scripts, submit nothing");
  desc.add_options()("jobs,j", po::value<int>(&o.jobs)->default_value(1), "points run at once")(
      "out", po::value<std::string>(&o.out_dir), "sweep folder (default out/sweeps/<spec name>)")(
      "threads", po::value<int>(&o.threads)->default_value(1), "threads of each point")(
      "no-progress", "no progress line")("spec", po::value<std::vector<std::string>>(&positional),
                                         "sweep spec");
  po::positional_options_description pos;
  pos.add("spec", -1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
  po::notify(vm);
  if (o.jobs < 1) throw po::error("-j must be at least 1");
  if (o.threads < 0) throw po::error("--threads must be 0 (one per core) or more");
  if (sub == "task") {
    // A Slurm array task: DIR LIST TASK_ID (written by submit).
    if (positional.size() != 3)
      throw po::error("task takes a sweep folder, a task list and a task id");
    return pcmsim::run_task(positional[0], positional[1], std::stoi(positional[2]), o.threads, "") >
                   0
               ? 1
               : 0;
  }
  if (positional.size() != 1) throw po::error(sub + " takes one spec file");
  o.spec = positional[0];
  o.progress = !vm.count("no-progress");
  if (sub == "submit") {
    if (backend != "slurm") throw po::error("submit needs --backend slurm (the one backend)");
    if (so.max_parallel < 0 || so.max_array_size < 0)
      throw po::error("--max-parallel and --max-array-size must be 0 or more");
    so.no_submit = vm.count("no-submit") > 0;
    std::cout << pcmsim::submit_sweep(o, so);
    return 0;
  }
  return pcmsim::run_sweep(o) > 0 ? 1 : 0;
}

int run_command(const std::string& cmd, std::vector<std::string> args) {
  if (cmd == "sweep") return sweep_command(args);
  if (cmd == "report") {
    std::string out;
    std::vector<std::string> rest;
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i] == "--out") {
        if (i + 1 >= args.size()) throw po::error("--out needs a file");
        out = args[++i];
      } else {
        rest.push_back(args[i]);
      }
    }
    if (rest.size() != 1) throw po::error("takes one run or sweep folder");
    return pcmsim::make_report(rest[0], out);
  }
  if (cmd == "list") {
    if (!args.empty()) throw po::error("takes no arguments");
    std::cout << pcmsim::list_registry();
    return 0;
  }
  if (cmd == "describe") {
    if (args.size() != 1) throw po::error("takes one implementation name");
    std::cout << pcmsim::describe_impl(args[0]);
    return 0;
  }
  pcmsim::RunOptions opts;
  std::vector<std::string> positional;
  po::options_description desc("options");
  desc.add_options()("param,p", po::value<std::vector<std::string>>(&opts.overrides)->composing(),
                     "override a config value: key.path=value");
  if (cmd == "run") {
    desc.add_options()("out", po::value<std::string>(&opts.out_dir),
                       "output folder (default out/<config name>)")(
        "no-progress", "no progress line on the terminal")(
        "threads", po::value<int>(&opts.threads)->default_value(0),
        "threads of the functional evaluation (0: one per core)");
  }
  if (cmd == "validate") {
    desc.add_options()("export-device", po::value<std::string>(&opts.export_device),
                       "write the device table (JSON) to this file");
  }
  if (cmd == "bench") {
    desc.add_options()("evaluations", po::value<int>()->default_value(3),
                       "functional passes over the dataset")(
        "threads", po::value<int>(&opts.threads)->default_value(1),
        "threads of the functional path (0: one per core)");
  }
  desc.add_options()("config", po::value<std::vector<std::string>>(&positional), "run config YAML");
  po::positional_options_description pos;
  pos.add("config", -1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
  po::notify(vm);
  if (positional.size() > 1)
    throw po::error("one config file expected, got " + std::to_string(positional.size()));
  opts.config = positional.empty() ? pcmsim::default_config_path() : positional[0];
  opts.progress = !vm.count("no-progress");
  if (opts.threads < 0) throw po::error("--threads must be 0 (one per core) or more");
  if (cmd == "bench") {
    if (positional.empty()) throw po::error("needs a config file");
    const int evaluations = vm["evaluations"].as<int>();
    if (evaluations < 1) throw po::error("--evaluations must be at least 1");
    pcmsim::benchmark(opts, evaluations);
  } else if (cmd == "validate") {
    if (positional.empty()) throw po::error("needs a config file");
    pcmsim::validate_config(opts);
  } else {
    pcmsim::run_simulation(opts);
  }
  return 0;
}

int run_cli(int argc, char** argv) {
  pcmsim::RegistryIndex::check();
  std::vector<std::string> args(argv + 1, argv + argc);
  // No command, or options only: run (the default config unless one is named).
  std::string cmd = "run";
  if (!args.empty() && args.front()[0] != '-') {
    cmd = args.front();
    args.erase(args.begin());
  } else if (!args.empty() && (args.front() == "-h" || args.front() == "--help")) {
    std::cout << kUsage;
    return 0;
  } else if (!args.empty() && args.front() == "--version") {
    std::cout << "pcmsim " << pcmsim::version() << "\n";
    return 0;
  }
  if (cmd == "help") {
    std::cout << (args.empty() ? std::string(kUsage) : usage_of(args.front()));
    return 0;
  }
  if (cmd != "run" && cmd != "validate" && cmd != "bench" && cmd != "sweep" && cmd != "report" &&
      cmd != "list" && cmd != "describe") {
    throw po::error("unknown command '" + cmd +
                    "' (expected run, validate, bench, sweep, report, list or describe)");
  }
  if (asks_help(args)) {
    std::cout << usage_of(cmd);
    return 0;
  }
  try {
    return run_command(cmd, args);
  } catch (const po::error& e) {
    // Name the command the bad option or argument was given to, with its usage.
    std::cerr << "pcmsim " << cmd << ": error: " << e.what() << "\n" << usage_of(cmd);
    return 2;
  }
}

}  // namespace

// Visible: libsystemc (a shared library) calls it, and the build hides symbols by default.
__attribute__((visibility("default"))) int sc_main(int argc, char** argv) {
  try {
    return run_cli(argc, argv);
  } catch (const pcmsim::Error& e) {
    std::cerr << "pcmsim: error: " << e.what() << "\n";
    return 1;
  } catch (const po::error& e) {
    std::cerr << "pcmsim: error: " << e.what() << "\n" << kUsage;
    return 2;
  } catch (const std::exception& e) {
    // Anything else is a bug or an input no check caught: still a clean message and status.
    std::cerr << "pcmsim: error: " << e.what() << "\n";
    return 1;
  }
}
