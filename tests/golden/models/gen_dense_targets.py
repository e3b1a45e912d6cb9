"""Golden anchor targets of AxisAlignedTargetAssigner (no subsampling), re-derived in PyTorch 1.13 from
OpenPCDet's definitions: nearest-BEV IoU of the boxes folded to axis-aligned BEV rectangles, per-class matched /
unmatched thresholds, every box's best anchors (ties included) forced positive, ResidualCoder targets, and the
anchor order location-major then class, size, rotation. float32 throughout, as the reference.

Run: /usr/bin/python3 tests/golden/models/gen_dense_targets.py
Writes models/src/test/resources/golden/dense/anchor_targets.safetensors (read by AnchorTargetsGoldenTest).
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from golden_common import FixtureFile  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "..")
OUT = os.path.join(ROOT, "models", "src", "test", "resources", "golden", "dense", "anchor_targets.safetensors")

NX, NY = 8, 6
ANCHOR_CLASSES = [("Car", [3.9, 1.6, 1.56], -1.78, 0.6, 0.45), ("Pedestrian", [0.8, 0.6, 1.73], -0.6, 0.5, 0.35)]
CLASS_NAMES = ["Car", "Pedestrian", "Cyclist"]
ROTATIONS = [0.0, 1.57]


def class_anchors(size, bottom):
    xs = torch.arange(0.0, 8.0 + 1e-5, 8.0 / (NX - 1), dtype=torch.float32)
    ys = torch.arange(-3.0, 3.0 + 1e-5, 6.0 / (NY - 1), dtype=torch.float32)
    a = torch.zeros(1, NY, NX, 1, len(ROTATIONS), 7)
    for iy in range(NY):
        for ix in range(NX):
            for ir, rot in enumerate(ROTATIONS):
                a[0, iy, ix, 0, ir] = torch.tensor([xs[ix], ys[iy], bottom + size[2] / 2, size[0], size[1], size[2], rot])
    return a


def limit_period(val, offset, period):
    return val - torch.floor(val / period + offset) * period


def aligned_bev(boxes):
    rot = limit_period(boxes[:, 6], 0.5, np.pi).abs()
    dims = torch.where(rot[:, None] < np.pi / 4, boxes[:, [3, 4]], boxes[:, [4, 3]])
    return torch.cat((boxes[:, 0:2] - dims / 2, boxes[:, 0:2] + dims / 2), dim=1)


def nearest_bev_iou(a, b):
    a, b = aligned_bev(a), aligned_bev(b)
    w = torch.clamp_min(torch.min(a[:, 2, None], b[None, :, 2]) - torch.max(a[:, 0, None], b[None, :, 0]), 0)
    h = torch.clamp_min(torch.min(a[:, 3, None], b[None, :, 3]) - torch.max(a[:, 1, None], b[None, :, 1]), 0)
    inter = w * h
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / torch.clamp_min(area_a[:, None] + area_b[None, :] - inter, 1e-6)


def encode(g, a):
    a = a.clone()
    g = g.clone()
    a[:, 3:6] = torch.clamp_min(a[:, 3:6], 1e-5)
    g[:, 3:6] = torch.clamp_min(g[:, 3:6], 1e-5)
    diag = torch.sqrt(a[:, 3] ** 2 + a[:, 4] ** 2)
    return torch.stack([(g[:, 0] - a[:, 0]) / diag, (g[:, 1] - a[:, 1]) / diag, (g[:, 2] - a[:, 2]) / a[:, 5],
                        torch.log(g[:, 3] / a[:, 3]), torch.log(g[:, 4] / a[:, 4]), torch.log(g[:, 5] / a[:, 5]),
                        g[:, 6] - a[:, 6]], dim=1)


def assign_single(anchors, gt, cls, matched, unmatched):
    n, m = anchors.shape[0], gt.shape[0]
    labels = -torch.ones(n, dtype=torch.int32)
    if m > 0:
        iou = nearest_bev_iou(anchors, gt)
        a2g = iou.argmax(dim=1)
        a2g_max = iou[torch.arange(n), a2g]
        g2a = iou.argmax(dim=0)
        g2a_max = iou[g2a, torch.arange(m)]
        g2a_max[g2a_max == 0] = -1
        forced = (iou == g2a_max).nonzero()[:, 0]
        labels[forced] = cls
        labels[a2g_max >= matched] = cls
        bg = (a2g_max < unmatched).nonzero()[:, 0]
        labels[bg] = 0
        labels[forced] = cls
    else:
        labels[:] = 0
    fg = (labels > 0).nonzero()[:, 0]
    targets = torch.zeros(n, 7)
    if m > 0 and len(fg) > 0:
        targets[fg] = encode(gt[a2g[fg]], anchors[fg])
    weights = (labels > 0).float()
    return labels, targets, weights


def assign(anchors_per_class, gt_boxes):
    out_l, out_t, out_w = [], [], []
    for b in range(gt_boxes.shape[0]):
        rows = gt_boxes[b]
        rows = rows[(rows != 0).any(dim=1)]
        per_l, per_t, per_w = [], [], []
        for (name, _, _, matched, unmatched), anc in zip(ANCHOR_CLASSES, anchors_per_class):
            cls = CLASS_NAMES.index(name) + 1
            sel = rows[rows[:, 7] == cls][:, :7]
            l, t, w = assign_single(anc.view(-1, 7), sel, cls, matched, unmatched)
            fm = anc.shape[:3]
            per_l.append(l.view(*fm, -1))
            per_t.append(t.view(*fm, -1, 7))
            per_w.append(w.view(*fm, -1))
        out_l.append(torch.cat(per_l, dim=-1).view(-1))
        out_t.append(torch.cat(per_t, dim=-2).view(-1, 7))
        out_w.append(torch.cat(per_w, dim=-1).view(-1))
    return torch.stack(out_l), torch.stack(out_t), torch.stack(out_w)


if __name__ == "__main__":
    g = torch.Generator().manual_seed(3)
    anchors = [class_anchors(size, bottom) for _, size, bottom, _, _ in ANCHOR_CLASSES]
    b, m = 2, 7
    gt = torch.zeros(b, m, 8)
    counts = [7, 4]  # frame 1 is padded with three zero rows
    for i in range(b):
        for j in range(counts[i]):
            cls = int(torch.randint(1, 4, (1,), generator=g))
            base = [3.9, 1.6, 1.56] if cls == 1 else ([0.8, 0.6, 1.73] if cls == 2 else [1.76, 0.6, 1.73])
            scale = 0.8 + 0.4 * torch.rand(3, generator=g)
            xy = torch.rand(2, generator=g) * torch.tensor([8.0, 6.0]) + torch.tensor([0.0, -3.0])
            gt[i, j] = torch.tensor([xy[0], xy[1], float(torch.rand(1, generator=g)) - 1.0, base[0] * scale[0], base[1] * scale[1],
                                     base[2] * scale[2], float(torch.rand(1, generator=g) * 2 * np.pi - np.pi), cls])
    labels, targets, weights = assign(anchors, gt)
    fx = FixtureFile()
    fx.add("two_frames", "axis_aligned_target_assigner", [anchors[0], anchors[1], gt], [labels, targets, weights],
           tensors=["anchors_car", "anchors_pedestrian", "gt_boxes"])
    fx.write(OUT)
    print("positives per frame:", (labels > 0).sum(1).tolist(), "ignored:", (labels < 0).sum(1).tolist())
