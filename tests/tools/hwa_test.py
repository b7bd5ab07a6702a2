#!/usr/bin/python3
"""Checks of tools/hwa.py (hardware-aware training from pcmsim's device table) against values
derived by hand from a small table written here, and of its hooks against closed forms.
Run by ctest (HwaTraining.*) with Debian's interpreter, which has torch."""
import json
import math
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

from hwa import DeviceTable, HwaTraining  # noqa: E402


def table(tmp: Path, **mvm) -> Path:
    """Three levels (0, 0.5, 1 of g_max = 20 uS), two times; at t = 0 each level reads its
    target exactly, at t = 100 s with mean 0.8 x target + 0.5 and standard deviation
    0.2 + level (uS)."""
    levels = [0.0, 0.5, 1.0]
    d = {
        "pcmsim_version": "test", "source": "hand-written",
        "device": {"g_max_uS": 20.0, "exact": False},
        "levels": levels, "times_s": [0.0, 100.0], "devices_per_level": 1, "seed": 1,
        "mean_uS": [[20 * r for r in levels], [0.8 * 20 * r + 0.5 for r in levels]],
        "std_uS": [[0.0] * 3, [0.2 + r for r in levels]],
        "array": {"rows": 4, "cols": 4},
        "mvm": dict({"ideal": False, "noise_management": True, "bound_management_passes": 1,
                     "normalized_outputs": False, "phases": 1,
                     "dac": {"bits": 3, "bound": 1.0, "step": 1.0 / 3.0},
                     "adc": {"bits": 9, "bound": 10.0, "step": 0.0, "out_noise": 0.0}}, **mvm),
    }
    p = tmp / "dev.json"
    p.write_text(json.dumps(d))
    return p


class HwaTrainingTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def test_read_weights_have_the_tables_moments_and_compensation(self):
        # A layer of 200,000 weights, half at +w_max and half at -w_max/2, read at t = 100 s
        # (the only time from t_min = 1 s on). A weight at +1 (of w_max = 2): G+ at level 1
        # reads N(16.5, 1.2^2), G- at level 0 reads N(0.5, 0.2^2): (G+ - G-) / 20 x 2 has mean
        # 1.6 and standard deviation 2/20 x sqrt(1.44 + 0.04) = 0.12166. At -1/2 of w_max:
        # G- at level 0.5 reads N(8.5, 0.7^2): mean -0.8, standard deviation 0.1 x
        # sqrt(0.49 + 0.04) = 0.07280. Global compensation scales by sum|W| / sum|W_read| =
        # (2 + 1) / (1.6 + 0.8) = 1.25: means 2.0 and -1.0, deviations 0.15207 and 0.09100.
        t = DeviceTable(table(self.dir), t_min=1.0)
        self.assertEqual(t.times, [100.0])
        w = torch.cat([torch.full((100000,), 2.0), torch.full((100000,), -1.0)])
        r = t.read_weights(w, 0, torch.Generator().manual_seed(3))
        hi, lo = r[:100000], r[100000:]
        # Standard errors: 0.152 / sqrt(1e5) = 5e-4 for the mean, 0.152 / sqrt(2e5) for the
        # deviation: 5 of them.
        self.assertAlmostEqual(hi.mean().item(), 2.0, delta=2.5e-3)
        self.assertAlmostEqual(lo.mean().item(), -1.0, delta=2.5e-3)
        self.assertAlmostEqual(hi.std().item(), 0.15207, delta=0.15207 * 0.012)
        self.assertAlmostEqual(lo.std().item(), 0.09100, delta=0.09100 * 0.012)

    def test_dac_rounds_the_inputs_and_passes_the_gradient(self):
        # 3-bit DAC, step 1/3 of the input's absolute maximum: x = [0.9, -0.2, 0.5, -0.05]
        # with maximum 0.9 is applied as round(x / 0.9 x 3) / 3 x 0.9 = [0.9, -0.3, 0.6, 0].
        lin = nn.Linear(4, 1, bias=False)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor([[1.0, 10.0, 100.0, 1000.0]]))
        model = nn.Sequential(lin)
        hwa = HwaTraining(model, DeviceTable(table(self.dir)), seed=1)
        x = torch.tensor([[0.9, -0.2, 0.5, -0.05]], requires_grad=True)
        hwa.active = True
        y = model(x)
        hwa.active = False
        self.assertAlmostEqual(y.item(), 0.9 - 3.0 + 60.0 + 0.0, places=4)
        y.backward()
        # Straight through: dy/dx is the weight row, as without rounding.
        self.assertTrue(torch.allclose(x.grad, lin.weight.detach()))

    def test_output_noise_is_in_the_inputs_scale_once_per_array(self):
        # No DAC rounding (a step of 1e-9), an output noise of 0.1: a layer of 10 inputs on
        # arrays of 4 rows spans 3 arrays, so its outputs carry 0.1 x sqrt(3) x max|x| of
        # noise; with max|x| = 2, a standard deviation of 0.3464 (raw weight units,
        # normalized_outputs false). 20,000 outputs: a 5 % tolerance is 7 standard errors.
        p = table(self.dir, dac={"bits": 16, "bound": 1.0, "step": 1e-9},
                  adc={"bits": 16, "bound": 10.0, "step": 0.0, "out_noise": 0.1})
        lin = nn.Linear(10, 20000, bias=False)
        with torch.no_grad():
            lin.weight.zero_()
        model = nn.Sequential(lin)
        hwa = HwaTraining(model, DeviceTable(p), seed=2)
        x = torch.zeros(1, 10)
        x[0, 3] = 2.0
        hwa.active = True
        y = model(x)
        hwa.active = False
        self.assertAlmostEqual(y.std().item(), 0.1 * math.sqrt(3) * 2.0, delta=0.05 * 0.3464)
        self.assertAlmostEqual(y.mean().item(), 0.0, delta=5 * 0.3464 / math.sqrt(20000))


if __name__ == "__main__":
    unittest.main()
