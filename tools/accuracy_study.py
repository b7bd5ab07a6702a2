#!/usr/bin/env python3
"""The zoo's accuracy study (docs/accuracy.md): plain vs hardware-aware-trained models over time
after programming, under every drift compensation, and what each compensation costs.

For each chip (a run config) and each zoo model, runs pcmsim's functional accuracy-over-time
evaluation (`inference:`) on the plain-trained and the hardware-aware-trained network (tools/
train_cnn.py --hwa, tools/train_mlp.py --hwa), at 1 s / 1 h / 1 d / 1 y after programming with
no, global, per-column and batch-norm compensation (the last only for networks whose ONNX keeps
its BatchNormalization nodes; they run with mapping.batchnorm: digital), over N programmings.
Then one short cycle-level run per compensation (a day after programming) gives its cost per
evaluation time: the readouts' (global, per_column) or the calibration images' (batchnorm)
MVMs, cycles and energy, as pcmsim's report states them.

Each run's folder (report.txt, stats.json) is kept under --out-dir; the tables go to stdout in
Markdown; --json writes every figure.

Usage (from the repository root, after building; about an hour for everything on 2 cores):
    /usr/bin/python3 tools/accuracy_study.py [--chips aihwkit,default] [--models resnet14,...]
        [--images 10000] [--repeats 10] [--threads 0] [--json out/accuracy_study.json]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODELS_DIR = "workloads/models"
# name: (run config, overrides, title). The aihwkit-compatible chip's 16 arrays of 512 x 512
# hold the MLP and LeNet-5; the CNNs need up to 40: it gets 16 tiles (64 arrays), its numerics
# unchanged.
CHIPS = {
    "aihwkit": ("configs/aihwkit.yaml", ["chip.tiles=16"],
                "aihwkit-compatible chip (configs/aihwkit.yaml, 16 tiles)"),
    "default": ("configs/default.yaml", [], "default chip (HERMES-like, configs/default.yaml)"),
}
# name: (plain-trained stem, hardware-aware-trained stem); a stem ending in _bn keeps its
# BatchNormalization nodes (the same training as the folded zoo file, exported with them).
MODELS = {
    "mlp": ("mlp_fmnist", "mlp_fmnist_hwa"),
    "lenet5": ("lenet5_fmnist", "lenet5_fmnist_hwa"),
    "resnet14": ("resnet14_fmnist_bn", "resnet14_fmnist_hwa"),
    "vgg8": ("vgg8_fmnist", "vgg8_fmnist_hwa"),
    "mobilenet": ("mobilenet_fmnist", "mobilenet_fmnist_hwa"),
}
TIMES = ["1s", "1h", "1d", "1y"]
COMPS = ["none", "global", "per_column", "batchnorm"]


def has_batchnorm(onnx_path: Path) -> bool:
    import onnx
    return any(n.op_type == "BatchNormalization" for n in onnx.load(str(onnx_path)).graph.node)


def pcmsim(args, config: str, out: Path, overrides: list) -> dict:
    cmd = [args.pcmsim, "run", config, "--no-progress", "--threads", str(args.threads), "--out",
           str(out)]
    for p in overrides:
        cmd += ["-p", p]
    print("running:", " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=REPO)
    return json.loads((REPO / out / "stats.json").read_text())


def study(args, chip: str, model: str, variant: str, stem: str) -> dict:
    config, chip_overrides, _ = CHIPS[chip]
    onnx = REPO / MODELS_DIR / (stem + ".onnx")
    bn = has_batchnorm(onnx)
    comps = COMPS if bn else [c for c in COMPS if c != "batchnorm"]
    base = [f"workload.onnx={MODELS_DIR}/{stem}.onnx", "simulation.compensation=none",
            "simulation.time=0s"] + chip_overrides
    if bn:
        base.append("mapping.batchnorm=digital")
    out = Path(args.out_dir) / chip / f"{model}-{variant}"
    stats = pcmsim(args, config, out, base + [
        "simulation.images=1", f"inference.times=[{','.join(TIMES)}]",
        f"inference.compensation=[{','.join(comps)}]", f"inference.repeats={args.repeats}",
        f"inference.images={args.images}"])
    # FP32 on the same images: ideal numerics reproduce the network's FP32 outputs.
    ideal = pcmsim(args, config, out / "fp32", base + [
        "simulation.numerics=ideal", "simulation.images=1", "inference.times=[0s]",
        "inference.compensation=[none]", "inference.repeats=1", f"inference.images={args.images}"])
    result = {"stem": stem, "fp32_correct": stats["run"].get("fp32_correct"),
              "fp32_images": 10000, "fp32_subset": ideal["inference"][0]["mean"],
              "cells": stats["inference"], "costs": {}, "images": args.images,
              "repeats": args.repeats}
    # The cost of each compensation per evaluation time, a day after programming.
    for comp in comps[1:]:
        s = pcmsim(args, config, out / f"cost-{comp}", base[:1] + base[3:] + [
            "simulation.images=20", "simulation.time=1d", f"simulation.compensation={comp}",
            "inference.repeats=1", "inference.times=[1d]", "inference.compensation=[none]",
            "inference.images=1"])
        r = s["run"]
        result["costs"][comp] = {k: r.get("compensation_" + k) for k in
                                 ("images", "mvms", "cycles", "energy_pj")}
        result["costs"][comp]["image_energy_pj"] = r["energy_per_image_pj"]
    return result


def fmt_cell(cells: list, t: str, comp: str) -> str:
    for c in cells:
        if c["time"] == t and c["compensation"] == comp:
            return f"{100 * c['mean']:.2f} ± {100 * c['std']:.2f}"
    return "—"


def tables(results: dict, args) -> str:
    lines = []
    for chip, models in results.items():
        lines.append(f"### {CHIPS[chip][2]}\n")
        lines.append("Top-1 % on the first N Fashion-MNIST test images, mean ± standard deviation "
                     "over the programmings; FP32 on the same images (pcmsim's ideal numerics) "
                     "and on all 10,000 (the model's sidecar).\n")
        header = ["model", "training", "N × programmings", "FP32 % (these / all)", "time"] + COMPS
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join("---" for _ in header) + "|")
        for model, variants in models.items():
            for variant, r in variants.items():
                fp32 = (100.0 * r["fp32_correct"] / r["fp32_images"]) if r["fp32_correct"] else 0
                both = f"{100 * r['fp32_subset']:.2f} / {fp32:.2f}"
                runs = f"{r['images']:,} × {r['repeats']}"
                for t in TIMES:
                    lines.append("| " + " | ".join(
                        [model, variant, runs, both, t] +
                        [fmt_cell(r["cells"], t, c) for c in COMPS]) + " |")
        lines.append("")
        lines.append("Cost of each compensation per evaluation time (a day after programming; "
                     "hardware-aware-trained model; cycle-level run of 20 images):\n")
        lines.append("| model | compensation | MVMs | cycles | energy nJ |")
        lines.append("|---|---|---|---|---|")
        for model, variants in models.items():
            r = variants.get("HWA") or next(iter(variants.values()))
            for comp, c in r["costs"].items():
                what = comp if comp != "batchnorm" else f"batchnorm ({c['images']} images)"
                lines.append(f"| {model} | {what} | {c['mvms']:,} | {c['cycles']:,} | "
                             f"{c['energy_pj'] / 1000:,.1f} |")
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pcmsim", default="build/pcmsim")
    ap.add_argument("--out-dir", default="out/accuracy_study")
    ap.add_argument("--chips", default="aihwkit,default")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--variants", default="plain,HWA",
                    help="which twins: plain, HWA or both (default)")
    ap.add_argument("--images", type=int, default=10000)
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--json", default="")
    ap.add_argument("--render", nargs="+", default=[], metavar="JSON",
                    help="print the tables of earlier --json files (merged in order) and exit")
    args = ap.parse_args(argv)
    results: dict = {}
    if args.render:
        for path in args.render:
            for chip, models in json.loads(Path(path).read_text()).items():
                for model, variants in models.items():
                    results.setdefault(chip, {}).setdefault(model, {}).update(variants)
        print(tables(results, args))
        return 0
    for chip in args.chips.split(","):
        if chip not in CHIPS:
            ap.error(f"--chips: unknown chip {chip!r} (known: {', '.join(CHIPS)})")
        for model in args.models.split(","):
            if model not in MODELS:
                ap.error(f"--models: unknown model {model!r} (known: {', '.join(MODELS)})")
            for variant, stem in zip(("plain", "HWA"), MODELS[model]):
                if variant not in args.variants.split(","):
                    continue
                if not (REPO / MODELS_DIR / (stem + ".onnx")).is_file():
                    print(f"skipping {stem}: no {MODELS_DIR}/{stem}.onnx", file=sys.stderr)
                    continue
                results.setdefault(chip, {}).setdefault(model, {})[variant] = \
                    study(args, chip, model, variant, stem)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    print(tables(results, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
