#!/usr/bin/env python3
"""Writes the fuzz targets' seed inputs under tests/fuzz/corpus/ (small, deterministic):
tiny ONNX networks with constant weights (conv, pooling, batch norm, residual add, depthwise,
dense), IDX and CIFAR files of a few samples, sidecars and run configs. Run from the repository
root: /usr/bin/python3 tools/fuzz_seeds.py"""

import gzip
import os
import struct

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fuzz", "corpus")
rng = np.random.default_rng(7)


def const(name, shape):
    return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32) * 0.1, name)


def save(model, name):
    onnx.checker.check_model(model)
    with open(os.path.join(ROOT, "onnx", name), "wb") as f:
        f.write(model.SerializeToString())


def model(nodes, inits, x_shape, y_shape, name):
    g = helper.make_graph(nodes, name,
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)], inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def onnx_seeds():
    # conv -> relu -> maxpool -> flatten -> gemm
    save(model([
        helper.make_node("Conv", ["x", "w1", "b1"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p"], ["f"]),
        helper.make_node("Gemm", ["f", "w2", "b2"], ["y"], transB=1)],
        [const("w1", [4, 1, 3, 3]), const("b1", [4]), const("w2", [3, 16]), const("b2", [3])],
        [1, 1, 4, 4], [1, 3], "cnn"), "cnn.onnx")
    # conv -> batchnorm -> add (residual) -> global average pool
    save(model([
        helper.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c", "s", "bb", "m", "v"], ["n"]),
        helper.make_node("Add", ["n", "x"], ["a"]),
        helper.make_node("GlobalAveragePool", ["a"], ["y"])],
        [const("w", [2, 2, 3, 3]), const("s", [2]), const("bb", [2]), const("m", [2]),
         numpy_helper.from_array(np.ones(2, np.float32), "v")],
        [1, 2, 5, 5], [1, 2, 1, 1], "residual"), "residual.onnx")
    # depthwise strided dilated conv -> clip -> average pool
    save(model([
        helper.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[3, 3], group=3, strides=[2, 2],
                         dilations=[2, 2], pads=[2, 2, 2, 2]),
        helper.make_node("Clip", ["c", "lo", "hi"], ["k"]),
        helper.make_node("AveragePool", ["k"], ["y"], kernel_shape=[2, 2])],
        [const("w", [3, 1, 3, 3]), numpy_helper.from_array(np.array(0, np.float32), "lo"),
         numpy_helper.from_array(np.array(6, np.float32), "hi")],
        [1, 3, 6, 6], [1, 3, 2, 2], "depthwise"), "depthwise.onnx")
    # dense chain with matmul, sigmoid, softmax
    save(model([
        helper.make_node("MatMul", ["x", "w1"], ["h"]),
        helper.make_node("Sigmoid", ["h"], ["s"]),
        helper.make_node("Gemm", ["s", "w2"], ["z"]),
        helper.make_node("Softmax", ["z"], ["y"], axis=1)],
        [const("w1", [8, 5]), const("w2", [5, 2])], [1, 8], [1, 2], "mlp"), "mlp.onnx")


def idx(path, dims, data, code=0x08):
    hdr = struct.pack(">BBBB", 0, 0, code, len(dims)) + b"".join(struct.pack(">I", d) for d in dims)
    return hdr + bytes(data)


def dataset_seeds():
    images = idx(None, [3, 4, 4], rng.integers(0, 256, 48, dtype=np.uint8))
    labels = idx(None, [3], [1, 0, 9])
    # The idx target's input: 1 byte = labels length / 16 (rounded up), labels, images.
    n = (len(labels) + 15) // 16
    with open(os.path.join(ROOT, "idx", "raw"), "wb") as f:
        f.write(bytes([n]) + labels + b"\0" * (16 * n - len(labels)) + images)
    gz_labels = gzip.compress(labels, mtime=0)
    n = (len(gz_labels) + 15) // 16
    with open(os.path.join(ROOT, "idx", "gzip"), "wb") as f:
        f.write(bytes([n]) + gz_labels + b"\0" * (16 * n - len(gz_labels)) +
                gzip.compress(images, mtime=0))
    for classes, lab in ((10, [3]), (100, [1, 42])):
        rec = bytes(lab) + bytes(rng.integers(0, 256, 3072, dtype=np.uint8))
        with open(os.path.join(ROOT, "cifar", f"cifar{classes}"), "wb") as f:
            f.write(rec * 2)


def text_seeds():
    with open(os.path.join(ROOT, "sidecar", "mlp.yaml"), "w") as f:
        f.write("preprocessing:\n  scale: 0.00392156862745098\n  mean: 0.2860\n  std: 0.3530\n"
                "fp32_test_correct: 8888\nfp32_test_images: 10000\ntrained_by: tools/train_mlp.py\n")
    with open(os.path.join(ROOT, "sidecar", "cifar.yaml"), "w") as f:
        f.write("preprocessing:\n  channel_mean: [0.4914, 0.4822, 0.4465]\n"
                "  channel_std: [0.2470, 0.2435, 0.2616]\n")
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "configs", "chips")
    for name in ("hermes", "isaac", "ibm_speech", "pcm_small", "aihwkit_tiles"):
        with open(os.path.join(src, name + ".yaml")) as f:
            text = f.read()
        # Includes of other presets are relative to configs/chips; the target reads its input
        # from a temporary file, so they would not resolve: keep the file's own keys only.
        lines = [l for l in text.splitlines() if not l.startswith("include:")]
        with open(os.path.join(ROOT, "config", name + ".yaml"), "w") as f:
            f.write("\n".join(lines) + "\n")
    # Sweep specs: the shipped studies without their base (the spec is then its own base), and
    # one that uses every feature.
    sweeps = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "configs", "sweeps")
    for name in sorted(os.listdir(sweeps)):
        with open(os.path.join(sweeps, name)) as f:
            lines = [l for l in f.read().splitlines() if not l.strip().startswith("base:")]
        with open(os.path.join(ROOT, "sweep", name), "w") as f:
            f.write("\n".join(lines) + "\n")
    with open(os.path.join(ROOT, "sweep", "features.yaml"), "w") as f:
        f.write("sweep:\n  axes:\n    a.b: {range: [1, 9, 2]}\n    c: {logspace: [0.1, 10, 4]}\n"
                "    d: [x, 'y', \"z\"]\n    e: [1, 2, 3]\n  zip: [[d, e]]\n"
                "  constraints: ['a.b * 2 >= c and (d == \"x\" or not e > 2)', 'a.b % 3 != 1']\n"
                "  sample: {points: 5, seed: 7}\n  objectives: {latency: min, run.tops_per_w: max}\n")


if __name__ == "__main__":
    for d in ("onnx", "idx", "cifar", "sidecar", "config", "sweep"):
        os.makedirs(os.path.join(ROOT, d), exist_ok=True)
    onnx_seeds()
    dataset_seeds()
    text_seeds()
