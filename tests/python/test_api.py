"""The Python API (python/pcmsim) against the command line it wraps: every function's results
equal what `pcmsim` itself writes for the same config and overrides (an independent path:
another process, the CLI's own files and text), and every function's bad input raises
pcmsim.Error with the CLI's message. Run by ctest (tests/CMakeLists.txt) with PYTHONPATH set to
the build's python/ folder and PCMSIM_SOURCE_DIR to the repository."""

import json
import os
import subprocess
import tempfile

import numpy as np
import pytest
import torch
from torch import nn

import pcmsim

SRC = os.environ.get("PCMSIM_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
AIHWKIT = os.path.join(SRC, "configs", "aihwkit.yaml")
DEFAULT = os.path.join(SRC, "configs", "default.yaml")


def cli(*args, check=True):
    p = subprocess.run([pcmsim.PCMSIM, *args], capture_output=True, text=True)
    if check:
        assert p.returncode == 0, p.stderr
    return p


def cli_run(config, *overrides):
    """`pcmsim run` into a temporary folder: its stats.json and report.txt."""
    with tempfile.TemporaryDirectory() as d:
        args = ["run", config, "--no-progress", "--out", d]
        for o in overrides:
            args += ["-p", o]
        cli(*args)
        with open(os.path.join(d, "stats.json")) as f, open(os.path.join(d, "report.txt")) as g:
            return json.load(f), g.read()


def test_version_is_the_command_lines():
    assert cli("--version").stdout.strip() == f"pcmsim {pcmsim.__version__}"


def test_run_returns_what_the_command_line_writes():
    r = pcmsim.run(DEFAULT, overrides={"simulation.images": 40})
    stats, report = cli_run(DEFAULT, "simulation.images=40")
    for key in ["images", "correct", "latency_cycles", "total_cycles", "energy_pj"]:
        assert r.stats["run"][key] == stats["run"][key], key
    assert r.report == report
    assert r.out is None
    # The MLP's three Gemm nodes are the chip's three steps (layers.csv, one row each).
    assert list(r.layers.step) == ["/fc1/Gemm", "/fc2/Gemm", "/fc3/Gemm"]
    assert r.accuracy == pytest.approx(stats["run"]["correct"] / 40)
    # Energy per image by class, as the report's class table prints it (pJ/image, 2 decimals).
    for line in report.splitlines():
        parts = line.split()
        if len(parts) == 6 and parts[0] in r.energy_by_class.index and parts[0] != "leakage":
            assert r.energy_by_class[parts[0]] == pytest.approx(float(parts[1]), abs=0.006)
    assert r.accuracy_over_time.empty


def test_run_on_synthetic_inputs_has_no_accuracy():
    r = pcmsim.run(os.path.join(SRC, "configs", "zoo", "lenet5.yaml"),
                   overrides={"workload.dataset": {"format": "synthetic", "samples": 2},
                              "workload.calibration.images": "", "simulation.images": 2})
    assert r.accuracy is None and r.stats["run"]["images"] == 2


def test_run_keeps_its_folder_and_its_accuracy_over_time(tmp_path):
    out = tmp_path / "run"
    plan = {"inference.times": ["1s", "1d"], "inference.compensation": ["none", "global"],
            "inference.repeats": 2, "inference.images": 100, "simulation.images": 5}
    r = pcmsim.run(AIHWKIT, overrides=plan, out=str(out))
    assert r.out == str(out) and (out / "stats.json").exists() and (out / "layers.csv").exists()
    t = r.accuracy_over_time
    assert list(zip(t.time, t.compensation)) == [("1s", "none"), ("1s", "global"),
                                                  ("1d", "none"), ("1d", "global")]
    assert all(len(a) == 2 for a in t.accuracy)
    # Accuracies are counts over 100 images.
    assert all(abs(x * 100 - round(x * 100)) < 1e-9 for a in t.accuracy for x in a)


def test_run_raises_the_command_lines_error():
    with pytest.raises(pcmsim.Error) as e:
        pcmsim.run(DEFAULT, overrides={"chip.tile.core.adc.bits": 40})
    p = cli("run", DEFAULT, "--no-progress", "-p", "chip.tile.core.adc.bits=40", check=False)
    assert p.returncode == 1
    assert p.stderr.strip() == f"pcmsim: error: {e.value.message}"
    assert "adc.bits" in e.value.message and "40" in e.value.message
    # The place: the override that set it, and the parameter.
    assert e.value.file == "-p override" and e.value.line is None
    assert e.value.key == "chip.tile.core.adc.bits"


def test_run_error_names_the_config_file_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"include: {DEFAULT}\nsimulation:\n  numerics: exact\n")
    with pytest.raises(pcmsim.Error) as e:
        pcmsim.run(str(bad))
    assert e.value.file == str(bad) and e.value.line == 3
    assert "numerics" in e.value.message and "ideal" in e.value.message


PLAN = dict(times=["1s", "1d", "1y"], compensations=["none", "global", "per_column"], repeats=2,
            images=300)


def test_functional_equals_the_command_lines_accuracy_table():
    df = pcmsim.functional(AIHWKIT, **PLAN, threads=1)
    stats, _ = cli_run(AIHWKIT, "simulation.images=1", "inference.times=[1s,1d,1y]",
                       "inference.compensation=[none,global,per_column]", "inference.repeats=2",
                       "inference.images=300")
    assert len(df) == 9
    for row, cell in zip(df.itertuples(), stats["inference"]):
        assert (row.time, row.compensation) == (cell["time"], cell["compensation"])
        assert row.accuracy == cell["accuracy"]  # the same draws: bit for bit
        assert row.mean == cell["mean"] and row.std == cell["std"]
    assert df.attrs["images"] == 300 and df.attrs["repeats"] == 2
    assert df.attrs["fp32_correct"] == 8888 and df.attrs["fp32_images"] == 10000
    # Drift lowers the uncompensated accuracy from a second to a year (the MLP loses ~2 points
    # over 10,000 images, docs/accuracy.md; far more than 300 images' sampling error of a
    # difference between the same programmings).
    none = df[df.compensation == "none"].set_index("time")["mean"]
    assert none["1y"] < none["1s"]


def test_functional_is_the_same_on_any_thread_count():
    a = pcmsim.functional(AIHWKIT, times=["1d"], compensations=["global"], repeats=2,
                          images=200, threads=1)
    b = pcmsim.functional(AIHWKIT, times=["1d"], compensations=["global"], repeats=2,
                          images=200, threads=2)
    assert list(a.accuracy) == list(b.accuracy)


def test_functional_takes_the_configs_plan_when_given_none(tmp_path):
    cfg = tmp_path / "plan.yaml"
    cfg.write_text(f"include: {AIHWKIT}\ninference:\n  times: [1h]\n  compensation: [global]\n"
                   f"  repeats: 1\n  images: 50\n")
    df = pcmsim.functional(str(cfg))
    assert list(df.time) == ["1h"] and list(df.compensation) == ["global"]
    assert df.attrs["images"] == 50


def test_functional_raises_the_command_lines_error():
    with pytest.raises(pcmsim.Error) as e:
        pcmsim.functional(AIHWKIT, compensations=["sideways"])
    p = cli("validate", AIHWKIT, "-p", "inference.compensation=[sideways]", check=False)
    assert p.stderr.strip() == f"pcmsim: error: {e.value.message}"
    assert "sideways" in e.value.message and "per_column" in e.value.message
    with pytest.raises(pcmsim.Error, match="no_such.yaml"):
        pcmsim.functional("no_such.yaml")


class TinyCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 5, stride=2)
        self.fc = nn.Linear(4 * 12 * 12, 10)

    def forward(self, x):
        return self.fc(torch.flatten(torch.relu(self.conv(x)), 1))


PRE = {"scale": 1 / 255, "mean": 0.286, "std": 0.353}


@pytest.fixture(scope="module")
def tiny_cnn():
    """A CNN trained 100 mini-batches on Fashion-MNIST (seeded): well above chance."""
    torch.manual_seed(3)
    torch.set_num_threads(1)
    d = "/usr/share/datasets/fashion-mnist"
    images = pcmsim.load_idx(f"{d}/train-images-idx3-ubyte.gz")[:3200]
    x = torch.from_numpy(images.astype(np.float32))
    x = ((x / 255 - PRE["mean"]) / PRE["std"]).unsqueeze(1)
    labels = pcmsim.load_idx(f"{d}/train-labels-idx1-ubyte.gz")[:3200]
    y = torch.from_numpy(labels.astype(np.int64))
    m = TinyCnn()
    opt = torch.optim.Adam(m.parameters(), lr=3e-3)
    for i in range(0, 3200, 32):
        opt.zero_grad()
        nn.functional.cross_entropy(m(x[i:i + 32]), y[i:i + 32]).backward()
        opt.step()
    return m.eval()


def test_from_torch_equals_its_exported_onnx_through_the_command_line(tiny_cnn, tmp_path):
    r = pcmsim.from_torch(tiny_cnn, torch.zeros(1, 1, 28, 28), preprocessing=PRE,
                          overrides={"simulation.images": 200})
    onnx = pcmsim.export_torch(tiny_cnn, torch.zeros(1, 1, 28, 28), tmp_path / "tiny.onnx")
    stats, _ = cli_run(DEFAULT, "simulation.images=200", f"workload.onnx={onnx}",
                       f"workload.preprocessing.scale={1 / 255!r}", "workload.preprocessing.mean=0.286",
                       "workload.preprocessing.std=0.353")
    assert r.stats["run"]["correct"] == stats["run"]["correct"]
    assert r.stats["run"]["latency_cycles"] == stats["run"]["latency_cycles"]
    assert r.accuracy > 0.5  # trained: far above chance (0.1)
    # The network pcmsim ran is the module: its steps are the conv and the linear layer.
    assert list(r.layers.runs_on) == ["arrays", "arrays"]
    df = pcmsim.from_torch(tiny_cnn, torch.zeros(1, 1, 28, 28), preprocessing=PRE,
                           mode="functional", times=["1s"], compensations=["none"], repeats=1,
                           images=200)
    f = pcmsim.functional(DEFAULT, overrides={"workload.onnx": onnx, **{
        f"workload.preprocessing.{k}": v for k, v in PRE.items()}}, times=["1s"],
        compensations=["none"], repeats=1, images=200)
    assert df.accuracy[0] == f.accuracy[0]


def test_from_torch_raises_for_what_the_chip_cannot_run():
    class Odd(nn.Module):
        def forward(self, x):
            return torch.sin(x).flatten(1)[:, :10]

    with pytest.raises(pcmsim.Error, match="Sin"):
        pcmsim.from_torch(Odd(), torch.zeros(1, 1, 28, 28))
    with pytest.raises(ValueError, match="mode"):
        pcmsim.from_torch(Odd(), torch.zeros(1, 1, 28, 28), mode="fast")


def test_load_idx_reads_debians_fashion_mnist(tmp_path):
    d = "/usr/share/datasets/fashion-mnist"
    images = pcmsim.load_idx(f"{d}/train-images-idx3-ubyte.gz")
    labels = pcmsim.load_idx(f"{d}/train-labels-idx1-ubyte.gz")
    # Fashion-MNIST's training set: 60,000 images of 28 x 28, 6,000 of each of the 10 classes.
    assert images.shape == (60000, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [6000] * 10
    bad = tmp_path / "bad.idx"
    bad.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 9, 1, 2]))  # 9 labels announced, 2 present
    with pytest.raises(pcmsim.Error, match="bad.idx"):
        pcmsim.load_idx(bad)


def test_list_is_the_command_lines_registry():
    df = pcmsim.list()
    listed = set()
    interface = None
    for line in cli("list").stdout.splitlines():
        if not line.startswith(" "):
            interface = line.rstrip(":")
        else:
            listed.add((interface, line.split()[0]))
    assert set(zip(df.interface, df.name)) == listed
    assert ("adc", "sar") in listed
    with pytest.raises(TypeError):
        pcmsim.list("adc")


def test_describe_is_the_command_lines_table():
    df = pcmsim.describe("adc/sar")
    text = cli("describe", "adc/sar").stdout
    assert set(df.implementation) == {"sar"} and set(df.interface) == {"adc"}
    for row in df.itertuples():
        assert row.name in text
    bits = df[df.name == "bits"].iloc[0]
    assert bits.type == "int" and bits.default != ""
    with pytest.raises(pcmsim.Error) as e:
        pcmsim.describe("no_such_thing")
    p = cli("describe", "no_such_thing", check=False)
    assert p.stderr.strip() == f"pcmsim: error: {e.value.message}"


def test_sweep_points_equal_their_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(SRC)
    spec = {"sweep": {"base": "configs/default.yaml",
                      "axes": {"chip.tile.core.adc.bits": [6, 8], "simulation.images": [20]}}}
    df = pcmsim.sweep(spec, out=str(tmp_path / "sw"))
    assert len(df) == 2
    for bits in (6, 8):
        row = df[df["chip.tile.core.adc.bits"] == bits].iloc[0]
        r = pcmsim.run(DEFAULT, overrides={"chip.tile.core.adc.bits": bits, "simulation.images": 20})
        assert row["run.latency_cycles"] == pytest.approx(r.stats["run"]["latency_cycles"])
        assert row["run.energy_per_image_pj"] == pytest.approx(r.stats["run"]["energy_per_image_pj"])
    assert not [f for f in os.listdir(SRC) if f.startswith(".pcmsim-sweep-")]
    with pytest.raises(pcmsim.Error, match="no_such_key"):
        pcmsim.sweep({"sweep": {"base": "configs/default.yaml",
                                "axes": {"chip.no_such_key": [1, 2]}}}, out=str(tmp_path / "bad"))
