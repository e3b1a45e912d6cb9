#!/usr/bin/python3
"""Golden fixtures for fuse3d.models.roi: the RoI head's target transform, losses and box decoding.

Run from the repository root:  /usr/bin/python3 tests/golden/models/gen_roi_losses.py
Writes models/src/test/resources/golden/roi_losses.safetensors in the layout of tests/golden/golden_common.py.

OpenPCDet is not installed here, so each reference is restated in plain torch from the documented semantics of
OpenPCDet's roi_head_template.py / loss_utils.py / box_coder_utils.py (written here, not copied):
  canonical        assign_targets: gt - roi centre, heading - (roi heading mod 2pi), rotate x, y by -(roi heading),
                   relative heading folded to [-pi/2, pi/2] (flip by pi when it points backwards), clamped
  rcnn_losses      rcnn_loss_cls: BCE(sigmoid(cls), label) on labels >= 0 / max(#valid, 1)
                   rcnn_loss_reg: ResidualCoder targets of the canonical GT against the RoI at the origin with
                   heading 0; smooth-L1 with beta 1/9 of code_weights * (pred - target), foreground rows summed / max(#fg, 1)
                   rcnn_loss_corner: decode the foreground codes against the RoI at the origin (heading kept), rotate
                   by the RoI heading, add its centre; per corner min distance to the GT corners and to the corners of
                   the GT turned by pi, Huber (beta 1), mean over corners, mean over boxes
                   plus the gradients of (cls + reg + corner) w.r.t. the cls logits and the reg codes (torch autograd)
  decode           generate_predicted_boxes
Each case: in0 rois [B,R,7], in1 gt_of_rois [B,R,8], in2 rcnn_cls [BR,1], in3 rcnn_reg [BR,7], in4 cls_labels [B,R],
in5 reg_valid_mask [B,R] (bool); out0 canonical gt, out1 loss_cls, out2 loss_reg, out3 loss_corner, out4 d/d cls,
out5 d/d reg, out6 decoded boxes [BR,7]. float64 throughout.
"""
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from golden_common import FixtureFile, seeded  # noqa: E402

OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "models", "src", "test",
                                    "resources", "golden", "roi_losses.safetensors"))


def rotate_z(xyz, angle):
    c, s = torch.cos(angle), torch.sin(angle)
    x, y = xyz[:, 0], xyz[:, 1]
    return torch.stack([x * c - y * s, x * s + y * c, xyz[:, 2]], dim=1)


def corners(boxes):
    t = torch.tensor([[1, 1, -1], [1, -1, -1], [-1, -1, -1], [-1, 1, -1],
                      [1, 1, 1], [1, -1, 1], [-1, -1, 1], [-1, 1, 1]], dtype=boxes.dtype) / 2
    local = boxes[:, None, 3:6] * t[None]
    c, s = torch.cos(boxes[:, 6])[:, None], torch.sin(boxes[:, 6])[:, None]
    x = local[..., 0] * c - local[..., 1] * s + boxes[:, None, 0]
    y = local[..., 0] * s + local[..., 1] * c + boxes[:, None, 1]
    z = local[..., 2] + boxes[:, None, 2]
    return torch.stack([x, y, z], dim=-1)


def encode(g, a):
    g = torch.cat([g[:, :3], g[:, 3:6].clamp(min=1e-5), g[:, 6:7]], dim=1)
    a = torch.cat([a[:, :3], a[:, 3:6].clamp(min=1e-5), a[:, 6:7]], dim=1)
    diag = torch.sqrt(a[:, 3] ** 2 + a[:, 4] ** 2)
    return torch.stack([(g[:, 0] - a[:, 0]) / diag, (g[:, 1] - a[:, 1]) / diag, (g[:, 2] - a[:, 2]) / a[:, 5],
                        torch.log(g[:, 3] / a[:, 3]), torch.log(g[:, 4] / a[:, 4]), torch.log(g[:, 5] / a[:, 5]),
                        g[:, 6] - a[:, 6]], dim=1)


def decode_codes(t, a):
    diag = torch.sqrt(a[:, 3] ** 2 + a[:, 4] ** 2)
    return torch.stack([t[:, 0] * diag + a[:, 0], t[:, 1] * diag + a[:, 1], t[:, 2] * a[:, 5] + a[:, 2],
                        torch.exp(t[:, 3]) * a[:, 3], torch.exp(t[:, 4]) * a[:, 4], torch.exp(t[:, 5]) * a[:, 5],
                        t[:, 6] + a[:, 6]], dim=1)


def canonical(rois, gt):
    b, r, c = gt.shape
    rois = rois.reshape(-1, 7)
    g = gt.reshape(-1, c).clone()
    ry = torch.remainder(rois[:, 6], 2 * math.pi)
    g[:, 0:3] = g[:, 0:3] - rois[:, 0:3]
    g[:, 6] = g[:, 6] - ry
    g[:, 0:3] = rotate_z(g[:, 0:3], -ry)
    h = torch.remainder(g[:, 6], 2 * math.pi)
    opp = (h > math.pi * 0.5) & (h < math.pi * 1.5)
    h[opp] = torch.remainder(h[opp] + math.pi, 2 * math.pi)
    h[h > math.pi] = h[h > math.pi] - 2 * math.pi
    g[:, 6] = torch.clamp(h, -math.pi / 2, math.pi / 2)
    return g.reshape(b, r, c)


def smooth_l1(x, beta):
    n = torch.abs(x)
    return torch.where(n < beta, 0.5 * n ** 2 / beta, n - 0.5 * beta)


def decode_rows(reg, rois):
    local = rois.clone()
    local[:, 0:3] = 0
    boxes = decode_codes(reg, local)
    xyz = rotate_z(boxes[:, 0:3], rois[:, 6]) + rois[:, 0:3]
    return torch.cat([xyz, boxes[:, 3:7]], dim=1)


def losses(rois, gt, cls, reg, labels, valid, code_weights):
    n = cls.shape[0]
    lab = labels.reshape(-1)
    bce = torch.nn.functional.binary_cross_entropy(torch.sigmoid(cls.reshape(-1)), lab.clamp(min=0), reduction="none")
    vmask = (lab >= 0).double()
    loss_cls = (bce * vmask).sum() / torch.clamp(vmask.sum(), min=1.0)
    gt_ct = canonical(rois, gt).reshape(n, -1)[:, :7]
    anchors = rois.reshape(n, 7).clone()
    anchors[:, 0:3] = 0
    anchors[:, 6] = 0
    targets = encode(gt_ct, anchors)
    cw = torch.tensor(code_weights, dtype=torch.float64)
    per = smooth_l1((reg - targets) * cw, 1.0 / 9.0)
    fg = valid.reshape(-1)
    loss_reg = (per * fg.unsqueeze(1).double()).sum() / max(int(fg.sum()), 1)
    pred = decode_rows(reg[fg], rois.reshape(n, 7)[fg])
    g = gt.reshape(n, -1)[fg][:, :7]
    gf = g.clone()
    gf[:, 6] += math.pi
    pc = corners(pred)
    dist = torch.min(torch.norm(pc - corners(g), dim=2), torch.norm(pc - corners(gf), dim=2))
    loss_corner = smooth_l1(dist, 1.0).mean(dim=1).mean()
    return gt_ct, loss_cls, loss_reg, loss_corner


def case(fx, name, gen, b, r, fg_frac):
    n = b * r
    centres = torch.rand(b, r, 3, generator=gen, dtype=torch.float64) * torch.tensor([40.0, 20.0, 2.0], dtype=torch.float64) - torch.tensor(
        [0.0, 10.0, 1.0], dtype=torch.float64)
    sizes = torch.tensor([3.9, 1.6, 1.56], dtype=torch.float64) * (0.8 + 0.4 * torch.rand(b, r, 3, generator=gen, dtype=torch.float64))
    heads = (torch.rand(b, r, 1, generator=gen, dtype=torch.float64) * 4 - 2) * math.pi
    rois = torch.cat([centres, sizes, heads], dim=2)
    jitter = torch.cat([torch.randn(b, r, 3, generator=gen, dtype=torch.float64) * 0.3,
                        torch.randn(b, r, 3, generator=gen, dtype=torch.float64) * 0.1,
                        torch.randn(b, r, 1, generator=gen, dtype=torch.float64) * 0.8], dim=2)
    gt = rois + jitter
    gt[..., 3:6] = gt[..., 3:6].abs() + 0.2
    # some GT face the other way round, exercising the heading fold
    flip = torch.rand(b, r, generator=gen) < 0.3
    gt[..., 6][flip] += math.pi
    gt = torch.cat([gt, torch.ones(b, r, 1, dtype=torch.float64)], dim=2)
    cls = torch.randn(n, 1, generator=gen, dtype=torch.float64) * 2
    reg = torch.randn(n, 7, generator=gen, dtype=torch.float64) * 0.3
    u = torch.rand(b, r, generator=gen, dtype=torch.float64)
    labels = torch.where(u < 0.2, -torch.ones_like(u), torch.where(u < 0.5, torch.zeros_like(u), torch.rand(b, r, generator=gen, dtype=torch.float64)))
    valid = torch.rand(b, r, generator=gen) < fg_frac
    code_weights = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0] if name != "code_weights" else [1.0, 1.0, 2.0, 1.0, 0.5, 1.0, 1.5]
    cls_l = cls.clone().requires_grad_(True)
    reg_l = reg.clone().requires_grad_(True)
    _, lc, lr, lco = losses(rois, gt, cls_l, reg_l, labels, valid, code_weights)
    total = lc + lr + (lco if int(valid.sum()) > 0 else 0)
    total.backward()
    decoded = decode_rows(reg, rois.reshape(n, 7))
    if int(valid.sum()) == 0:
        lco = torch.tensor(float("nan"), dtype=torch.float64)
    fx.add(name, "rcnn_losses", [rois, gt, cls, reg, labels, valid],
           [canonical(rois, gt), lc.detach(), lr.detach(), lco.detach(), cls_l.grad, reg_l.grad, decoded],
           code_weights=code_weights)


def main():
    torch.set_default_dtype(torch.float64)
    fx = FixtureFile()
    gen = seeded(20261123)
    case(fx, "batch2", gen, 2, 6, 0.5)
    case(fx, "code_weights", gen, 1, 8, 0.6)
    case(fx, "no_foreground", gen, 1, 4, 0.0)
    fx.write(OUT)


if __name__ == "__main__":
    main()
