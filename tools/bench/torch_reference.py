#!/usr/bin/python3
"""PyTorch peer of pcmsim's functional numerics for the aihwkit-compatible preset.

Runs an ONNX model of pcmsim's zoo (Fashion-MNIST MLP, LeNet-5) on the Fashion-MNIST test set
with every Conv/Gemm/MatMul layer on simulated PCM arrays, with the numerics of
configs/aihwkit.yaml (chip configs/chips/aihwkit_tiles.yaml) as pcmsim implements them: 512 x 512
array blocks (workloads/graph_mapper.cpp); differential PCM pairs with programming noise, drift
and 1/f read noise (models/device/impl/pcm.cpp); per MVM abs-max noise management, 7-bit DAC,
output noise, 9-bit ADC, iterative bound management (models/array/programmed_array.cpp); global
drift compensation (sim/functional/array_bank.cpp); float activations between layers
(chip.datapath: float). The formulas are pcmsim's, the random draws torch's: single runs differ,
means over programmings compare.

Usage (always with /usr/bin/python3, which has torch and onnx):

  /usr/bin/python3 tools/bench/torch_reference.py                      # MLP, 10 programmings
  /usr/bin/python3 tools/bench/torch_reference.py --programmings 2 --images 1000
  /usr/bin/python3 tools/bench/torch_reference.py --model workloads/models/lenet5_fmnist.onnx \\
      --programmings 3 --images 2000 --threads 1
  /usr/bin/python3 tools/bench/torch_reference.py --speed-only --speed-evaluations 3

As a module: see load_dataset(), AnalogNetwork, evaluate_over_time() and measure_speed(); the
script tools/bench/torch_vs_pcmsim.py uses them to compare against pcmsim.
"""
from __future__ import annotations

import argparse
import ctypes
import gzip
import math
import os
import re
import struct
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import blas_env  # noqa: F401  (names OpenBLAS's kernels before torch loads it)
import numpy as np
import onnx
import torch
import yaml
from onnx import numpy_helper

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL = os.path.join(REPO, "workloads/models/mlp_fmnist.onnx")
# The test set configs/aihwkit.yaml reads (workload.dataset).
IMAGES = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
LABELS = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"
# Time units of pcmsim's parser (sim/base/units.cpp: a year of 365 days).
UNITS = {"s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0, "y": 31536000.0}
F32 = np.float32


@dataclass
class Preset:
    """The aihwkit-compatible chip's numerics; each default cites where pcmsim sets it."""
    rows: int = 512             # aihwkit_tiles.yaml core.array.rows (max_input_size)
    cols: int = 512             # aihwkit_tiles.yaml core.array.cols (max_output_size)
    g_max: float = 25.0         # uS, aihwkit_tiles.yaml device.g_max
    t0: float = 20.0            # s, aihwkit_tiles.yaml device.t0
    t_read: float = 250e-9      # s, aihwkit_tiles.yaml device.t_read
    prog_scale: float = 1.0     # aihwkit_tiles.yaml device.prog_noise_scale
    drift_scale: float = 1.0    # aihwkit_tiles.yaml device.drift_scale
    read_scale: float = 1.0     # aihwkit_tiles.yaml device.read_noise_scale
    dac_bits: int = 7           # aihwkit_tiles.yaml dac.bits
    dac_bound: float = 1.0      # aihwkit_tiles.yaml dac.bound
    adc_bits: int = 9           # aihwkit_tiles.yaml adc.bits
    adc_bound: float = 12.0     # aihwkit_tiles.yaml adc.range (weight units: weight_scaling none)
    out_noise: float = 0.06     # aihwkit_tiles.yaml adc.out_noise
    max_passes: int = 5         # aihwkit_tiles.yaml core.bm_max_passes (bound_management iterative)
    # Column sums: single precision, as models/array/column_sums.h (pcmsim's decision 56; its
    # earlier kernels summed exact products in double: float64 here).
    accumulate: torch.dtype = torch.float32


def step(bound: float, bits: int) -> torch.Tensor:
    """quantizer_step of models/common/converter.cpp, in float as there: 2 bound / (2^bits - 2)."""
    return torch.tensor(F32(2.0) * F32(bound) / F32((1 << bits) - 2))


def parse_time(text: str) -> float:
    """'1s', '1d', '1y', '3600' -> seconds."""
    m = re.fullmatch(r"([0-9.]+(?:e-?[0-9]+)?)\s*(s|min|h|d|y)?", text.strip())
    return float(m.group(1)) * UNITS[m.group(2) or "s"] if m else float(text)


# ---- data -------------------------------------------------------------------------------------

def read_idx(path: str) -> np.ndarray:
    """An IDX file (gzip or plain), as workloads/dataset.cpp read_idx reads it."""
    with (gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")) as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * data[3], data[4:4 + 4 * data[3]])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * data[3]).reshape(dims)


def load_dataset(onnx_path: str, limit: int = 0, images: str = IMAGES,
                 labels: str = LABELS) -> Tuple[torch.Tensor, torch.Tensor]:
    """The first @p limit test images (0: all) as N x C x H x W inputs, and their labels:
    x = (pixel * scale - mean) / std from the sidecar (the .yaml beside the .onnx,
    workloads/sidecar.cpp), in double rounded to float as workloads/dataset.cpp."""
    side = os.path.splitext(onnx_path)[0] + ".yaml"
    pre = {}
    if os.path.exists(side):
        with open(side) as f:
            pre = (yaml.safe_load(f) or {}).get("preprocessing", {}) or {}
    if "channel_mean" in pre or "channel_std" in pre:
        raise NotImplementedError("per-channel preprocessing")
    scale = float(pre.get("scale", 1.0 / 255.0))  # defaults of workloads/sidecar.cpp
    mean, std = float(pre.get("mean", 0.0)), float(pre.get("std", 1.0))
    im, lb = read_idx(images), read_idx(labels)
    n = len(lb) if limit <= 0 else min(limit, len(lb))
    x = ((im[:n].astype(np.float64) * scale - mean) / std).astype(np.float32)
    return torch.from_numpy(x).reshape(n, 1, *im.shape[1:]), torch.from_numpy(lb[:n].astype(np.int64))


# ---- one array block --------------------------------------------------------------------------

class ArrayBlock:
    """One block (rows = inputs, cols = outputs) of a layer on one PCM array, as
    ProgrammedArray of models/array/programmed_array.cpp: G+ (index 0) and G- (index 1)."""

    def __init__(self, w: torch.Tensor, p: Preset):
        self.p = p
        self.w = w.contiguous()                            # float32 rows x cols
        self.w_max = self.w.abs().max().to(torch.float32)  # full scale: max|W| of the block
        self.alpha: Optional[torch.Tensor] = None
        # An all-zero block keeps zero conductances (and still reads output noise).
        self.g_prog = self.nu = torch.zeros((2,) + tuple(w.shape))
        self.gdiff = torch.zeros(w.shape, dtype=p.accumulate)

    def program(self, gen: torch.Generator) -> None:
        """Targets, programming noise and drift exponents (pcm.cpp program())."""
        p = self.p
        if self.w_max == 0:
            return
        scale = p.g_max / float(self.w_max)  # double, as ProgrammedArray's constructor
        w = self.w.double() * scale
        g_t = torch.stack([w.clamp(0.0, p.g_max), (-w).clamp(0.0, p.g_max)]).float().double()
        g_rel = g_t / p.g_max
        # sigma_prog: aihwkit PCMLikeNoiseModel prog_coeff (Nandakumar et al. 2019), pcm.cpp.
        sigma = (0.26348 + 1.9650 * g_rel - 1.1731 * g_rel * g_rel) * (p.g_max / 25.0)
        noise = torch.randn(g_t.shape, generator=gen, dtype=torch.float64)
        self.g_prog = (g_t + p.prog_scale * sigma * noise).clamp_min(0.0).float()
        # Drift exponent: mu, sigma of nu clamped as pcm.cpp; g_rel floored at 1e-7 there.
        log_rel = torch.log(g_rel.clamp_min(1e-7))
        mu = (-0.0155 * log_rel + 0.0244).clamp(0.049, 0.1)
        sig = (-0.0125 * log_rel - 0.0059).clamp(0.008, 0.045)
        nu_noise = torch.randn(g_t.shape, generator=gen, dtype=torch.float64)
        self.nu = (p.drift_scale * (mu + sig * nu_noise).abs()).float()
        self.use_programmed()

    def set_current(self, g: torch.Tensor) -> None:
        """Current (G+ - G-) / g_max in double, rounded to float (set_current())."""
        gd = ((g[0].double() - g[1].double()) / self.p.g_max).float()
        self.gdiff = gd.to(self.p.accumulate)

    def use_programmed(self) -> None:
        self.set_current(self.g_prog)

    def read_at(self, t: float, gen: torch.Generator) -> None:
        """Drift to @p t seconds after programming plus 1/f read noise (pcm.cpp read())."""
        p = self.p
        log_time = math.log((t + p.t0) / p.t0)
        read_int = math.sqrt(max(0.0, math.log((t + p.t0 + p.t_read) / (2.0 * p.t_read))))
        g_prog = self.g_prog.double()
        g = g_prog * torch.exp(-self.nu.double() * log_time)
        if p.read_scale > 0.0:
            # Q_s = min(0.0088 / max((g_prog/g_max)^0.65, 1e-3), 0.2), pcm.cpp (aihwkit).
            q = (0.0088 / (g_prog / p.g_max).pow(0.65).clamp_min(1e-3)).clamp_max(0.2)
            noise = torch.randn(g.shape, generator=gen, dtype=torch.float64)
            g = g + g.abs() * p.read_scale * q * read_int * noise
        self.set_current(g.clamp_min(0.0).float())

    def mvm(self, x: torch.Tensor, gen: torch.Generator, compensate: bool = True) -> torch.Tensor:
        """Rows of @p x (n x rows, float32) through the array, as run_batch() and convert()."""
        p = self.p
        n = x.shape[0]
        dstep, astep = step(p.dac_bound, p.dac_bits), step(p.adc_bound, p.adc_bits)
        bound, sigma = F32(p.adc_bound), torch.tensor(F32(p.out_noise))
        # 1. Noise management: each vector scaled by its abs max; a zero vector reads zeros.
        amax = x.abs().amax(dim=1)
        live = amax > 0
        scale = torch.where(live, amax, torch.ones(()))  # nm x red: the vector's input scale
        idx: Optional[torch.Tensor] = None if bool(live.all()) else live.nonzero().squeeze(1)
        xa, sa = (x, scale) if idx is None else (x[idx], scale[idx])
        y = torch.zeros(n, self.w.shape[1]) if idx is not None else None
        for pas in range(max(1, p.max_passes)):
            # 2. DAC: x / (nm red), rounded half to even to the step, clipped (quantize_symmetric).
            xq = xa * torch.reciprocal(sa).unsqueeze_(1)
            xq.div_(dstep).round_().mul_(dstep).clamp_(-p.dac_bound, p.dac_bound)
            # 3. Column sums with the current conductances, 4. in weight units (m_w_max, since
            # weight_scaling none makes normalized_outputs false), + output noise, ADC: round,
            # then clip; an output beyond the bound after rounding has clipped.
            q = torch.mm(xq.to(p.accumulate), self.gdiff).float().mul_(self.w_max)
            q.add_(torch.randn(q.shape, generator=gen).mul_(sigma))
            q.div_(astep).round_().mul_(astep)
            over = q.abs() > bound
            q.clamp_(-bound, bound)
            if y is None:
                y = q
            else:
                y.index_copy_(0, idx, q)
            # 5. Bound management: vectors with any clipped output run again at half the input.
            if pas + 1 >= p.max_passes:
                break
            again = over.any(dim=1)
            if not bool(again.any()):
                break
            sel = again.nonzero().squeeze(1)
            xa, sa = xa[sel], sa[sel] * 2.0  # before scale changes: sa may be scale itself
            idx = sel if idx is None else idx[sel]
            scale[idx] *= 2.0
        # 6. Back to the input's scale, then the compensation factor.
        y.mul_(scale.unsqueeze(1))
        if compensate and self.alpha is not None:
            y.mul_(self.alpha)
        return y

    def readout(self, gen: torch.Generator) -> torch.Tensor:
        """Mean |y| per column over the one-hot inputs (one_hot_readout()), in double."""
        rows = self.w.shape[0]
        y = self.mvm(torch.eye(rows), gen, compensate=False)
        return (y.abs().double() / rows).sum(dim=0)

    def prepare(self, t: float, comp: str, read_gen: torch.Generator,
                noise_gen: torch.Generator) -> None:
        """ArrayBank::prepare: read at t; global compensation references the programmed state."""
        self.alpha = None
        if comp == "none":
            self.read_at(t, read_gen)
            return
        if comp != "global":
            raise ValueError(f"compensation {comp!r}: the peer models none and global")
        self.use_programmed()
        ref = self.readout(noise_gen)
        self.read_at(t, read_gen)
        cur = self.readout(noise_gen)
        cols = ref.numel()
        # alpha = mean reference / mean current, each clamped at 1e-4 (compensation_factors()).
        r, c = float((ref / cols).sum()), float((cur / cols).sum())
        self.alpha = torch.tensor(F32(max(r, 1e-4) / max(c, 1e-4)))


class AnalogLayer:
    """A weight matrix (inputs x outputs) split into blocks of at most rows x cols, row block
    then column block (graph_mapper.cpp place_layer()); partial sums added in float in block
    order, then the bias digitally (graph_network.cpp run_analog())."""

    def __init__(self, w_io: torch.Tensor, bias: Optional[torch.Tensor], p: Preset):
        self.bias = bias
        self.cols = w_io.shape[1]
        self.blocks: List[Tuple[int, int, int, int, ArrayBlock]] = []
        for r0 in range(0, w_io.shape[0], p.rows):
            for c0 in range(0, w_io.shape[1], p.cols):
                r1, c1 = min(r0 + p.rows, w_io.shape[0]), min(c0 + p.cols, w_io.shape[1])
                self.blocks.append((r0, r1, c0, c1, ArrayBlock(w_io[r0:r1, c0:c1], p)))

    def __call__(self, x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        self.vectors = x.shape[0]  # MVM input vectors of the last call
        if len(self.blocks) == 1:  # 0 + y is y: the sum of one block is its output
            out = self.blocks[0][4].mvm(x, gen)
        else:
            out = torch.zeros(x.shape[0], self.cols)
            for r0, r1, c0, c1, blk in self.blocks:
                out[:, c0:c1] += blk.mvm(x[:, r0:r1], gen)
        return out if self.bias is None else out.add_(self.bias)


# ---- the network ------------------------------------------------------------------------------

class AnalogNetwork:
    """The ONNX graph (Conv, Gemm, MatMul, Relu, MaxPool, AveragePool, Flatten, Reshape, Add)
    with its weight layers on arrays; the other nodes run in float32, as pcmsim's float
    datapath (chip.datapath: float) passes them."""

    def __init__(self, onnx_path: str, preset: Optional[Preset] = None):
        self.p = preset or Preset()
        g = onnx.load(onnx_path).graph
        self.consts = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy())
                       for t in g.initializer}
        self.input, self.output = g.input[0].name, g.output[0].name
        self.steps: List[Tuple[Callable, List[str], str]] = []  # (function, inputs, output)
        self.layers: List[AnalogLayer] = []
        for n in g.node:
            a = {x.name: onnx.helper.get_attribute_value(x) for x in n.attribute}
            self.steps.append((self._compile(n.op_type, a, list(n.input)), list(n.input[:1])
                               if n.op_type in ("Conv", "Gemm", "MatMul") else list(n.input),
                               n.output[0]))

    def _layer(self, w_io: torch.Tensor, bias: Optional[str]) -> AnalogLayer:
        b = self.consts[bias].float() if bias else None
        self.layers.append(AnalogLayer(w_io.float().contiguous(), b, self.p))
        return self.layers[-1]

    def _compile(self, op: str, a: dict, ins: List[str]) -> Callable:
        pads = a.get("pads", [0, 0, 0, 0])
        if pads[:2] != pads[2:]:
            raise NotImplementedError(f"{op} with asymmetric padding")
        k, st, dil = a.get("kernel_shape"), a.get("strides", [1, 1]), a.get("dilations", [1, 1])
        if op == "Gemm":
            if a.get("transA", 0) or a.get("alpha", 1.0) != 1.0 or a.get("beta", 1.0) != 1.0:
                raise NotImplementedError("Gemm with transA, alpha or beta")
            w = self.consts[ins[1]]
            return self._layer(w.t() if a.get("transB", 0) else w, ins[2] if len(ins) > 2 else None)
        if op == "MatMul":
            return self._layer(self.consts[ins[1]], None)
        if op == "Conv":
            if a.get("group", 1) != 1:
                raise NotImplementedError("grouped Conv")
            w = self.consts[ins[1]]
            # im2col rows in (channel, kernel row, kernel col) order, as layer_matrix().
            layer = self._layer(w.reshape(w.shape[0], -1).t(), ins[2] if len(ins) > 2 else None)

            def conv(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
                oh = (x.shape[2] + 2 * pads[0] - dil[0] * (k[0] - 1) - 1) // st[0] + 1
                ow = (x.shape[3] + 2 * pads[1] - dil[1] * (k[1] - 1) - 1) // st[1] + 1
                cols = torch.nn.functional.unfold(x, k, dil, pads[:2], st)  # zeros in the padding
                y = layer(cols.transpose(1, 2).reshape(-1, cols.shape[1]), gen)  # a row a pixel
                return y.reshape(x.shape[0], oh * ow, -1).transpose(1, 2).reshape(
                    x.shape[0], -1, oh, ow)
            return conv
        ceil = bool(a.get("ceil_mode", 0))
        simple: Dict[str, Callable] = {
            "Relu": lambda x: torch.relu(x),
            "MaxPool": lambda x: torch.nn.functional.max_pool2d(x, k, st, pads[:2], ceil_mode=ceil),
            "AveragePool": lambda x: torch.nn.functional.avg_pool2d(
                x, k, st, pads[:2], ceil, bool(a.get("count_include_pad", 0))),
            "Flatten": lambda x: x.flatten(a.get("axis", 1)),
            "Reshape": lambda x, s: x.reshape([int(v) for v in s.tolist()]),
            "Add": lambda x, y: x + y,
        }
        if op not in simple:
            raise NotImplementedError(f"ONNX op {op}")
        f = simple[op]
        return lambda *args: f(*args[:-1])  # the last argument is the generator

    def blocks(self) -> List[ArrayBlock]:
        return [b[4] for layer in self.layers for b in layer.blocks]

    @torch.inference_mode()
    def auto_batch(self, sample: torch.Tensor, budget: int = 100_000, most: int = 1000) -> int:
        """Images per forward pass for speed, measured here on one thread: about @p budget MVM
        vectors in the layer with the most (LeNet-5's first conv: 784 an image -> 127 images),
        at most @p most (the MLP: 1000; 1000 and 2000 ran alike)."""
        self.forward(sample[:1], generator(0))
        return max(1, min(most, budget // max(layer.vectors for layer in self.layers)))

    def program(self, gen: torch.Generator) -> None:
        for b in self.blocks():
            b.program(gen)

    def prepare(self, t: float, comp: str, read: torch.Generator, noise: torch.Generator) -> None:
        for b in self.blocks():
            b.prepare(t, comp, read, noise)

    def forward(self, x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        vals: Dict[str, torch.Tensor] = dict(self.consts)
        vals[self.input] = x
        for f, ins, out in self.steps:
            vals[out] = f(*[vals[i] for i in ins if i], gen)
        return vals[self.output]


# ---- evaluation -------------------------------------------------------------------------------

def set_threads(n: int) -> None:
    """torch's intra-op threads and, where torch's BLAS is OpenBLAS (Debian's torch calls the
    system libblas.so.3), OpenBLAS's own threads: one thread really means one."""
    torch.set_num_threads(n)
    try:
        ctypes.CDLL("libopenblas.so.0").openblas_set_num_threads(n)
    except (OSError, AttributeError):
        pass


def generator(*key: int) -> torch.Generator:
    """A torch generator keyed by integers (programming, time, stream)."""
    seed = 0
    for k in key:
        seed = (seed * 1000003 + int(k)) % (1 << 62)
    return torch.Generator().manual_seed(seed)


@torch.inference_mode()
def correct_count(net: AnalogNetwork, x: torch.Tensor, labels: torch.Tensor, batch: int,
                  gen: torch.Generator) -> int:
    """Top-1 correct: the first index of the largest logit (argmax), batch by batch."""
    correct = 0
    for i in range(0, x.shape[0], batch):
        y = net.forward(x[i:i + batch], gen)
        correct += int((y.argmax(dim=1) == labels[i:i + batch]).sum())
    return correct


@torch.inference_mode()
def evaluate_over_time(net: AnalogNetwork, x: torch.Tensor, labels: torch.Tensor,
                       times: Sequence[float], comps: Sequence[str], programmings: int,
                       batch: int = 1000, seed: int = 1) -> List[dict]:
    """Accuracy per (time, compensation) over @p programmings programmings (as pcmsim's
    evaluate_over_time): mean and sample standard deviation, as fractions."""
    acc: Dict[Tuple[int, str], List[float]] = {(k, c): [] for k in range(len(times)) for c in comps}
    for rep in range(programmings):
        net.program(generator(seed, rep, 0))
        for k, t in enumerate(times):
            for c in comps:
                # Read noise keyed by (programming, time): none and global see the same devices.
                net.prepare(t, c, generator(seed, rep, 1, k), generator(seed, rep, 2, k))
                hits = correct_count(net, x, labels, batch, generator(seed, rep, 3, k))
                acc[(k, c)].append(hits / x.shape[0])
    cells = []
    for (k, c), a in acc.items():
        m = sum(a) / len(a)
        sd = math.sqrt(sum((v - m) ** 2 for v in a) / (len(a) - 1)) if len(a) > 1 else 0.0
        cells.append({"time_s": times[k], "compensation": c, "accuracy": a, "mean": m, "std": sd})
    return cells


@torch.inference_mode()
def measure_speed(net: AnalogNetwork, x: torch.Tensor, labels: torch.Tensor, evaluations: int = 3,
                  t: float = 86400.0, comp: str = "global", batch: int = 1000,
                  seed: int = 1) -> dict:
    """images/s as pcmsim bench's functional figure: each evaluation prepares (read at @p t,
    compensation readouts) and runs the images; programming (pcmsim's build) is not timed.
    The defaults are configs/aihwkit.yaml's simulation.time and simulation.compensation."""
    net.program(generator(seed, 0, 0))
    total = prep = 0.0
    hits = 0
    for e in range(evaluations):
        t0 = time.perf_counter()
        net.prepare(t, comp, generator(seed, e, 1), generator(seed, e, 2))
        t1 = time.perf_counter()
        hits = correct_count(net, x, labels, batch, generator(seed, e, 3))
        t2 = time.perf_counter()
        total += t2 - t0
        prep += t1 - t0
    n = evaluations * x.shape[0]
    return {"images_per_s": n / total, "pass_images_per_s": n / (total - prep), "seconds": total,
            "prepare_seconds": prep, "evaluations": evaluations, "images": x.shape[0],
            "batch": batch, "top1": hits / x.shape[0], "threads": torch.get_num_threads()}


def main(argv: Optional[Sequence[str]] = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=MODEL, help="ONNX model (a sidecar .yaml beside it)")
    ap.add_argument("--images", type=int, default=0, help="test images (0: all 10000)")
    ap.add_argument("--programmings", type=int, default=10)
    ap.add_argument("--times", default="1s,1d,1y", help="comma-separated, e.g. 1s,1h,1d,1y")
    ap.add_argument("--compensations", default="none,global")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    ap.add_argument("--batch", type=int, default=0, help="images per forward pass (0: auto)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--speed-evaluations", type=int, default=3, help="0: no speed measurement")
    ap.add_argument("--speed-only", action="store_true")
    ap.add_argument("--float64", action="store_true", help="column sums in double")
    args = ap.parse_args(argv)
    set_threads(args.threads)
    preset = Preset(accumulate=torch.float64 if args.float64 else torch.float32)
    net = AnalogNetwork(args.model, preset)
    x, labels = load_dataset(args.model, args.images)
    args.batch = args.batch or net.auto_batch(x)
    if args.speed_evaluations > 0:
        s = measure_speed(net, x, labels, args.speed_evaluations, batch=args.batch, seed=args.seed)
        print(f"torch peer ({s['threads']} threads, batch {s['batch']}): {s['evaluations']} x "
              f"{s['images']} images in {s['seconds']:.3f} s: {s['images_per_s']:.0f} images/s "
              f"(pass alone {s['pass_images_per_s']:.0f} images/s; top-1 {100 * s['top1']:.2f} %)")
    if not args.speed_only:
        times = [parse_time(s) for s in args.times.split(",")]
        comps = args.compensations.split(",")
        cells = evaluate_over_time(net, x, labels, times, comps, args.programmings, args.batch,
                                   args.seed)
        print(f"accuracy over time ({x.shape[0]} images, {args.programmings} programmings; "
              "top-1 %, mean +- std, standard error)")
        for c in cells:
            se = c["std"] / math.sqrt(len(c["accuracy"]))
            print(f"  t = {c['time_s']:>10.0f} s  {c['compensation']:<7} "
                  f"{100 * c['mean']:6.2f} +- {100 * c['std']:.2f}  (se {100 * se:.2f})")


if __name__ == "__main__":
    main()
