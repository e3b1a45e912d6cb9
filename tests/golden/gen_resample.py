"""Golden fixtures for interpolate and grid_sample, forward and backward (run with /usr/bin/python3, torch 1.13).

Writes tests/src/test/resources/golden/resample.safetensors. Ops:
  interpolate           inputs [x]                 outputs [y]
  interpolate_backward  inputs [x, grad_out]       outputs [grad_input]
  grid_sample           inputs [x, grid]           outputs [y]
  grid_sample_backward  inputs [x, grid, grad_out] outputs [grad_input, grad_grid]
Args use PyTorch's keyword names (size or scale_factor, mode, align_corners, padding_mode). Everything is
float32 and seeded, so rerunning the script reproduces the file byte for byte.
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_common import FixtureFile, seeded  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "golden",
                   "resample.safetensors")

fx = FixtureFile()
gen = seeded(20240613)


def randn(*shape):
    return torch.randn(*shape, generator=gen, dtype=torch.float32)


def uniform(lo, hi, *shape):
    return lo + (hi - lo) * torch.rand(*shape, generator=gen, dtype=torch.float32)


# ----------------------------------------------------------------------------------------------- interpolate

def interp_kwargs(size, scale_factor, mode, align_corners):
    kw = {"mode": mode}
    if size is not None:
        kw["size"] = size
    else:
        kw["scale_factor"] = scale_factor
    if align_corners is not None:
        kw["align_corners"] = align_corners
    return kw


def nearest_backward_is_adjoint(shape, kw, grad_input, grad_out):
    """PyTorch 1.13's nearest backward recomputes indices with shortcuts (out == in, out == 2 * in) that
    ignore a given scale factor, so in those cases it is not the adjoint of its own forward. Fuse3D's
    backward is the exact adjoint; keep only cases where the two agree."""
    spatial = shape[2:]
    count = 1
    for s in spatial:
        count *= s
    probe = torch.arange(count, dtype=torch.float64).reshape(1, 1, *spatial)
    index = F.interpolate(probe, **kw).reshape(-1).long()
    n, c = shape[0], shape[1]
    g = grad_out.double().reshape(n * c, -1)
    adj = torch.zeros(n * c, count, dtype=torch.float64)
    adj.index_add_(1, index, g)
    return torch.allclose(adj, grad_input.double().reshape(n * c, -1), rtol=1e-6, atol=1e-6)


def interp_case(name, shape, mode, size=None, scale_factor=None, align_corners=None, backward=True):
    kw = interp_kwargs(size, scale_factor, mode, align_corners)
    x = randn(*shape)
    y = F.interpolate(x, **kw)
    fx.add(name, "interpolate", [x], [y], **kw)
    if not backward:
        return
    xg = x.clone().requires_grad_(True)
    yg = F.interpolate(xg, **kw)
    grad_out = randn(*yg.shape)
    (grad_input,) = torch.autograd.grad(yg, xg, grad_out)
    if mode.startswith("nearest") and not nearest_backward_is_adjoint(shape, kw, grad_input, grad_out):
        raise SystemExit(f"{name}: PyTorch's nearest backward is not the adjoint of its forward here; "
                         "choose another case")
    fx.add(name + "_bwd", "interpolate_backward", [x, grad_out], [grad_input], **kw)


for ac in (False, True):
    tag = "ac" if ac else "hp"
    # 1-D linear: up, down, scale factors (non-integer, below one), output of one pixel.
    interp_case(f"linear1d_up_{tag}", (2, 3, 5), "linear", size=8, align_corners=ac)
    interp_case(f"linear1d_down_{tag}", (2, 3, 7), "linear", size=3, align_corners=ac)
    interp_case(f"linear1d_sf_{tag}", (1, 2, 6), "linear", scale_factor=1.7, align_corners=ac)
    interp_case(f"linear1d_sfdown_{tag}", (1, 2, 9), "linear", scale_factor=0.45, align_corners=ac)
    interp_case(f"linear1d_out1_{tag}", (1, 2, 5), "linear", size=1, align_corners=ac)
    # 2-D bilinear.
    interp_case(f"bilinear_size_{tag}", (2, 3, 4, 5), "bilinear", size=[7, 3], align_corners=ac)
    interp_case(f"bilinear_sf_{tag}", (1, 2, 4, 5), "bilinear", scale_factor=[1.5, 0.75], align_corners=ac)
    interp_case(f"bilinear_in1_{tag}", (1, 2, 1, 3), "bilinear", size=[3, 1], align_corners=ac)
    # 3-D trilinear.
    interp_case(f"trilinear_size_{tag}", (1, 2, 3, 4, 5), "trilinear", size=[5, 2, 6], align_corners=ac)
    interp_case(f"trilinear_sf_{tag}", (1, 2, 3, 4, 5), "trilinear", scale_factor=[1.3, 2.0, 0.5],
                align_corners=ac)
# An axis whose size does not change is copied even when the scale factor is not 1 (10 * 1.05 -> 10).
interp_case("linear1d_same_sf", (1, 2, 10), "linear", scale_factor=1.05, align_corners=False)
interp_case("bilinear_same", (1, 2, 4, 5), "bilinear", size=[4, 5], align_corners=False)

for mode in ("nearest", "nearest-exact"):
    tag = mode.replace("-", "_")
    interp_case(f"{tag}1d_up", (2, 2, 5), mode, size=8)
    interp_case(f"{tag}1d_down", (2, 2, 13), mode, size=3)
    interp_case(f"{tag}1d_sf", (2, 2, 5), mode, scale_factor=1.7)
    interp_case(f"{tag}1d_sfdown", (1, 2, 11), mode, scale_factor=0.6)
    interp_case(f"{tag}2d_size", (2, 2, 4, 5), mode, size=[7, 3])
    interp_case(f"{tag}2d_double", (1, 2, 4, 5), mode, size=[8, 10])
    interp_case(f"{tag}2d_sf", (1, 2, 4, 5), mode, scale_factor=[1.5, 0.7])
    interp_case(f"{tag}3d_size", (1, 2, 3, 4, 5), mode, size=[5, 2, 7])
    interp_case(f"{tag}3d_sf", (1, 2, 3, 4, 5), mode, scale_factor=[1.5, 0.5, 2.0])
# Forward only: with scale 2.05 the output is 2 * in, where PyTorch's backward shifts indices instead of
# using the scale its forward used.
interp_case("nearest1d_sf_near2", (1, 2, 10), "nearest", scale_factor=2.05, backward=False)
interp_case("nearest1d_sf_same", (1, 2, 10), "nearest", scale_factor=1.05, backward=False)

# ----------------------------------------------------------------------------------------------- grid_sample

# Values that land exactly on pixel centres, half-pixel ties, borders and far outside, for the sizes below:
# W=6 and H=5 (2-D), W=5, H=4, D=3 (3-D). E.g. 2-D align_corners=True, H=5: g=0.25 -> 2.5 (a tie);
# 2-D align_corners=False, W=6: g=0 -> 2.5; 3-D align_corners=False, H=4: g=0 -> 1.5.
SPECIAL = [0.0, 0.25, -0.75, 0.5, -0.5, -1.0, 1.0, 1.5, -1.75, 3.25, -2.625, 0.75]


def make_grid(n, out_spatial, rank):
    grid = uniform(-1.3, 1.3, n, *out_spatial, rank)
    flat = grid.reshape(-1, rank)
    k = 0
    for a in SPECIAL:
        for b in SPECIAL[::3]:
            if k >= flat.shape[0]:
                break
            flat[k, 0] = a
            flat[k, 1] = b
            if rank == 3:
                flat[k, 2] = SPECIAL[(k * 5) % len(SPECIAL)]
            k += 1
    # A few far-out points exercise several reflections.
    flat[-1] = 4.9
    flat[-2] = -5.3
    return grid


def grid_case(name, x_shape, out_spatial, mode, padding_mode, align_corners):
    rank = len(x_shape) - 2
    kw = {"mode": mode, "padding_mode": padding_mode, "align_corners": align_corners}
    x = randn(*x_shape)
    grid = make_grid(x_shape[0], out_spatial, rank)
    y = F.grid_sample(x, grid, **kw)
    fx.add(name, "grid_sample", [x, grid], [y], **kw)
    xg = x.clone().requires_grad_(True)
    gg = grid.clone().requires_grad_(True)
    yg = F.grid_sample(xg, gg, **kw)
    grad_out = randn(*yg.shape)
    grad_input, grad_grid = torch.autograd.grad(yg, [xg, gg], grad_out)
    fx.add(name + "_bwd", "grid_sample_backward", [x, grid, grad_out], [grad_input, grad_grid], **kw)


for mode in ("bilinear", "nearest"):
    for padding in ("zeros", "border", "reflection"):
        for ac in (False, True):
            tag = f"{mode}_{padding}_{'ac' if ac else 'hp'}"
            grid_case(f"gs2d_{tag}", (2, 2, 5, 6), (4, 7), mode, padding, ac)
            grid_case(f"gs3d_{tag}", (2, 2, 3, 4, 5), (2, 3, 4), mode, padding, ac)
# One-pixel axes: align_corners=True maps every coordinate to 0 and reflection has an empty span.
for padding in ("zeros", "border", "reflection"):
    for ac in (False, True):
        grid_case(f"gs2d_onepx_{padding}_{'ac' if ac else 'hp'}", (1, 2, 1, 4), (3, 3), "bilinear", padding, ac)

os.makedirs(os.path.dirname(OUT), exist_ok=True)
fx.write(OUT)
