"""Hardware-aware training from pcmsim's own device model (tools/train_cnn.py --hwa).

The chip comes from pcmsim, not from numbers copied here: ``pcmsim validate CONFIG
--export-device FILE`` writes the chip's device table (JSON): for read times after programming
and target levels (fractions of g_max), the mean and standard deviation of the conductance
pcmsim's device model reads, from pcmsim's own draws, with the DAC, ADC and MVM settings
(sim/app/device_export.cpp). This module perturbs a network's Conv/Linear weights and MVMs with
that chip, once per mini-batch:

* **Weights.** A time is drawn uniformly among the table's read times from ``t_min`` on (1 s to
  a year by default, one per mini-batch). Each weight ``w`` of a layer with full scale
  ``w_max = max|W|`` (pcmsim's abs-max mapping) sits on a differential pair: G+ programmed to
  level ``max(w, 0) / w_max``, G- to ``max(-w, 0) / w_max``. Each device reads
  ``N(mean(level, t), std(level, t))``, the table's moments linearly interpolated between
  levels; the weight the MVM sees is ``(G+ - G-) / g_max * w_max``, divided by the layer's
  global drift compensation ``sum|W_read| / sum|W|`` (pcmsim's ``compensation: global`` reads
  the arrays' mean |output| at t against t = 0; for one-hot inputs that is this ratio).
* **DAC.** The input of each layer is scaled by its absolute maximum per sample (noise
  management; the chip scales each MVM's input vector, i.e. each pixel's patch: the sample's
  maximum is an upper bound of it) and rounded to the DAC's step; the rounding passes the
  gradient straight through.
* **ADC.** Each output gets the ADC's output noise (in the chip's output units: the input's
  scale, times w_max when ``normalized_outputs``), once per array the layer's rows span, and is
  rounded to the ADC's step (straight-through gradient). Bound management re-runs clipped
  MVMs on the chip, so no clipping is modelled.

The gradient flows to the clean weights (the perturbation is a constant of autograd), as in
aihwkit's weight modifiers (torch_tile.modify_weight).
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Dict, List

import torch
import torch.nn as nn


class _RoundSte(torch.autograd.Function):
    """round(x) forward, identity backward."""

    @staticmethod
    def forward(ctx, x):  # noqa: D401
        return torch.round(x)

    @staticmethod
    def backward(ctx, g):
        return g


class DeviceTable:
    """A device table written by ``pcmsim validate --export-device``."""

    def __init__(self, path: Path, t_min: float = 1.0):
        d = json.loads(Path(path).read_text())
        self.path = str(path)
        self.source = d.get("source", "")
        self.version = d.get("pcmsim_version", "")
        self.g_max = float(d["device"]["g_max_uS"])
        self.levels = torch.tensor(d["levels"], dtype=torch.float32)
        times = [float(t) for t in d["times_s"]]
        keep = [i for i, t in enumerate(times) if t >= t_min]
        if not keep:
            raise ValueError(f"{path}: no read time at or after {t_min} s")
        self.times = [times[i] for i in keep]
        self.mean = torch.tensor([d["mean_uS"][i] for i in keep], dtype=torch.float32)
        self.std = torch.tensor([d["std_uS"][i] for i in keep], dtype=torch.float32)
        mvm = d["mvm"]
        self.rows = int(d["array"]["rows"])
        self.normalized_outputs = bool(mvm["normalized_outputs"])
        self.dac_step = float(mvm["dac"]["step"]) if "dac" in mvm else 0.0
        self.adc_step = float(mvm["adc"]["step"]) if "adc" in mvm else 0.0
        self.out_noise = float(mvm["adc"]["out_noise"]) if "adc" in mvm else 0.0
        self.ideal = bool(mvm.get("ideal", False))

    def describe(self) -> str:
        return (f"device table {self.path} (pcmsim {self.version}, {self.source}): g_max "
                f"{self.g_max} uS, times {self.times} s, DAC step {self.dac_step:.5f}, ADC step "
                f"{self.adc_step:.5f}, output noise {self.out_noise}, rows per array "
                f"{self.rows}, normalized outputs {self.normalized_outputs}")

    def _moments(self, level: torch.Tensor, ti: int):
        """mean and std (uS) of devices programmed to @p level (0..1) read at time ti."""
        n = self.levels.numel() - 1
        pos = level.clamp(0, 1) * n
        lo = pos.floor().clamp(max=n - 1).long()
        f = pos - lo.float()
        m, s = self.mean[ti], self.std[ti]
        return m[lo] * (1 - f) + m[lo + 1] * f, s[lo] * (1 - f) + s[lo + 1] * f

    def read_weights(self, w: torch.Tensor, ti: int, gen: torch.Generator) -> torch.Tensor:
        """The weights a chip reads at time ti for programmed weights w (no autograd)."""
        w_max = w.abs().max().clamp(min=1e-12)
        r = w / w_max
        pos, neg = r.clamp(min=0), (-r).clamp(min=0)
        mp, sp = self._moments(pos, ti)
        mn, sn = self._moments(neg, ti)
        gp = mp + sp * torch.randn(w.shape, generator=gen)
        gn = mn + sn * torch.randn(w.shape, generator=gen)
        w_read = (gp - gn) / self.g_max * w_max
        # Global drift compensation: the layer's mean |weight| at t back to the programmed one.
        alpha = w.abs().sum() / w_read.abs().sum().clamp(min=1e-12)
        return w_read * alpha


class HwaTraining:
    """Per mini-batch perturbations of a model's Conv/Linear layers from a device table."""

    def __init__(self, model: nn.Module, table: DeviceTable, seed: int):
        self.model = model
        self.table = table
        self.gen = torch.Generator().manual_seed(seed)
        self.layers: List[nn.Module] = [m for m in model.modules()
                                        if isinstance(m, (nn.Conv2d, nn.Linear))]
        self.active = False
        self._scale: Dict[int, torch.Tensor] = {}
        self._w_max: Dict[int, torch.Tensor] = {}
        for m in self.layers:
            m.register_forward_pre_hook(self._pre)
            m.register_forward_hook(self._post)

    def weights(self) -> Dict[str, torch.Tensor]:
        """Fresh read weights for the next mini-batch (names as in named_parameters)."""
        ti = int(torch.randint(len(self.table.times), (1,), generator=self.gen))
        out = {}
        for name, mod in self.model.named_modules():
            if isinstance(mod, (nn.Conv2d, nn.Linear)):
                w = mod.weight
                with torch.no_grad():
                    delta = self.table.read_weights(w.detach(), ti, self.gen) - w.detach()
                out[f"{name}.weight"] = w + delta
                self._w_max[id(mod)] = w.detach().abs().max()
        return out

    def _pre(self, mod, inputs):
        if not self.active or self.table.ideal or self.table.dac_step <= 0:
            return None
        x = inputs[0]
        dims = tuple(range(1, x.dim()))
        scale = x.detach().abs().amax(dim=dims, keepdim=True).clamp(min=1e-12)
        self._scale[id(mod)] = scale
        step = self.table.dac_step
        return (_RoundSte.apply(x / scale / step) * step * scale,) + tuple(inputs[1:])

    def _post(self, mod, inputs, y):
        if not self.active or self.table.ideal or id(mod) not in self._scale:
            return None
        scale = self._scale.pop(id(mod))
        unit = scale.reshape(scale.shape[0], *([1] * (y.dim() - 1)))
        if self.table.normalized_outputs:
            unit = unit * self._w_max.get(id(mod), torch.tensor(1.0))
        bias = mod.bias.reshape(1, -1, *([1] * (y.dim() - 2))) if mod.bias is not None else None
        acc = y - bias if bias is not None else y
        rows = mod.weight[0].numel()
        arrays = max(1, math.ceil(rows / self.table.rows))
        noisy = acc / unit + self.table.out_noise * math.sqrt(arrays) * torch.randn(
            acc.shape, generator=self.gen)
        if self.table.adc_step > 0:
            noisy = _RoundSte.apply(noisy / self.table.adc_step) * self.table.adc_step
        out = noisy * unit
        return out + bias if bias is not None else out
