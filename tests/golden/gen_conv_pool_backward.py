"""Golden fixtures for convolution and pooling gradients (run with /usr/bin/python3, torch 1.13).

Writes tests/src/test/resources/golden/conv_pool_backward.safetensors. Each case draws float32 inputs and
an output gradient from a seeded generator and stores the gradients torch.autograd.grad computes (see
golden_common.py for the layout). Layouts:

  conv2d_backward, conv3d_backward:
      inputs [x, weight, grad_out], outputs [grad_input, grad_weight, grad_bias],
      args stride, padding, dilation, groups
  conv_transpose2d_backward:
      inputs [x, weight, grad_out], outputs [grad_input, grad_weight, grad_bias],
      args stride, padding, output_padding, groups, dilation
  max_pool2d_backward:
      inputs [x, grad_out], outputs [grad_input], args kernel_size, stride, padding, dilation, ceil_mode
  avg_pool2d_backward:
      inputs [x, grad_out], outputs [grad_input],
      args kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override (null = none)
  adaptive_avg_pool2d_backward:
      inputs [x, grad_out], outputs [grad_input], args output_size

grad_bias does not depend on the bias, so the bias is not an input; x matters only to grad_weight (and,
for max pooling, to which element each window picked).
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_common import FixtureFile, seeded  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "golden",
                   "conv_pool_backward.safetensors")

g = seeded(20261124)


def randn(*shape):
    return torch.randn(*shape, generator=g, dtype=torch.float32)


def small_ints(*shape, hi=4):
    """Small integers as floats: max windows then contain ties, which pin down where the gradient goes."""
    return torch.randint(0, hi, shape, generator=g).to(torch.float32)


def conv_case(f, name, op, fn, sx, sw, cout, args):
    x = randn(*sx).requires_grad_(True)
    w = randn(*sw).requires_grad_(True)
    b = randn(cout).requires_grad_(True)
    y = fn(x, w, b, **args)
    go = randn(*y.shape)
    gx, gw, gb = torch.autograd.grad(y, [x, w, b], go)
    f.add(name, op, [x, w, go], [gx, gw, gb], **args)


def main():
    f = FixtureFile()

    # ---- convolutions: (case, x shape, weight shape, args); cout = weight.shape[0]
    convs2d = [
        ("conv2d_backward_basic", (2, 3, 7, 6), (4, 3, 3, 3),
         dict(stride=[1, 1], padding=[1, 1], dilation=[1, 1], groups=1)),
        ("conv2d_backward_stride_dropped_rows", (1, 4, 10, 9), (6, 2, 3, 2),
         dict(stride=[2, 3], padding=[0, 1], dilation=[1, 2], groups=2)),
        ("conv2d_backward_depthwise", (1, 4, 6, 6), (4, 1, 3, 3),
         dict(stride=[1, 1], padding=[2, 2], dilation=[2, 2], groups=4)),
        ("conv2d_backward_pointwise", (2, 5, 4, 5), (3, 5, 1, 1),
         dict(stride=[1, 1], padding=[0, 0], dilation=[1, 1], groups=1)),
        ("conv2d_backward_stride_gt_kernel", (1, 2, 9, 8), (3, 2, 2, 2),
         dict(stride=[3, 3], padding=[1, 0], dilation=[1, 1], groups=1)),
    ]
    for name, sx, sw, args in convs2d:
        conv_case(f, name, "conv2d_backward", F.conv2d, sx, sw, sw[0], args)

    convs3d = [
        ("conv3d_backward_basic", (1, 2, 4, 5, 4), (3, 2, 3, 3, 3),
         dict(stride=[1, 1, 1], padding=[1, 1, 1], dilation=[1, 1, 1], groups=1)),
        ("conv3d_backward_mixed", (2, 4, 5, 6, 5), (4, 2, 2, 3, 2),
         dict(stride=[2, 1, 2], padding=[1, 0, 1], dilation=[1, 2, 1], groups=2)),
    ]
    for name, sx, sw, args in convs3d:
        conv_case(f, name, "conv3d_backward", F.conv3d, sx, sw, sw[0], args)

    # ---- transposed convolutions: weight is [cin, cout/groups, k...]
    tconvs = [
        ("conv_transpose2d_backward_basic", (2, 3, 4, 4), (3, 2, 3, 3),
         dict(stride=[2, 2], padding=[1, 1], output_padding=[1, 0], groups=1, dilation=[1, 1])),
        ("conv_transpose2d_backward_groups", (1, 4, 3, 5), (4, 3, 2, 3),
         dict(stride=[1, 2], padding=[0, 1], output_padding=[0, 1], groups=2, dilation=[2, 1])),
        ("conv_transpose2d_backward_outpad_dilation", (1, 2, 3, 4), (2, 2, 3, 2),
         dict(stride=[1, 2], padding=[1, 0], output_padding=[1, 1], groups=1, dilation=[2, 2])),
    ]
    for name, sx, sw, args in tconvs:
        conv_case(f, name, "conv_transpose2d_backward", F.conv_transpose2d, sx, sw, sw[1] * args["groups"], args)

    # ---- max pooling: overlapping windows send several gradients to one element
    maxp = [
        ("max_pool2d_backward_basic", randn(2, 2, 6, 7),
         dict(kernel_size=[2, 2], stride=[2, 2], padding=[0, 0], dilation=[1, 1], ceil_mode=False)),
        ("max_pool2d_backward_overlap_pad_ceil", randn(1, 2, 7, 8),
         dict(kernel_size=[3, 3], stride=[2, 1], padding=[1, 1], dilation=[1, 1], ceil_mode=True)),
        ("max_pool2d_backward_ties_dilated", small_ints(1, 2, 8, 8),
         dict(kernel_size=[3, 2], stride=[1, 2], padding=[1, 1], dilation=[2, 2], ceil_mode=False)),
    ]
    for name, x, args in maxp:
        x = x.requires_grad_(True)
        y = F.max_pool2d(x, **args)
        go = randn(*y.shape)
        (gx,) = torch.autograd.grad(y, [x], go)
        f.add(name, "max_pool2d_backward", [x, go], [gx], **args)

    # ---- average pooling
    avgp = [
        ("avg_pool2d_backward_basic", randn(2, 2, 6, 7),
         dict(kernel_size=[2, 2], stride=[2, 2], padding=[0, 0], ceil_mode=False, count_include_pad=True,
              divisor_override=None)),
        ("avg_pool2d_backward_pad_exclude_ceil", randn(1, 2, 7, 8),
         dict(kernel_size=[3, 3], stride=[2, 2], padding=[1, 1], ceil_mode=True, count_include_pad=False,
              divisor_override=None)),
        ("avg_pool2d_backward_pad_include_ceil", randn(1, 2, 7, 6),
         dict(kernel_size=[3, 2], stride=[2, 1], padding=[1, 1], ceil_mode=True, count_include_pad=True,
              divisor_override=None)),
        ("avg_pool2d_backward_divisor", randn(1, 1, 6, 7),
         dict(kernel_size=[3, 2], stride=[2, 1], padding=[1, 0], ceil_mode=False, count_include_pad=False,
              divisor_override=5)),
    ]
    for name, x, args in avgp:
        x = x.requires_grad_(True)
        y = F.avg_pool2d(x, **args)
        go = randn(*y.shape)
        (gx,) = torch.autograd.grad(y, [x], go)
        f.add(name, "avg_pool2d_backward", [x, go], [gx], **args)

    # ---- adaptive average pooling (windows overlap when in % out != 0)
    adap = [
        ("adaptive_avg_pool2d_backward_down", randn(2, 2, 7, 9), [3, 4]),
        ("adaptive_avg_pool2d_backward_global", randn(1, 3, 5, 6), [1, 1]),
        ("adaptive_avg_pool2d_backward_up", randn(1, 2, 3, 4), [5, 6]),
    ]
    for name, x, size in adap:
        x = x.requires_grad_(True)
        y = F.adaptive_avg_pool2d(x, size)
        go = randn(*y.shape)
        (gx,) = torch.autograd.grad(y, [x], go)
        f.add(name, "adaptive_avg_pool2d_backward", [x, go], [gx], output_size=size)

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    f.write(OUT)


if __name__ == "__main__":
    main()
