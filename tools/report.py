#!/usr/bin/python3
"""pcmsim report DIR: one static, offline HTML page of a run folder or a sweep folder.

A run folder (report.txt, stats.json, layers.csv): energy by class and by layer, latency and
stalls per layer, utilization, accuracy over time after programming with its spread over
programmings, area by class. A sweep folder (points.json, results.csv from `pcmsim sweep
collect`): the Pareto scatter (energy against latency, coloured by accuracy, the front marked)
and each objective against each axis. Charts are inline SVG drawn by matplotlib with fixed
metadata and ids, so the same folder gives the same bytes; the page has no scripts and loads
nothing from outside.

Usage: tools/report.py DIR [--out FILE]   (default DIR/report.html)
"""

import csv
import html
import io
import json
import math
import os
import sys

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402

matplotlib.rcParams.update({
    "svg.hashsalt": "pcmsim",       # fixed ids: the same data, the same bytes
    "svg.fonttype": "none",         # text as text: small and searchable
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "figure.dpi": 96,
})

# One colour per energy class, the report's order.
CLASSES = ["array", "dac", "adc", "periphery", "digital", "interconnect", "io", "buffer",
           "leakage"]
COLORS = {"array": "#4c72b0", "dac": "#dd8452", "adc": "#55a868", "periphery": "#c44e52",
          "digital": "#8172b3", "interconnect": "#937860", "io": "#da8bc3", "buffer": "#8c8c8c",
          "leakage": "#ccb974"}


class ReportError(Exception):
    pass


def svg_of(fig):
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    # Inline: drop the XML prologue and DOCTYPE before <svg.
    return text[text.find("<svg"):]


def figure(title, svg, note=""):
    out = '<figure class="chart"><figcaption>%s</figcaption>%s' % (html.escape(title), svg)
    if note:
        out += '<p class="note">%s</p>' % html.escape(note)
    return out + "</figure>"


def table(header, rows, cls="data"):
    out = ['<table class="%s"><thead><tr>' % cls]
    out += ["<th>%s</th>" % html.escape(str(h)) for h in header]
    out.append("</tr></thead><tbody>")
    for r in rows:
        out.append("<tr>" + "".join("<td>%s</td>" % html.escape(str(c)) for c in r) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def fmt(v, digits=4):
    if isinstance(v, (int,)) or (isinstance(v, float) and v.is_integer() and abs(v) < 1e15):
        return "{:,}".format(int(v))
    if isinstance(v, float):
        return "%.*g" % (digits, v)
    return str(v)


def page(title, subtitle, body):
    return """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%s</title>
<style>
body { font-family: "DejaVu Sans", sans-serif; margin: 24px auto; max-width: 1100px; color: #222; }
h1 { font-size: 22px; margin-bottom: 2px; } h2 { font-size: 17px; margin-top: 28px; }
.sub { color: #666; margin-top: 0; }
figure.chart { margin: 12px 0 24px 0; } figcaption { font-weight: bold; margin-bottom: 4px; }
figure.chart svg { max-width: 100%%; height: auto; }
.wide { overflow-x: auto; }
table.data { border-collapse: collapse; font-size: 12px; margin: 8px 0; }
table.data th, table.data td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
table.data th { background: #f3f3f3; } table.data td:first-child { text-align: left; }
pre { background: #f7f7f7; padding: 10px; font-size: 11px; overflow-x: auto; }
.note { color: #666; font-size: 12px; }
</style></head>
<body><h1>%s</h1><p class="sub">%s</p>
%s
</body></html>
""" % (html.escape(title), html.escape(title), html.escape(subtitle), body)


def shown_path(p):
    """A path as the page shows it: relative to the working directory when it lies inside."""
    if not p:
        return p
    rel = os.path.relpath(p)
    return rel if not rel.startswith("..") else p


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------------------------------------
# A run folder.

def run_report(d):
    with open(os.path.join(d, "stats.json")) as f:
        st = json.load(f)
    layers = read_csv(os.path.join(d, "layers.csv"))
    run = st["run"]
    images = max(1, int(run.get("images", 1)))
    parts = []
    summary = [
        ("images", fmt(run.get("images", 0))),
        ("top-1 accuracy", "%.2f %%" % (100 * run.get("accuracy", 0))),
        ("latency per image", "%s cycles (%s ns)" % (fmt(run["latency_cycles"]),
                                                    fmt(run["latency_ns"]))),
        ("throughput", "%s images/s" % fmt(run["throughput_images_per_s"])),
        ("energy per image", "%s nJ" % fmt(run["energy_per_image_pj"] / 1000)),
        ("average power", "%s mW" % fmt(run["power_mw"])),
        ("area", "%s mm2" % fmt(run["area_mm2"])),
        ("efficiency", "%s TOPS/W" % fmt(run["tops_per_w"])),
        ("peak", "%s TOPS at full activity, %s W" % (fmt(run["peak_tops"]),
                                                     fmt(run["peak_power_mw"] / 1000))),
    ]
    comp = run.get("compensation", "none")
    if comp != "none":
        what = ("%s calibration images through the chip" % fmt(run.get("compensation_images", 0))
                if comp == "batchnorm" else "readouts")
        summary.append(("drift compensation", "%s at %s s: %s, %s MVMs, %s cycles, %s nJ once "
                        "per evaluation time" % (
                            comp, fmt(run.get("time_s", 0)), what,
                            fmt(run.get("compensation_mvms", 0)),
                            fmt(run.get("compensation_cycles", 0)),
                            fmt(run.get("compensation_energy_pj", 0) / 1000))))
    if "peak_as_published" in st:
        p = st["peak_as_published"]
        summary.append(("peak as published", "%s TOPS/W over %s (%s)" % (
            fmt(p["tops_per_w"]), ", ".join(p["power_classes"]), p.get("source", ""))))
    parts.append("<h2>Summary</h2>" + table(["figure", "value"], summary))

    # Energy by class, per image.
    e = st["energy_by_class_pj"]
    cls = [c for c in CLASSES if e.get(c, 0) > 0]
    fig, ax = plt.subplots(figsize=(7, 2.8))
    ax.barh(cls[::-1], [e[c] / images for c in cls[::-1]],
            color=[COLORS[c] for c in cls[::-1]])
    ax.set_xlabel("pJ per image")
    parts.append("<h2>Energy</h2>" + figure("Energy by component class (per image)", svg_of(fig)))
    parts.append(table(["class", "pJ per image", "share"],
                       [(c, fmt(e[c] / images), "%.1f %%" % (100 * e[c] / max(1e-30, sum(e.values()))))
                        for c in cls]))

    # Energy by layer, stacked by class.
    names = [r["step"] for r in layers]
    fig, ax = plt.subplots(figsize=(7, 0.5 + 0.32 * max(3, len(names))))
    left = [0.0] * len(names)
    for c in CLASSES:
        key = c + "_pj_per_image"
        if key not in layers[0]:
            continue
        vals = [num(r[key]) or 0.0 for r in layers]
        if not any(vals):
            continue
        ax.barh(names, vals, left=left, color=COLORS[c], label=c)
        left = [a + b for a, b in zip(left, vals)]
    ax.invert_yaxis()
    ax.set_xlabel("pJ per image")
    ax.legend(loc="lower right", fontsize=7, ncol=3, frameon=False)
    parts.append(figure("Energy by layer and class (per image)", svg_of(fig)))

    # Latency and stalls per layer.
    fig, ax = plt.subplots(figsize=(7, 0.5 + 0.32 * max(3, len(names))))
    y = list(range(len(names)))
    h = 0.27
    for k, (key, label, col) in enumerate([("cycles_per_image", "span", "#4c72b0"),
                                            ("busy_cycles_per_image", "busiest core busy", "#55a868"),
                                            ("stall_cycles_per_image", "stalls", "#c44e52")]):
        ax.barh([v + (k - 1) * h for v in y], [num(r[key]) or 0.0 for r in layers], height=h,
                color=col, label=label)
    ax.set_yticks(y)
    ax.set_yticklabels(names)
    ax.invert_yaxis()
    ax.set_xlabel("cycles per image")
    ax.legend(loc="lower right", fontsize=7, frameon=False)
    parts.append("<h2>Latency</h2>" + figure("Cycles per layer: span, busy, stalls", svg_of(fig)))
    parts.append(table(["step", "ops", "runs on", "MVMs", "cycles", "busy", "stall", "pJ"],
                       [(r["step"], r["ops"], r["runs_on"], fmt(num(r["mvms_per_image"]) or 0),
                         fmt(num(r["cycles_per_image"]) or 0), fmt(num(r["busy_cycles_per_image"]) or 0),
                         fmt(num(r["stall_cycles_per_image"]) or 0),
                         fmt(num(r["energy_pj_per_image"]) or 0)) for r in layers]))

    # Utilization.
    ut = st.get("utilization", {})
    if ut:
        res = list(ut.keys())
        fig, ax = plt.subplots(figsize=(7, 0.5 + 0.35 * len(res)))
        yy = list(range(len(res)))
        ax.barh([v - 0.2 for v in yy], [100 * ut[r]["fraction"] for r in res], height=0.4,
                color="#4c72b0", label="of all units")
        used = [100 * ut[r]["busy_cycles"] / max(1, ut[r]["used"] * run["total_cycles"])
                for r in res]
        ax.barh([v + 0.2 for v in yy], used, height=0.4, color="#dd8452", label="of used units")
        ax.set_yticks(yy)
        ax.set_yticklabels(res)
        ax.invert_yaxis()
        ax.set_xlabel("busy %")
        ax.legend(loc="lower right", fontsize=7, frameon=False)
        parts.append("<h2>Utilization</h2>" + figure("Busy cycles over units x run cycles",
                                                     svg_of(fig)))

    # Accuracy over time after programming.
    cells = st.get("inference")
    parts.append("<h2>Accuracy over time</h2>")
    if cells:
        fig, ax = plt.subplots(figsize=(7, 3.2))
        comps = []
        for c in cells:
            if c["compensation"] not in comps:
                comps.append(c["compensation"])
        for k, comp in enumerate(comps):
            pts = [c for c in cells if c["compensation"] == comp]
            xs = [max(c["time_s"], 1e-3) for c in pts]
            ax.errorbar(xs, [100 * c["mean"] for c in pts], yerr=[100 * c["std"] for c in pts],
                        marker="o", capsize=3, label=comp, color="C%d" % k)
            for x, c in zip(xs, pts):
                ax.scatter([x] * len(c["accuracy"]), [100 * a for a in c["accuracy"]], s=6,
                           alpha=0.35, color="C%d" % k)
        ax.set_xscale("log")
        ax.set_xlabel("time after programming (s)")
        ax.set_ylabel("top-1 accuracy (%)")
        ax.legend(title="compensation", fontsize=7, frameon=False)
        parts.append(figure("Accuracy after programming: mean and standard deviation over "
                            "programmings, each programming a dot", svg_of(fig)))
        parts.append(table(["time", "compensation", "programmings", "mean", "std"],
                           [(c["time"], c["compensation"], len(c["accuracy"]),
                             "%.2f %%" % (100 * c["mean"]), "%.2f" % (100 * c["std"]))
                            for c in cells]))
    else:
        parts.append('<p class="note">This run has no accuracy-over-time table (set '
                     '<code>inference.times</code> in its config).</p>')

    # Area.
    a = st.get("area_by_class_um2", {})
    acls = [c for c in CLASSES if a.get(c, 0) > 0]
    if acls:
        fig, ax = plt.subplots(figsize=(7, 2.6))
        ax.barh(acls[::-1], [a[c] * 1e-6 for c in acls[::-1]], color=[COLORS[c] for c in acls[::-1]])
        ax.set_xlabel("mm2")
        parts.append("<h2>Area</h2>" + figure("Area by component class", svg_of(fig)))
    with open(os.path.join(d, "report.txt")) as f:
        parts.append("<h2>The text report</h2><pre>%s</pre>" % html.escape(f.read()))
    title = "pcmsim run: " + os.path.basename(os.path.normpath(d))
    sub = "pcmsim %s, %s, seed %s" % (run.get("pcmsim_version", ""), shown_path(run.get("config", "")),
                                      run.get("seed", ""))
    return page(title, sub, "\n".join(parts))


# ---------------------------------------------------------------------------------------------
# A sweep folder.

def sweep_report(d):
    with open(os.path.join(d, "points.json")) as f:
        pj = json.load(f)
    path = os.path.join(d, "results.csv")
    if not os.path.exists(path):
        raise ReportError(d + ": no results.csv (run `pcmsim sweep collect %s` first)" % d)
    rows = read_csv(path)
    axes = pj["axes"]
    objectives = pj["objectives"]
    done = [r for r in rows if r["status"] == "done"]
    parts = []
    lat, en, acc = "run.latency_ns", "run.energy_per_image_pj", "run.accuracy"
    parts.append("<h2>Summary</h2>" + table(["figure", "value"], [
        ("points", len(rows)), ("done", len(done)),
        ("failed", sum(1 for r in rows if r["status"] == "failed")),
        ("missing", sum(1 for r in rows if r["status"] == "missing")),
        ("on the Pareto front", sum(1 for r in done if r["pareto"] == "1")),
        ("objectives", ", ".join("%s (%s)" % (o["name"], o["sense"]) for o in objectives) or "none"),
        ("axes", ", ".join(axes))]))
    if done and lat in done[0] and en in done[0]:
        fig, ax = plt.subplots(figsize=(7, 4.2))
        xs = [num(r[lat]) for r in done]
        ys = [num(r[en]) / 1000 for r in done]
        cs = [100 * (num(r.get(acc)) or 0) for r in done]
        sc = ax.scatter(xs, ys, c=cs, cmap="viridis", s=28, zorder=2)
        front = [(x, y) for x, y, r in zip(xs, ys, done) if r["pareto"] == "1"]
        if front:
            ax.scatter([p[0] for p in front], [p[1] for p in front], s=90, facecolors="none",
                       edgecolors="#c44e52", linewidths=1.5, zorder=3, label="Pareto front")
            ax.legend(fontsize=7, frameon=False)
        cb = fig.colorbar(sc, ax=ax)
        cb.set_label("top-1 accuracy (%)")
        ax.set_xlabel("latency per image (ns)")
        ax.set_ylabel("energy per image (nJ)")
        parts.append("<h2>Pareto front</h2>" + figure(
            "Energy against latency, coloured by accuracy; the front over the sweep's objectives "
            "circled", svg_of(fig)))
    # Each objective against each axis.
    objs = objectives or [{"name": "latency", "path": lat, "sense": "min"},
                          {"name": "energy", "path": en, "sense": "min"},
                          {"name": "accuracy", "path": acc, "sense": "max"}]
    varying = [a for a in axes if len({r[a] for r in rows}) > 1]
    if done and varying:
        nrow, ncol = len(objs), len(varying)
        fig, axs = plt.subplots(nrow, ncol, figsize=(2.6 * ncol + 0.6, 2.0 * nrow + 0.4),
                                squeeze=False)
        for i, o in enumerate(objs):
            for j, a in enumerate(varying):
                axp = axs[i][j]
                vals = [r[a] for r in done]
                numeric = all(num(v) is not None for v in vals)
                ys = [num(r.get(o["path"])) for r in done]
                if numeric:
                    axp.scatter([num(v) for v in vals], ys, s=10)
                else:
                    cats = sorted(set(vals))
                    axp.scatter([cats.index(v) for v in vals], ys, s=10)
                    axp.set_xticks(range(len(cats)))
                    axp.set_xticklabels(cats, fontsize=7)
                if i == nrow - 1:
                    axp.set_xlabel(a.split(".")[-1] if len(a) > 24 else a, fontsize=7)
                if j == 0:
                    axp.set_ylabel("%s (%s)" % (o["name"], o["sense"]), fontsize=7)
        fig.tight_layout()
        parts.append("<h2>Objectives against axes</h2>" + figure(
            "Each objective against each axis that varies (axes: %s)" % ", ".join(varying),
            svg_of(fig)))
    head = ["id", "status"] + axes + ["objective." + o["name"] for o in objectives] + ["pareto"]
    parts.append("<h2>Points</h2><div class=\"wide\">" + table(
        head, [[r["id"], r["status"]] + [r[a] for a in axes] +
               [fmt(num(r["objective." + o["name"]])) if num(r["objective." + o["name"]]) is not None
                else "" for o in objectives] + [r["pareto"]] for r in rows]) + "</div>")
    title = "pcmsim sweep: " + os.path.basename(os.path.normpath(d))
    return page(title, "pcmsim %s, %s over %s" % (pj.get("pcmsim_version", ""),
                                                  shown_path(pj.get("spec", "")),
                                                  shown_path(pj.get("base", ""))),
                "\n".join(parts))


def main(argv):
    args = argv[1:]
    out = None
    if "--out" in args:
        i = args.index("--out")
        out = args[i + 1]
        del args[i:i + 2]
    if len(args) != 1:
        sys.stderr.write(__doc__)
        return 2
    d = args[0]
    try:
        if os.path.exists(os.path.join(d, "stats.json")):
            text = run_report(d)
        elif os.path.exists(os.path.join(d, "points.json")):
            text = sweep_report(d)
        else:
            raise ReportError(d + ": neither a run folder (stats.json) nor a sweep folder "
                              "(points.json)")
    except (OSError, ValueError, KeyError, ReportError) as e:
        sys.stderr.write("pcmsim: error: report: %s\n" % e)
        return 1
    out = out or os.path.join(d, "report.html")
    tmp = out + ".tmp-%d" % os.getpid()
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, out)
    print("wrote " + out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
