#!/usr/bin/env python3
"""Train a small Fashion-MNIST MLP and export it as an ONNX workload for pcmsim.

The model is a 784-256-128-10 multilayer perceptron::

    Flatten -> Linear(784, 256) -> ReLU -> Linear(256, 128) -> ReLU -> Linear(128, 10)

Preprocessing is ``x = pixel * (1/255)`` followed by ``(x - mean) / std`` where
``mean`` and ``std`` are computed over every pixel of the 60,000 training
images and rounded to 4 decimals.  The *rounded* values are used for training
and evaluation and are written to a sidecar YAML file next to the ONNX file
(same stem, ``.yaml``) so that the simulator can reproduce the exact input
transformation.

Hardware-aware training (``--weight-noise S``): during training every Linear
weight matrix ``W`` is replaced, for each mini-batch, by
``W + N(0, (S * max|W|)^2)`` (noise redrawn every mini-batch, gradient flows to
``W``; the noise scale itself is treated as a constant).  No noise is applied
at evaluation time or in the exported model.

After training the script

1. evaluates FP32 accuracy on all 10,000 test images with PyTorch,
2. exports ONNX (opset 13, input ``input`` of shape [N,1,28,28] with a dynamic
   batch axis, output ``logits``, constant folding enabled),
3. reloads the ONNX file with the ``onnx`` package, runs the checker, and
   evaluates the exported graph with an independent numpy float32 forward pass
   (Flatten / Gemm / MatMul / Add / Relu); the correct count must equal the
   PyTorch count,
4. writes the sidecar YAML.

Example (from the repository root; Debian's interpreter has torch/onnx)::

    /usr/bin/python3 tools/train_mlp.py --out workloads/models/mlp_fmnist.onnx
    /usr/bin/python3 tools/train_mlp.py --weight-noise 0.05 \\
        --out workloads/models/mlp_fmnist_noise.onnx
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shlex
import sys
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

try:  # torch >= 2.0
    from torch.func import functional_call as _functional_call
except ImportError:  # torch 1.13
    from torch.nn.utils.stateless import functional_call as _functional_call

IMAGE_MAGIC = 2051
LABEL_MAGIC = 2049
SCALE = 1.0 / 255.0  # repr() -> 0.00392156862745098
N_TRAIN = 60000
N_TEST = 10000
ROWS = COLS = 28
OPSET = 13

DATA_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------

def _read_gz(path: Path) -> bytes:
    if not path.is_file():
        sys.exit(f"error: dataset file not found: {path}")
    with gzip.open(path, "rb") as fh:
        return fh.read()


def load_idx_images(path: Path, expected_count: int) -> np.ndarray:
    """Read an IDX3 image file; returns uint8 array [count, 28, 28]."""
    raw = _read_gz(path)
    if len(raw) < 16:
        sys.exit(f"error: {path}: file too short for an IDX3 header")
    magic, count, rows, cols = np.frombuffer(raw[:16], dtype=">u4")
    if magic != IMAGE_MAGIC:
        sys.exit(f"error: {path}: bad magic {magic}, expected {IMAGE_MAGIC}")
    if (count, rows, cols) != (expected_count, ROWS, COLS):
        sys.exit(f"error: {path}: header says {count}x{rows}x{cols}, "
                 f"expected {expected_count}x{ROWS}x{COLS}")
    expected_bytes = 16 + count * rows * cols
    if len(raw) != expected_bytes:
        sys.exit(f"error: {path}: {len(raw)} bytes, expected {expected_bytes}")
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(count, rows, cols)


def load_idx_labels(path: Path, expected_count: int) -> np.ndarray:
    """Read an IDX1 label file; returns uint8 array [count]."""
    raw = _read_gz(path)
    if len(raw) < 8:
        sys.exit(f"error: {path}: file too short for an IDX1 header")
    magic, count = np.frombuffer(raw[:8], dtype=">u4")
    if magic != LABEL_MAGIC:
        sys.exit(f"error: {path}: bad magic {magic}, expected {LABEL_MAGIC}")
    if count != expected_count:
        sys.exit(f"error: {path}: header says {count} labels, expected {expected_count}")
    if len(raw) != 8 + count:
        sys.exit(f"error: {path}: {len(raw)} bytes, expected {8 + count}")
    labels = np.frombuffer(raw, dtype=np.uint8, offset=8)
    if labels.max() > 9:
        sys.exit(f"error: {path}: label value {labels.max()} out of range 0..9")
    return labels


def load_fashion_mnist(data_dir: Path):
    tr_x = load_idx_images(data_dir / DATA_FILES["train_images"], N_TRAIN)
    tr_y = load_idx_labels(data_dir / DATA_FILES["train_labels"], N_TRAIN)
    te_x = load_idx_images(data_dir / DATA_FILES["test_images"], N_TEST)
    te_y = load_idx_labels(data_dir / DATA_FILES["test_labels"], N_TEST)
    return tr_x, tr_y, te_x, te_y


def preprocess(images_u8: np.ndarray, mean: float, std: float) -> np.ndarray:
    """uint8 [N,28,28] -> float32 [N,1,28,28], (pixel*scale - mean) / std."""
    x = images_u8.astype(np.float32) * np.float32(SCALE)
    x = (x - np.float32(mean)) / np.float32(std)
    return x[:, None, :, :].astype(np.float32)


# --------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------

def build_model() -> nn.Sequential:
    return nn.Sequential(OrderedDict([
        ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(ROWS * COLS, 256)),
        ("relu1", nn.ReLU()),
        ("fc2", nn.Linear(256, 128)),
        ("relu2", nn.ReLU()),
        ("fc3", nn.Linear(128, 10)),
    ]))


def noisy_forward(model: nn.Sequential, x: torch.Tensor, weight_noise: float) -> torch.Tensor:
    """Training forward pass with additive Gaussian weight noise.

    Each Linear weight W is used as W + eps, eps ~ N(0, sigma^2) element-wise,
    sigma = weight_noise * max|W| (a constant w.r.t. autograd).  Noise is drawn
    afresh on every call, i.e. every mini-batch.
    """
    for layer in model:
        if isinstance(layer, nn.Linear):
            w = layer.weight
            sigma = weight_noise * w.detach().abs().max()
            w = w + torch.randn_like(w) * sigma
            x = F.linear(x, w, layer.bias)
        else:
            x = layer(x)
    return x


@torch.no_grad()
def torch_predict(model: nn.Module, x: torch.Tensor, batch: int = 1000) -> np.ndarray:
    model.eval()
    preds = [model(x[i:i + batch]).argmax(dim=1) for i in range(0, x.shape[0], batch)]
    return torch.cat(preds).numpy()


# --------------------------------------------------------------------------
# ONNX export and independent numpy re-evaluation
# --------------------------------------------------------------------------

def export_onnx(model: nn.Module, path: Path) -> None:
    model.eval()
    dummy = torch.zeros(1, 1, ROWS, COLS, dtype=torch.float32)
    torch.onnx.export(
        model, dummy, str(path),
        export_params=True,
        opset_version=OPSET,
        do_constant_folding=True,
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
    )


def _attrs(node) -> dict:
    import onnx
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def numpy_onnx_forward(model_proto, x: np.ndarray) -> np.ndarray:
    """Evaluate an ONNX MLP graph in numpy float32.

    Supports Flatten, Gemm, MatMul, Add and Relu; anything else is an error.
    """
    from onnx import numpy_helper

    graph = model_proto.graph
    env = {init.name: numpy_helper.to_array(init).astype(np.float32)
           for init in graph.initializer}
    graph_inputs = [i.name for i in graph.input if i.name not in env]
    if len(graph_inputs) != 1:
        raise RuntimeError(f"expected exactly one graph input, got {graph_inputs}")
    env[graph_inputs[0]] = x.astype(np.float32)

    for node in graph.node:
        a = _attrs(node)
        ins = [env[n] for n in node.input if n]
        op = node.op_type
        if op == "Flatten":
            axis = a.get("axis", 1)
            t = ins[0]
            if axis < 0:
                axis += t.ndim
            lead = int(np.prod(t.shape[:axis], dtype=np.int64))
            out = t.reshape(lead, -1)
        elif op == "Gemm":
            A, B = ins[0], ins[1]
            if a.get("transA", 0):
                A = A.T
            if a.get("transB", 0):
                B = B.T
            out = np.float32(a.get("alpha", 1.0)) * (A @ B)
            if len(ins) > 2:
                out = out + np.float32(a.get("beta", 1.0)) * ins[2]
        elif op == "MatMul":
            out = ins[0] @ ins[1]
        elif op == "Add":
            out = ins[0] + ins[1]
        elif op == "Relu":
            out = np.maximum(ins[0], np.float32(0.0))
        else:
            raise RuntimeError(f"unsupported ONNX op {op} (node {node.name!r})")
        env[node.output[0]] = out.astype(np.float32, copy=False)

    return env[graph.output[0].name]


def describe_onnx(model_proto) -> str:
    from onnx import numpy_helper
    lines = ["ONNX nodes:"]
    for node in model_proto.graph.node:
        attrs = ", ".join(f"{k}={v}" for k, v in _attrs(node).items())
        lines.append(f"  {node.op_type:8s} {node.name:12s} "
                     f"{list(node.input)} -> {list(node.output)}"
                     + (f"  [{attrs}]" if attrs else ""))
    lines.append("ONNX initializers:")
    for init in model_proto.graph.initializer:
        lines.append(f"  {init.name:12s} {list(numpy_helper.to_array(init).shape)}")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Sidecar
# --------------------------------------------------------------------------

def write_sidecar(path: Path, *, name: str, mean: float, std: float, correct: int,
                  n_test: int, command: str, args, threads: int) -> None:
    acc = 100.0 * correct / n_test
    text = (
        f"# Sidecar for {name}.onnx, written by tools/train_mlp.py.\n"
        f"# Input transform: x = (pixel * scale - mean) / std, pixel in 0..255.\n"
        f"model: {name}\n"
        f"onnx: {name}.onnx\n"
        f"architecture: \"MLP 784-256-128-10 (Flatten, Gemm, Relu, Gemm, Relu, Gemm)\"\n"
        f"input_name: input\n"
        f"output_name: logits\n"
        f"input_shape: [1, 28, 28]\n"
        f"preprocessing:\n"
        f"  scale: {SCALE!r}\n"
        f"  mean: {mean:.4f}\n"
        f"  std: {std:.4f}\n"
        f"dataset: fashion-mnist\n"
        f"fp32_test_correct: {correct}\n"
        f"fp32_test_images: {n_test}\n"
        f"fp32_test_accuracy: {acc:.2f}\n"
        f"training:\n"
        f"  command: {json.dumps(command)}\n"
        f"  epochs: {args.epochs}\n"
        f"  batch_size: {args.batch_size}\n"
        f"  lr: {args.lr!r}\n"
        f"  optimizer: adam\n"
        f"  seed: {args.seed}\n"
        f"  weight_noise: {args.weight_noise!r}\n"
        f"  hwa_device_table: {json.dumps(str(args.hwa) if args.hwa else None)}\n"
        f"  hwa_t_min_s: {args.hwa_t_min!r}\n"
        f"  threads: {threads}\n"
        f"  torch_version: {json.dumps(torch.__version__)}\n"
    )
    path.write_text(text)


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Train a 784-256-128-10 MLP on Fashion-MNIST and export ONNX "
                    "plus a preprocessing sidecar YAML for pcmsim.")
    p.add_argument("--epochs", type=int, default=15, help="training epochs (default 15)")
    p.add_argument("--batch-size", type=int, default=128, help="mini-batch size (default 128)")
    p.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate (default 1e-3)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--weight-noise", type=float, default=0.0,
                   help="hardware-aware training: additive Gaussian weight noise, "
                        "sigma = WEIGHT_NOISE * max|W| per layer, redrawn every "
                        "mini-batch, training only (default 0 = off)")
    p.add_argument("--hwa", type=Path, default=None, metavar="DEVICE_JSON",
                   help="hardware-aware training on the chip whose device table pcmsim wrote "
                        "(pcmsim validate CONFIG --export-device DEVICE_JSON; tools/hwa.py)")
    p.add_argument("--hwa-t-min", type=float, default=1.0,
                   help="--hwa: earliest read time drawn, seconds (default 1)")
    p.add_argument("--data-dir", type=Path, default=Path("/usr/share/datasets/fashion-mnist"),
                   help="directory with the Fashion-MNIST IDX .gz files")
    p.add_argument("--out", type=Path, required=True,
                   help="output .onnx path; the sidecar is written next to it with .yaml")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                   help="torch CPU threads (default: all cores)")
    args = p.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1 or args.lr <= 0 or args.weight_noise < 0:
        p.error("epochs/batch-size must be >= 1, lr > 0, weight-noise >= 0")
    if args.hwa is not None and args.weight_noise > 0:
        p.error("--hwa and --weight-noise are two kinds of noise training: choose one")
    if args.hwa is not None and not args.hwa.is_file():
        p.error(f"--hwa: no such file: {args.hwa} (write it with pcmsim validate CONFIG "
                f"--export-device FILE)")
    if args.out.suffix != ".onnx":
        p.error("--out must end in .onnx")
    return args


def seed_everything(seed: int, threads: int) -> None:
    """Thread count and every seed, with deterministic torch kernels."""
    torch.set_num_threads(max(1, threads))
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


def prepare_data(data_dir: Path):
    """Fashion-MNIST, preprocessed with the training set's mean and std rounded to 4 decimals.

    Returns (train_x, train_y, test_x_np, test_x, test_y, mean, std).
    """
    tr_x_u8, tr_y, te_x_u8, te_y = load_fashion_mnist(data_dir)
    scaled = tr_x_u8.astype(np.float64) * SCALE
    mean_exact, std_exact = float(scaled.mean()), float(scaled.std())
    mean, std = round(mean_exact, 4), round(std_exact, 4)
    print(f"train pixel mean={mean_exact:.6f} std={std_exact:.6f} "
          f"-> using rounded mean={mean:.4f} std={std:.4f}")
    train_x = torch.from_numpy(preprocess(tr_x_u8, mean, std))
    train_y = torch.from_numpy(tr_y.astype(np.int64))
    test_x_np = preprocess(te_x_u8, mean, std)
    test_x = torch.from_numpy(test_x_np)
    test_y = te_y.astype(np.int64)
    return train_x, train_y, test_x_np, test_x, test_y, mean, std


def main(argv=None) -> int:
    args = parse_args(argv)
    command = shlex.join([sys.executable] + sys.argv)

    seed_everything(args.seed, args.threads)
    train_x, train_y, test_x_np, test_x, test_y, mean, std = prepare_data(args.data_dir)

    # ---- training -------------------------------------------------------
    model = build_model()
    hwa = None
    if args.hwa is not None:
        from hwa import DeviceTable, HwaTraining
        table = DeviceTable(args.hwa, args.hwa_t_min)
        print("hardware-aware training: " + table.describe())
        hwa = HwaTraining(model, table, args.seed)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    shuffle_gen = torch.Generator().manual_seed(args.seed)
    n = train_x.shape[0]
    t0 = time.time()
    for epoch in range(1, args.epochs + 1):
        model.train()
        perm = torch.randperm(n, generator=shuffle_gen)
        total_loss, total_correct = 0.0, 0
        for i in range(0, n, args.batch_size):
            idx = perm[i:i + args.batch_size]
            xb, yb = train_x[idx], train_y[idx]
            if hwa is not None:
                hwa.active = True
                logits = _functional_call(model, hwa.weights(), (xb,))
                hwa.active = False
            elif args.weight_noise > 0:
                logits = noisy_forward(model, xb, args.weight_noise)
            else:
                logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total_loss += loss.item() * idx.numel()
            total_correct += int((logits.argmax(1) == yb).sum())
        test_acc = 100.0 * (torch_predict(model, test_x) == test_y).mean()
        print(f"epoch {epoch:2d}/{args.epochs}  loss {total_loss / n:.4f}  "
              f"train {100.0 * total_correct / n:.2f}%  test {test_acc:.2f}%  "
              f"({time.time() - t0:.1f}s)", flush=True)

    # ---- FP32 evaluation -------------------------------------------------
    torch_pred = torch_predict(model, test_x)
    torch_correct = int((torch_pred == test_y).sum())

    # ---- ONNX export + independent re-evaluation ------------------------
    import onnx

    args.out.parent.mkdir(parents=True, exist_ok=True)
    export_onnx(model, args.out)
    proto = onnx.load(str(args.out))
    onnx.checker.check_model(proto)
    print(describe_onnx(proto))

    onnx_logits = numpy_onnx_forward(proto, test_x_np)
    onnx_pred = onnx_logits.argmax(axis=1)
    onnx_correct = int((onnx_pred == test_y).sum())
    with torch.no_grad():
        ref_logits = model(test_x).numpy()
    max_diff = float(np.abs(onnx_logits - ref_logits).max())
    n_disagree = int((onnx_pred != torch_pred).sum())

    print(f"FP32 torch test correct: {torch_correct}/{N_TEST} "
          f"({100.0 * torch_correct / N_TEST:.2f}%)")
    print(f"FP32 ONNX/numpy correct: {onnx_correct}/{N_TEST} "
          f"({100.0 * onnx_correct / N_TEST:.2f}%)  "
          f"max|logit diff|={max_diff:.3e}  prediction disagreements={n_disagree}")
    assert onnx_correct == torch_correct, \
        f"ONNX numpy count {onnx_correct} != torch count {torch_correct}"

    # ---- sidecar ---------------------------------------------------------
    sidecar = args.out.with_suffix(".yaml")
    write_sidecar(sidecar, name=args.out.stem, mean=mean, std=std,
                  correct=torch_correct, n_test=N_TEST, command=command,
                  args=args, threads=torch.get_num_threads())
    print(f"wrote {args.out} and {sidecar}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
