#!/usr/bin/env python3
"""Regenerates the accuracy-over-time table of docs/accuracy.md.

Runs pcmsim with configs/aihwkit.yaml (aihwkit's default inference settings, 10 programmings,
1 s / 1 h / 1 day / 1 year, without and with global drift compensation) on the plain and the
noise-trained Fashion-MNIST MLP, and prints a Markdown table built from each run's stats.json.

Usage (from the repository root, after building):
    python3 tools/accuracy_table.py [--pcmsim build/pcmsim] [--out-dir out/accuracy] [-p key=value]...
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

MODELS = [
    ("plain", "workloads/models/mlp_fmnist.onnx"),
    ("noise-trained (5 % weight noise)", "workloads/models/mlp_fmnist_noise.onnx"),
]


def run(pcmsim: str, onnx: str, out: Path, extra: list) -> dict:
    cmd = [pcmsim, "run", "configs/aihwkit.yaml", "--no-progress", "--out", str(out), "-p", f"workload.onnx={onnx}"]
    for p in extra:
        cmd += ["-p", p]
    print("running:", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(out / "stats.json") as f:
        return json.load(f)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pcmsim", default="build/pcmsim")
    ap.add_argument("--out-dir", default="out/accuracy")
    ap.add_argument("-p", action="append", default=[], help="extra config override")
    args = ap.parse_args()

    rows = []
    for label, onnx in MODELS:
        stats = run(args.pcmsim, onnx, Path(args.out_dir) / Path(onnx).stem, args.p)
        fp32 = 100.0 * stats["run"]["fp32_correct"] / 10000.0
        cells = stats["inference"]
        comps = []
        for c in cells:
            if c["compensation"] not in comps:
                comps.append(c["compensation"])
        times = []
        for c in cells:
            if c["time"] not in times:
                times.append(c["time"])
        repeats = len(cells[0]["accuracy"])
        for t in times:
            row = [label, f"{fp32:.2f}", t]
            for comp in comps:
                c = next(x for x in cells if x["time"] == t and x["compensation"] == comp)
                row.append(f"{100 * c['mean']:.2f} ± {100 * c['std']:.2f}")
            rows.append(row)
    header = ["model", "FP32 %", "time"] + [f"{c} compensation" for c in comps]
    print(f"Top-1 accuracy (%) on the 10,000 Fashion-MNIST test images, mean ± standard deviation over "
          f"{repeats} programmings.\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
