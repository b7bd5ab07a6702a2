"""A PyTorch CNN defined here, trained one epoch on Fashion-MNIST, then on pcmsim's default chip.

The path from a PyTorch workflow to pcmsim in one call: pcmsim.from_torch exports the module
through torch.onnx and runs it on the cycle-level chip of configs/default.yaml (the HERMES-like
chip, PCM programming noise) in place of the config's network. Prints the FP32 test accuracy,
then the chip's latency, throughput, energy per image, its energy by component class and the
accuracy the network keeps on the chip, and the accuracy over time after programming
(pcmsim.from_torch(..., mode="functional")).

Usage (from the repository root, after the README's set-up command):
    PYTHONPATH=build/python /usr/bin/python3 examples/torch_cnn.py \
        [--train-images 60000] [--test-images 10000] [--chip-images 1000]
"""

import argparse
import time

import numpy as np
import torch
from torch import nn

import pcmsim

DATA = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530  # the training images' pixel mean and std (x / 255)


class SmallCnn(nn.Module):
    """Conv 1->8 (3x3) - ReLU - MaxPool 2 - Conv 8->16 (3x3) - ReLU - MaxPool 2 - Linear 400->10."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Linear(16 * 5 * 5, 10)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def tensors(images, labels, n):
    x = torch.from_numpy(images[:n].astype(np.float32) / 255.0).unsqueeze(1)
    return (x - MEAN) / STD, torch.from_numpy(labels[:n].astype(np.int64))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train-images", type=int, default=60000)
    ap.add_argument("--test-images", type=int, default=10000, help="FP32 and functional accuracy")
    ap.add_argument("--chip-images", type=int, default=1000, help="images through the cycle-level chip")
    ap.add_argument("--repeats", type=int, default=3, help="programmings per accuracy-over-time cell")
    args = ap.parse_args()
    torch.manual_seed(1)
    torch.set_num_threads(1)

    x, y = tensors(pcmsim.load_idx(f"{DATA}/train-images-idx3-ubyte.gz"),
                   pcmsim.load_idx(f"{DATA}/train-labels-idx1-ubyte.gz"), args.train_images)
    model = SmallCnn()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    t0 = time.time()
    model.train()
    for i in range(0, len(x), 64):  # one epoch, mini-batches of 64
        opt.zero_grad()
        nn.functional.cross_entropy(model(x[i:i + 64]), y[i:i + 64]).backward()
        opt.step()
    xt, yt = tensors(pcmsim.load_idx(f"{DATA}/t10k-images-idx3-ubyte.gz"),
                     pcmsim.load_idx(f"{DATA}/t10k-labels-idx1-ubyte.gz"), args.test_images)
    model.eval()
    with torch.no_grad():
        fp32 = (model(xt).argmax(1) == yt).float().mean().item()
    print(f"trained one epoch on {len(x):,} images in {time.time() - t0:.1f} s; "
          f"FP32 top-1 {100 * fp32:.2f} % on {len(xt):,} test images")

    pre = {"scale": 1 / 255, "mean": MEAN, "std": STD}
    r = pcmsim.from_torch(model, torch.zeros(1, 1, 28, 28), preprocessing=pre,
                          overrides={"simulation.images": args.chip_images})
    run = r.stats["run"]
    print(f"\non pcmsim's default chip ({run['config']}), {run['images']:,} images through the "
          f"cycle-level chip:")
    print(f"  latency     {run['latency_cycles']:.1f} cycles = {run['latency_ns']:.1f} ns per image")
    print(f"  throughput  {run['throughput_images_per_s']:,.0f} images/s")
    print(f"  energy      {run['energy_per_image_pj'] / 1e3:.3f} nJ per image, "
          f"{run['tops_per_w']:.3f} TOPS/W")
    print(f"  accuracy    top-1 {100 * r.accuracy:.2f} % ({run['correct']}/{run['images']})")
    print("  energy by component class, pJ per image:")
    for k, v in r.energy_by_class.items():
        if v > 0:
            print(f"    {k:<14}{v:10.2f}")
    print("  per layer:")
    print(r.layers[["step", "ops", "runs_on", "cycles_per_image", "energy_pj_per_image"]]
          .to_string(index=False))

    df = pcmsim.from_torch(model, torch.zeros(1, 1, 28, 28), preprocessing=pre, mode="functional",
                           times=["1s", "1d", "1y"], compensations=["none", "global"],
                           repeats=args.repeats, images=args.test_images)
    print(f"\naccuracy over time after programming ({args.test_images:,} images, {args.repeats} "
          f"programmings), top-1 %:")
    table = df.pivot(index="time_s", columns="compensation", values="mean") * 100
    table.index = [df[df.time_s == t].time.iloc[0] for t in table.index]
    print(table.round(2).to_string())


if __name__ == "__main__":
    main()
