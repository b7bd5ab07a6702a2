#!/usr/bin/python3
"""pcmsim against its PyTorch peer (tools/bench/torch_reference.py): speed and accuracy.

Both run the aihwkit-compatible preset (configs/aihwkit.yaml) on the same network and the same
Fashion-MNIST test images, one thread each, one after the other:

  speed     pcmsim: `pcmsim bench CONFIG --evaluations E --threads 1`, its "functional" line;
            the peer: the same work (prepare at 1 day with global compensation, the config's
            simulation.time and simulation.compensation, then a pass over the images), E times,
            in torch.inference_mode on one thread. Each round runs pcmsim then the peer; the
            best of the rounds counts for each (the machine may be shared).
  accuracy  pcmsim: `pcmsim run CONFIG -p inference.times=[...] -p inference.repeats=P ...`,
            the cells of stats.json; the peer: P programmings of its own. Per (time,
            compensation): both means, their standard errors (std / sqrt(P)) and
            |difference| / combined standard error, which should stay within 2.

LeNet-5 runs configs/aihwkit.yaml with -p workload.onnx=workloads/models/lenet5_fmnist.onnx
(the same aihwkit_tiles chip).

Usage (from anywhere; /usr/bin/python3 has torch and onnx):

  /usr/bin/python3 tools/bench/torch_vs_pcmsim.py                       # MLP, 10 programmings
  /usr/bin/python3 tools/bench/torch_vs_pcmsim.py --networks mlp,lenet5 --images 2000 \\
      --programmings 5
  /usr/bin/python3 tools/bench/torch_vs_pcmsim.py --networks lenet5 --images 1000 --no-accuracy
  /usr/bin/python3 tools/bench/torch_vs_pcmsim.py --networks mlp,lenet5 --images 2000 \
      --noiseless --no-accuracy --evaluations 0     # the deterministic cross-check alone
  /usr/bin/python3 tools/bench/torch_vs_pcmsim.py --json out/torch_vs_pcmsim.json
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from typing import List, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_reference as tr  # noqa: E402

CONFIG = "configs/aihwkit.yaml"
NETWORKS = {"mlp": "workloads/models/mlp_fmnist.onnx",
            "lenet5": "workloads/models/lenet5_fmnist.onnx"}
# pcmsim bench's line, e.g. "functional (1 threads): 3 x 10000 images in 2.370 s: 12657 images/s"
BENCH_LINE = re.compile(r"functional \((\S+) threads?\): (\d+) x (\d+) images in ([\d.]+) s: "
                        r"([\d.]+) images/s.*?top-1 ([\d.]+) %")
SPEED_TIME, SPEED_COMP = 86400.0, "global"  # configs/aihwkit.yaml simulation.time, .compensation


def pcmsim(binary: str, args: List[str], tries: int = 5) -> str:
    """Runs pcmsim from the repository root; waits and retries while the binary is missing or
    being rebuilt (it cannot start); any other failure raises with pcmsim's message."""
    for attempt in range(tries):
        try:
            r = subprocess.run([binary] + args, cwd=tr.REPO, capture_output=True, text=True)
        except OSError as e:  # missing or busy while the linker writes it
            if attempt + 1 == tries:
                raise
            print(f"  pcmsim did not start ({e}); retrying in 60 s", file=sys.stderr)
            time.sleep(60)
            continue
        if r.returncode == 0:
            return r.stdout
        if r.returncode in (126, 127, -11, -7) and attempt + 1 < tries:
            print(f"  pcmsim failed to start (exit {r.returncode}); retrying in 60 s",
                  file=sys.stderr)
            time.sleep(60)
            continue
        raise RuntimeError(f"pcmsim {' '.join(args)} failed ({r.returncode}):\n{r.stderr}")
    raise RuntimeError("unreachable")


def overrides(net: str, images: int) -> List[str]:
    """The -p overrides of @p net: its ONNX file (a -p path is relative to the working directory,
    docs/config.md) and the functional images (0: the whole test set)."""
    return ["-p", f"workload.onnx={NETWORKS[net]}", "-p", f"inference.images={images}"]


def pcmsim_speed(binary: str, net: str, images: int, evaluations: int) -> dict:
    # The cycle-level part of bench is not compared: 10 images keep it short.
    out = pcmsim(binary, ["bench", CONFIG, "--evaluations", str(evaluations), "--threads", "1",
                          "-p", "simulation.images=10"] + overrides(net, images))
    m = BENCH_LINE.search(out)
    if not m:
        raise RuntimeError(f"no functional line in pcmsim bench's output:\n{out}")
    return {"threads": m.group(1), "evaluations": int(m.group(2)), "images": int(m.group(3)),
            "seconds": float(m.group(4)), "images_per_s": float(m.group(5)),
            "top1": float(m.group(6)) / 100}


def pcmsim_accuracy(binary: str, net: str, images: int, programmings: int,
                    times: List[str], seed: int) -> List[dict]:
    with tempfile.TemporaryDirectory(prefix="torch_vs_pcmsim_") as out_dir:
        pcmsim(binary, ["run", CONFIG, "-p", f"simulation.seed={seed}",
                        "-p", f"inference.times=[{','.join(times)}]",
                        "-p", "inference.compensation=[none,global]",
                        "-p", f"inference.repeats={programmings}", "-p", "simulation.images=100",
                        "--out", out_dir, "--threads", "1", "--no-progress"]
               + overrides(net, images))
        with open(os.path.join(out_dir, "stats.json")) as f:
            return json.load(f)["inference"]


# Noiseless check: no device noise (pcmsim then maps weights exactly), no output noise, and an
# ADC range of 0.7 (weight units) with 3 passes so that bound management runs often; both sides
# are then deterministic and should agree image for image up to float rounding.
NOISELESS = {"device.prog_noise_scale": 0, "device.drift_scale": 0, "device.read_noise_scale": 0,
             "adc.out_noise": 0, "adc.range": 0.7, "bm_max_passes": 3}


def noiseless_check(args: argparse.Namespace, net: str, x, labels) -> dict:
    cfg = []
    for k, v in NOISELESS.items():
        cfg += ["-p", f"chip.tile.core.{k}={v}"]
    with tempfile.TemporaryDirectory(prefix="torch_vs_pcmsim_") as out_dir:
        pcmsim(args.pcmsim, ["run", CONFIG, "-p", "inference.times=[1s]", "-p",
                             "inference.compensation=[none]", "-p", "inference.repeats=1", "-p",
                             "simulation.images=10", "--out", out_dir, "--threads", "1",
                             "--no-progress"] + cfg + overrides(net, args.images))
        with open(os.path.join(out_dir, "stats.json")) as f:
            p = json.load(f)["inference"][0]["mean"]
    preset = tr.Preset(prog_scale=0, drift_scale=0, read_scale=0, out_noise=0, adc_bound=0.7,
                       max_passes=3, accumulate=args.accumulate)
    peer = tr.AnalogNetwork(os.path.join(tr.REPO, NETWORKS[net]), preset)
    t = tr.evaluate_over_time(peer, x, labels, [1.0], ["none"], 1)[0]["mean"]
    print(f"  noiseless check: top-1 pcmsim {100 * p:.2f} %, torch {100 * t:.2f} % "
          f"(correct counts differ by {round(abs(p - t) * x.shape[0])})", flush=True)
    return {"pcmsim": p, "torch": t}


def se(cell: dict) -> float:
    return cell["std"] / math.sqrt(len(cell["accuracy"]))


def compare_network(args: argparse.Namespace, net: str) -> dict:
    onnx_path = os.path.join(tr.REPO, NETWORKS[net])
    print(f"== {net}: {NETWORKS[net]}", flush=True)
    check = pcmsim(args.pcmsim, ["validate", CONFIG] + overrides(net, args.images))
    print("  pcmsim validate: " + check.splitlines()[1].strip(), flush=True)
    peer = tr.AnalogNetwork(onnx_path, tr.Preset(accumulate=args.accumulate))
    x, labels = tr.load_dataset(onnx_path, args.images)
    batch = min(args.batch or peer.auto_batch(x), x.shape[0])
    res: dict = {"network": net, "images": x.shape[0], "batch": batch}
    if args.noiseless:
        res["noiseless"] = noiseless_check(args, net, x, labels)
    if args.evaluations > 0:
        best_p: Optional[dict] = None
        best_t: Optional[dict] = None
        for rnd in range(args.rounds):
            p = pcmsim_speed(args.pcmsim, net, args.images, args.evaluations)
            t = tr.measure_speed(peer, x, labels, args.evaluations, SPEED_TIME, SPEED_COMP, batch)
            print(f"  speed round {rnd + 1}: pcmsim {p['images_per_s']:.0f} images/s, torch "
                  f"{t['images_per_s']:.0f} images/s (pass alone {t['pass_images_per_s']:.0f})",
                  flush=True)
            best_p = p if best_p is None or p["images_per_s"] > best_p["images_per_s"] else best_p
            best_t = t if best_t is None or t["images_per_s"] > best_t["images_per_s"] else best_t
        res["pcmsim_speed"], res["torch_speed"] = best_p, best_t
    if args.programmings > 0:
        t0 = time.perf_counter()
        pc = pcmsim_accuracy(args.pcmsim, net, args.images, args.programmings, args.times,
                             args.seed)
        t1 = time.perf_counter()
        tc = tr.evaluate_over_time(peer, x, labels, [tr.parse_time(s) for s in args.times],
                                   ["none", "global"], args.programmings, batch, args.seed)
        t2 = time.perf_counter()
        print(f"  accuracy: pcmsim {t1 - t0:.1f} s, torch {t2 - t1:.1f} s", flush=True)
        rows = []
        for c in tc:
            p = next(q for q in pc if q["time_s"] == c["time_s"]
                     and q["compensation"] == c["compensation"])
            comb = math.hypot(se(p), se(c))
            diff = abs(p["mean"] - c["mean"])
            z = diff / comb if comb > 0 else (0.0 if diff == 0 else math.inf)
            rows.append({"time": p["time"], "compensation": c["compensation"], "pcmsim": p,
                         "torch": c, "z": z})
        res["accuracy"] = rows
    return res


def report(results: List[dict], args: argparse.Namespace) -> None:
    if args.evaluations > 0:
        speed_table(results, args)
    if args.programmings > 0:
        accuracy_table(results, args)


def speed_table(results: List[dict], args: argparse.Namespace) -> None:
    print(f"\nspeed: functional path, {args.evaluations} evaluations each (prepare at 1d with "
          f"global compensation + a pass over the images), one thread each, best of "
          f"{args.rounds} round(s); torch: images per pass 'batch' (chosen for speed), column "
          f"sums in {str(args.accumulate)[6:]}")
    print(f"  {'network':<8}{'images':>7}{'batch':>7}{'pcmsim img/s':>14}{'torch img/s':>13}"
          f"{'ratio':>8}  >= 1.5x")
    for r in results:
        if "pcmsim_speed" not in r:
            continue
        p, t = r["pcmsim_speed"]["images_per_s"], r["torch_speed"]["images_per_s"]
        print(f"  {r['network']:<8}{r['images']:>7}{r['batch']:>7}{p:>14.0f}{t:>13.0f}"
              f"{p / t:>8.2f}  {'yes' if p >= 1.5 * t else 'no'}")


def accuracy_table(results: List[dict], args: argparse.Namespace) -> None:
    print(f"\naccuracy: top-1 %, mean (standard error) over {args.programmings} programmings; "
          "z = |difference| / combined standard error")
    print(f"  {'network':<8}{'time':<6}{'comp':<8}{'pcmsim':>16}{'torch':>16}{'z':>7}  within 2")
    for r in results:
        for row in r.get("accuracy", []):
            p, t = row["pcmsim"], row["torch"]
            print(f"  {r['network']:<8}{row['time']:<6}{row['compensation']:<8}"
                  f"{100 * p['mean']:>9.2f} ({100 * se(p):.2f})"
                  f"{100 * t['mean']:>9.2f} ({100 * se(t):.2f}){row['z']:>7.2f}  "
                  f"{'yes' if row['z'] <= 2 else 'NO'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--networks", default="mlp", help="comma-separated: mlp, lenet5")
    ap.add_argument("--images", type=int, default=0, help="test images (0: all 10000)")
    ap.add_argument("--programmings", type=int, default=10, help="0: no accuracy comparison")
    ap.add_argument("--times", default="1s,1d,1y")
    ap.add_argument("--evaluations", type=int, default=3, help="per speed measurement; 0: none")
    ap.add_argument("--rounds", type=int, default=2, help="speed rounds; the best counts")
    ap.add_argument("--batch", type=int, default=0, help="torch images per pass (0: auto)")
    ap.add_argument("--float64", action="store_true",
                    help="torch column sums in double (pcmsim's sums before decision 56)")
    ap.add_argument("--seed", type=int, default=1,
                    help="seed of the programmings: pcmsim's simulation.seed and the peer's")
    ap.add_argument("--pcmsim", default=os.path.join(tr.REPO, "build/pcmsim"))
    ap.add_argument("--no-accuracy", action="store_true")
    ap.add_argument("--noiseless", action="store_true",
                    help="first check that both agree with every noise off (see NOISELESS)")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()
    args.times = args.times.split(",")
    args.accumulate = tr.torch.float64 if args.float64 else tr.torch.float32
    if args.no_accuracy:
        args.programmings = 0
    tr.set_threads(1)
    results = [compare_network(args, n) for n in args.networks.split(",")]
    report(results, args)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, default=str)


if __name__ == "__main__":
    main()
