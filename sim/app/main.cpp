// pcmsim command line: run, validate, bench, list, describe.

#include <boost/program_options.hpp>
#include <cstdlib>
#include <iostream>
#include <systemc>

#include "sim/app/commands.h"
#include "sim/base/error.h"
#include "sim/base/registry.h"

namespace po = boost::program_options;

namespace {

// libsystemc owns main() and prints its banner before sc_main runs; a static initializer runs
// earlier still.
const int kQuietSystemC = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);

const char* kUsage =
    "usage: pcmsim [COMMAND] [ARGS]\n"
    "  pcmsim                         run the shipped default (configs/default.yaml)\n"
    "  pcmsim run [CONFIG] [-p key.path=value]... [--out DIR] [--no-progress]\n"
    "  pcmsim validate CONFIG [-p key.path=value]...\n"
    "  pcmsim bench CONFIG [-p key.path=value]... [--evaluations N]   speed of the functional\n"
    "                                 and cycle-level paths on this machine\n"
    "  pcmsim list                    registered implementations\n"
    "  pcmsim describe NAME           parameters of an implementation (e.g. sar, adc/sar)\n";

int run_cli(int argc, char** argv) {
  pcmsim::RegistryIndex::check();
  std::vector<std::string> args(argv + 1, argv + argc);
  // No command, or options only: run (the default config unless one is named).
  std::string cmd = "run";
  const bool help = !args.empty() && (args.front() == "-h" || args.front() == "--help" ||
                                      args.front() == "--version");
  if (!args.empty() && (args.front()[0] != '-' || help)) {
    cmd = args.front();
    args.erase(args.begin());
  }
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (cmd == "--version") {
    std::cout << "pcmsim " PCMSIM_VERSION "\n";
    return 0;
  }
  if (cmd == "list") {
    if (!args.empty()) throw po::error("list takes no arguments");
    std::cout << pcmsim::list_registry();
    return 0;
  }
  if (cmd == "describe") {
    if (args.size() != 1) throw po::error("describe takes one implementation name");
    std::cout << pcmsim::describe_impl(args[0]);
    return 0;
  }
  if (cmd != "run" && cmd != "validate" && cmd != "bench") {
    throw po::error("unknown command '" + cmd +
                    "' (expected run, validate, bench, list or describe)");
  }

  pcmsim::RunOptions opts;
  std::vector<std::string> positional;
  po::options_description desc("options");
  desc.add_options()("param,p", po::value<std::vector<std::string>>(&opts.overrides)->composing(),
                     "override a config value: key.path=value")(
      "out", po::value<std::string>(&opts.out_dir), "output folder (default out/<config name>)")(
      "no-progress", "no progress line on the terminal")(
      "evaluations", po::value<int>()->default_value(3),
      "bench: functional passes over the dataset")(
      "config", po::value<std::vector<std::string>>(&positional), "run config YAML");
  po::positional_options_description pos;
  pos.add("config", -1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
  po::notify(vm);
  if (positional.size() > 1)
    throw po::error("one config file expected, got " + std::to_string(positional.size()));
  opts.config = positional.empty() ? pcmsim::default_config_path() : positional[0];
  opts.progress = !vm.count("no-progress");
  if (cmd == "bench") {
    if (positional.empty()) throw po::error("bench needs a config file");
    int evaluations = vm["evaluations"].as<int>();
    if (evaluations < 1) throw po::error("--evaluations must be at least 1");
    pcmsim::benchmark(opts, evaluations);
  } else if (cmd == "validate") {
    if (positional.empty()) throw po::error("validate needs a config file");
    pcmsim::validate_config(opts);
  } else {
    pcmsim::run_simulation(opts);
  }
  return 0;
}

}  // namespace

int sc_main(int argc, char** argv) {
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
