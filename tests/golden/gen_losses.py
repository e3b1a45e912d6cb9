#!/usr/bin/python3
"""Golden fixtures for fuse3d.nn.loss: loss values and input gradients from PyTorch 1.13 (Debian's python3-torch).

Run from the repository root:  /usr/bin/python3 tests/golden/gen_losses.py
Writes nn/src/test/resources/golden/losses.safetensors in the layout of golden_common.py. Every case is

    inputs  [the loss's tensor arguments in call order ..., grad_output]
    outputs [loss, grad of the first input (the prediction) for that grad_output]
    args    the loss's non-tensor arguments under their PyTorch / reference keyword names, plus
            "tensors": the names of in0, in1, ... (optional tensors such as weight or pos_weight are listed only
            when present; the last name is always "grad_output").

Losses with a torch.nn.functional twin call it. The others have no PyTorch built-in, so this script states
them in torch from their definitions (written here, not copied): the torchvision / mmdet sigmoid focal loss,
mmdet's Gaussian focal loss with weight_reduce_loss, Berman et al.'s Lovasz-softmax (per-class sort of the
errors, gradient through torch.sort as in the authors' code), Hinton's temperature distillation and the
masked / attention-weighted feature MSE of fuse3d.nn.loss (see their javadoc for the formulas).
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_common import FixtureFile, seeded  # noqa: E402

OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "nn", "src", "test", "resources",
                                    "golden", "losses.safetensors"))

g = seeded(20261201)
ff = FixtureFile()


def randn(*shape):
    return torch.randn(*shape, generator=g, dtype=torch.float32)


def rand(*shape):
    return torch.rand(*shape, generator=g, dtype=torch.float32)


def ints(lo, hi, *shape):
    return torch.randint(lo, hi, shape, generator=g, dtype=torch.int64)


def case(name, op, fn, tensors, names, **args):
    """tensors[0] is the prediction (made a leaf); fn(*tensors) is the loss. Stores the loss and d loss/d pred."""
    x = tensors[0].detach().clone().requires_grad_(True)
    rest = list(tensors[1:])
    out = fn(x, *rest)
    go = randn(*out.shape) if out.dim() > 0 else torch.tensor(0.75)
    (gx,) = torch.autograd.grad(out, x, go)
    ff.add(name, op, [x, *rest, go], [out, gx], tensors=[*names, "grad_output"], **args)


# ---------------------------------------------------------------- regression
for red in ("none", "mean", "sum"):
    case(f"mse_loss/{red}", "mse_loss", lambda x, t, r=red: F.mse_loss(x, t, reduction=r),
         [randn(3, 5), randn(3, 5)], ["input", "target"], reduction=red)
    case(f"l1_loss/{red}", "l1_loss", lambda x, t, r=red: F.l1_loss(x, t, reduction=r),
         [randn(4, 2, 3), randn(4, 2, 3)], ["input", "target"], reduction=red)
    for beta in (1.0, 1.0 / 9.0, 0.0):
        case(f"smooth_l1_loss/{red}/beta{beta:.3f}", "smooth_l1_loss",
             lambda x, t, r=red, b=beta: F.smooth_l1_loss(x, t, reduction=r, beta=b),
             [randn(6, 7), randn(6, 7) * 0.5], ["input", "target"], reduction=red, beta=beta)

# ---------------------------------------------------------------- binary cross-entropy with logits
for red in ("none", "mean", "sum"):
    x = randn(4, 3) * 4
    x[0, 0] = 40.0   # far in the tails: the stable formulation must neither overflow nor lose the slope
    x[1, 1] = -40.0
    t = rand(4, 3)
    t[0] = (t[0] > 0.5).float()
    case(f"bce_with_logits/{red}", "binary_cross_entropy_with_logits",
         lambda x, t, r=red: F.binary_cross_entropy_with_logits(x, t, reduction=r),
         [x, t], ["input", "target"], reduction=red)
    case(f"bce_with_logits/{red}/weight_pos_weight", "binary_cross_entropy_with_logits",
         lambda x, t, w, pw, r=red: F.binary_cross_entropy_with_logits(x, t, weight=w, pos_weight=pw, reduction=r),
         [randn(2, 4, 3), (rand(2, 4, 3) > 0.6).float(), rand(4, 1) + 0.5, rand(3) * 3],
         ["input", "target", "weight", "pos_weight"], reduction=red)
case("bce_with_logits/pos_weight_only", "binary_cross_entropy_with_logits",
     lambda x, t, pw: F.binary_cross_entropy_with_logits(x, t, pos_weight=pw),
     [randn(5, 2), (rand(5, 2) > 0.5).float(), torch.tensor([2.0, 0.5])], ["input", "target", "pos_weight"],
     reduction="mean")

# ---------------------------------------------------------------- nll and cross-entropy
for red in ("none", "mean", "sum"):
    case(f"nll_loss/{red}", "nll_loss",
         lambda x, t, w, r=red: F.nll_loss(x, t, weight=w, ignore_index=2, reduction=r),
         [F.log_softmax(randn(6, 4), 1), torch.tensor([0, 2, 1, 3, 2, 1]), rand(4) + 0.1],
         ["input", "target", "weight"], ignore_index=2, reduction=red)

ce_cases = [
    # name, input shape, target, weight?, ignore_index, label_smoothing
    ("basic", (5, 4), ints(0, 4, 5), False, -100, 0.0),
    ("dense_weight_ignore", (2, 3, 4, 5), None, True, 255, 0.0),
    ("smoothing", (5, 4), ints(0, 4, 5), False, -100, 0.1),
    ("smoothing_weight_ignore", (6, 5), torch.tensor([0, 4, -100, 2, 2, -100]), True, -100, 0.2),
    ("dense3d_smoothing_weight", (2, 4, 3, 2, 3), None, True, 255, 0.05),
    ("ignore_valid_class", (7, 3), ints(0, 3, 7), True, 1, 0.3),
]
for name, shape, tgt, has_w, ii, ls in ce_cases:
    if tgt is None:
        spatial = (shape[0],) + shape[2:]
        tgt = ints(0, shape[1], *spatial)
        tgt[torch.rand(spatial, generator=g) < 0.25] = ii
    for red in ("none", "mean", "sum"):
        x = randn(*shape) * 2
        if has_w:
            w = rand(shape[1]) + 0.2
            case(f"cross_entropy/{name}/{red}", "cross_entropy",
                 lambda x, t, w, r=red, ii=ii, ls=ls: F.cross_entropy(x, t, weight=w, ignore_index=ii, reduction=r,
                                                                       label_smoothing=ls),
                 [x, tgt, w], ["input", "target", "weight"], ignore_index=ii, reduction=red, label_smoothing=ls)
        else:
            case(f"cross_entropy/{name}/{red}", "cross_entropy",
                 lambda x, t, r=red, ii=ii, ls=ls: F.cross_entropy(x, t, ignore_index=ii, reduction=r,
                                                                    label_smoothing=ls),
                 [x, tgt], ["input", "target"], ignore_index=ii, reduction=red, label_smoothing=ls)
case("cross_entropy/single_sample", "cross_entropy", lambda x, t: F.cross_entropy(x, t),
     [randn(6), torch.tensor(4)], ["input", "target"], ignore_index=-100, reduction="mean", label_smoothing=0.0)
for red in ("none", "mean", "sum"):
    probs = F.softmax(randn(4, 5, 3) * 2, 1)
    case(f"cross_entropy/probabilities_weight_smoothing/{red}", "cross_entropy",
         lambda x, t, w, r=red: F.cross_entropy(x, t, weight=w, reduction=r, label_smoothing=0.15),
         [randn(4, 5, 3), probs, rand(5) + 0.3], ["input", "target", "weight"],
         ignore_index=-100, reduction=red, label_smoothing=0.15)
case("cross_entropy/probabilities", "cross_entropy", lambda x, t: F.cross_entropy(x, t),
     [randn(3, 4), F.softmax(randn(3, 4), 1)], ["input", "target"], ignore_index=-100, reduction="mean",
     label_smoothing=0.0)


# ---------------------------------------------------------------- focal losses
def sigmoid_focal(x, t, alpha, gamma, reduction, weight=None, avg_factor=None):
    """torchvision.ops.sigmoid_focal_loss; with weight / avg_factor, mmdet's weight_reduce_loss on top."""
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    return weight_reduce(loss, weight, reduction, avg_factor)


def weight_reduce(loss, weight, reduction, avg_factor):
    if weight is not None:
        loss = loss * weight
    if avg_factor is None:
        return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]
    if reduction == "mean":
        return loss.sum() / (avg_factor + torch.finfo(torch.float32).eps)
    assert reduction == "none"
    return loss


for red in ("none", "mean", "sum"):
    for alpha, gamma in ((0.25, 2.0), (-1.0, 0.0), (0.5, 1.5)):
        t = (rand(4, 6) > 0.7).float()
        t[0, :3] = torch.tensor([0.3, 0.8, 1.0])  # soft targets too
        case(f"sigmoid_focal_loss/{red}/a{alpha}_g{gamma}", "sigmoid_focal_loss",
             lambda x, t, r=red, a=alpha, gm=gamma: sigmoid_focal(x, t, a, gm, r),
             [randn(4, 6) * 2, t], ["inputs", "targets"], alpha=alpha, gamma=gamma, reduction=red)
case("sigmoid_focal_loss/mmdet_weight_avg_factor", "sigmoid_focal_loss",
     lambda x, t, w: sigmoid_focal(x, t, 0.25, 2.0, "mean", weight=w, avg_factor=7.0),
     [randn(10, 3) * 2, F.one_hot(ints(0, 4, 10), 4)[:, :3].float(), rand(10, 1)], ["inputs", "targets", "weight"],
     alpha=0.25, gamma=2.0, reduction="mean", avg_factor=7.0)


def gaussian_focal(pred, target, alpha, gamma, reduction, weight=None, avg_factor=None):
    """mmdet's gaussian_focal_loss (eps 1e-12) followed by weight_reduce_loss."""
    eps = 1e-12
    pos_weights = target.eq(1)
    neg_weights = (1 - target).pow(gamma)
    pos_loss = -(pred + eps).log() * (1 - pred).pow(alpha) * pos_weights
    neg_loss = -(1 - pred + eps).log() * pred.pow(alpha) * neg_weights
    return weight_reduce(pos_loss + neg_loss, weight, reduction, avg_factor)


def heatmap(b, c, h, w):
    """Gaussian bumps with exact 1.0 peaks, as CenterPoint's draw_heatmap_gaussian writes them."""
    hm = torch.zeros(b, c, h, w)
    ys, xs = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32), indexing="ij")
    for bi in range(b):
        for _ in range(3):
            ci, cy, cx = int(ints(0, c, 1)), int(ints(0, h, 1)), int(ints(0, w, 1))
            bump = torch.exp(-((ys - cy) ** 2 + (xs - cx) ** 2) / (2 * 1.5 ** 2))
            hm[bi, ci] = torch.maximum(hm[bi, ci], bump)
            hm[bi, ci, cy, cx] = 1.0
    return hm


for red in ("none", "mean", "sum"):
    pred = torch.sigmoid(randn(2, 3, 6, 7)).clamp(1e-4, 1 - 1e-4)
    case(f"gaussian_focal_loss/{red}", "gaussian_focal_loss",
         lambda p, t, r=red: gaussian_focal(p, t, 2.0, 4.0, r), [pred, heatmap(2, 3, 6, 7)], ["pred", "target"],
         alpha=2.0, gamma=4.0, reduction=red)
hm = heatmap(2, 2, 5, 5)
num_pos = float(hm.eq(1).sum())
case("gaussian_focal_loss/centerpoint_avg_factor", "gaussian_focal_loss",
     lambda p, t: gaussian_focal(p, t, 2.0, 4.0, "mean", avg_factor=max(num_pos, 1.0)),
     [torch.sigmoid(randn(2, 2, 5, 5)).clamp(1e-4, 1 - 1e-4), hm], ["pred", "target"],
     alpha=2.0, gamma=4.0, reduction="mean", avg_factor=max(num_pos, 1.0))
case("gaussian_focal_loss/weight_alpha3_gamma2", "gaussian_focal_loss",
     lambda p, t, w: gaussian_focal(p, t, 3.0, 2.0, "sum", weight=w),
     [torch.sigmoid(randn(1, 2, 4, 4)).clamp(1e-4, 1 - 1e-4), heatmap(1, 2, 4, 4), rand(1, 2, 1, 1)],
     ["pred", "target", "weight"], alpha=3.0, gamma=2.0, reduction="sum")


# ---------------------------------------------------------------- Lovasz-softmax
def lovasz_increments(fg_sorted):
    """Jaccard loss increments along a decreasing-error order (Berman et al., Alg. 1)."""
    gts = fg_sorted.sum()
    intersection = gts - fg_sorted.cumsum(0)
    union = gts + (1 - fg_sorted).cumsum(0)
    jaccard = 1.0 - intersection / union
    if len(fg_sorted) > 1:
        jaccard = torch.cat([jaccard[:1], jaccard[1:] - jaccard[:-1]])
    return jaccard


def lovasz_rows(probas, labels, classes):
    """probas [P, C], labels [P]; mean over the classes taken of the sorted-error dot products."""
    if probas.numel() == 0:
        return probas.sum() * 0.0
    c = probas.size(1)
    taken = range(c) if classes in ("present", "all") else classes
    losses = []
    for k in taken:
        fg = (labels == k).float()
        if classes == "present" and fg.sum() == 0:
            continue
        errors = (fg - probas[:, k]).abs()
        errors_sorted, perm = torch.sort(errors, 0, descending=True)
        losses.append(torch.dot(errors_sorted, lovasz_increments(fg[perm])))
    if not losses:
        return probas.sum() * 0.0
    return sum(losses[1:], losses[0]) / len(losses)


def lovasz_softmax(probas, labels, classes="present", per_image=False, ignore=None):
    def rows(p, l):
        c = p.size(1)
        p = p.movedim(1, -1).reshape(-1, c)
        l = l.reshape(-1)
        if ignore is not None:
            keep = l != ignore
            p, l = p[keep], l[keep]
        return lovasz_rows(p, l, classes)
    if per_image:
        per = [rows(p.unsqueeze(0), l.unsqueeze(0)) for p, l in zip(probas, labels)]
        return sum(per[1:], per[0]) / len(per)
    return rows(probas, labels)


lovasz_cases = [
    ("present", (2, 4, 5, 6), "present", False, None),
    ("all_per_image", (3, 3, 4, 4), "all", True, None),
    ("present_ignore", (2, 5, 4, 6), "present", False, 255),
    ("per_image_ignore_3d", (2, 3, 3, 4, 2), "present", True, 255),
    ("class_list", (2, 4, 3, 3), [0, 2, 2], False, None),
]
for name, shape, classes, per_image, ignore in lovasz_cases:
    probas = F.softmax(randn(*shape) * 2, 1)
    spatial = (shape[0],) + shape[2:]
    labels = ints(0, shape[1] - 1, *spatial)  # the last class never occurs: 'present' must skip it
    if ignore is not None:
        labels[torch.rand(spatial, generator=g) < 0.3] = ignore
    args = dict(classes=classes, per_image=per_image)
    if ignore is not None:
        args["ignore"] = ignore
    case(f"lovasz_softmax/{name}", "lovasz_softmax",
         lambda p, l, c=classes, pi=per_image, ig=ignore: lovasz_softmax(p, l, c, pi, ig),
         [probas, labels], ["probas", "labels"], **args)

# ---------------------------------------------------------------- KL divergence and distillation
for red in ("none", "mean", "sum", "batchmean"):
    for log_target in (False, True):
        t = F.softmax(randn(4, 6), 1)
        t[0, 2] = 0.0  # a zero-probability target: xlogy(0, 0) = 0
        if log_target:
            t = F.log_softmax(randn(4, 6), 1)
        case(f"kl_div/{red}/log_target_{log_target}", "kl_div",
             lambda x, t, r=red, lt=log_target: F.kl_div(x, t, reduction=r, log_target=lt),
             [F.log_softmax(randn(4, 6), 1), t], ["input", "target"], reduction=red, log_target=log_target)

for temp in (1.0, 4.0):
    case(f"distill_kl/T{temp}", "distill_kl",
         lambda s, t, T=temp: F.kl_div(F.log_softmax(s / T, 1), F.softmax(t / T, 1), reduction="batchmean") * T * T,
         [randn(5, 7) * 3, randn(5, 7) * 3], ["student", "teacher"], temperature=temp, dim=1, reduction="batchmean")
case("distill_kl/dense_T2", "distill_kl",
     lambda s, t: F.kl_div(F.log_softmax(s / 2.0, 1), F.softmax(t / 2.0, 1), reduction="batchmean") * 4.0,
     [randn(2, 4, 3, 3), randn(2, 4, 3, 3)], ["student", "teacher"], temperature=2.0, dim=1, reduction="batchmean")


# ---------------------------------------------------------------- feature distillation
def masked_mse(s, t, w, reduction):
    w = w.to(s.dtype).expand_as(s)
    per = w * (s - t) ** 2
    if reduction == "none":
        return per
    if reduction == "sum":
        return per.sum()
    total = w.sum()
    return per.sum() / (total if float(total) != 0 else torch.ones(()))


def spatial_attention(f, temp):
    b, c = f.shape[:2]
    g_ = f.abs().mean(1, keepdim=True)
    n = g_[0].numel()
    return (F.softmax(g_.reshape(b, -1) / temp, 1) * n).reshape(g_.shape)


def channel_attention(f, temp):
    b, c = f.shape[:2]
    g_ = f.abs().reshape(b, c, -1).mean(2)
    return (F.softmax(g_ / temp, 1) * c).reshape(b, c, *([1] * (f.dim() - 2)))


def attention_mse(s, t, temp, channel, mask, reduction):
    w = spatial_attention(t, temp)
    if channel:
        w = w * channel_attention(t, temp)
    if mask is not None:
        w = w * mask
    return masked_mse(s, t, w, reduction)


for red in ("none", "mean", "sum"):
    m = (rand(2, 1, 4, 5) > 0.6).float()
    case(f"masked_mse/binary/{red}", "masked_mse", lambda s, t, m, r=red: masked_mse(s, t, m, r),
         [randn(2, 3, 4, 5), randn(2, 3, 4, 5), m], ["student", "teacher", "mask"], reduction=red)
case("masked_mse/soft_weights", "masked_mse", lambda s, t, m: masked_mse(s, t, m, "mean"),
     [randn(2, 4, 3, 3), randn(2, 4, 3, 3), rand(2, 1, 3, 3)], ["student", "teacher", "mask"], reduction="mean")
case("masked_mse/bool_mask", "masked_mse", lambda s, t, m: masked_mse(s, t, m, "mean"),
     [randn(2, 2, 3, 3), randn(2, 2, 3, 3), rand(2, 1, 3, 3) > 0.5], ["student", "teacher", "mask"], reduction="mean")
case("masked_mse/empty_mask", "masked_mse", lambda s, t, m: masked_mse(s, t, m, "mean"),
     [randn(1, 2, 3, 3), randn(1, 2, 3, 3), torch.zeros(1, 1, 3, 3)], ["student", "teacher", "mask"], reduction="mean")

for red in ("none", "mean", "sum"):
    case(f"attention_mse/spatial/{red}", "attention_mse",
         lambda s, t, r=red: attention_mse(s, t, 0.5, False, None, r),
         [randn(2, 4, 5, 6), randn(2, 4, 5, 6)], ["student", "teacher"], temperature=0.5, channel_attention=False,
         reduction=red)
case("attention_mse/spatial_channel_mask", "attention_mse",
     lambda s, t, m: attention_mse(s, t, 1.0, True, m, "mean"),
     [randn(2, 3, 4, 4), randn(2, 3, 4, 4), (rand(2, 1, 4, 4) > 0.3).float()], ["student", "teacher", "mask"],
     temperature=1.0, channel_attention=True, reduction="mean")

ff.write(OUT)
