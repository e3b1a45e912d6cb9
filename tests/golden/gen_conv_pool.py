"""Golden fixtures for matmul, convolution and pooling (run with /usr/bin/python3, torch 1.13).

Writes tests/src/test/resources/golden/conv_pool.safetensors. Every case stores float32 inputs drawn from
a seeded generator, PyTorch's outputs, and the op's non-tensor arguments under PyTorch's keyword names
(see golden_common.py for the layout). Pooling ops with return_indices=True store out0 = values and
out1 = int64 indices.
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_common import FixtureFile, seeded  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "golden",
                   "conv_pool.safetensors")

g = seeded(20261123)


def randn(*shape):
    return torch.randn(*shape, generator=g, dtype=torch.float32)


def small_ints(*shape, hi=4):
    """Small integers as floats: pooling windows then contain ties, which pin down the argmax rule."""
    return torch.randint(0, hi, shape, generator=g).to(torch.float32)


def main():
    f = FixtureFile()

    # ---- matmul: 2-D, 1-D operands, batched with broadcasting
    mm = [
        ("matmul_2d", (5, 7), (7, 3)),
        ("matmul_2d_tile_edges", (13, 37), (37, 35)),
        ("matmul_2d_deep", (6, 300), (300, 4)),
        ("matmul_vec_vec", (9,), (9,)),
        ("matmul_mat_vec", (4, 9), (9,)),
        ("matmul_vec_mat", (9,), (9, 5)),
        ("matmul_vec_batched", (6,), (3, 6, 2)),
        ("matmul_batched_vec", (2, 3, 6), (6,)),
        ("matmul_batched", (3, 4, 5), (3, 5, 2)),
        ("matmul_broadcast_batch", (2, 1, 4, 5), (3, 5, 6)),
        ("matmul_broadcast_2d_rhs", (2, 3, 4, 5), (5, 3)),
        ("matmul_broadcast_2d_lhs", (4, 5), (2, 5, 3)),
    ]
    for name, sa, sb in mm:
        a, b = randn(*sa), randn(*sb)
        f.add(name, "matmul", [a, b], torch.matmul(a, b))

    # ---- convolutions: (case, op, x shape, weight shape, bias?, args)
    convs = [
        ("conv1d_basic", F.conv1d, (2, 3, 11), (4, 3, 3), True, dict(stride=1, padding=1, dilation=1, groups=1)),
        ("conv1d_stride_dil", F.conv1d, (1, 4, 17), (6, 2, 3), False,
         dict(stride=2, padding=2, dilation=2, groups=2)),
        ("conv1d_pointwise", F.conv1d, (2, 5, 7), (3, 5, 1), True, dict(stride=1, padding=0, dilation=1, groups=1)),
        ("conv2d_basic", F.conv2d, (2, 3, 9, 8), (5, 3, 3, 3), True,
         dict(stride=[1, 1], padding=[1, 1], dilation=[1, 1], groups=1)),
        ("conv2d_asym", F.conv2d, (1, 4, 10, 7), (6, 2, 3, 2), True,
         dict(stride=[2, 1], padding=[0, 1], dilation=[1, 2], groups=2)),
        ("conv2d_depthwise", F.conv2d, (1, 6, 8, 8), (6, 1, 3, 3), True,
         dict(stride=[1, 1], padding=[1, 1], dilation=[1, 1], groups=6)),
        ("conv2d_stride3_nobias", F.conv2d, (2, 2, 11, 12), (3, 2, 4, 4), False,
         dict(stride=[3, 3], padding=[2, 0], dilation=[1, 1], groups=1)),
        ("conv2d_pointwise", F.conv2d, (1, 8, 5, 6), (4, 8, 1, 1), True,
         dict(stride=[1, 1], padding=[0, 0], dilation=[1, 1], groups=1)),
        ("conv3d_basic", F.conv3d, (1, 3, 5, 6, 7), (4, 3, 3, 3, 3), True,
         dict(stride=[1, 1, 1], padding=[1, 1, 1], dilation=[1, 1, 1], groups=1)),
        ("conv3d_strided", F.conv3d, (2, 2, 6, 7, 5), (4, 1, 3, 2, 3), True,
         dict(stride=[2, 1, 2], padding=[1, 0, 2], dilation=[1, 2, 1], groups=2)),
        ("conv3d_channels", F.conv3d, (1, 16, 4, 5, 5), (8, 16, 3, 3, 3), False,
         dict(stride=[1, 1, 1], padding=[0, 1, 1], dilation=[1, 1, 1], groups=1)),
    ]
    for name, fn, sx, sw, has_bias, args in convs:
        x, w = randn(*sx), randn(*sw)
        inputs = [x, w]
        b = None
        if has_bias:
            b = randn(sw[0])
            inputs.append(b)
        f.add(name, fn.__name__, inputs, fn(x, w, b, **args), **args)

    # ---- transposed convolutions: weight is [cin, cout/groups, k...]
    tconvs = [
        ("conv_transpose2d_basic", F.conv_transpose2d, (2, 3, 5, 4), (3, 4, 3, 3), True,
         dict(stride=[2, 2], padding=[1, 1], output_padding=[1, 0], groups=1, dilation=[1, 1])),
        ("conv_transpose2d_groups", F.conv_transpose2d, (1, 4, 4, 6), (4, 3, 2, 3), False,
         dict(stride=[1, 2], padding=[0, 1], output_padding=[0, 1], groups=2, dilation=[2, 1])),
        ("conv_transpose2d_stride3", F.conv_transpose2d, (1, 2, 3, 3), (2, 2, 4, 4), True,
         dict(stride=[3, 3], padding=[0, 2], output_padding=[2, 1], groups=1, dilation=[1, 1])),
        ("conv_transpose3d_basic", F.conv_transpose3d, (1, 3, 3, 4, 3), (3, 2, 3, 3, 3), True,
         dict(stride=[2, 2, 2], padding=[1, 1, 1], output_padding=[1, 1, 0], groups=1, dilation=[1, 1, 1])),
        ("conv_transpose3d_mixed", F.conv_transpose3d, (2, 4, 2, 3, 4), (4, 1, 2, 3, 2), True,
         dict(stride=[1, 2, 3], padding=[0, 1, 1], output_padding=[0, 0, 2], groups=2, dilation=[2, 1, 1])),
    ]
    for name, fn, sx, sw, has_bias, args in tconvs:
        x, w = randn(*sx), randn(*sw)
        cout = sw[1] * args["groups"]
        inputs = [x, w]
        b = None
        if has_bias:
            b = randn(cout)
            inputs.append(b)
        f.add(name, fn.__name__, inputs, fn(x, w, b, **args), **args)

    # ---- max pooling with indices
    maxp = [
        ("max_pool2d_basic", F.max_pool2d, randn(2, 3, 8, 9),
         dict(kernel_size=[2, 2], stride=[2, 2], padding=[0, 0], dilation=[1, 1], ceil_mode=False)),
        ("max_pool2d_ceil_pad", F.max_pool2d, randn(1, 2, 7, 10),
         dict(kernel_size=[3, 3], stride=[2, 2], padding=[1, 1], dilation=[1, 1], ceil_mode=True)),
        ("max_pool2d_dilated_ties", F.max_pool2d, small_ints(1, 2, 9, 9),
         dict(kernel_size=[3, 2], stride=[1, 2], padding=[1, 1], dilation=[2, 2], ceil_mode=False)),
        ("max_pool2d_ceil_last_window", F.max_pool2d, randn(1, 1, 5, 5),
         dict(kernel_size=[2, 2], stride=[2, 2], padding=[0, 0], dilation=[1, 1], ceil_mode=True)),
        ("max_pool3d_basic", F.max_pool3d, randn(1, 2, 4, 6, 6),
         dict(kernel_size=[2, 2, 2], stride=[2, 2, 2], padding=[0, 0, 0], dilation=[1, 1, 1], ceil_mode=False)),
        ("max_pool3d_mixed", F.max_pool3d, small_ints(2, 2, 5, 6, 7),
         dict(kernel_size=[3, 2, 3], stride=[2, 1, 2], padding=[1, 1, 0], dilation=[1, 2, 1], ceil_mode=True)),
    ]
    for name, fn, x, args in maxp:
        v, i = fn(x, return_indices=True, **args)
        f.add(name, fn.__name__, [x], [v, i], return_indices=True, **args)

    # ---- average pooling
    avgp = [
        ("avg_pool2d_basic", F.avg_pool2d, randn(2, 3, 8, 9),
         dict(kernel_size=[2, 2], stride=[2, 2], padding=[0, 0], ceil_mode=False, count_include_pad=True,
              divisor_override=None)),
        ("avg_pool2d_pad_exclude", F.avg_pool2d, randn(1, 2, 7, 10),
         dict(kernel_size=[3, 3], stride=[2, 2], padding=[1, 1], ceil_mode=False, count_include_pad=False,
              divisor_override=None)),
        ("avg_pool2d_ceil_include", F.avg_pool2d, randn(1, 2, 7, 6),
         dict(kernel_size=[3, 3], stride=[2, 2], padding=[1, 1], ceil_mode=True, count_include_pad=True,
              divisor_override=None)),
        ("avg_pool2d_divisor", F.avg_pool2d, randn(1, 1, 6, 7),
         dict(kernel_size=[3, 2], stride=[2, 1], padding=[1, 0], ceil_mode=True, count_include_pad=False,
              divisor_override=5)),
        ("avg_pool3d_basic", F.avg_pool3d, randn(1, 2, 4, 6, 6),
         dict(kernel_size=[2, 2, 2], stride=[2, 2, 2], padding=[0, 0, 0], ceil_mode=False, count_include_pad=True,
              divisor_override=None)),
        ("avg_pool3d_ceil_pad", F.avg_pool3d, randn(2, 1, 5, 6, 7),
         dict(kernel_size=[3, 2, 3], stride=[2, 2, 2], padding=[1, 1, 1], ceil_mode=True, count_include_pad=False,
              divisor_override=None)),
        ("avg_pool3d_divisor", F.avg_pool3d, randn(1, 2, 4, 5, 5),
         dict(kernel_size=[2, 3, 3], stride=[1, 2, 2], padding=[1, 1, 0], ceil_mode=False, count_include_pad=True,
              divisor_override=7)),
    ]
    for name, fn, x, args in avgp:
        f.add(name, fn.__name__, [x], fn(x, **args), **args)

    # ---- adaptive pooling (output windows [floor(i*in/out), ceil((i+1)*in/out)) overlap when in % out != 0)
    adap = [
        ("adaptive_avg_pool2d_down", F.adaptive_avg_pool2d, randn(2, 3, 7, 9), [3, 4]),
        ("adaptive_avg_pool2d_global", F.adaptive_avg_pool2d, randn(1, 4, 5, 6), [1, 1]),
        ("adaptive_avg_pool2d_up", F.adaptive_avg_pool2d, randn(1, 2, 3, 4), [5, 6]),
        ("adaptive_avg_pool3d_down", F.adaptive_avg_pool3d, randn(1, 2, 5, 7, 6), [2, 3, 4]),
        ("adaptive_avg_pool3d_global", F.adaptive_avg_pool3d, randn(2, 3, 3, 4, 5), [1, 1, 1]),
    ]
    for name, fn, x, size in adap:
        f.add(name, fn.__name__, [x], fn(x, size), output_size=size)

    amax = [
        ("adaptive_max_pool2d_down", randn(2, 3, 7, 9), [3, 4]),
        ("adaptive_max_pool2d_ties", small_ints(1, 2, 6, 7), [4, 3]),
        ("adaptive_max_pool2d_global", randn(1, 4, 5, 6), [1, 1]),
        ("adaptive_max_pool2d_up", randn(1, 1, 3, 4), [5, 6]),
    ]
    for name, x, size in amax:
        v, i = F.adaptive_max_pool2d(x, size, return_indices=True)
        f.add(name, "adaptive_max_pool2d", [x], [v, i], output_size=size, return_indices=True)

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    f.write(OUT)


if __name__ == "__main__":
    main()
