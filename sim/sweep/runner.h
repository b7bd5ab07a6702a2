#pragma once
// Running a sweep: every point in its own `pcmsim run` process, into its own folder named by
// the point's content, so that two sweeps or two workers never collide and a re-run skips what
// is done.
//
// A sweep folder holds:
//   points.json        the sweep's points: index, content hash, values (written by run/submit)
//   points/HASH/       each finished point's run folder (written whole or not at all)
//   errors/HASH.txt    why a point failed (removed when it later succeeds)
//   logs/HASH.log      the point's output
//   results.sqlite, results.csv   written by collect only

#include <string>
#include <vector>

#include "sim/sweep/spec.h"

namespace pcmsim {

/// @brief A point's identity: SHA-256 of pcmsim's version, the point's config (the base run
/// config with its includes and the point's values, without the sweep section) and the bytes of
/// its input files (ONNX model, its sidecar, dataset, calibration images); 16 hex digits.
std::string point_hash(const SweepSpec& spec, const SweepPoint& p);

/// @brief Why a point failed, from its output @p log and its wait() @p status: its
/// "pcmsim: error:" lines; else the first line of a crash report (a sanitizer's
/// "==PID==ERROR: ..." or a "runtime error:" line, which names the fault where the report's
/// last line says only "ABORTING"); else its last line; then how it ended ("exit status N",
/// "killed by signal N").
std::string point_error(const std::string& log, int status);

struct SweepOptions {
  std::string spec;     ///< the sweep spec
  std::string out_dir;  ///< the sweep folder; empty: out/sweeps/<spec name>
  int jobs = 1;         ///< points run at once
  int threads = 1;      ///< threads of each point's functional evaluation
  bool progress = true;
  std::string exe;  ///< the pcmsim binary the points run (empty: this process's)
};

/// @brief The sweep folder @p o names (its default from the spec's name).
std::string sweep_dir(const SweepOptions& o);

/// @brief `pcmsim sweep run`: writes points.json and runs every point not done yet, @p o.jobs at
/// a time, with a progress line; a failed point records its error and the rest go on. Checks
/// the spec and the first point's config before anything is written (Error: file, line, rule).
/// @return the number of points that failed
int run_sweep(const SweepOptions& o);

struct SlurmOptions {
  std::string partition;   ///< empty: the cluster's default
  int max_parallel = 0;    ///< array tasks at once (0: no limit)
  int max_array_size = 0;  ///< tasks per array (0: the cluster's MaxArraySize)
  bool no_submit = false;  ///< write the scripts, submit nothing
};

/// @brief `pcmsim sweep submit --backend slurm`: writes points.json, the points not done yet
/// split into array tasks (chunks when they outnumber the cluster's array limit), an sbatch
/// script for the job array and one for a collect job that depends on it, and submits both.
/// Resubmitting submits only the points still missing. Returns what it did.
std::string submit_sweep(const SweepOptions& o, const SlurmOptions& so);

/// @brief `pcmsim sweep task DIR LIST TASK`: runs the points on line TASK of LIST (one array
/// task's share) that are not done yet, one at a time. Returns how many failed.
int run_task(const std::string& dir, const std::string& list, int task, int threads,
             const std::string& exe);

/// @brief `pcmsim sweep list`: the points of the spec, one per line: index, hash, values
/// (tab-separated).
std::string list_sweep(const std::string& spec);

/// @brief `pcmsim sweep collect DIR`: gathers the point folders into DIR/results.sqlite and
/// DIR/results.csv (points, parameters, metrics, per-layer rows, accuracy over time, errors,
/// the Pareto front over the objectives); the same folders give the same bytes. Returns a
/// one-line summary.
std::string collect_sweep(const std::string& dir);

}  // namespace pcmsim
