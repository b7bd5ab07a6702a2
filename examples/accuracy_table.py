"""docs/accuracy.md's first table from Python, and its plot.

The shipped Fashion-MNIST MLP, plain and noise-trained (5 % weight noise), on aihwkit's default
inference settings (configs/aihwkit.yaml): top-1 accuracy 1 s, 1 h, 1 day and 1 year after
programming, without and with global drift compensation, mean +- standard deviation over 10
programmings of the 10,000 test images: the table tools/accuracy_table.py prints through the
command line, here from pcmsim.functional in this process. Writes the plot as a PNG.

Usage (from the repository root, after the README's set-up command):
    PYTHONPATH=build/python /usr/bin/python3 examples/accuracy_table.py \
        [--images 10000] [--repeats 10] [--plot out/accuracy_table.png]
"""

import argparse
import os
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import pcmsim  # noqa: E402

MODELS = [
    ("plain", "workloads/models/mlp_fmnist.onnx"),
    ("noise-trained (5 % weight noise)", "workloads/models/mlp_fmnist_noise.onnx"),
]
TIMES = ["1s", "1h", "1d", "1y"]
COMPENSATIONS = ["none", "global"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--images", type=int, default=10000, help="test images per evaluation")
    ap.add_argument("--repeats", type=int, default=10, help="programmings per cell")
    ap.add_argument("--plot", default="out/accuracy_table.png")
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()

    tables = {}
    t0 = time.time()
    for label, onnx in MODELS:
        tables[label] = pcmsim.functional(
            "configs/aihwkit.yaml",
            overrides={"workload.onnx": onnx},
            times=TIMES,
            compensations=COMPENSATIONS,
            repeats=args.repeats,
            images=args.images,
            threads=args.threads,
        )
    seconds = time.time() - t0

    n = tables[MODELS[0][0]].attrs["images"]
    print(f"pcmsim {pcmsim.__version__}: top-1 accuracy (%) on {n:,} Fashion-MNIST test images, "
          f"mean ± standard deviation over {args.repeats} programmings.\n")
    header = ["model", "FP32 %", "time"] + [f"{c} compensation" for c in COMPENSATIONS]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for label, df in tables.items():
        fp32 = 100.0 * df.attrs["fp32_correct"] / df.attrs["fp32_images"]
        for t in TIMES:
            row = [label, f"{fp32:.2f}", t]
            for c in COMPENSATIONS:
                cell = df[(df.time == t) & (df.compensation == c)].iloc[0]
                row.append(f"{100 * cell['mean']:.2f} ± {100 * cell['std']:.2f}")
            print("| " + " | ".join(row) + " |")
    print(f"\n{len(MODELS) * len(TIMES) * len(COMPENSATIONS) * args.repeats} evaluations in "
          f"{seconds:.1f} s")

    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for (label, df), color in zip(tables.items(), ["tab:blue", "tab:orange"]):
        for c, style in zip(COMPENSATIONS, ["--", "-"]):
            d = df[df.compensation == c].sort_values("time_s")
            ax.errorbar(d.time_s, 100 * d["mean"], yerr=100 * d["std"], color=color, ls=style,
                        marker="o", capsize=3, label=f"{label}, {c} compensation")
    ax.set_xscale("log")
    ax.set_xticks([1, 3600, 86400, 31536000], TIMES)
    ax.set_xlabel("time after programming")
    ax.set_ylabel("top-1 accuracy (%)")
    ax.set_title("Fashion-MNIST MLP on configs/aihwkit.yaml")
    ax.legend(fontsize=8)
    fig.tight_layout()
    os.makedirs(os.path.dirname(args.plot) or ".", exist_ok=True)
    fig.savefig(args.plot, dpi=120)
    print(f"plot written to {args.plot}")


if __name__ == "__main__":
    main()
