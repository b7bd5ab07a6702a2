// `pcmsim sweep` end to end: points run as processes into their own folders, a killed sweep
// resumes to the same results, a failed point is recorded while the others go on, collect
// writes the database and the CSV, and a bad spec stops before anything is written.

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <thread>

#include "tests/cli/cli_util.h"

namespace fs = std::filesystem;

namespace pcmsim {
namespace {

using namespace testing;  // NOLINT: the end-to-end tests' helpers

/// A sweep of the default run (20 images a point) over @p axes (YAML lines, indented 4).
std::string sweep_spec(TempDir& d, const std::string& axes, const std::string& extra = "") {
  return d.file("spec.yaml", "sweep:\n  base: " + kSrc + "/configs/default.yaml\n  axes:\n" +
                                 "    simulation.images: [20]\n" + axes + extra);
}

int finished_points(const std::string& dir) {
  int n = 0;
  if (!fs::exists(dir + "/points")) return 0;
  for (const auto& e : fs::directory_iterator(dir + "/points"))
    n += fs::exists(e.path() / "stats.json");
  return n;
}

/// The output of each failed point of the sweep folder @p dir (errors/HASH.txt, logs/HASH.log),
/// for a failure message: what crashed and how.
std::string failed_point_logs(const std::string& dir) {
  std::string out;
  if (!fs::exists(dir + "/errors")) return out;
  for (const auto& e : fs::directory_iterator(dir + "/errors")) {
    const std::string h = e.path().stem().string();
    out += "point " + h + ": " + slurp(e.path().string()) + slurp(dir + "/logs/" + h + ".log");
  }
  return out;
}

/// Rows of a query on an SQLite file, each row's columns joined by '|'.
std::vector<std::string> query(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::vector<std::string> rows;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << db_path;
    sqlite3_close(db);
    return rows;
  }
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  while (s && sqlite3_step(s) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(s); ++c) {
      const unsigned char* t = sqlite3_column_text(s, c);
      row += (c ? "|" : "") + std::string(t ? reinterpret_cast<const char*>(t) : "NULL");
    }
    rows.push_back(row);
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return rows;
}

TEST(Sweep, AKilledSweepResumesToTheResultsOfAnUninterruptedOne) {
  TempDir d;
  const std::string spec =
      sweep_spec(d, "    chip.tile.core.adc.bits: [6, 7, 8]\n    simulation.seed: [1, 2]\n",
                 "  objectives: {latency: min, energy: min, accuracy: max}\n");
  // Uninterrupted, two at a time.
  Result a = run("sweep run " + spec + " -j 2 --no-progress --out " + d.path("a"));
  ASSERT_EQ(a.rc, 0) << a.out;
  EXPECT_EQ(finished_points(d.path("a")), 6);
  // One at a time, killed (SIGKILL) once two points are done, then run again.
  const std::string cmd = "cd '" + kSrc + "' && exec '" + kBin + "' sweep run " + spec +
                          " --no-progress --out " + d.path("b") + " > " + d.path("b.log") + " 2>&1";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto start = std::chrono::steady_clock::now();
  while (finished_points(d.path("b")) < 2 &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(120))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the sweep ended before it was killed";
  const int before = finished_points(d.path("b"));
  EXPECT_GE(before, 2);
  EXPECT_LT(before, 6);
  Result b = run("sweep run " + spec + " --no-progress --out " + d.path("b"));
  ASSERT_EQ(b.rc, 0) << b.out;
  EXPECT_EQ(finished_points(d.path("b")), 6);
  // Nothing half-written is left, every point is there once, and both sweeps collect to the
  // same bytes.
  for (const auto& e : fs::directory_iterator(d.path("b") + "/points"))
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
  for (const char* dir : {"a", "b"}) {
    Result c = run("sweep collect " + d.path(dir));
    ASSERT_EQ(c.rc, 0) << c.out;
    EXPECT_NE(c.out.find("collected 6 points"), std::string::npos) << c.out;
  }
  EXPECT_EQ(slurp(d.path("a/results.csv")), slurp(d.path("b/results.csv")));
  EXPECT_EQ(slurp(d.path("a/results.sqlite")), slurp(d.path("b/results.sqlite")));
  for (const auto& e : fs::directory_iterator(d.path("a") + "/points"))
    EXPECT_EQ(slurp((e.path() / "stats.json").string()),
              slurp(d.path("b/points/") + e.path().filename().string() + "/stats.json"));

  // The database: 6 points done, their parameters, metrics that agree with their stats.json,
  // layers, and the Pareto flags over (latency min, energy min, accuracy max) by hand.
  const std::string db = d.path("a/results.sqlite");
  EXPECT_EQ(query(db, "SELECT count(*) FROM points WHERE status = 'done'"),
            std::vector<std::string>{"6"});
  EXPECT_EQ(query(db, "SELECT value FROM params WHERE point_id = 4 ORDER BY key"),
            (std::vector<std::string>{"8", "20", "1"}));  // adc bits, images, seed
  const auto pts =
      query(db,
            "SELECT p.id, p.hash, p.pareto, l.value, e.value, a.value FROM points p "
            "JOIN metrics l ON l.point_id = p.id AND l.name = 'run.latency_ns' "
            "JOIN metrics e ON e.point_id = p.id AND e.name = 'run.energy_per_image_pj' "
            "JOIN metrics a ON a.point_id = p.id AND a.name = 'run.accuracy' ORDER BY p.id");
  ASSERT_EQ(pts.size(), 6u);
  std::vector<std::array<double, 3>> score;
  std::vector<int> flag;
  for (const std::string& row : pts) {
    std::stringstream ss(row);
    std::string id, hash, pareto, lat, en, acc;
    std::getline(ss, id, '|');
    std::getline(ss, hash, '|');
    std::getline(ss, pareto, '|');
    std::getline(ss, lat, '|');
    std::getline(ss, en, '|');
    std::getline(ss, acc, '|');
    auto st = stats(d.path("a/points/") + hash);
    // SQLite prints a REAL with 15 significant digits.
    EXPECT_NEAR(std::stod(lat), st["run"]["latency_ns"].get<double>(), 1e-9);
    EXPECT_NEAR(std::stod(acc), st["run"]["accuracy"].get<double>(), 1e-14);
    score.push_back({std::stod(lat), std::stod(en), -std::stod(acc)});
    flag.push_back(std::stoi(pareto));
  }
  for (size_t i = 0; i < score.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < score.size(); ++j) {
      bool le = true, lt = false;
      for (int k = 0; k < 3; ++k) {
        le = le && score[j][size_t(k)] <= score[i][size_t(k)];
        lt = lt || score[j][size_t(k)] < score[i][size_t(k)];
      }
      dominated = dominated || (le && lt);
    }
    EXPECT_EQ(flag[i], dominated ? 0 : 1) << "point " << i;
  }
  // Three analog steps a point (the MLP's three layers).
  EXPECT_EQ(query(db, "SELECT count(*) FROM layers"), std::vector<std::string>{"18"});
}

TEST(Sweep, AFailedPointIsRecordedAndTheOthersRun) {
  TempDir d;
  // 20 bits is outside the ADC's range: that point fails, the others run.
  const std::string spec = sweep_spec(d, "    chip.tile.core.adc.bits: [6, 20, 8]\n");
  Result r = run("sweep run " + spec + " -j 2 --no-progress --out " + d.path("s"));
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_NE(r.out.find("1 of 3 points failed"), std::string::npos) << r.out;
  EXPECT_EQ(finished_points(d.path("s")), 2);
  Result c = run("sweep collect " + d.path("s"));
  ASSERT_EQ(c.rc, 0) << c.out;
  EXPECT_NE(c.out.find("2 done, 1 failed, 0 missing"), std::string::npos) << c.out;
  const auto rows =
      query(d.path("s/results.sqlite"), "SELECT id, status, error FROM points ORDER BY id");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].substr(0, 7), "0|done|");
  EXPECT_NE(rows[1].find("1|failed|-p override: chip.tile.core.adc.bits = 20: not in [2, 16] bit"),
            std::string::npos)
      << rows[1];
  const std::string csv = slurp(d.path("s/results.csv"));
  EXPECT_NE(csv.find(",failed,20,"), std::string::npos) << csv;
}

TEST(Sweep, ABadSpecStopsBeforeAnythingIsWritten) {
  TempDir d;
  // An axis that names no parameter: the spec's line and a suggestion.
  const std::string spec = sweep_spec(d, "    chip.tile.core.adc.bitz: [6, 8]\n");
  Result r = run("sweep run " + spec + " --no-progress --out " + d.path("s"));
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_NE(r.out.find(spec + ":5: sweep axis chip.tile.core.adc.bitz: unknown key (did you mean "
                              "'bits'?)"),
            std::string::npos)
      << r.out;
  EXPECT_FALSE(fs::exists(d.path("s")));
  // A spec error found by the parser: the same, with the rule.
  const std::string zip = sweep_spec(d, "    simulation.seed: [1, 2]\n",
                                     "  zip: [[simulation.seed, simulation.images]]\n");
  Result z = run("sweep run " + zip + " --out " + d.path("s"));
  EXPECT_EQ(z.rc, 1) << z.out;
  EXPECT_NE(z.out.find("pcmsim: error: " + zip + ":6: sweep.zip: zipped axes of unequal length"),
            std::string::npos)
      << z.out;
  EXPECT_FALSE(fs::exists(d.path("s")));
  Result u = run("sweep frobnicate x");
  EXPECT_EQ(u.rc, 2) << u.out;
  EXPECT_NE(u.out.find("unknown subcommand 'frobnicate'"), std::string::npos) << u.out;
  Result n = run("sweep collect " + d.path("nothing"));
  EXPECT_EQ(n.rc, 1) << n.out;
  EXPECT_NE(n.out.find("not a sweep folder (no points.json"), std::string::npos) << n.out;
}

/// Whether a Slurm controller answers (tools/slurm_local.sh start runs one; CI does).
bool slurm_up() { return std::system("sinfo -h > /dev/null 2>&1") == 0; }

TEST(Sweep, SlurmGivesTheSameRowsAsTheLocalBackend) {
  if (!slurm_up()) {
    // CI starts a single-node Slurm (tools/slurm_local.sh); elsewhere the test needs one.
    if (std::getenv("CI"))
      FAIL() << "CI without a Slurm controller: run tools/slurm_local.sh start";
    GTEST_SKIP() << "no Slurm controller (tools/slurm_local.sh start runs one)";
  }
  TempDir d;
  const std::string spec =
      sweep_spec(d, "    chip.tile.core.adc.bits: [6, 7, 8, 9]\n    simulation.seed: [1, 2]\n",
                 "  objectives: {latency: min, energy: min, accuracy: max}\n");
  Result a = run("sweep run " + spec + " -j 2 --no-progress --out " + d.path("local"));
  ASSERT_EQ(a.rc, 0) << a.out;
  ASSERT_EQ(run("sweep collect " + d.path("local")).rc, 0);
  // Eight points in array tasks of at most 3 (an array limit of 3 forces chunks), 2 at a time,
  // then the collect job after them.
  Result s = run("sweep submit " + spec +
                 " --backend slurm --max-array-size 3 --max-parallel 2 --out " + d.path("slurm"));
  ASSERT_EQ(s.rc, 0) << s.out;
  EXPECT_NE(s.out.find("8 of 8 points to run (0 done) in 3 array tasks of up to 3 points"),
            std::string::npos)
      << s.out;
  ASSERT_NE(s.out.find("submitted job"), std::string::npos) << s.out;
  const auto start = std::chrono::steady_clock::now();
  while (!fs::exists(d.path("slurm/results.sqlite")) &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(300))
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_TRUE(fs::exists(d.path("slurm/results.sqlite"))) << "the collect job did not finish";
  EXPECT_EQ(finished_points(d.path("slurm")), 8) << failed_point_logs(d.path("slurm"));
  for (const char* sql :
       {"SELECT * FROM points ORDER BY id", "SELECT * FROM params ORDER BY point_id, key",
        "SELECT * FROM metrics ORDER BY point_id, name",
        "SELECT * FROM layers ORDER BY point_id, position"}) {
    const auto local = query(d.path("local/results.sqlite"), sql);
    EXPECT_FALSE(local.empty()) << sql;
    EXPECT_EQ(query(d.path("slurm/results.sqlite"), sql), local) << sql;
  }
  EXPECT_EQ(slurp(d.path("slurm/results.csv")), slurp(d.path("local/results.csv")));
  // Resubmitting after a point was lost submits that point alone.
  const auto hash = query(d.path("slurm/results.sqlite"), "SELECT hash FROM points WHERE id = 3");
  ASSERT_EQ(hash.size(), 1u);
  fs::remove_all(d.path("slurm/points/") + hash[0]);
  Result r = run("sweep submit " + spec + " --backend slurm --no-submit --out " + d.path("slurm"));
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("1 of 8 points to run (7 done) in 1 array tasks of up to 1 points"),
            std::string::npos)
      << r.out;
  bool found = false;
  for (const auto& e : fs::directory_iterator(d.path("slurm/slurm")))
    if (e.path().filename().string().rfind("tasks-", 0) == 0 && slurp(e.path().string()) == "3\n")
      found = true;
  EXPECT_TRUE(found) << "no task list holding point 3 alone";
}

TEST(Sweep, AnAccuracyOverTimeCellIsAMetricAndAnObjective) {
  TempDir d;
  const std::string spec = d.file(
      "spec.yaml", "sweep:\n  base: " + kSrc +
                       "/configs/drift.yaml\n  axes:\n    simulation.images: [10]\n"
                       "    inference.images: [200]\n    inference.repeats: [2]\n"
                       "    inference.times: ['[1s, 1y]']\n    inference.compensation: ['[none]']\n"
                       "    simulation.seed: [1, 2, 3]\n"
                       "  objectives: {inference.1y.none.mean: max, inference.1s.none.std: min}\n");
  Result r = run("sweep run " + spec + " -j 2 --no-progress --out " + d.path("s"));
  ASSERT_EQ(r.rc, 0) << r.out;
  ASSERT_EQ(run("sweep collect " + d.path("s")).rc, 0);
  const std::string db = d.path("s/results.sqlite");
  // Two cells a point (1 s and 1 y, no compensation), two programmings each.
  EXPECT_EQ(query(db, "SELECT count(*), min(repeats), max(repeats) FROM accuracy"),
            std::vector<std::string>{"6|2|2"});
  std::vector<std::array<double, 2>> score;
  std::vector<int> flag;
  for (const std::string& row : query(db, "SELECT hash, pareto FROM points ORDER BY id")) {
    const std::string hash = row.substr(0, row.find('|'));
    flag.push_back(std::stoi(row.substr(row.find('|') + 1)));
    // The metrics are the stats.json cells.
    auto st = stats(d.path("s/points/") + hash);
    double mean_1y = 0, std_1s = 0;
    for (const auto& c : st["inference"]) {
      if (c["time"] == "1y") mean_1y = c["mean"].get<double>();
      if (c["time"] == "1s") std_1s = c["std"].get<double>();
    }
    const auto m = query(db,
                         "SELECT m.value FROM metrics m JOIN points p ON p.id = m.point_id "
                         "WHERE p.hash = '" +
                             hash +
                             "' AND m.name IN "
                             "('inference.1s.none.std', 'inference.1y.none.mean') ORDER BY m.name");
    ASSERT_EQ(m.size(), 2u);
    // SQLite prints a REAL with 15 significant digits.
    EXPECT_NEAR(std::stod(m[0]), std_1s, 1e-14);
    EXPECT_NEAR(std::stod(m[1]), mean_1y, 1e-14);
    score.push_back({-mean_1y, std_1s});
  }
  ASSERT_EQ(score.size(), 3u);
  // The front by hand over (1 y mean, max; 1 s spread, min).
  for (size_t i = 0; i < 3; ++i) {
    bool dominated = false;
    for (size_t j = 0; j < 3; ++j)
      dominated = dominated || (score[j][0] <= score[i][0] && score[j][1] <= score[i][1] &&
                                (score[j][0] < score[i][0] || score[j][1] < score[i][1]));
    EXPECT_EQ(flag[i], dominated ? 0 : 1) << i;
  }
}

TEST(Sweep, ListShowsThePointsAndTheirHashes) {
  TempDir d;
  const std::string spec = sweep_spec(d, "    simulation.seed: {range: [1, 3, 1]}\n",
                                      "  constraints: ['simulation.seed != 2']\n");
  Result r = run("sweep list " + spec);
  ASSERT_EQ(r.rc, 0) << r.out;
  // images 20 and seeds 1, 3: two points.
  EXPECT_NE(r.out.find("# 2 points of"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("index\thash\tsimulation.images\tsimulation.seed\n0\t"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\t20\t3\n"), std::string::npos) << r.out;
}

TEST(Sweep, EveryShippedSpecListsItsPointsAndItsFirstPointValidates) {
  // configs/sweeps/*.yaml as a user runs them (from the repository root): each lists its points,
  // and its base config with the first point's values builds (pcmsim validate).
  int specs = 0;
  for (const auto& e : fs::directory_iterator(kSrc + "/configs/sweeps")) {
    if (e.path().extension() != ".yaml") continue;
    ++specs;
    const std::string spec = e.path().string();
    Result l = run("sweep list " + spec);
    ASSERT_EQ(l.rc, 0) << spec << "\n" << l.out;
    // The header line, the column names, then point 0: index, hash, the axes' values.
    std::istringstream lines(l.out);
    std::string header, names, first;
    std::getline(lines, header);
    std::getline(lines, names);
    std::getline(lines, first);
    const size_t base_at = header.find(" over ");
    ASSERT_NE(base_at, std::string::npos) << l.out;
    std::istringstream cols(names), vals(first);
    std::string name, value, overrides;
    for (int k = 0; std::getline(cols, name, '\t') && std::getline(vals, value, '\t'); ++k)
      if (k >= 2) overrides += " -p '" + name + "=" + value + "'";
    Result v = run("validate " + header.substr(base_at + 6) + overrides);
    EXPECT_EQ(v.rc, 0) << spec << overrides << "\n" << v.out;
  }
  EXPECT_GE(specs, 5);
}

}  // namespace
}  // namespace pcmsim
