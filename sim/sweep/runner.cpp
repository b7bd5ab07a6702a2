#include "sim/sweep/runner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>

#include "sim/base/error.h"
#include "sim/base/sha256.h"
#include "sim/base/version.h"
#include "sim/sweep/folder.h"

namespace fs = std::filesystem;

namespace pcmsim {

namespace {

/// The input files a run reads, by key path (relative paths against the file that set them).
const char* const kInputKeys[] = {"workload.onnx", "workload.sidecar", "workload.dataset.images",
                                  "workload.dataset.labels", "workload.calibration.images"};

const ConfigNode* find_path(const ConfigNode& root, const std::string& path) {
  const ConfigNode* n = &root;
  std::stringstream ss(path);
  for (std::string k; n && std::getline(ss, k, '.');) n = n->find(k);
  return n;
}

std::string resolve(const ConfigNode& n) {
  fs::path p(n.scalar);
  if (p.is_relative() && !n.src.file.empty() && n.src.file != "-p")
    p = fs::path(n.src.file).parent_path() / p;
  return fs::absolute(p).lexically_normal().string();
}

/// Starts @p args with stdout and stderr to @p log; the child dies with this process.
pid_t spawn(const std::vector<std::string>& args, const std::string& log) {
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw Error("cannot start a point: fork failed");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    std::fprintf(stderr, "pcmsim: error: cannot run %s\n", argv[0]);
    ::_exit(127);
  }
  return pid;
}

std::string exe_of(const SweepOptions& o) {
  if (!o.exe.empty()) return fs::absolute(o.exe).string();
  return fs::read_symlink("/proc/self/exe").string();
}

std::vector<std::string> point_args(const std::string& exe, const std::string& cmd,
                                    const SweepSpec& spec, const SweepPoint& p) {
  std::vector<std::string> a = {exe, cmd, spec.base};
  for (const std::string& o : spec.overrides(p)) {
    a.push_back("-p");
    a.push_back(o);
  }
  return a;
}

std::string clock_text(double s) {
  const long t = long(s + 0.5);
  char buf[32];
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
  return buf;
}

}  // namespace

std::string point_error(const std::string& log, int status) {
  std::string msg, crash, last;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("pcmsim: error: ", 0) == 0) msg += (msg.empty() ? "" : "\n") + line.substr(15);
    if (crash.empty() && (line.find("==ERROR: ") != std::string::npos ||
                          line.find(": runtime error: ") != std::string::npos))
      crash = line;
    if (!line.empty()) last = line;
  }
  if (msg.empty()) msg = !crash.empty() ? crash : last.empty() ? "no output" : last;
  return msg + " (" +
         (WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                              : "exit status " + std::to_string(WEXITSTATUS(status))) +
         ")";
}

std::string point_hash(const SweepSpec& spec, const SweepPoint& p) {
  std::unique_ptr<ConfigNode> root = load_config(spec.base);
  for (const std::string& o : spec.overrides(p)) apply_override(*root, o);
  root->map.erase(std::remove_if(root->map.begin(), root->map.end(),
                                 [](const ConfigNode::Entry& e) { return e.key == "sweep"; }),
                  root->map.end());
  std::ostringstream text;
  write_config_yaml(*root, text);
  Sha256 h;
  h.update(std::string("pcmsim ") + version() + "\n" + text.str());
  // The input files by content (a model's sidecar defaults to its .yaml beside it).
  static std::map<std::string, std::string> cache;  // path -> hash, for the process's life
  for (const char* key : kInputKeys) {
    std::string path;
    if (const ConfigNode* n = find_path(*root, key);
        n && n->kind == ConfigNode::Kind::Scalar && !n->scalar.empty()) {
      path = resolve(*n);
    } else if (std::string(key) == "workload.sidecar") {
      if (const ConfigNode* m = find_path(*root, "workload.onnx");
          m && m->kind == ConfigNode::Kind::Scalar && !m->scalar.empty())
        path = fs::path(resolve(*m)).replace_extension(".yaml").string();
    }
    std::error_code ec;  // a name the file system refuses is no file: the run reports it
    if (path.empty() || !fs::is_regular_file(path, ec)) continue;
    auto it = cache.find(path);
    if (it == cache.end()) it = cache.emplace(path, sha256_file_hex(path)).first;
    h.update(std::string(key) + " " + it->second + "\n");
  }
  return h.hex().substr(0, 16);
}

std::string sweep_dir(const SweepOptions& o) {
  if (!o.out_dir.empty()) return o.out_dir;
  return (fs::path("out") / "sweeps" / fs::path(o.spec).stem()).string();
}

std::string list_sweep(const std::string& spec_path) {
  const SweepSpec spec = load_sweep(spec_path);
  std::ostringstream os;
  os << "# " << spec.points.size() << " points of " << spec_path << " over " << spec.base << "\n";
  os << "index\thash";
  for (const SweepAxis& a : spec.axes) os << "\t" << a.key;
  os << "\n";
  for (const SweepPoint& p : spec.points) {
    os << p.index << "\t" << point_hash(spec, p);
    for (const std::string& v : p.values) os << "\t" << v;
    os << "\n";
  }
  return os.str();
}

namespace {

/// What running needs of a sweep, from its spec or its points.json.
struct Plan {
  std::string base;
  std::vector<std::string> axes;
  std::vector<int> index;
  std::vector<std::string> hash;
  std::vector<std::vector<std::string>> values;
  std::vector<std::string> overrides(size_t i) const {
    std::vector<std::string> out;
    for (size_t a = 0; a < axes.size(); ++a) out.push_back(axes[a] + "=" + values[i][a]);
    return out;
  }
};

Plan read_plan(const fs::path& dir) {
  const nlohmann::ordered_json pj = read_points_json(dir);
  Plan plan;
  plan.base = pj.at("base").get<std::string>();
  for (const auto& a : pj.at("axes")) plan.axes.push_back(a.get<std::string>());
  for (const auto& p : pj.at("points")) {
    plan.index.push_back(p.at("index").get<int>());
    plan.hash.push_back(p.at("hash").get<std::string>());
    std::vector<std::string> v;
    for (const std::string& a : plan.axes) v.push_back(p.at("values").at(a).get<std::string>());
    plan.values.push_back(std::move(v));
  }
  return plan;
}

/// Loads the spec, names its points, checks that the first one builds, and writes points.json
/// and the folders: everything `run` and `submit` do before running. Nothing is written when
/// the spec or the first point is bad.
Plan prepare(const SweepOptions& o, const std::string& exe) {
  const SweepSpec spec = load_sweep(o.spec);
  std::vector<std::string> hashes;
  for (const SweepPoint& p : spec.points) hashes.push_back(point_hash(spec, p));
  // The first point's config must build: an axis naming no parameter, or a bad base config,
  // stops the sweep before anything is written, with the spec's place for an axis' error.
  {
    char tmpl[] = "/tmp/pcmsim-sweep-check-XXXXXX";
    const int fd = ::mkstemp(tmpl);
    if (fd < 0) throw Error("cannot create a temporary file");
    ::close(fd);
    const pid_t pid = spawn(point_args(exe, "validate", spec, spec.points[0]), tmpl);
    int status = 0;
    ::waitpid(pid, &status, 0);
    const std::string log = read_file_text(tmpl);
    fs::remove(tmpl);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::string msg = point_error(log, status);
      msg = msg.substr(0, msg.rfind(" ("));
      for (const SweepAxis& a : spec.axes) {
        const std::string tag = "-p override: " + a.key;
        const size_t at = msg.find(tag);
        if (at != std::string::npos) msg.replace(at, 13, a.src.describe() + ": sweep axis ");
      }
      throw Error(o.spec + ": the sweep's first point does not build: " + msg);
    }
  }
  const fs::path dir = sweep_dir(o);
  fs::create_directories(dir / "points");
  fs::create_directories(dir / "errors");
  fs::create_directories(dir / "logs");
  nlohmann::ordered_json pj;
  pj["spec"] = fs::absolute(o.spec).lexically_normal().string();
  pj["base"] = spec.base;
  pj["pcmsim_version"] = std::string(version());
  pj["axes"] = nlohmann::ordered_json::array();
  for (const SweepAxis& a : spec.axes) pj["axes"].push_back(a.key);
  pj["objectives"] = nlohmann::ordered_json::array();
  for (const Objective& ob : spec.objectives)
    pj["objectives"].push_back(
        {{"name", ob.name}, {"path", ob.path}, {"sense", ob.minimize ? "min" : "max"}});
  pj["points"] = nlohmann::ordered_json::array();
  for (const SweepPoint& p : spec.points) {
    nlohmann::ordered_json v;
    for (size_t a = 0; a < spec.axes.size(); ++a) v[spec.axes[a].key] = p.values[a];
    pj["points"].push_back({{"index", p.index}, {"hash", hashes[size_t(p.index)]}, {"values", v}});
  }
  write_file_atomic(dir / "points.json", pj.dump(1) + "\n");
  return read_plan(dir);
}

/// The points to run: one per hash, those without a finished folder; @p already counts the
/// others.
std::vector<size_t> missing(const Plan& plan, const fs::path& dir, int& already, int& total) {
  std::vector<size_t> todo;
  std::map<std::string, int> seen;
  already = 0;
  for (size_t i = 0; i < plan.hash.size(); ++i) {
    if (seen.count(plan.hash[i])) continue;
    seen[plan.hash[i]] = int(i);
    if (fs::exists(dir / "points" / plan.hash[i] / "stats.json"))
      ++already;
    else
      todo.push_back(i);
  }
  total = int(seen.size());
  return todo;
}

/// Runs the points @p todo of @p plan, @p jobs at a time, recording each one's outcome;
/// returns how many failed.
int run_points(const Plan& plan, const fs::path& dir, const std::vector<size_t>& todo, int jobs,
               int threads, const std::string& exe, bool show, int already, int total) {
  // What a killed run left half-written goes.
  for (const auto& e : fs::directory_iterator(dir / "points"))
    if (e.path().filename().string().find(".tmp-") != std::string::npos) fs::remove_all(e.path());
  const bool tty = show && ::isatty(2);
  const auto t0 = std::chrono::steady_clock::now();
  std::map<pid_t, size_t> running;
  size_t next = 0;
  int done = 0, failed = 0;
  auto progress = [&](bool final_line) {
    if (!show) return;
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const int finished = done + failed;
    const int left = int(todo.size()) - finished;
    std::string eta = "-";
    if (finished > 0 && left > 0)
      eta = clock_text(el / finished * left / std::max(1, std::min(jobs, left)));
    std::ostringstream line;
    line << "sweep: " << (already + done) << "/" << total << " done, " << failed << " failed, "
         << running.size() << " running, "
         << (left > 0 ? "ETA " + eta : "elapsed " + clock_text(el));
    if (tty)
      std::cerr << "\r" << line.str() << "   " << (final_line ? "\n" : "") << std::flush;
    else if (final_line ? finished == 0 : finished > 0)  // a line per finished point
      std::cerr << line.str() << "\n";
  };
  while (next < todo.size() || !running.empty()) {
    while (next < todo.size() && int(running.size()) < std::max(1, jobs)) {
      const size_t i = todo[next++];
      const std::string& h = plan.hash[i];
      std::vector<std::string> args = {exe, "run", plan.base};
      for (const std::string& ov : plan.overrides(i)) {
        args.push_back("-p");
        args.push_back(ov);
      }
      for (const char* a : {"--no-progress", "--threads"}) args.push_back(a);
      args.push_back(std::to_string(threads));
      args.push_back("--out");
      args.push_back((dir / "points" / h).string());
      running[spawn(args, (dir / "logs" / (h + ".log")).string())] = i;
    }
    if (tty) progress(false);
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) break;
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const std::string& h = plan.hash[it->second];
    running.erase(it);
    const fs::path err = dir / "errors" / (h + ".txt");
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
        fs::exists(dir / "points" / h / "stats.json")) {
      ++done;
      fs::remove(err);
    } else {
      ++failed;
      write_file_atomic(err,
                        point_error(read_file_text(dir / "logs" / (h + ".log")), status) + "\n");
    }
    if (!tty) progress(false);
  }
  progress(true);
  return failed;
}

/// Runs @p cmd through the shell; its stdout, or Error with its output.
std::string shell(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) throw Error("cannot run: " + cmd);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = ::pclose(p);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw Error(cmd + " failed: " + out);
  return out;
}

std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

int run_sweep(const SweepOptions& o) {
  const std::string exe = exe_of(o);
  const Plan plan = prepare(o, exe);
  const fs::path dir = sweep_dir(o);
  int already = 0, total = 0;
  const std::vector<size_t> todo = missing(plan, dir, already, total);
  const int failed =
      run_points(plan, dir, todo, o.jobs, o.threads, exe, o.progress, already, total);
  if (failed > 0)
    std::cerr << "sweep: " << failed << " of " << total << " points failed; their errors are in "
              << (dir / "errors").string() << "/\n";
  return failed;
}

std::string submit_sweep(const SweepOptions& o, const SlurmOptions& so) {
  const std::string exe = exe_of(o);
  const Plan plan = prepare(o, exe);
  const fs::path dir = fs::absolute(sweep_dir(o)).lexically_normal();
  int already = 0, total = 0;
  const std::vector<size_t> todo = missing(plan, dir, already, total);
  const fs::path sdir = dir / "slurm";
  fs::create_directories(sdir);
  std::ostringstream os;
  if (todo.empty()) {
    os << "all " << total << " points of " << dir.string()
       << " are done; nothing to submit (`pcmsim sweep collect " << dir.string() << "`)\n";
    return os.str();
  }
  // The array: at most the cluster's array limit of tasks, each a chunk of points.
  int limit = so.max_array_size;
  if (limit <= 0 && !so.no_submit) {
    limit = 1001;  // Slurm's default MaxArraySize
    try {
      std::istringstream conf(shell("scontrol show config"));
      for (std::string line; std::getline(conf, line);)
        if (line.rfind("MaxArraySize", 0) == 0) limit = std::stoi(line.substr(line.find('=') + 1));
    } catch (const std::exception&) {
    }
  }
  if (limit <= 0) limit = 1001;
  const size_t tasks = std::min(todo.size(), size_t(limit));
  const size_t chunk = (todo.size() + tasks - 1) / tasks;
  const size_t used = (todo.size() + chunk - 1) / chunk;
  // The points of each task, one line per task (indices into points.json).
  std::ostringstream list;
  for (size_t t = 0; t < used; ++t) {
    for (size_t k = t * chunk; k < std::min(todo.size(), (t + 1) * chunk); ++k)
      list << (k > t * chunk ? " " : "") << plan.index[todo[k]];
    list << "\n";
  }
  const std::string tag = std::to_string(::getpid());
  const fs::path list_path = sdir / ("tasks-" + tag + ".txt");
  write_file_atomic(list_path, list.str());
  const std::string name = fs::path(o.spec).stem().string();
  std::ostringstream array;
  array << "#!/bin/bash\n"
        << "# pcmsim sweep submit: " << todo.size() << " points of " << dir.string() << " in "
        << used << " array tasks of up to " << chunk << "\n"
        << "#SBATCH --job-name=pcmsim-" << name << "\n"
        << "#SBATCH --array=0-" << used - 1;
  if (so.max_parallel > 0) array << "%" << so.max_parallel;
  array << "\n#SBATCH --output=" << (sdir / "task-%A_%a.out").string() << "\n"
        << "#SBATCH --cpus-per-task=" << std::max(1, o.threads) << "\n";
  if (!so.partition.empty()) array << "#SBATCH --partition=" << so.partition << "\n";
  array << "exec " << quoted(exe) << " sweep task " << quoted(dir.string()) << " "
        << quoted(list_path.string()) << " \"$SLURM_ARRAY_TASK_ID\" --threads "
        << std::max(1, o.threads) << "\n";
  std::ostringstream collect;
  collect << "#!/bin/bash\n"
          << "#SBATCH --job-name=pcmsim-" << name << "-collect\n"
          << "#SBATCH --output=" << (sdir / "collect-%j.out").string() << "\n";
  if (!so.partition.empty()) collect << "#SBATCH --partition=" << so.partition << "\n";
  collect << "exec " << quoted(exe) << " sweep collect " << quoted(dir.string()) << "\n";
  const fs::path array_path = sdir / ("array-" + tag + ".sbatch");
  const fs::path collect_path = sdir / ("collect-" + tag + ".sbatch");
  write_file_atomic(array_path, array.str());
  write_file_atomic(collect_path, collect.str());
  os << todo.size() << " of " << total << " points to run (" << already << " done) in " << used
     << " array tasks of up to " << chunk << " points: " << array_path.string() << ", "
     << collect_path.string() << "\n";
  if (so.no_submit) return os.str();
  std::string job = shell("sbatch --parsable " + quoted(array_path.string()));
  job = job.substr(0, job.find_first_of(";\n"));
  std::string cjob =
      shell("sbatch --parsable --dependency=afterany:" + job + " " + quoted(collect_path.string()));
  cjob = cjob.substr(0, cjob.find_first_of(";\n"));
  os << "submitted job " << job << " (array) and job " << cjob << " (collect, after " << job
     << ")\n";
  return os.str();
}

int run_task(const std::string& dir_text, const std::string& list, int task, int threads,
             const std::string& exe_path) {
  const fs::path dir(dir_text);
  const Plan plan = read_plan(dir);
  std::ifstream f(list);
  if (!f) throw Error(list + ": cannot read the task list");
  std::string line;
  for (int t = 0; t <= task; ++t)
    if (!std::getline(f, line)) throw Error(list + ": no line for task " + std::to_string(task));
  std::vector<size_t> todo;
  std::istringstream ss(line);
  for (int idx; ss >> idx;) {
    auto it = std::find(plan.index.begin(), plan.index.end(), idx);
    if (it == plan.index.end())
      throw Error(list + ": point " + std::to_string(idx) + " is not in points.json");
    const size_t i = size_t(it - plan.index.begin());
    if (!fs::exists(dir / "points" / plan.hash[i] / "stats.json")) todo.push_back(i);
  }
  SweepOptions o;
  o.exe = exe_path;
  return run_points(plan, dir, todo, 1, threads, exe_of(o), false, 0, int(todo.size()));
}

}  // namespace pcmsim
