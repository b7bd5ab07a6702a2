#!/usr/bin/python3
"""pcmsim's speed on the torchvision ResNets, beside this machine's sgemm roofline.

Each round measures, one after the other (the machine may be shared: its speed drifts, so
every figure is printed per round and as the median over the rounds):

  sgemm      OpenBLAS single-precision matrix product (numpy, 2048 x 2048 x 2048, one thread,
             best of 5, the CPU's kernels named: blas_env.py): the roofline the functional
             path is held to.
  resnet18   `pcmsim bench configs/torchvision.yaml --evaluations 2 --threads T
             -p workload.dataset.samples=16 -p workload.calibration.count=1
             -p simulation.images=1`, its "the images alone" figure: the functional path's MAC
             rate over 16 images of 224 x 224 (1.81 GMAC each), T = 1 and 2.
  resnet50   `pcmsim bench configs/torchvision.yaml -p workload.onnx=out/models/resnet50.onnx
             --evaluations 1 --threads T`: the build (import, map, program, calibrate), one
             evaluation time's prepare, and the peak resident memory (the process's, from
             wait4), T = 1 and 2.

The networks are architecture-only exports (random weights, synthetic input); export them first:

  /usr/bin/python3 tools/export_torchvision.py --model resnet18 --out out/models/resnet18.onnx
  /usr/bin/python3 tools/export_torchvision.py --model resnet50 --out out/models/resnet50.onnx

Usage: /usr/bin/python3 tools/bench/resnet_speed.py [--rounds 5] [--binary build/pcmsim]
       [--json out/resnet_speed.json]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

os.environ["OPENBLAS_NUM_THREADS"] = "1"  # before numpy loads OpenBLAS
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from blas_env import openblas_core  # noqa: E402,F401  (names OpenBLAS's kernels)
import numpy as np  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS = {"resnet18": "out/models/resnet18.onnx", "resnet50": "out/models/resnet50.onnx"}
ALONE = re.compile(r"the images alone ([\d.]+) GMAC/s")
BUILD = re.compile(r"build \(config, import, map, program\)\s+([\d.]+) s")
PREPARE = re.compile(r"of which prepare \(read at t, compensation\) ([\d.]+) s")


def sgemm_gmacs(n: int = 2048, tries: int = 5) -> float:
    a = np.random.default_rng(1).random((n, n), dtype=np.float32)
    b = np.random.default_rng(2).random((n, n), dtype=np.float32)
    a @ b  # warm up
    best = float("inf")
    for _ in range(tries):
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    return n ** 3 / best * 1e-9


def run(args: list[str]) -> tuple[str, float]:
    """Runs a command from the repository root; its output and its peak resident memory in MB
    (the child's own, from wait4)."""
    with subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True) as p:
        out = p.stdout.read()
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"resnet_speed: {' '.join(args)} failed ({p.returncode}):\n{out}")
    return out, usage.ru_maxrss / 1024.0


def find(pattern: re.Pattern, text: str, what: str) -> float:
    m = pattern.search(text)
    if not m:
        sys.exit(f"resnet_speed: no {what} in pcmsim's output:\n{text}")
    return float(m.group(1))


def functional_rate(binary: str, threads: int, config: str = "configs/torchvision.yaml",
                    overrides: tuple = ("workload.dataset.samples=16",
                                        "workload.calibration.count=1",
                                        "simulation.images=1")) -> float:
    """The functional path's MAC rate over the images alone (bench's own figure)."""
    args = [binary, "bench", config, "--evaluations", "2", "--threads", str(threads)]
    for o in overrides:
        args += ["-p", o]
    return find(ALONE, run(args)[0], "'the images alone' rate")


def build_figures(binary: str, threads: int, config: str = "configs/torchvision.yaml",
                  overrides: tuple = (f"workload.onnx={MODELS['resnet50']}",)) -> dict:
    """The build's and one prepare's wall times, and the run's peak resident memory."""
    args = [binary, "bench", config, "--evaluations", "1", "--threads", str(threads)]
    for o in overrides:
        args += ["-p", o]
    out, peak_mb = run(args)
    return {"build_s": find(BUILD, out, "build time"), "prepare_s": find(PREPARE, out, "prepare"),
            "peak_mb": peak_mb}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--binary", default="build/pcmsim")
    ap.add_argument("--json", help="also write the figures here")
    a = ap.parse_args()
    for name, path in MODELS.items():
        if not os.path.exists(os.path.join(REPO, path)):
            sys.exit(f"resnet_speed: {path} is missing; export it first: /usr/bin/python3 "
                     f"tools/export_torchvision.py --model {name} --out {path}")
    binary = os.path.join(REPO, a.binary) if not os.path.isabs(a.binary) else a.binary
    rows = []
    print("round  sgemm  | ResNet-18 GMAC/s: 1 thread (/ sgemm), 2 threads "
          "| ResNet-50 build s, prepare s, peak MB: 1 thread; 2 threads")
    for k in range(a.rounds):
        row = {"sgemm": sgemm_gmacs(), "r18_1": functional_rate(binary, 1),
               "r18_2": functional_rate(binary, 2), "r50_1": build_figures(binary, 1),
               "r50_2": build_figures(binary, 2)}
        rows.append(row)
        one, two = row["r50_1"], row["r50_2"]
        print(f"{k + 1:5d}  {row['sgemm']:5.1f}  | {row['r18_1']:5.1f} "
              f"({row['r18_1'] / row['sgemm']:.2f})  {row['r18_2']:5.1f}  | "
              f"{one['build_s']:.2f} {one['prepare_s']:.3f} {one['peak_mb']:.0f}; "
              f"{two['build_s']:.2f} {two['prepare_s']:.3f} {two['peak_mb']:.0f}", flush=True)
    med = statistics.median
    summary = {
        "sgemm_gmacs": med(r["sgemm"] for r in rows),
        "resnet18_gmacs_1_thread": med(r["r18_1"] for r in rows),
        "resnet18_over_sgemm": med(r["r18_1"] / r["sgemm"] for r in rows),
        "resnet18_gmacs_2_threads": med(r["r18_2"] for r in rows),
        "resnet50_build_s_1_thread": med(r["r50_1"]["build_s"] for r in rows),
        "resnet50_build_s_2_threads": med(r["r50_2"]["build_s"] for r in rows),
        "resnet50_prepare_s_1_thread": med(r["r50_1"]["prepare_s"] for r in rows),
        "resnet50_peak_mb": med(r["r50_1"]["peak_mb"] for r in rows),
    }
    print("median " + ", ".join(f"{k} {v:.3g}" for k, v in summary.items()))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"rounds": rows, "median": summary}, f, indent=1)


if __name__ == "__main__":
    main()
