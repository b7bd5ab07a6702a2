// `pcmsim sweep collect`: the point folders into one SQLite database and one CSV. The schema is
// in docs/sweeps.md.

#include <sqlite3.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "sim/base/error.h"
#include "sim/sweep/expr.h"
#include "sim/sweep/folder.h"
#include "sim/sweep/pareto.h"
#include "sim/sweep/runner.h"

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace pcmsim {

namespace {

/// The sections of stats.json whose numbers become metrics (the per-component stats stay in
/// the point folders).
const char* const kMetricSections[] = {"run",
                                       "datapath",
                                       "energy_by_class_pj",
                                       "area_by_class_um2",
                                       "peak_power_by_class_mw",
                                       "tile_peak_power_by_class_mw",
                                       "peak_as_published",
                                       "utilization"};

void flatten(const json& j, const std::string& prefix,
             std::vector<std::pair<std::string, double>>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      flatten(it.value(), prefix + "." + it.key(), out);
  } else if (j.is_number()) {
    out.emplace_back(prefix, j.get<double>());
  } else if (j.is_boolean()) {
    out.emplace_back(prefix, j.get<bool>() ? 1.0 : 0.0);
  }
}

/// One CSV line split into fields (pcmsim's own CSVs: no quoted commas).
std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> f;
  std::stringstream ss(line);
  for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
  if (!line.empty() && line.back() == ',') f.push_back("");
  return f;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

/// The shortest text that reads back as @p v exactly.
std::string num_text(double v) {
  char buf[64];
  for (int prec = 15; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

/// A thin RAII wrapper over the sqlite3 C API.
class Db {
 public:
  explicit Db(const std::string& path) {
    if (sqlite3_open(path.c_str(), &m_db) != SQLITE_OK)
      throw Error(path + ": cannot create the database: " + sqlite3_errmsg(m_db));
  }
  ~Db() { sqlite3_close(m_db); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      const std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      throw Error("sqlite: " + msg + " in: " + sql);
    }
  }
  /// A prepared statement, bound and stepped once per row.
  class Stmt {
   public:
    Stmt(sqlite3* db, const std::string& sql) : m_db(db) {
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &m_s, nullptr) != SQLITE_OK)
        throw Error(std::string("sqlite: ") + sqlite3_errmsg(db) + " in: " + sql);
    }
    ~Stmt() { sqlite3_finalize(m_s); }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    Stmt& bind(int i, int64_t v) {
      sqlite3_bind_int64(m_s, i, v);
      return *this;
    }
    Stmt& bind(int i, double v) {
      if (std::isfinite(v))
        sqlite3_bind_double(m_s, i, v);
      else
        sqlite3_bind_null(m_s, i);
      return *this;
    }
    Stmt& bind(int i, const std::string& v) {
      sqlite3_bind_text(m_s, i, v.c_str(), int(v.size()), SQLITE_TRANSIENT);
      return *this;
    }
    Stmt& null(int i) {
      sqlite3_bind_null(m_s, i);
      return *this;
    }
    void step() {
      if (sqlite3_step(m_s) != SQLITE_DONE)
        throw Error(std::string("sqlite: ") + sqlite3_errmsg(m_db));
      sqlite3_reset(m_s);
      sqlite3_clear_bindings(m_s);
    }

   private:
    sqlite3* m_db;
    sqlite3_stmt* m_s = nullptr;
  };
  Stmt prepare(const std::string& sql) { return Stmt(m_db, sql); }

 private:
  sqlite3* m_db = nullptr;
};

std::string quote_ident(const std::string& s) {
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

struct Collected {
  int index = 0;
  std::string hash, status, error;
  std::vector<std::string> values;
  std::vector<std::pair<std::string, double>> metrics;
  std::map<std::string, double> by_name;
  bool pareto = false;
};

}  // namespace

std::string collect_sweep(const std::string& dir_text) {
  const fs::path dir(dir_text);
  const json pj = read_points_json(dir);
  std::vector<std::string> axes;
  for (const auto& a : pj.at("axes")) axes.push_back(a.get<std::string>());
  std::vector<Objective> objectives;
  for (const auto& ob : pj.at("objectives"))
    objectives.push_back(objective_named(ob.at("path").get<std::string>(),
                                         ob.at("sense").get<std::string>() == "min"));
  for (size_t i = 0; i < objectives.size(); ++i)
    objectives[i].name = pj["objectives"][i].at("name").get<std::string>();

  // Every point: its status, and for a finished one its metrics, layers and accuracy rows.
  std::vector<Collected> pts;
  std::vector<std::string> layer_header;
  struct LayerRow {
    int point, position;
    std::vector<std::string> fields;
  };
  std::vector<LayerRow> layer_rows;
  struct AccRow {
    int point;
    json cell;
  };
  std::vector<AccRow> acc_rows;
  for (const auto& p : pj.at("points")) {
    Collected c;
    c.index = p.at("index").get<int>();
    c.hash = p.at("hash").get<std::string>();
    for (const std::string& a : axes) c.values.push_back(p.at("values").at(a).get<std::string>());
    const fs::path folder = dir / "points" / c.hash;
    if (fs::exists(folder / "stats.json")) {
      c.status = "done";
      json st;
      try {
        st = json::parse(read_file_text(folder / "stats.json"));
      } catch (const std::exception& e) {
        throw Error((folder / "stats.json").string() + ": " + e.what());
      }
      for (const char* sec : kMetricSections)
        if (st.contains(sec)) flatten(st[sec], sec, c.metrics);
      if (st.contains("inference"))
        for (const auto& cell : st["inference"]) {
          acc_rows.push_back({c.index, cell});
          // As metrics too, so that an objective can name one: inference.1y.global.mean.
          const std::string key = "inference." + cell.at("time").get<std::string>() + "." +
                                  cell.at("compensation").get<std::string>();
          c.metrics.emplace_back(key + ".mean", cell.at("mean").get<double>());
          c.metrics.emplace_back(key + ".std", cell.at("std").get<double>());
        }
      for (const auto& kv : c.metrics) c.by_name[kv.first] = kv.second;
      std::istringstream csv(read_file_text(folder / "layers.csv"));
      std::string line;
      if (std::getline(csv, line)) {
        const std::vector<std::string> header = split_csv(line);
        if (layer_header.empty()) layer_header = header;
        if (header != layer_header)
          throw Error((folder / "layers.csv").string() +
                      ": its columns differ from the other points' (another pcmsim version?)");
        int pos = 0;
        while (std::getline(csv, line))
          if (!line.empty()) layer_rows.push_back({c.index, pos++, split_csv(line)});
      }
    } else if (fs::exists(dir / "errors" / (c.hash + ".txt"))) {
      c.status = "failed";
      c.error = read_file_text(dir / "errors" / (c.hash + ".txt"));
      while (!c.error.empty() && c.error.back() == '\n') c.error.pop_back();
    } else {
      c.status = "missing";
    }
    pts.push_back(std::move(c));
  }
  // The Pareto front over the objectives, among the finished points that have them all.
  std::vector<std::vector<double>> objs;
  std::vector<size_t> who;
  for (size_t i = 0; i < pts.size(); ++i) {
    if (pts[i].status != "done" || objectives.empty()) continue;
    std::vector<double> v;
    bool all = true;
    for (const Objective& ob : objectives) {
      auto it = pts[i].by_name.find(ob.path);
      if (it == pts[i].by_name.end() || !std::isfinite(it->second)) {
        all = false;
        break;
      }
      v.push_back(ob.minimize ? it->second : -it->second);
    }
    if (!all) continue;
    objs.push_back(v);
    who.push_back(i);
  }
  for (size_t k : pareto_front(objs)) pts[who[k]].pareto = true;

  // The database, built in a temporary file and renamed: collect alone writes it.
  const fs::path db_path = dir / "results.sqlite";
  fs::path db_tmp = db_path;
  db_tmp += ".tmp-" + std::to_string(::getpid());
  fs::remove(db_tmp);
  {
    Db db(db_tmp.string());
    db.exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;");
    db.exec(
        "CREATE TABLE sweep(key TEXT PRIMARY KEY, value TEXT);"
        "CREATE TABLE axes(position INTEGER PRIMARY KEY, key TEXT);"
        "CREATE TABLE objectives(position INTEGER PRIMARY KEY, name TEXT, path TEXT, sense TEXT);"
        "CREATE TABLE points(id INTEGER PRIMARY KEY, hash TEXT, status TEXT, error TEXT, pareto "
        "INTEGER);"
        "CREATE TABLE params(point_id INTEGER, key TEXT, value TEXT, number REAL, PRIMARY "
        "KEY(point_id, key));"
        "CREATE TABLE metrics(point_id INTEGER, name TEXT, value REAL, PRIMARY KEY(point_id, "
        "name));"
        "CREATE TABLE accuracy(point_id INTEGER, time TEXT, time_s REAL, compensation TEXT, mean "
        "REAL, std REAL, repeats INTEGER, accuracies TEXT);");
    {
      auto s = db.prepare("INSERT INTO sweep VALUES(?, ?)");
      for (const char* k : {"spec", "base", "pcmsim_version"})
        s.bind(1, std::string(k)).bind(2, pj.at(k).get<std::string>()).step();
      s.bind(1, std::string("points")).bind(2, std::to_string(pts.size())).step();
    }
    {
      auto s = db.prepare("INSERT INTO axes VALUES(?, ?)");
      for (size_t a = 0; a < axes.size(); ++a) s.bind(1, int64_t(a)).bind(2, axes[a]).step();
    }
    {
      auto s = db.prepare("INSERT INTO objectives VALUES(?, ?, ?, ?)");
      for (size_t i = 0; i < objectives.size(); ++i)
        s.bind(1, int64_t(i))
            .bind(2, objectives[i].name)
            .bind(3, objectives[i].path)
            .bind(4, std::string(objectives[i].minimize ? "min" : "max"))
            .step();
    }
    {
      auto sp = db.prepare("INSERT INTO points VALUES(?, ?, ?, ?, ?)");
      auto sa = db.prepare("INSERT INTO params VALUES(?, ?, ?, ?)");
      auto sm = db.prepare("INSERT INTO metrics VALUES(?, ?, ?)");
      for (const Collected& c : pts) {
        sp.bind(1, int64_t(c.index)).bind(2, c.hash).bind(3, c.status);
        if (c.error.empty())
          sp.null(4);
        else
          sp.bind(4, c.error);
        sp.bind(5, int64_t(c.pareto)).step();
        for (size_t a = 0; a < axes.size(); ++a) {
          sa.bind(1, int64_t(c.index)).bind(2, axes[a]).bind(3, c.values[a]);
          if (const ExprValue v = ExprValue::of(c.values[a]); v.is_number)
            sa.bind(4, v.number);
          else
            sa.null(4);
          sa.step();
        }
        for (const auto& [name, v] : c.metrics)
          sm.bind(1, int64_t(c.index)).bind(2, name).bind(3, v).step();
      }
    }
    if (!layer_header.empty()) {
      // One column per layers.csv column: the first three text, the rest numbers.
      std::string cols = "point_id INTEGER, position INTEGER";
      std::string marks = "?, ?";
      for (size_t i = 0; i < layer_header.size(); ++i) {
        cols += ", " + quote_ident(layer_header[i]) + (i < 3 ? " TEXT" : " REAL");
        marks += ", ?";
      }
      db.exec("CREATE TABLE layers(" + cols + ");");
      auto s = db.prepare("INSERT INTO layers VALUES(" + marks + ")");
      for (const LayerRow& r : layer_rows) {
        s.bind(1, int64_t(r.point)).bind(2, int64_t(r.position));
        for (size_t i = 0; i < layer_header.size(); ++i) {
          const std::string f = i < r.fields.size() ? r.fields[i] : "";
          const ExprValue v = ExprValue::of(f);
          if (i < 3)
            s.bind(int(i) + 3, f);
          else if (v.is_number)
            s.bind(int(i) + 3, v.number);
          else
            s.null(int(i) + 3);
        }
        s.step();
      }
    } else {
      db.exec("CREATE TABLE layers(point_id INTEGER, position INTEGER);");
    }
    {
      auto s = db.prepare("INSERT INTO accuracy VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
      for (const AccRow& r : acc_rows) {
        const json& c = r.cell;
        s.bind(1, int64_t(r.point))
            .bind(2, c.at("time").get<std::string>())
            .bind(3, c.at("time_s").get<double>())
            .bind(4, c.at("compensation").get<std::string>())
            .bind(5, c.at("mean").get<double>())
            .bind(6, c.at("std").get<double>())
            .bind(7, int64_t(c.at("accuracy").size()))
            .bind(8, c.at("accuracy").dump())
            .step();
      }
    }
    db.exec("COMMIT;");
  }
  fs::rename(db_tmp, db_path);

  // The CSV: one row per point; its axes, objectives, Pareto flag, then every metric.
  std::vector<std::string> metric_names;
  std::set<std::string> known;
  for (const Collected& c : pts)
    for (const auto& kv : c.metrics)
      if (known.insert(kv.first).second) metric_names.push_back(kv.first);
  std::ostringstream csv;
  csv << "id,hash,status";
  for (const std::string& a : axes) csv << "," << csv_field(a);
  for (const Objective& ob : objectives) csv << "," << csv_field("objective." + ob.name);
  csv << ",pareto";
  for (const std::string& m : metric_names) csv << "," << csv_field(m);
  csv << ",error\n";
  for (const Collected& c : pts) {
    csv << c.index << "," << c.hash << "," << c.status;
    for (const std::string& v : c.values) csv << "," << csv_field(v);
    for (const Objective& ob : objectives) {
      auto it = c.by_name.find(ob.path);
      csv << "," << (it == c.by_name.end() ? std::string() : num_text(it->second));
    }
    csv << "," << (c.pareto ? 1 : 0);
    for (const std::string& m : metric_names) {
      auto it = c.by_name.find(m);
      csv << "," << (it == c.by_name.end() ? std::string() : num_text(it->second));
    }
    csv << "," << csv_field(c.error) << "\n";
  }
  write_file_atomic(dir / "results.csv", csv.str());

  int done = 0, failed = 0, missing = 0, front = 0;
  for (const Collected& c : pts) {
    done += c.status == "done";
    failed += c.status == "failed";
    missing += c.status == "missing";
    front += c.pareto;
  }
  std::ostringstream os;
  os << "collected " << pts.size() << " points of " << dir_text << ": " << done << " done, "
     << failed << " failed, " << missing << " missing";
  if (!objectives.empty()) os << "; " << front << " on the Pareto front";
  os << " -> " << db_path.string() << ", " << (dir / "results.csv").string() << "\n";
  return os.str();
}

}  // namespace pcmsim
