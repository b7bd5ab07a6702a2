#!/usr/bin/python3
"""Checks of tools/bench/resnet_speed.py on a small network (its ResNet runs need the exported
torchvision models, which CI does not make): it reads pcmsim bench's figures and the process's
peak memory. Run by ctest (Bench.*) with Debian's interpreter, which has numpy.

Usage: resnet_speed_test.py PCMSIM"""
import os
import resource
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools" / "bench"))

import resnet_speed  # noqa: E402

PCMSIM = ""
LENET = ("workload.onnx=workloads/models/lenet5_fmnist.onnx", "simulation.images=20",
         "workload.dataset.samples=200")


class ResnetSpeed(unittest.TestCase):
    def test_build_figures_and_peak_memory(self):
        f = resnet_speed.build_figures(PCMSIM, 1, "configs/aihwkit.yaml", LENET)
        self.assertGreater(f["build_s"], 0.0)
        self.assertGreater(f["prepare_s"], 0.0)
        self.assertLess(f["prepare_s"], 60.0)
        # In MB: at most the largest of the test's children (getrusage, in KB), and more than
        # the program, SystemC and the dataset take.
        children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
        self.assertLessEqual(f["peak_mb"], children_mb + 0.01)
        self.assertGreater(f["peak_mb"], 10.0)

    def test_functional_rate(self):
        rate = resnet_speed.functional_rate(PCMSIM, 1, "configs/aihwkit.yaml", LENET)
        # LeNet-5 makes some 1-2 GMAC/s on one core; anything positive and finite reads it.
        self.assertGreater(rate, 0.0)
        self.assertLess(rate, 1000.0)

    def test_roofline(self):
        self.assertIn(resnet_speed.openblas_core(), ("SkylakeX", "Haswell", ""))
        self.assertGreater(resnet_speed.sgemm_gmacs(256, 1), 0.0)

    def test_a_failed_run_names_the_command(self):
        with self.assertRaises(SystemExit) as e:
            resnet_speed.build_figures(PCMSIM, 1, "configs/no_such_config.yaml", ())
        self.assertIn("no_such_config.yaml", str(e.exception))


if __name__ == "__main__":
    PCMSIM = os.path.abspath(sys.argv.pop(1))
    unittest.main()
