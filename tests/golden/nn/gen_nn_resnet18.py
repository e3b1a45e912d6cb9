"""Golden fixtures for a torchvision-layout ResNet-18 and an OpenPCDet-style checkpoint (/usr/bin/python3, torch 1.13).

Run from anywhere:  /usr/bin/python3 tests/golden/nn/gen_nn_resnet18.py
Writes, under tests/src/test/resources/golden-nn/:
  resnet18_w8.pth               torch.save(model.state_dict()) (zip format) of resnet_tv.resnet18(width=8,
                                num_classes=10): torchvision's exact keys, channels 8/16/32/64 instead of
                                64/128/256/512 (the width-64 file would be ~45 MB). Random init (seed 0),
                                BatchNorm affine parameters redrawn, then 3 train-mode forwards on random data
                                (num_batches_tracked = 3), then eval().
  resnet18_w8.safetensors       input [1,3,64,64], the eval-mode output [1,10] and every stage's eval features.
  pcdet_ckpt.pth                OpenPCDet checkpoint_state() layout {"epoch": 3, "it": 120, "model_state": sd,
                                "optimizer_state": Adam state dict, "version": "pcdet+0.6.0"} of a width-4
                                resnet18 (num_classes=10) after 2 adam_onecycle steps, saved with
                                _use_new_zipfile_serialization=False as OpenPCDet's save_checkpoint does.
  pcdet_ckpt_zip.pth            the same object in the zip format.
  pcdet_ckpt_expected.safetensors  every tensor of the checkpoint under "<dotted path>" plus the metadata.

The script also checks that the key list of the width-reduced model equals the width-64 resnet18's, and that
the width-64 resnet18 / resnet50 have torchvision's key counts (122 / 320) and parameter counts
(11,689,512 / 25,557,032).
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from nn_common import NnFixture, out_path, state_of
from resnet_tv import resnet18, resnet50


def check_layout():
    r18 = resnet18()
    sd = r18.state_dict()
    assert len(sd) == 122, len(sd)
    assert sum(p.numel() for p in r18.parameters()) == 11689512
    expect_shapes = {"conv1.weight": (64, 3, 7, 7), "layer1.0.conv1.weight": (64, 64, 3, 3),
                     "layer2.0.downsample.0.weight": (128, 64, 1, 1), "layer2.0.downsample.1.running_var": (128,),
                     "layer3.1.bn2.num_batches_tracked": (), "layer4.1.conv2.weight": (512, 512, 3, 3),
                     "fc.weight": (1000, 512), "fc.bias": (1000,)}
    for k, s in expect_shapes.items():
        assert tuple(sd[k].shape) == s, (k, sd[k].shape)
    assert "layer1.0.downsample.0.weight" not in sd
    r50 = resnet50()
    assert len(r50.state_dict()) == 320
    assert sum(p.numel() for p in r50.parameters()) == 25557032
    assert "layer1.0.downsample.0.weight" in r50.state_dict() and "layer4.2.conv3.weight" in r50.state_dict()
    return list(sd.keys())


def randomize_bn(model, g):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=g) * 0.1)


def resnet_fixture(keys64):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(11)
    model = resnet18(num_classes=10, width=8)
    assert list(model.state_dict().keys()) == keys64
    randomize_bn(model, g)
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(4, 3, 64, 64, generator=g))
    model.eval()
    sd = state_of(model)
    assert sd["bn1.num_batches_tracked"].item() == 3
    path = out_path("resnet18_w8.pth")
    torch.save(model.state_dict(), path)
    print(f"wrote {path}: {os.path.getsize(path)} bytes")

    x = torch.randn(1, 3, 64, 64, generator=g)
    with torch.no_grad():
        feats = model.features(x)
        out = model(x)
    f = NnFixture()
    f.put("input", x)
    f.put("output", out)
    for k, v in feats.items():
        f.put(f"features/{k}", v)
    f.info("resnet18_w8", model="resnet18", width=8, num_classes=10, mode="eval", weights="resnet18_w8.pth",
           features="stem = maxpool(relu(bn1(conv1(x)))), layerN = output of layerN; output = fc(flatten(avgpool))")
    f.write(out_path("resnet18_w8.safetensors"))


def leaf_modules(m):
    kids = list(m.children())
    if not kids:
        return [m]
    return [leaf for k in kids for leaf in leaf_modules(k)]


def checkpoint_fixture():
    """A width-4 resnet18 trained 2 steps the way OpenPCDet's adam_onecycle does (see gen_nn_optim.py)."""
    torch.manual_seed(1)
    g = torch.Generator().manual_seed(12)
    model = resnet18(num_classes=10, width=4)
    randomize_bn(model, g)
    leaves = leaf_modules(model)
    non_bn = [p for m in leaves if not isinstance(m, nn.BatchNorm2d) for p in m.parameters()]
    bn = [p for m in leaves if isinstance(m, nn.BatchNorm2d) for p in m.parameters()]
    # two parameter groups: non-BatchNorm, then BatchNorm (OpenPCDet's layer-group split)
    opt = torch.optim.Adam([{"params": non_bn, "lr": 0}, {"params": bn, "lr": 0}], betas=(0.9, 0.99))
    lr_max, div, wd, total = 0.003, 10.0, 0.01, 20
    s1 = int(0.4 * total)
    model.train()
    for t in range(2):
        p = t / s1
        # numpy float64 on purpose: OpenPCDet's schedule computes with np.cos, so real checkpoints carry
        # numpy scalars in param_groups' lr and betas
        lr = np.float64(lr_max + (lr_max / div - lr_max) / 2 * (np.cos(np.pi * p) + 1))
        mom = np.float64(0.85 + (0.95 - 0.85) / 2 * (np.cos(np.pi * p) + 1))
        for grp in opt.param_groups:
            grp["lr"] = lr
            grp["betas"] = (mom, 0.99)
        opt.zero_grad()
        x = torch.randn(2, 3, 32, 32, generator=g)
        y = torch.randint(0, 10, (2,), generator=g)
        F.cross_entropy(model(x), y).backward()
        with torch.no_grad():
            for q in non_bn + bn:
                q.mul_(1 - wd * lr)
        opt.step()
    ckpt = {"epoch": 3, "it": 120, "model_state": model.state_dict(), "optimizer_state": opt.state_dict(),
            "version": "pcdet+0.6.0"}
    for name, kw in (("pcdet_ckpt.pth", dict(_use_new_zipfile_serialization=False)), ("pcdet_ckpt_zip.pth", {})):
        path = out_path(name)
        torch.save(ckpt, path, **kw)
        print(f"wrote {path}: {os.path.getsize(path)} bytes")

    f = NnFixture()
    for k, v in ckpt["model_state"].items():
        f.put(f"model_state.{k}", v)
    osd = ckpt["optimizer_state"]
    for idx, st in osd["state"].items():
        for sk, sv in st.items():
            f.put(f"optimizer_state.state.{idx}.{sk}", sv)
    groups = [{k: (list(map(float, v)) if k == "betas" else float(v) if k == "lr" else v)
               for k, v in grp.items()} for grp in osd["param_groups"]]
    f.info("checkpoint", epoch=3, it=120, version="pcdet+0.6.0", model="resnet18", width=4, num_classes=10,
           param_groups=groups, lr_type="numpy.float64", betas_type="tuple(numpy.float64, float)",
           n_model_state=len(ckpt["model_state"]), n_optimizer_state=len(osd["state"]),
           note="optimizer_state.state.<i> is the i-th parameter in group order: group 0 = every non-BatchNorm "
                "parameter (convs, fc) in module order, group 1 = BatchNorm weight/bias in module order")
    f.write(out_path("pcdet_ckpt_expected.safetensors"))
    print(json.dumps(groups)[:300])


def main():
    keys64 = check_layout()
    resnet_fixture(keys64)
    checkpoint_fixture()


if __name__ == "__main__":
    main()
