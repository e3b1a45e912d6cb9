"""Golden fixture for a small conv net trained for one step (run with /usr/bin/python3, torch 1.13).

Run from anywhere:  /usr/bin/python3 tests/golden/nn/gen_nn_convnet.py
Writes tests/src/test/resources/golden-nn/nn_convnet.safetensors.

Module tree (an nn.Sequential built from an OrderedDict, so the children carry these names and the
state-dict keys are "<child>.<param>"):

    conv1    Conv2d(3, 8, kernel_size=3, padding=1)                weight [8,3,3,3], bias [8]
    bn1      BatchNorm2d(8)                                        weight, bias, running_mean, running_var,
                                                                   num_batches_tracked
    relu1    ReLU()
    pool     MaxPool2d(2)
    conv2    Conv2d(8, 16, kernel_size=3, stride=2, padding=1, bias=False)   weight [16,8,3,3]
    bn2      BatchNorm2d(16)
    relu2    ReLU()
    gap      AdaptiveAvgPool2d(1)
    flatten  Flatten()                                             (start_dim=1)
    fc       Linear(16, 10)                                        weight [10,16], bias [10]

Cases (tensor names in tests/golden/nn/README.md): "convnet_train" (train mode forward, cross-entropy loss,
backward, BatchNorm running statistics after the forward), "convnet_eval" (eval-mode output of the same
initial state), and "bn_*" cases for BatchNorm variants (momentum=None, affine=False,
track_running_stats=False, BatchNorm1d on [N,C] and [N,C,L]).
"""
from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn

from nn_common import NnFixture, grads_of, out_path, state_of


def build():
    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(3, 8, 3, padding=1)),
        ("bn1", nn.BatchNorm2d(8)),
        ("relu1", nn.ReLU()),
        ("pool", nn.MaxPool2d(2)),
        ("conv2", nn.Conv2d(8, 16, 3, stride=2, padding=1, bias=False)),
        ("bn2", nn.BatchNorm2d(16)),
        ("relu2", nn.ReLU()),
        ("gap", nn.AdaptiveAvgPool2d(1)),
        ("flatten", nn.Flatten()),
        ("fc", nn.Linear(16, 10)),
    ]))


def randomize_bn(bn, g):
    """Non-trivial affine parameters and running statistics, so that gamma/beta or mean/var mix-ups show."""
    with torch.no_grad():
        c = bn.num_features
        if bn.affine:
            bn.weight.copy_(torch.rand(c, generator=g) + 0.5)
            bn.bias.copy_(torch.randn(c, generator=g) * 0.2)
        if bn.track_running_stats:
            bn.running_mean.copy_(torch.randn(c, generator=g) * 0.1)
            bn.running_var.copy_(torch.rand(c, generator=g) + 0.5)


def convnet_cases(f):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    model = build()
    randomize_bn(model.bn1, g)
    randomize_bn(model.bn2, g)
    before = state_of(model)

    x = torch.randn(4, 3, 16, 16, generator=g)
    target = torch.tensor([3, 0, 9, 5], dtype=torch.int64)

    model.train()
    xin = x.clone().requires_grad_(True)
    out = model(xin)
    loss = F.cross_entropy(out, target)
    loss.backward()
    after = state_of(model)

    f.info("convnet_train", mode="train", loss="cross_entropy(output, target), reduction=mean",
           bn_momentum=0.1, bn_eps=1e-5)
    f.put_all("convnet_train/state", before)
    f.put("convnet_train/input", x)
    f.put("convnet_train/target", target)
    f.put("convnet_train/output", out)
    f.put("convnet_train/loss", loss)
    f.put_all("convnet_train/grad", grads_of(model))
    f.put("convnet_train/grad_input", xin.grad)
    for bn in ("bn1", "bn2"):
        for k in ("running_mean", "running_var", "num_batches_tracked"):
            f.put(f"convnet_train/after/{bn}.{k}", after[f"{bn}.{k}"])
    assert after["bn1.num_batches_tracked"].item() == 1

    ev = build()
    ev.load_state_dict(before)
    ev.eval()
    with torch.no_grad():
        out_eval = ev(x)
    f.info("convnet_eval", mode="eval", state="convnet_train/state", input="convnet_train/input")
    f.put("convnet_eval/output", out_eval)


def bn_cases(f):
    g = torch.Generator().manual_seed(2)

    def run(case, bn, shape, steps=1, nbt=0, **info):
        randomize_bn(bn, g)
        if bn.track_running_stats:
            bn.num_batches_tracked.fill_(nbt)
        f.put_all(f"{case}/state", state_of(bn))
        bn.train()
        for s in range(steps):
            x = torch.randn(*shape, generator=g).requires_grad_(True)
            y = bn(x)
            w = torch.randn(*shape, generator=g)
            (y * w).sum().backward()
            f.put(f"{case}/step{s}/input", x)
            f.put(f"{case}/step{s}/output", y)
            f.put(f"{case}/step{s}/grad_output", w)
            f.put(f"{case}/step{s}/grad_input", x.grad)
            if bn.affine:
                f.put_all(f"{case}/step{s}/grad", grads_of(bn))
                bn.zero_grad(set_to_none=True)
            if bn.track_running_stats:
                f.put_all(f"{case}/step{s}/after", state_of(bn))
        bn.eval()
        with torch.no_grad():
            xe = torch.randn(*shape, generator=g)
            f.put(f"{case}/eval/input", xe)
            f.put(f"{case}/eval/output", bn(xe))
        f.info(case, module=type(bn).__name__, num_features=bn.num_features, eps=bn.eps, momentum=bn.momentum,
               affine=bn.affine, track_running_stats=bn.track_running_stats, steps=steps,
               initial_num_batches_tracked=nbt,
               loss="sum(output * grad_output) per step; eval/ runs after the last step in eval mode", **info)

    run("bn2d_cma", nn.BatchNorm2d(5, momentum=None), (3, 5, 4, 3), steps=2, nbt=3,
        note="momentum=None: cumulative moving average with factor 1/num_batches_tracked")
    run("bn2d_momentum", nn.BatchNorm2d(5, momentum=0.3, eps=1e-3), (2, 5, 3, 3), steps=2)
    run("bn2d_no_affine", nn.BatchNorm2d(4, affine=False), (2, 4, 3, 5))
    run("bn2d_no_stats", nn.BatchNorm2d(4, track_running_stats=False), (3, 4, 2, 2),
        note="no running stats: eval mode also normalizes with batch statistics")
    run("bn1d_2d", nn.BatchNorm1d(6), (5, 6), steps=2)
    run("bn1d_3d", nn.BatchNorm1d(3), (2, 3, 7))


def main():
    f = NnFixture()
    convnet_cases(f)
    bn_cases(f)
    f.write(out_path("nn_convnet.safetensors"))


if __name__ == "__main__":
    main()
