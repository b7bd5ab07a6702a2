#!/usr/bin/python3
"""Checks `pcmsim report` pages in headless Chromium (Debian's chromium).

Makes a run folder (accuracy over time included) and a collected sweep folder, writes their
reports, and opens each page in headless Chromium: it must log no console message (the pages
have no scripts; a message is an error), its DOM must hold the charts (inline SVG) and tables,
and its screenshot must not be blank. A deliberately broken page must be caught, so that the
console check is known to see errors.

Usage: tools/report_check.py --pcmsim BIN [--screenshots DIR]   (DIR: where the PNGs go)
"""

import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def sh(args, **kw):
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if r.returncode != 0:
        sys.exit("report_check.py: %s failed:\n%s" % (" ".join(args), r.stdout))
    return r.stdout


def chromium(args, cwd):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        sys.exit("report_check.py: no chromium (tools/setup.sh installs Debian's)")
    base = [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--enable-logging=stderr", "--log-level=0", "--no-first-run"]
    r = subprocess.run(base + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       cwd=cwd, timeout=180)
    return r.stdout, r.stderr


def console_messages(stderr):
    return [l for l in stderr.splitlines() if ":CONSOLE" in l]


def check_page(path, min_svg, min_tables, shot, cwd):
    url = "file://" + os.path.abspath(path)
    dom, err = chromium(["--dump-dom", url], cwd)
    msgs = console_messages(err)
    problems = []
    if msgs:
        problems.append("console messages: " + " | ".join(msgs[:3]))
    n_svg, n_table = dom.count("<svg"), dom.count("<table")
    if n_svg < min_svg:
        problems.append("%d charts in the DOM, expected %d at least" % (n_svg, min_svg))
    if n_table < min_tables:
        problems.append("%d tables in the DOM, expected %d at least" % (n_table, min_tables))
    _, err2 = chromium(["--window-size=1200,2400", "--screenshot=" + shot, url], cwd)
    if not os.path.exists(shot):
        problems.append("no screenshot: " + err2[-300:])
    else:
        import matplotlib.image as mpimg
        img = mpimg.imread(shot)
        rgb = img[:, :, :3]
        dark = float((rgb.mean(axis=2) < 0.9).mean())
        if rgb.std() < 0.02 or dark < 0.01:
            problems.append("blank screenshot (std %.4f, %.2f %% non-white)" % (rgb.std(), 100 * dark))
    return problems, n_svg, n_table


def main(argv):
    args = argv[1:]
    pcmsim, shots = None, None
    while args:
        a = args.pop(0)
        if a == "--pcmsim":
            pcmsim = os.path.abspath(args.pop(0))
        elif a == "--screenshots":
            shots = os.path.abspath(args.pop(0))
        else:
            sys.exit(__doc__)
    if not pcmsim:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory() as t:
        run_dir, sweep_dir = os.path.join(t, "run"), os.path.join(t, "sweep")
        sh([pcmsim, "run", os.path.join(ROOT, "configs", "drift.yaml"), "--no-progress",
            "--threads", "1", "--out", run_dir, "-p", "simulation.images=50",
            "-p", "inference.images=300", "-p", "inference.repeats=3"], cwd=ROOT)
        spec = os.path.join(t, "spec.yaml")
        with open(spec, "w") as f:
            f.write("sweep:\n  base: %s\n  axes:\n    simulation.images: [30]\n"
                    "    chip.tile.core.adc.bits: [6, 7, 8]\n    simulation.seed: [1, 2]\n"
                    "  objectives: {latency: min, energy: min, accuracy: max}\n"
                    % os.path.join(ROOT, "configs", "default.yaml"))
        sh([pcmsim, "sweep", "run", spec, "-j", "2", "--no-progress", "--out", sweep_dir], cwd=ROOT)
        sh([pcmsim, "sweep", "collect", sweep_dir], cwd=ROOT)
        sh([pcmsim, "report", run_dir], cwd=ROOT)
        sh([pcmsim, "report", sweep_dir], cwd=ROOT)
        failed = False
        # Run: energy by class and by layer, latency, utilization, accuracy over time, area: 6
        # charts; summary, energy, layers, accuracy tables. Sweep: Pareto and the grid; summary
        # and points tables.
        for name, path, svgs, tables in [("run", run_dir, 6, 4), ("sweep", sweep_dir, 2, 2)]:
            shot = os.path.join(t, "report-%s.png" % name)
            problems, n_svg, n_table = check_page(os.path.join(path, "report.html"), svgs, tables,
                                                  shot, t)
            print("%s report: %d charts, %d tables, %s" % (name, n_svg, n_table,
                                                           "; ".join(problems) or "ok"))
            failed = failed or bool(problems)
            if shots and os.path.exists(shot):
                os.makedirs(shots, exist_ok=True)
                shutil.copy(shot, os.path.join(shots, "report-%s.png" % name))
        # The check must see a console error when there is one.
        bad = os.path.join(t, "bad.html")
        with open(bad, "w") as f:
            f.write("<!DOCTYPE html><html><body><p>x</p><script>not_defined();</script>"
                    "</body></html>")
        _, err = chromium(["--dump-dom", "file://" + bad], t)
        if not console_messages(err):
            print("the console check missed a page's script error")
            failed = True
        else:
            print("broken page: its console error is seen")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
