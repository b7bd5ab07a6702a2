// The pcmsim Python extension (`pcmsim._pcmsim`): what runs in the notebook's own process. The
// functional accuracy over time (a Run built as `pcmsim run` builds it, its chip elaborated but
// never simulated), the registry as data, the version. Cycle-level runs and sweeps are the
// command line's, in worker processes (python/pcmsim/__init__.py): SystemC simulates once per
// process.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sim/app/commands.h"
#include "sim/app/run_setup.h"
#include "sim/base/error.h"
#include "sim/base/parallel.h"
#include "sim/base/registry.h"
#include "sim/base/version.h"

namespace py = pybind11;

// libsystemc refers to the program's sc_main; in a Python process there is none of pcmsim's. The
// extension never calls the kernel's main, so this one only says so if something does. Visible:
// the extension is built with hidden symbols, and libsystemc binds to this one when it loads.
__attribute__((visibility("default"))) int sc_main(int, char**) {
  std::fprintf(stderr, "pcmsim: the Python extension has no SystemC main\n");
  return 1;
}

namespace {

// One build at a time in this process: SystemC's object hierarchy and the kernel's settings are
// process-wide. Each build's chip gets a name of its own so that several can be alive at once.
std::mutex g_build;
std::atomic<int> g_chips{0};

void once_setup() {
  static std::once_flag once;
  std::call_once(once, [] {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
    pcmsim::RegistryIndex::check();
    pcmsim::setup_systemc();
  });
}

/// The accuracy over time of the run @p config (with @p overrides, `key.path=value` as `-p`
/// takes them) describes: its `inference:` plan, evaluated on @p threads threads.
py::dict functional(const std::string& config, const std::vector<std::string>& overrides,
                    int threads) {
  once_setup();
  if (threads < 0) throw pcmsim::Error("threads must be 0 (one per core) or more");
  pcmsim::RunOptions o;
  o.config = config;
  o.overrides = overrides;
  o.threads = threads;
  o.progress = false;
  o.chip_name = "chip" + std::to_string(g_chips++);
  // Built, evaluated and destroyed under the lock, without the GIL.
  auto r = std::make_unique<pcmsim::Run>();
  {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(g_build);
    try {
      pcmsim::set_default_threads(threads);
      pcmsim::build(*r, o);
      if (!r->inference.enabled) {
        throw pcmsim::Error(config + ": no `inference:` plan (times, compensation, repeats)");
      }
      pcmsim::evaluate_over_time(*r, false, threads);
    } catch (...) {
      r.reset();
      throw;
    }
  }
  py::list cells;
  for (const pcmsim::Inference::Cell& c : r->inference.cells) {
    py::dict d;
    d["time"] = c.t_text;
    d["time_s"] = c.t_s;
    d["compensation"] = pcmsim::compensation_name(c.comp);
    d["accuracy"] = c.accuracy;
    d["mean"] = c.mean;
    d["std"] = c.std;
    cells.append(d);
  }
  py::dict out;
  out["cells"] = cells;
  out["images"] = r->inference.images > 0 ? r->inference.images : r->data.count;
  out["repeats"] = r->inference.repeats;
  out["seed"] = r->seed;
  out["numerics"] = r->ideal ? "ideal" : "hardware";
  out["chip"] = r->chip->preset_name();
  out["network"] = r->onnx_path;
  out["dataset"] = r->images_path;
  out["fp32_correct"] = r->fp32_correct;
  out["fp32_images"] = r->fp32_images;
  out["pcmsim_version"] = pcmsim::version();
  {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(g_build);
    r.reset();
  }
  return out;
}

py::list implementations() {
  once_setup();
  py::list out;
  for (const pcmsim::ImplInfo& i : pcmsim::RegistryIndex::all()) {
    py::dict d;
    d["interface"] = i.interface;
    d["name"] = i.name;
    d["description"] = i.desc;
    out.append(d);
  }
  return out;
}

py::list describe(const std::string& name) {
  once_setup();
  py::list out;
  for (const pcmsim::ImplInfo* i : pcmsim::implementations_named(name)) {
    std::vector<pcmsim::ParamInfo> params;
    {
      std::lock_guard<std::mutex> lock(g_build);
      params = pcmsim::implementation_params(*i);
    }
    py::list rows;
    for (const pcmsim::ParamInfo& p : params) {
      py::dict row;
      row["path"] = p.path;
      row["name"] = p.name;
      row["type"] = p.type;
      row["unit"] = p.unit;
      row["default"] = p.def;
      row["range"] = p.range;
      row["required"] = p.required;
      row["description"] = p.desc;
      rows.append(row);
    }
    py::dict d;
    d["interface"] = i->interface;
    d["name"] = i->name;
    d["description"] = i->desc;
    d["parameters"] = rows;
    out.append(d);
  }
  return out;
}

}  // namespace

PYBIND11_MODULE(_pcmsim, m) {
  m.doc() = "pcmsim's compiled core (use the pcmsim package)";
  // pcmsim's errors (bad config, ONNX, dataset) as the package's Error, message unchanged.
  // Held for the process's life (released, never decremented at exit).
  static const py::handle error_type =
      py::object(py::module_::import("pcmsim._errors").attr("Error")).release();
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const pcmsim::Error& e) {
      PyErr_SetString(error_type.ptr(), e.what());
    }
  });
  m.def("version", [] { return std::string(pcmsim::version()); });
  m.def("functional", &functional, py::arg("config"), py::arg("overrides"), py::arg("threads"));
  m.def("implementations", &implementations);
  m.def("describe", &describe, py::arg("name"));
  m.def("default_config", &pcmsim::default_config_path);
}
