#!/usr/bin/env python3
"""Export an architecture-only torchvision ImageNet model to ONNX for pcmsim.

The model is created with ``weights=None`` (randomly initialized from
``--seed``; nothing is downloaded), put in eval mode and exported at
1x3x224x224 (opset 13, input ``input`` [N,3,224,224] with a dynamic batch axis,
output ``logits`` [N,1000], constant folding enabled, so eval-mode
BatchNorm is folded into the preceding Conv).  Identity nodes that the
exporter inserts to de-duplicate equal initializers (all folded BatchNorm
biases are zero at random init) are replaced by copies of the initializer.  The result has realistic layer
shapes for mapping / area / latency / energy studies but meaningless accuracy;
no sidecar is written.

Example (from the repository root; Debian's interpreter has torch/onnx)::

    /usr/bin/python3 tools/export_torchvision.py --model resnet18 --out /tmp/resnet18.onnx
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torchvision

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_cnn import export_onnx  # noqa: E402  (same export settings as the zoo)

MODELS = ("resnet18", "resnet50", "vgg16", "mobilenet_v2")


def build(name: str) -> nn.Module:
    ctor = getattr(torchvision.models, name)
    try:
        return ctor(weights=None)
    except TypeError:  # torchvision < 0.13
        return ctor(pretrained=False)


def count_macs(model: nn.Module, x: torch.Tensor) -> int:
    """Conv2d + Linear multiply-accumulates per image (bias excluded)."""
    total = [0]

    def hook(mod, inp, out):
        if isinstance(mod, nn.Conv2d):
            total[0] += out[0].numel() * mod.weight[0].numel()
        else:
            total[0] += mod.in_features * mod.out_features

    hs = [m.register_forward_hook(hook) for m in model.modules()
          if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model(x)
    for h in hs:
        h.remove()
    return total[0]


def materialize_identity_initializers(proto) -> int:
    """Replace ``Identity(initializer)`` nodes by a copy of the initializer.

    With random init every eval-mode BatchNorm folds to the same bias (zeros),
    and the exporter de-duplicates equal initializers by routing them through
    Identity nodes.  Copying them back keeps the graph free of Identity nodes
    (every Conv/Gemm reads its weights and bias straight from initializers).
    Returns the number of nodes removed.
    """
    import onnx
    inits = {i.name: i for i in proto.graph.initializer}
    keep, removed = [], 0
    for node in proto.graph.node:
        if node.op_type == "Identity" and node.input[0] in inits:
            dup = onnx.TensorProto()
            dup.CopyFrom(inits[node.input[0]])
            dup.name = node.output[0]
            proto.graph.initializer.append(dup)
            removed += 1
        else:
            keep.append(node)
    if removed:
        del proto.graph.node[:]
        proto.graph.node.extend(keep)
        used = {n for node in keep for n in node.input}
        unused = [i for i in proto.graph.initializer if i.name not in used]
        for i in unused:
            proto.graph.initializer.remove(i)
    return removed


def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        description="Export a randomly initialized (architecture-only) torchvision model "
                    "to ONNX at 1x3x224x224.")
    p.add_argument("--model", required=True, choices=MODELS)
    p.add_argument("--out", type=Path, required=True, help="output .onnx path")
    p.add_argument("--seed", type=int, default=1, help="random seed for the init (default 1)")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    args = p.parse_args(argv)
    if args.out.suffix != ".onnx":
        p.error("--out must end in .onnx")

    torch.set_num_threads(max(1, args.threads))
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)

    model = build(args.model).eval()
    dummy = torch.zeros(1, 3, 224, 224, dtype=torch.float32)
    n_params = sum(q.numel() for q in model.parameters())
    macs = count_macs(model, dummy)
    print(f"{args.model}: {n_params} parameters, {macs} Conv+Linear MACs per image")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    export_onnx(model, args.out, dummy)

    import onnx
    proto = onnx.load(str(args.out))
    n_identity = materialize_identity_initializers(proto)
    if n_identity:
        onnx.save(proto, str(args.out))
        print(f"replaced {n_identity} Identity(initializer) nodes by initializer copies")
    onnx.checker.check_model(proto)
    ops: "OrderedDict[str, int]" = OrderedDict()
    for node in proto.graph.node:
        ops[node.op_type] = ops.get(node.op_type, 0) + 1
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes), onnx.checker OK, "
          f"{len(proto.graph.node)} nodes")
    print("ONNX op types: " + ", ".join(f"{k} x{v}" for k, v in ops.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
