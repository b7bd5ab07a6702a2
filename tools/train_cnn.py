#!/usr/bin/env python3
"""Train a small Fashion-MNIST CNN and export it as an ONNX workload for pcmsim.

Companion of ``tools/train_mlp.py``: same data loading (reused from that
script), same preprocessing (``x = (pixel * 1/255 - 0.2860) / 0.3530``, the
mean/std computed over the 60,000 training images and rounded to 4 decimals),
same ONNX interface and the same sidecar YAML keys.

Architectures (``--arch``), all for 1x28x28 inputs and 10 classes:

``lenet5``
    Conv(1->6, 5x5, pad 2) ReLU MaxPool2 -> Conv(6->16, 5x5) ReLU MaxPool2 ->
    Flatten -> Linear(400,120) ReLU -> Linear(120,84) ReLU -> Linear(84,10).
``resnet``
    ResNet-14 (ResNet-20-style with 2 BasicBlocks per stage): stem
    Conv(1->16, 3x3, pad 1)+BN+ReLU, 3 stages of 2 BasicBlocks (16, 32, 64
    channels; the first block of stages 2 and 3 has stride 2 and a 1x1
    conv + BN projection shortcut), global average pool, Linear(64,10).
``vgg8``
    VGG-8 in NeuroSim's shape (6 conv + 2 FC, 3 max-pools), width reduced for
    28x28x1: Conv 32,32,MaxPool, 64,64,MaxPool, 128,128,MaxPool (3x3, pad 1,
    BN+ReLU after each conv), Flatten, Linear(1152,256) ReLU, Linear(256,10).
``mobilenet``
    MobileNet-style: Conv(1->16, 3x3, pad 1)+BN+ReLU6, depthwise-separable
    blocks (depthwise 3x3 + BN + ReLU6, pointwise 1x1 + BN + ReLU6)
    16->32 (s1), 32->64 (s2), 64->64, 64->128 (s2), 128->128, global average
    pool, Linear(128,10).  ReLU6 exports as ONNX ``Clip``.

Hardware-aware training (``--weight-noise S``): during training every Conv and
Linear weight ``W`` is replaced, for each mini-batch, by
``W + N(0, (S * max|W|)^2)`` (noise redrawn every mini-batch, gradient flows to
``W``, the noise scale is a constant w.r.t. autograd).  Biases and BatchNorm
parameters are not perturbed.  No noise at evaluation or in the export.

Optimizer: Adam (default lr 1e-3), by default with per-mini-batch cosine
annealing of the learning rate to 0 over the whole run (``--lr-schedule``);
with only a few epochs this gives a markedly more stable final accuracy than
a constant rate.

After training the script

1. evaluates FP32 top-1 accuracy on all 10,000 test images (``model.eval()``),
2. exports ONNX in eval mode (opset 13, input ``input`` [N,1,28,28] with a
   dynamic batch axis, output ``logits``, constant folding enabled; the
   exporter folds eval-mode BatchNorm into the preceding Conv),
3. reloads the file, runs ``onnx.checker`` and evaluates the exported graph on
   all test images with an independent numpy float32 forward pass (Conv,
   MaxPool, GlobalAveragePool, Gemm, Relu, Clip, Add, Flatten, ...); its
   correct count must equal the PyTorch count,
4. writes the sidecar YAML (same stem as the ONNX file, ``.yaml``).

Training runs in the channels_last memory format (faster on CPU); the result
is deterministic for a given seed and thread count.

Example (from the repository root; Debian's interpreter has torch/onnx)::

    /usr/bin/python3 tools/train_cnn.py --arch lenet5 --epochs 10 \\
        --out workloads/models/lenet5_fmnist.onnx
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from collections import OrderedDict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# Keep numpy's BLAS (used by the ONNX re-evaluation) single-threaded unless the
# caller says otherwise; torch threads are set from --threads.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from train_mlp import (  # noqa: E402
    COLS, N_TEST, OPSET, ROWS, SCALE, prepare_data, seed_everything, torch_predict,
)

try:  # torch >= 2.0
    from torch.func import functional_call as _functional_call
except ImportError:  # torch 1.13
    from torch.nn.utils.stateless import functional_call as _functional_call


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------

def conv_bn(cin: int, cout: int, k: int = 3, stride: int = 1, groups: int = 1,
            act: type = nn.ReLU) -> nn.Sequential:
    """Conv (no bias) + BatchNorm + activation."""
    return nn.Sequential(OrderedDict([
        ("conv", nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2,
                           groups=groups, bias=False)),
        ("bn", nn.BatchNorm2d(cout)),
        ("act", act()),
    ]))


def build_lenet5() -> nn.Sequential:
    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(1, 6, 5, padding=2)),
        ("relu1", nn.ReLU()),
        ("pool1", nn.MaxPool2d(2)),
        ("conv2", nn.Conv2d(6, 16, 5)),
        ("relu2", nn.ReLU()),
        ("pool2", nn.MaxPool2d(2)),
        ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(16 * 5 * 5, 120)),
        ("relu3", nn.ReLU()),
        ("fc2", nn.Linear(120, 84)),
        ("relu4", nn.ReLU()),
        ("fc3", nn.Linear(84, 10)),
    ]))


class BasicBlock(nn.Module):
    """ResNet basic block: 3x3 conv-BN-ReLU, 3x3 conv-BN, + shortcut, ReLU."""

    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(OrderedDict([
                ("conv", nn.Conv2d(cin, cout, 1, stride=stride, bias=False)),
                ("bn", nn.BatchNorm2d(cout)),
            ]))
        else:
            self.shortcut = nn.Identity()

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNet14(nn.Module):
    def __init__(self, num_classes: int = 10):
        super().__init__()
        self.stem = conv_bn(1, 16)
        self.layer1 = nn.Sequential(BasicBlock(16, 16, 1), BasicBlock(16, 16, 1))
        self.layer2 = nn.Sequential(BasicBlock(16, 32, 2), BasicBlock(32, 32, 1))
        self.layer3 = nn.Sequential(BasicBlock(32, 64, 2), BasicBlock(64, 64, 1))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.stem(x)
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(self.flatten(self.pool(x)))


def build_vgg8() -> nn.Sequential:
    return nn.Sequential(OrderedDict([
        ("conv1", conv_bn(1, 32)),
        ("conv2", conv_bn(32, 32)),
        ("pool1", nn.MaxPool2d(2)),    # 28 -> 14
        ("conv3", conv_bn(32, 64)),
        ("conv4", conv_bn(64, 64)),
        ("pool2", nn.MaxPool2d(2)),    # 14 -> 7
        ("conv5", conv_bn(64, 128)),
        ("conv6", conv_bn(128, 128)),
        ("pool3", nn.MaxPool2d(2)),    # 7 -> 3
        ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(128 * 3 * 3, 256)),
        ("relu_fc1", nn.ReLU()),
        ("fc2", nn.Linear(256, 10)),
    ]))


def dw_separable(cin: int, cout: int, stride: int) -> nn.Sequential:
    return nn.Sequential(OrderedDict([
        ("dw", conv_bn(cin, cin, 3, stride=stride, groups=cin, act=nn.ReLU6)),
        ("pw", conv_bn(cin, cout, 1, act=nn.ReLU6)),
    ]))


def build_mobilenet() -> nn.Sequential:
    return nn.Sequential(OrderedDict([
        ("stem", conv_bn(1, 16, act=nn.ReLU6)),
        ("block1", dw_separable(16, 32, 1)),
        ("block2", dw_separable(32, 64, 2)),    # 28 -> 14
        ("block3", dw_separable(64, 64, 1)),
        ("block4", dw_separable(64, 128, 2)),   # 14 -> 7
        ("block5", dw_separable(128, 128, 1)),
        ("pool", nn.AdaptiveAvgPool2d(1)),
        ("flatten", nn.Flatten()),
        ("fc", nn.Linear(128, 10)),
    ]))


ARCHS = {
    "lenet5": (build_lenet5,
               "LeNet-5 (Conv 6@5x5 pad2, ReLU, MaxPool2, Conv 16@5x5, ReLU, MaxPool2, "
               "FC 400-120-84-10 with ReLU)"),
    "resnet": (ResNet14,
               "ResNet-14 (ResNet-20-style with 2 blocks per stage; stem Conv 16@3x3+BN+ReLU, "
               "stages 16/32/64 channels, 1x1 conv+BN projection shortcuts, "
               "global average pool, FC 64-10)"),
    "vgg8": (build_vgg8,
             "VGG-8 (NeuroSim shape, width-reduced: Conv3x3 32,32,MaxPool,64,64,MaxPool,"
             "128,128,MaxPool with BN+ReLU, FC 1152-256-10)"),
    "mobilenet": (build_mobilenet,
                  "MobileNet-style (Conv 16@3x3+BN+ReLU6, depthwise-separable blocks "
                  "16-32, 32-64 s2, 64-64, 64-128 s2, 128-128 with BN+ReLU6, "
                  "global average pool, FC 128-10)"),
}


def build_model(arch: str) -> nn.Module:
    return ARCHS[arch][0]()


def noisy_forward(model: nn.Module, x: torch.Tensor, weight_noise: float) -> torch.Tensor:
    """Training forward pass with additive Gaussian noise on Conv/Linear weights.

    Each Conv2d/Linear weight W is used as W + eps, eps ~ N(0, sigma^2)
    element-wise, sigma = weight_noise * max|W| (a constant w.r.t. autograd).
    Noise is drawn afresh on every call, i.e. every mini-batch.
    """
    params = {}
    for mname, mod in model.named_modules():
        if isinstance(mod, (nn.Conv2d, nn.Linear)):
            w = mod.weight
            sigma = weight_noise * w.detach().abs().max()
            params[f"{mname}.weight"] = w + torch.randn_like(w) * sigma
    return _functional_call(model, params, (x,))


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def count_macs(model: nn.Module) -> tuple[int, list]:
    """Conv2d + Linear multiply-accumulates per 1x28x28 image (bias excluded)."""
    rows = []

    def hook(mod, inp, out):
        if isinstance(mod, nn.Conv2d):
            k = mod.weight[0].numel()          # (cin/groups) * kh * kw
            macs = out[0].numel() * k
        else:
            macs = mod.in_features * mod.out_features
        rows.append((mod, macs))

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if isinstance(m, (nn.Conv2d, nn.Linear))]
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 1, ROWS, COLS))
    model.train(was_training)
    for h in handles:
        h.remove()
    return sum(m for _, m in rows), rows


# --------------------------------------------------------------------------
# ONNX export and independent numpy re-evaluation
# --------------------------------------------------------------------------

def export_onnx(model: nn.Module, path: Path, dummy: torch.Tensor | None = None,
                keep_batchnorm: bool = False) -> None:
    """Exports in eval mode: opset OPSET, input "input", output "logits", dynamic batch.

    keep_batchnorm: BatchNormalization nodes stay in the graph (with their running statistics)
    instead of being folded into the Conv before them, so that pcmsim can run them as digital
    affines and re-estimate their statistics on the chip (compensation: batchnorm)."""
    model.eval()
    if dummy is None:
        dummy = torch.zeros(1, 1, ROWS, COLS, dtype=torch.float32)
    torch.onnx.export(
        model, dummy, str(path),
        export_params=True,
        opset_version=OPSET,
        do_constant_folding=True,
        # PRESERVE on an eval-mode model exports eval-mode BatchNormalization nodes; EVAL folds
        # them into the Conv weights.
        training=(torch.onnx.TrainingMode.PRESERVE if keep_batchnorm
                  else torch.onnx.TrainingMode.EVAL),
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
    )
    if keep_batchnorm:
        # The exporter routes equal initializers (BatchNorm statistics of fresh layers, biases)
        # through Identity nodes; give every node its own copy, as export_torchvision.py does.
        import onnx
        from export_torchvision import materialize_identity_initializers
        proto = onnx.load(str(path))
        if materialize_identity_initializers(proto):
            onnx.save(proto, str(path))


def _attrs(node) -> dict:
    import onnx
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _pad_nchw(x: np.ndarray, pads, value: float) -> np.ndarray:
    """pads = [top, left, bottom, right] (ONNX order for 2-D)."""
    t, l, b, r = pads
    if not any(pads):
        return x
    return np.pad(x, ((0, 0), (0, 0), (t, b), (l, r)), constant_values=value)


def _windows(x: np.ndarray, kh: int, kw: int, sh: int, sw: int) -> np.ndarray:
    """[N,C,H,W] -> strided view [N,C,OH,OW,kh,kw]."""
    n, c, h, w = x.shape
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    s = x.strides
    return np.lib.stride_tricks.as_strided(
        x, (n, c, oh, ow, kh, kw), (s[0], s[1], s[2] * sh, s[3] * sw, s[2], s[3]),
        writeable=False)


def np_conv(x, w, b, a) -> np.ndarray:
    if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        raise RuntimeError("Conv auto_pad not supported")
    dil = a.get("dilations", [1, 1])
    if list(dil) != [1, 1]:
        raise RuntimeError("Conv dilation not supported")
    g = a.get("group", 1)
    sh, sw = a.get("strides", [1, 1])
    x = _pad_nchw(x, a.get("pads", [0, 0, 0, 0]), 0.0)
    cout, cin_g, kh, kw = w.shape
    win = _windows(x, kh, kw, sh, sw)                    # N,C,OH,OW,kh,kw
    n, _, oh, ow = win.shape[:4]
    cout_g = cout // g
    if g == 1:                                           # im2col + GEMM
        cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, cin_g * kh * kw)
        out = (cols @ w.reshape(cout, -1).T).reshape(n, oh, ow, cout)
    elif cin_g == 1:                                     # depthwise (x channel multiplier)
        wv = w.reshape(g, cout_g, kh, kw)
        out = np.einsum("ncyxij,cmij->nyxcm", win, wv, optimize=True).reshape(n, oh, ow, cout)
    else:                                                # general grouped conv
        outs = []
        for gi in range(g):
            wg = w[gi * cout_g:(gi + 1) * cout_g].reshape(cout_g, -1)
            cols = win[:, gi * cin_g:(gi + 1) * cin_g].transpose(0, 2, 3, 1, 4, 5)
            cols = cols.reshape(n * oh * ow, cin_g * kh * kw)
            outs.append((cols @ wg.T).reshape(n, oh, ow, cout_g))
        out = np.concatenate(outs, axis=3)
    if b is not None:
        out = out + b
    return np.ascontiguousarray(out.transpose(0, 3, 1, 2))


def np_maxpool(x, a) -> np.ndarray:
    if a.get("ceil_mode", 0) or list(a.get("dilations", [1, 1])) != [1, 1]:
        raise RuntimeError("MaxPool ceil_mode/dilations not supported")
    kh, kw = a["kernel_shape"]
    sh, sw = a.get("strides", [1, 1])
    x = _pad_nchw(x, a.get("pads", [0, 0, 0, 0]), -np.inf)
    return _windows(x, kh, kw, sh, sw).max(axis=(4, 5))


def np_avgpool(x, a) -> np.ndarray:
    if a.get("ceil_mode", 0) or any(a.get("pads", [0, 0, 0, 0])):
        raise RuntimeError("AveragePool ceil_mode/pads not supported")
    kh, kw = a["kernel_shape"]
    sh, sw = a.get("strides", [1, 1])
    return _windows(x, kh, kw, sh, sw).mean(axis=(4, 5), dtype=np.float32)


def numpy_onnx_forward(model_proto, x: np.ndarray) -> np.ndarray:
    """Evaluate an ONNX CNN graph in numpy float32 (independent of PyTorch)."""
    from onnx import numpy_helper

    graph = model_proto.graph
    env = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    env = {k: (v.astype(np.float32) if v.dtype.kind == "f" else v) for k, v in env.items()}
    graph_inputs = [i.name for i in graph.input if i.name not in env]
    if len(graph_inputs) != 1:
        raise RuntimeError(f"expected exactly one graph input, got {graph_inputs}")
    env[graph_inputs[0]] = x.astype(np.float32)

    for node in graph.node:
        a = _attrs(node)
        ins = [env[n] if n else None for n in node.input]
        op = node.op_type
        if op == "Constant":
            from onnx import numpy_helper as nh
            out = nh.to_array(a["value"])
        elif op == "Conv":
            out = np_conv(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a)
        elif op == "BatchNormalization":
            xx, sc, bb, mu, var = ins[:5]
            eps = np.float32(a.get("epsilon", 1e-5))
            shp = (1, -1, 1, 1)
            out = (xx - mu.reshape(shp)) / np.sqrt(var.reshape(shp) + eps) \
                * sc.reshape(shp) + bb.reshape(shp)
        elif op == "MaxPool":
            out = np_maxpool(ins[0], a)
        elif op == "AveragePool":
            out = np_avgpool(ins[0], a)
        elif op == "GlobalAveragePool":
            out = ins[0].mean(axis=(2, 3), keepdims=True, dtype=np.float32)
        elif op == "Flatten":
            axis = a.get("axis", 1)
            t = ins[0]
            if axis < 0:
                axis += t.ndim
            lead = int(np.prod(t.shape[:axis], dtype=np.int64))
            out = t.reshape(lead, -1)
        elif op == "Reshape":
            shape = [int(s) for s in ins[1]]
            shape = [ins[0].shape[i] if s == 0 else s for i, s in enumerate(shape)]
            out = ins[0].reshape(shape)
        elif op == "Gemm":
            A, B = ins[0], ins[1]
            if a.get("transA", 0):
                A = A.T
            if a.get("transB", 0):
                B = B.T
            out = np.float32(a.get("alpha", 1.0)) * (A @ B)
            if len(ins) > 2 and ins[2] is not None:
                out = out + np.float32(a.get("beta", 1.0)) * ins[2]
        elif op == "MatMul":
            out = ins[0] @ ins[1]
        elif op == "Add":
            out = ins[0] + ins[1]
        elif op == "Relu":
            out = np.maximum(ins[0], np.float32(0.0))
        elif op == "Clip":
            lo = ins[1] if len(ins) > 1 and ins[1] is not None else a.get("min", -np.inf)
            hi = ins[2] if len(ins) > 2 and ins[2] is not None else a.get("max", np.inf)
            out = np.clip(ins[0], np.float32(lo), np.float32(hi))
        else:
            raise RuntimeError(f"unsupported ONNX op {op} (node {node.name!r})")
        env[node.output[0]] = out.astype(np.float32, copy=False) \
            if out.dtype.kind == "f" else out

    return env[graph.output[0].name]


def op_types(model_proto) -> "OrderedDict[str, int]":
    counts: "OrderedDict[str, int]" = OrderedDict()
    for node in model_proto.graph.node:
        counts[node.op_type] = counts.get(node.op_type, 0) + 1
    return counts


def describe_onnx(model_proto) -> str:
    from onnx import numpy_helper
    lines = ["ONNX nodes:"]
    for node in model_proto.graph.node:
        attrs = ", ".join(f"{k}={v}" for k, v in _attrs(node).items()
                          if not hasattr(v, "dims"))
        lines.append(f"  {node.op_type:18s} {node.name:28s} "
                     f"{list(node.input)} -> {list(node.output)}"
                     + (f"  [{attrs}]" if attrs else ""))
    lines.append("ONNX initializers:")
    for init in model_proto.graph.initializer:
        lines.append(f"  {init.name:28s} {list(numpy_helper.to_array(init).shape)}")
    lines.append("ONNX op types: " + ", ".join(f"{k} x{v}" for k, v in op_types(model_proto).items()))
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Sidecar
# --------------------------------------------------------------------------

def write_sidecar(path: Path, *, name: str, architecture: str, mean: float, std: float,
                  correct: int, n_test: int, command: str, args, threads: int) -> None:
    acc = 100.0 * correct / n_test
    text = (
        f"# Sidecar for {name}.onnx, written by tools/train_cnn.py.\n"
        f"# Input transform: x = (pixel * scale - mean) / std, pixel in 0..255.\n"
        f"model: {name}\n"
        f"onnx: {name}.onnx\n"
        f"architecture: {json.dumps(architecture)}\n"
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
        f"  lr_schedule: {args.lr_schedule}\n"
        f"  seed: {args.seed}\n"
        f"  weight_noise: {args.weight_noise!r}\n"
        f"  hwa_device_table: {json.dumps(str(args.hwa) if args.hwa else None)}\n"
        f"  hwa_t_min_s: {args.hwa_t_min!r}\n"
        f"  keep_batchnorm: {str(args.keep_batchnorm).lower()}\n"
        f"  threads: {threads}\n"
        f"  torch_version: {json.dumps(torch.__version__)}\n"
    )
    path.write_text(text)


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Train a small CNN (LeNet-5, ResNet-14, VGG-8 or MobileNet-style) on "
                    "Fashion-MNIST and export ONNX plus a preprocessing sidecar YAML for pcmsim.")
    p.add_argument("--arch", required=True, choices=sorted(ARCHS), help="network architecture")
    p.add_argument("--epochs", type=int, default=5, help="training epochs (default 5)")
    p.add_argument("--batch-size", type=int, default=128, help="mini-batch size (default 128)")
    p.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate (default 1e-3)")
    p.add_argument("--lr-schedule", choices=("cosine", "constant"), default="cosine",
                   help="cosine: decay the learning rate from LR to 0 over all training "
                        "steps (per mini-batch cosine annealing); constant: fixed LR "
                        "(default cosine)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--weight-noise", type=float, default=0.0,
                   help="hardware-aware training: additive Gaussian noise on every Conv/Linear "
                        "weight, sigma = WEIGHT_NOISE * max|W| per layer, redrawn every "
                        "mini-batch, training only (default 0 = off)")
    p.add_argument("--hwa", type=Path, default=None, metavar="DEVICE_JSON",
                   help="hardware-aware training on the chip whose device table pcmsim wrote "
                        "(pcmsim validate CONFIG --export-device DEVICE_JSON): per mini-batch, "
                        "weights read from the chip's device model at a random time after "
                        "programming with global drift compensation, DAC rounding and ADC output "
                        "noise and rounding (tools/hwa.py)")
    p.add_argument("--hwa-t-min", type=float, default=1.0,
                   help="--hwa: earliest read time drawn, seconds (default 1)")
    p.add_argument("--keep-batchnorm", action="store_true",
                   help="export BatchNormalization nodes instead of folding them into the Conv "
                        "weights (for pcmsim's mapping.batchnorm: digital and compensation: "
                        "batchnorm)")
    p.add_argument("--data-dir", type=Path, default=Path("/usr/share/datasets/fashion-mnist"),
                   help="directory with the Fashion-MNIST IDX .gz files")
    p.add_argument("--out", type=Path, required=True,
                   help="output .onnx path; the sidecar is written next to it with .yaml")
    p.add_argument("--threads", type=int, default=1,
                   help="torch CPU threads (default 1)")
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


def main(argv=None) -> int:
    args = parse_args(argv)
    command = shlex.join([sys.executable] + (sys.argv if argv is None else [__file__] + argv))

    seed_everything(args.seed, args.threads)
    train_x, train_y, test_x_np, test_x, test_y, mean, std = prepare_data(args.data_dir)

    # ---- model ----------------------------------------------------------
    model = build_model(args.arch)
    n_params = count_params(model)
    macs, _ = count_macs(model)
    print(f"arch {args.arch}: {n_params} parameters, {macs} Conv+Linear MACs per image")

    # ---- training -------------------------------------------------------
    # channels_last (NHWC) activations/weights are 1.5-4x faster for these
    # small convolutions on one CPU thread; the model is converted back to the
    # default layout before the final evaluation and the export.
    model = model.to(memory_format=torch.channels_last)
    hwa = None
    if args.hwa is not None:
        from hwa import DeviceTable, HwaTraining
        table = DeviceTable(args.hwa, args.hwa_t_min)
        print("hardware-aware training: " + table.describe())
        hwa = HwaTraining(model, table, args.seed)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = -(-train_x.shape[0] // args.batch_size)
    sched = None
    if args.lr_schedule == "cosine":
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(
            opt, T_max=args.epochs * steps_per_epoch)
    shuffle_gen = torch.Generator().manual_seed(args.seed)
    n = train_x.shape[0]
    t0 = time.time()
    for epoch in range(1, args.epochs + 1):
        model.train()
        perm = torch.randperm(n, generator=shuffle_gen)
        total_loss, total_correct = 0.0, 0
        for i in range(0, n, args.batch_size):
            idx = perm[i:i + args.batch_size]
            xb = train_x[idx].contiguous(memory_format=torch.channels_last)
            yb = train_y[idx]
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
            if sched is not None:
                sched.step()
            total_loss += loss.item() * idx.numel()
            total_correct += int((logits.argmax(1) == yb).sum())
        test_acc = 100.0 * (torch_predict(model, test_x) == test_y).mean()
        print(f"epoch {epoch:2d}/{args.epochs}  loss {total_loss / n:.4f}  "
              f"train {100.0 * total_correct / n:.2f}%  test {test_acc:.2f}%  "
              f"({time.time() - t0:.1f}s)", flush=True)
    train_s = time.time() - t0
    print(f"training wall time {train_s:.1f}s")

    # ---- FP32 evaluation -------------------------------------------------
    model = model.to(memory_format=torch.contiguous_format)
    torch_pred = torch_predict(model, test_x)
    torch_correct = int((torch_pred == test_y).sum())

    # ---- ONNX export + independent re-evaluation ------------------------
    import onnx

    args.out.parent.mkdir(parents=True, exist_ok=True)
    export_onnx(model, args.out, keep_batchnorm=args.keep_batchnorm)
    proto = onnx.load(str(args.out))
    onnx.checker.check_model(proto)
    print(describe_onnx(proto))

    with torch.no_grad():
        ref_logits = torch.cat([model(test_x[i:i + 1000])
                                for i in range(0, N_TEST, 1000)]).numpy()
    onnx_logits = np.concatenate([numpy_onnx_forward(proto, test_x_np[i:i + 500])
                                  for i in range(0, N_TEST, 500)])
    onnx_pred = onnx_logits.argmax(axis=1)
    onnx_correct = int((onnx_pred == test_y).sum())
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
    write_sidecar(sidecar, name=args.out.stem, architecture=ARCHS[args.arch][1],
                  mean=mean, std=std, correct=torch_correct, n_test=N_TEST,
                  command=command, args=args, threads=torch.get_num_threads())
    print(f"wrote {args.out} and {sidecar}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
