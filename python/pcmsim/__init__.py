"""pcmsim from Python (docs/python.md).

    import pcmsim
    r = pcmsim.run("configs/default.yaml", overrides={"simulation.images": 100})
    r.stats["run"]["latency_cycles"], r.energy_by_class, r.layers
    pcmsim.functional("configs/aihwkit.yaml", times=["1s", "1d"], compensations=["global"],
                      repeats=3, images=500)
    pcmsim.from_torch(model, torch.zeros(1, 1, 28, 28))

Cycle-level runs (run, from_torch, sweep) execute the command line in a worker process each:
SystemC elaborates and simulates once per process. The functional accuracy over time runs in
this process (the compiled extension), without the SystemC kernel. Bad input raises
pcmsim.Error with the command line's message.
"""

import builtins
import json
import os
import shutil
import subprocess
import tempfile

import pandas as pd

from . import _build
from . import _pcmsim
from ._errors import Error

__all__ = [
    "Error",
    "Result",
    "run",
    "functional",
    "from_torch",
    "export_torch",
    "sweep",
    "list",
    "describe",
    "default_config",
    "load_idx",
    "__version__",
]

__version__ = _pcmsim.version()

#: The command line the workers run (this build's).
PCMSIM = os.environ.get("PCMSIM_BINARY", _build.PCMSIM)


def default_config():
    """The shipped default run config (configs/default.yaml)."""
    return _pcmsim.default_config()


def load_idx(path):
    """An IDX file (MNIST, Fashion-MNIST; raw or .gz, as Debian's dataset-fashion-mnist ships
    them under /usr/share/datasets/fashion-mnist) as a numpy array of its shape and type
    (uint8 images [N, rows, cols], uint8 labels [N])."""
    import gzip

    import numpy as np

    with (gzip.open if str(path).endswith(".gz") else open)(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise Error(f"{path}: not an IDX file of unsigned bytes (magic 00 00 08 NN)")
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    size = 1
    for d in shape:
        size *= d
    if len(data) != 4 + 4 * dims + size:
        raise Error(f"{path}: {len(data)} bytes, its header {shape} asks for {4 + 4 * dims + size}")
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def _value_text(v):
    """A Python value as `-p` reads it (YAML; JSON is YAML): lists, maps, numbers, text."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, (builtins.list, tuple, dict)):
        return json.dumps(v)
    raise TypeError(f"override value {v!r}: expected text, a number, a bool, a list or a map")


def _override_args(overrides):
    """``{"chip.tile.core.adc.bits": 7}`` (or ``["key=value", ...]``) as `-p` assignments."""
    if overrides is None:
        return []
    if isinstance(overrides, dict):
        return [f"{k}={_value_text(v)}" for k, v in overrides.items()]
    if isinstance(overrides, (builtins.list, tuple)):
        return [str(a) for a in overrides]
    raise TypeError("overrides: expected a dict {key.path: value} or a list of 'key.path=value'")


def _check(p, args):
    """Raises Error with the command line's message when the worker ``p`` failed."""
    if p.returncode != 0:
        err = p.stderr.strip()
        lines = [ln for ln in err.splitlines() if ln.startswith("pcmsim") and "error: " in ln]
        # "pcmsim: error: MSG" or "pcmsim COMMAND: error: MSG" (a bad argument)
        msg = lines[0].split("error: ", 1)[1] if lines else err
        raise Error(msg or f"pcmsim {args[0]} exited with status {p.returncode}")


def _cli(args):
    """Runs the command line; raises Error with its message when it fails. The GIL is released
    while the worker runs (the wait is a system call)."""
    p = subprocess.run([PCMSIM] + args, capture_output=True, text=True)
    _check(p, args)
    return p.stdout


class Result:
    """One cycle-level run's outputs (the files of its output folder).

    - ``report``: the text the command line prints (report.txt)
    - ``stats``: stats.json as a dict (``stats["run"]["latency_cycles"]``, ...)
    - ``layers``: layers.csv, one row per step, figures per image
    - ``accuracy_over_time``: one row per (time, compensation) of the run's ``inference:``
      plan (time, time_s, compensation, mean, std, accuracy: one value per programming); empty
      without a plan
    - ``energy_by_class``: energy per image by component class, in pJ
    - ``accuracy``: top-1 accuracy of the cycle-level run (None for synthetic inputs)
    - ``out``: the output folder (None when it was a temporary one, removed)
    """

    def __init__(self, folder, keep):
        with open(os.path.join(folder, "report.txt")) as f:
            self.report = f.read()
        with open(os.path.join(folder, "stats.json")) as f:
            self.stats = json.load(f)
        self.layers = pd.read_csv(os.path.join(folder, "layers.csv"))
        self.accuracy_over_time = _cells_frame(self.stats.get("inference", []))
        images = max(1, self.stats["run"]["images"])
        self.energy_by_class = pd.Series(
            {k: v / images for k, v in self.stats["energy_by_class_pj"].items()},
            name="pJ per image",
        )
        # Synthetic inputs have no labels: the report says so, and there is no accuracy.
        synthetic = "accuracy    not measured (synthetic inputs)" in self.report
        self.accuracy = None if synthetic else self.stats["run"]["accuracy"]
        self.out = folder if keep else None

    def __repr__(self):
        r = self.stats["run"]
        return (
            f"<pcmsim.Result {r['config']}: {r['images']} images, "
            f"{r['latency_cycles']:.1f} cycles, {r['energy_per_image_pj'] / 1e3:.3f} nJ per image>"
        )

    def __str__(self):
        return self.report


def _cells_frame(cells):
    cols = ["time", "time_s", "compensation", "mean", "std", "accuracy"]
    return pd.DataFrame([{c: cell[c] for c in cols} for cell in cells], columns=cols)


def run(config=None, overrides=None, out=None, threads=0):
    """Simulates ``config`` (default: the shipped configs/default.yaml) on the cycle-level chip,
    as ``pcmsim run CONFIG -p key=value ... --out OUT`` does, and returns its Result.

    overrides: ``{"key.path": value}`` (values as Python lists, maps, numbers or text) or a list
    of ``"key.path=value"``, applied in order. out: the output folder to keep (None: a temporary
    one, removed once read). threads: of the accuracy-over-time evaluation (0: one per core; the
    results do not depend on it).

    SystemC elaborates and simulates once per process, so each call runs the command line in a
    worker process; the GIL is released while it runs (threads of this process go on).
    Raises Error with the command line's message when the input is bad.
    """
    config = config or default_config()
    tmp = None if out else tempfile.mkdtemp(prefix="pcmsim-run-")
    folder = out or os.path.join(tmp, "run")
    try:
        _cli(
            ["run", str(config), "--out", str(folder), "--no-progress", "--threads", str(threads)]
            + [a for o in _override_args(overrides) for a in ("-p", o)]
        )
        return Result(folder, keep=out is not None)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def functional(
    config=None,
    overrides=None,
    times=None,
    compensations=None,
    repeats=None,
    images=None,
    threads=0,
):
    """Accuracy of the network on the chip ``config`` describes, at each time after programming
    x drift compensation, over ``repeats`` independent programmings, in this process (no SystemC
    kernel: the numerics of the cycle-level chip, the same as ``pcmsim run``'s accuracy-over-time
    table for the same config and seed).

    times: e.g. ``["1s", "1h", "1d", "1y"]``; compensations: from none, global, per_column,
    batchnorm; repeats: programmings per cell; images: test images per evaluation (0: all).
    Each left as None takes the config's ``inference:`` value (or its default).

    Returns a DataFrame, one row per (time, compensation): time, time_s, compensation, mean,
    std (over programmings), accuracy (one value per programming); ``.attrs`` holds the run's
    chip, network, images, seed and the model's FP32 accuracy (fp32_correct / fp32_images,
    from its sidecar, on the whole test set). Raises Error on bad input.
    """
    args = _override_args(overrides)
    plan = {
        "inference.times": times,
        "inference.compensation": compensations,
        "inference.repeats": repeats,
        "inference.images": images,
    }
    for k, v in plan.items():
        if v is not None:
            args.append(f"{k}={_value_text(builtins.list(v) if isinstance(v, tuple) else v)}")
    if all(v is None for v in plan.values()):
        args.append("inference.repeats=1")
    out = _pcmsim.functional(str(config or default_config()), args, int(threads))
    df = _cells_frame(out.pop("cells"))
    df.attrs.update(out)
    return df


def export_torch(module, example_input, path, input_name="input", output_name="logits"):
    """Writes ``module`` (a torch.nn.Module, in eval mode) as ONNX to ``path`` through
    torch.onnx, traced with ``example_input`` (one sample with its batch dimension, e.g. a
    1x1x28x28 tensor), batch dimension dynamic. Returns ``path``."""
    import torch

    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            torch.onnx.export(
                module,
                example_input,
                str(path),
                input_names=[input_name],
                output_names=[output_name],
                dynamic_axes={input_name: {0: "batch"}, output_name: {0: "batch"}},
                opset_version=13,
            )
    finally:
        module.train(was_training)
    return str(path)


def from_torch(
    module,
    example_input,
    config=None,
    overrides=None,
    preprocessing=None,
    mode="run",
    out=None,
    threads=0,
    **plan,
):
    """Exports ``module`` through torch.onnx to a temporary file and runs it on the chip of
    ``config`` (default configs/default.yaml) in place of the config's network: the path from a
    PyTorch workflow to pcmsim in one call.

    preprocessing: how the dataset's pixels become the network's inputs,
    ``{"scale": 1/255, "mean": 0.286, "std": 0.353}`` (x = (pixel x scale - mean) / std; the
    config's ``workload.preprocessing`` keys). mode "run": a cycle-level run, returns a Result
    (see run); mode "functional": the accuracy over time, returns functional()'s DataFrame, with
    ``plan`` its times, compensations, repeats, images.
    """
    if mode not in ("run", "functional"):
        raise ValueError(f"mode {mode!r}: expected 'run' or 'functional'")
    tmp = tempfile.mkdtemp(prefix="pcmsim-torch-")
    try:
        onnx = export_torch(module, example_input, os.path.join(tmp, "model.onnx"))
        args = _override_args(overrides) + [f"workload.onnx={onnx}"]
        for k, v in (preprocessing or {}).items():
            args.append(f"workload.preprocessing.{k}={_value_text(v)}")
        if mode == "run":
            return run(config, args, out=out, threads=threads)
        return functional(config, args, threads=threads, **plan)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def sweep(spec, out=None, jobs=1, threads=1):
    """Runs every point of a sweep (``pcmsim sweep run``; docs/sweeps.md) not done yet in
    ``out`` (default out/sweeps/<spec name>), ``jobs`` points at a time, each in its own
    process, then collects them (``pcmsim sweep collect``) and returns results.csv as a
    DataFrame, one row per point (its axes' values, metrics, status).

    spec: a spec file's path, or the spec as a dict (written as a file in the working
    directory for the run, since its paths are read relative to it, then removed; give ``out``).
    """
    tmp_spec = None
    if isinstance(spec, dict):
        if out is None:
            raise ValueError("a sweep spec given as a dict needs out (its folder)")
        fd, tmp_spec = tempfile.mkstemp(prefix=".pcmsim-sweep-", suffix=".yaml", dir=".")
        with os.fdopen(fd, "w") as f:
            json.dump(spec, f, indent=1)
        spec = tmp_spec
    try:
        args = ["sweep", "run", str(spec), "-j", str(jobs), "--threads", str(threads)]
        args += ["--no-progress"] + (["--out", str(out)] if out else [])
        p = subprocess.run([PCMSIM] + args, capture_output=True, text=True)
        if "error: " in p.stderr:
            # A bad spec: nothing ran. (Points that failed are rows with their status.)
            _check(p, args)
        folder = out or os.path.join("out", "sweeps", os.path.splitext(os.path.basename(spec))[0])
        _cli(["sweep", "collect", str(folder)])
        df = pd.read_csv(os.path.join(folder, "results.csv"))
        df.attrs["folder"] = str(folder)
        return df
    finally:
        if tmp_spec:
            os.remove(tmp_spec)


def list():  # noqa: A001 - the command line's name
    """Every registered implementation (``pcmsim list``): interface, name, description."""
    return pd.DataFrame(_pcmsim.implementations(), columns=["interface", "name", "description"])


def describe(name):
    """The parameters of the implementations called ``name`` (``pcmsim describe``; "sar" or
    "adc/sar"): one row each, with the implementation's interface and name, the parameter's
    key path, type, unit, default, range, whether it is required, and its description.
    Raises Error naming the registered implementations when there is none of that name."""
    rows = []
    for impl in _pcmsim.describe(name):
        for p in impl["parameters"]:
            rows.append({"interface": impl["interface"], "implementation": impl["name"], **p})
    cols = ["interface", "implementation", "path", "name", "type", "unit", "default", "range"]
    return pd.DataFrame(rows, columns=cols + ["required", "description"])
