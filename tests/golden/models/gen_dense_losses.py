"""Golden values of the anchor head's three loss terms (rpn_loss_cls / _loc / _dir) and their gradients.

Re-derives OpenPCDet's AnchorHeadTemplate losses from their definitions (sigmoid focal loss alpha 0.25 gamma 2 on
one-hot targets without background, normalised by the frame's positives; weighted smooth-L1 beta 1/9 on
code-weighted differences with add_sin_difference; softmax cross-entropy on direction bins from
limit_period(rot - dir_offset, 0, 2 pi)) in PyTorch 1.13, on a small random case. Anchors follow the
AnchorGenerator layout with align_center: per location (y, x), then class, size, rotation.

Run: /usr/bin/python3 tests/golden/models/gen_dense_losses.py
Writes models/src/test/resources/golden/dense/anchor_head_losses.safetensors (read by AnchorHeadGoldenTest).
"""
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from golden_common import FixtureFile  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "..")
OUT = os.path.join(ROOT, "models", "src", "test", "resources", "golden", "dense", "anchor_head_losses.safetensors")

PC_RANGE = [0.0, -4.0, -3.0, 6.0, 4.0, 1.0]
NX, NY = 3, 2
CLASSES = [([3.9, 1.6, 1.56], -1.78), ([0.8, 0.6, 1.73], -0.6)]
ROTATIONS = [0.0, 1.57]
DIR_OFFSET, NUM_BINS = 0.78539, 2
CLS_W, LOC_W, DIR_W = 1.0, 2.0, 0.2
CODE_W = [1.0, 1.0, 2.0, 1.0, 1.0, 1.0, 0.5]


def anchors():
    xs = [PC_RANGE[0] + (i + 0.5) * (PC_RANGE[3] - PC_RANGE[0]) / NX for i in range(NX)]
    ys = [PC_RANGE[1] + (i + 0.5) * (PC_RANGE[4] - PC_RANGE[1]) / NY for i in range(NY)]
    out = []
    for y in ys:
        for x in xs:
            for size, bottom in CLASSES:
                for rot in ROTATIONS:
                    dz = np.float32(size[2])
                    out.append([x, y, np.float32(bottom) + dz / np.float32(2), size[0], size[1], size[2], rot])
    return torch.tensor(np.array(out, dtype=np.float32))


def limit_period(val, offset, period):
    return val - torch.floor(val / period + offset) * period


def losses(cls_preds, box_preds, dir_preds, labels, reg_targets, anc, num_class):
    b = cls_preds.shape[0]
    positives = labels > 0
    negatives = labels == 0
    cared = labels >= 0
    pos_norm = torch.clamp(positives.sum(1, keepdim=True).float(), min=1.0)
    cls_weights = (negatives.float() + positives.float()) / pos_norm
    reg_weights = positives.float() / pos_norm

    cls_targets = (labels * cared.long()).long()
    one_hot = torch.zeros(*cls_targets.shape, num_class + 1)
    one_hot.scatter_(-1, cls_targets.unsqueeze(-1), 1.0)
    one_hot = one_hot[..., 1:]
    x = cls_preds.view(b, -1, num_class)
    p = torch.sigmoid(x)
    alpha_w = one_hot * 0.25 + (1 - one_hot) * 0.75
    pt = one_hot * (1.0 - p) + (1.0 - one_hot) * p
    bce = torch.clamp(x, min=0) - x * one_hot + torch.log1p(torch.exp(-torch.abs(x)))
    focal = alpha_w * pt.pow(2.0) * bce * cls_weights.unsqueeze(-1)
    loss_cls = focal.sum() / b * CLS_W

    box = box_preds.view(b, -1, 7)
    p6, t6 = box[..., 6:7], reg_targets[..., 6:7]
    inp = torch.cat([box[..., :6], torch.sin(p6) * torch.cos(t6)], dim=-1)
    tgt = torch.cat([reg_targets[..., :6], torch.cos(p6) * torch.sin(t6)], dim=-1)
    diff = (inp - tgt) * torch.tensor(CODE_W).view(1, 1, -1)
    n = torch.abs(diff)
    beta = 1.0 / 9.0
    sl1 = torch.where(n < beta, 0.5 * n ** 2 / beta, n - 0.5 * beta)
    loss_loc = (sl1 * reg_weights.unsqueeze(-1)).sum() / b * LOC_W

    rot = reg_targets[..., 6] + anc.view(1, -1, 7)[..., 6]
    off = limit_period(rot - DIR_OFFSET, 0, 2 * np.pi)
    dir_t = torch.clamp(torch.floor(off / (2 * np.pi / NUM_BINS)).long(), 0, NUM_BINS - 1)
    logits = dir_preds.view(b, -1, NUM_BINS)
    ce = torch.nn.functional.cross_entropy(logits.permute(0, 2, 1), dir_t, reduction="none")
    loss_dir = (ce * reg_weights).sum() / b * DIR_W
    return loss_cls, loss_loc, loss_dir


def case(fx, name, seed, num_class, labels_fn):
    g = torch.Generator().manual_seed(seed)
    anc = anchors()
    a = len(CLASSES) * len(ROTATIONS)
    n = anc.shape[0]
    b = 2
    cls = torch.randn(b, NY, NX, a * num_class, generator=g).requires_grad_()
    box = (0.5 * torch.randn(b, NY, NX, a * 7, generator=g)).requires_grad_()
    dirp = torch.randn(b, NY, NX, a * NUM_BINS, generator=g).requires_grad_()
    labels = labels_fn(g, b, n)
    reg = 0.3 * torch.randn(b, n, 7, generator=g)
    reg[..., 6] = (torch.rand(b, n, generator=g) * 2 - 1) * math.pi
    reg = reg * (labels > 0).float().unsqueeze(-1)  # the assigner leaves zeros off the positives
    lc, ll, ld = losses(cls, box, dirp, labels, reg, anc, num_class)
    (lc + ll + ld).backward()
    fx.add(name, "anchor_head_loss", [cls.detach(), box.detach(), dirp.detach(), labels.int(), reg, anc],
           [lc.detach(), ll.detach(), ld.detach(), cls.grad, box.grad, dirp.grad],
           num_class=num_class, dir_offset=DIR_OFFSET, num_dir_bins=NUM_BINS, code_weights=CODE_W,
           tensors=["cls_preds", "box_preds", "dir_cls_preds", "box_cls_labels", "box_reg_targets", "anchors"])


def two_class_labels(g, b, n):
    labels = torch.randint(-1, 3, (b, n), generator=g)
    labels[1] = torch.where(labels[1] > 0, torch.zeros_like(labels[1]), labels[1])  # frame 1: no positives
    return labels


def agnostic_labels(g, b, n):
    return torch.randint(-1, 2, (b, n), generator=g)


if __name__ == "__main__":
    fx = FixtureFile()
    case(fx, "two_classes", 7, 2, two_class_labels)
    case(fx, "class_agnostic", 11, 1, agnostic_labels)
    fx.write(OUT)
