"""Writes the torch.save fixtures that fuse3d.tensor.io.TorchCheckpointTest reads (torch 1.13, /usr/bin/python3).

Run from the repository root:  /usr/bin/python3 tests/golden/gen_torch_checkpoints.py

Output, under tensor/src/test/resources/torch/ (torchvision is not installed, so the models are built by
hand from nn layers):
  state_dict.pth       state_dict() of a small Conv2d+BatchNorm2d+Linear model after two training-mode
                       forward passes (so running stats and num_batches_tracked == 2 are non-trivial);
  openpcdet.pth        {"model_state": sd, "optimizer_state": Adam state dict, "epoch": 3, "it": 100, ...}
                       as OpenPCDet's checkpoint_state() lays it out;
  views.pth            a transposed view, two slices sharing their base's storage, a stride-0 expansion,
                       and the base itself;
  dtypes.pth           float16, bfloat16, int8, uint8, int16, int32, int64, float64, bool and 0-d tensors;
  legacy.pth           views + dtypes saved with _use_new_zipfile_serialization=False (pre-1.6 format);
  unknown_global.pth   a tensor next to an instance of a class defined here (a GLOBAL outside any
                       whitelist), which a safe reader must not resolve;
  misc.pth             a Parameter, numpy scalars, torch.device, torch.Size, set, frozenset, bytes, a
                       70-bit integer, None, a tuple and an int-keyed dict;
  expected.npz         for every tensor of every file, "<file>/<dotted key>" -> the values the Java reader
                       must return, already in the Java dtype (float16/bfloat16 -> float32, small ints ->
                       int32), contiguous C order.
"""
import os

import numpy as np
import torch
from torch import nn

OUT = os.path.join("tensor", "src", "test", "resources", "torch")
expected = {}


def java_view(t):
    """The numpy array the Java reader must produce for tensor ``t``."""
    t = t.detach()
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.float()
    elif t.dtype in (torch.int8, torch.uint8, torch.int16):
        t = t.int()
    # A copy: state_dict() tensors alias the live parameters, which the optimizer step below changes;
    # np.array (not ascontiguousarray) also keeps 0-d tensors 0-d.
    return np.array(t.numpy(), order="C", copy=True)


def record(name, tensors, prefix=""):
    for k, v in tensors.items():
        if isinstance(v, torch.Tensor):
            expected[f"{name}/{prefix}{k}"] = java_view(v)
        elif isinstance(v, dict):
            record(name, v, f"{prefix}{k}.")


def save(name, obj, **kw):
    path = os.path.join(OUT, name)
    torch.save(obj, path, **kw)
    print(f"wrote {path}: {os.path.getsize(path)} bytes")


class Settings:
    """Stands in for any object a checkpoint may carry whose class a Java reader must not resolve."""

    def __init__(self):
        self.lr = 0.01
        self.name = "custom"


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(1234)

    model = nn.Sequential(
        nn.Conv2d(2, 3, kernel_size=3, padding=1, bias=False),
        nn.BatchNorm2d(3),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(3 * 2 * 2, 4),
    )
    model.train()
    for _ in range(2):
        model(torch.randn(5, 2, 2, 2))
    sd = model.state_dict()
    assert sd["1.num_batches_tracked"].item() == 2
    save("state_dict.pth", sd)
    record("state_dict.pth", sd)

    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model(torch.randn(5, 2, 2, 2)).sum().backward()
    opt.step()
    sd2 = model.state_dict()
    ckpt = {"epoch": 3, "it": 100, "model_state": sd2, "optimizer_state": opt.state_dict(),
            "version": "pcdet+0.6.0"}
    save("openpcdet.pth", ckpt)
    record("openpcdet.pth", {"model_state": sd2})

    base = torch.arange(12, dtype=torch.float32).reshape(3, 4) * 0.5 - 1
    views = {
        "base": base,
        "transposed": base.t(),
        "row1": base[1],
        "corner": base[1:, 2:],
        "column": base[:, 1],
        "expanded": torch.tensor([1.0, 2.0, 3.0]).expand(2, 3),
        "empty": torch.zeros(0, 3),
    }
    assert not views["transposed"].is_contiguous()
    save("views.pth", views)
    record("views.pth", views)

    dtypes = {
        "f16": torch.tensor([1.0, -2.5, 65504.0, 6e-8, float("inf"), -0.0], dtype=torch.float16),
        "bf16": torch.tensor([[1.0, -3.0e38], [1.0e-38, 0.1]], dtype=torch.bfloat16),
        "i8": torch.tensor([-128, -1, 0, 127], dtype=torch.int8),
        "u8": torch.tensor([0, 1, 128, 255], dtype=torch.uint8),
        "i16": torch.tensor([-32768, 32767, -2], dtype=torch.int16),
        "i32": torch.tensor([-2147483648, 2147483647], dtype=torch.int32),
        "i64": torch.tensor([-9223372036854775808, 9223372036854775807, 5], dtype=torch.int64),
        "f64": torch.tensor([0.1, -2.5e300], dtype=torch.float64),
        "b": torch.tensor([[True, False], [False, True]]),
        "scalar": torch.tensor(7, dtype=torch.int64),
        "scalar_f": torch.tensor(0.25),
    }
    save("dtypes.pth", dtypes)
    record("dtypes.pth", dtypes)

    legacy = {"views": views, "dtypes": dtypes}
    save("legacy.pth", legacy, _use_new_zipfile_serialization=False)
    record("legacy.pth", legacy)

    unknown = {"weight": torch.tensor([1.0, 2.0]), "settings": Settings()}
    save("unknown_global.pth", unknown)
    record("unknown_global.pth", {"weight": unknown["weight"]})

    # Python and numpy values OpenPCDet-style checkpoints carry next to the tensors (protocol 2 writes
    # bytes through _codecs.encode and numpy scalars through numpy.core.multiarray.scalar).
    param = nn.Parameter(torch.tensor([[0.5, -1.5]]))
    misc = {
        "param": param, "best": np.float64(0.5), "count": np.int64(7), "flag": np.bool_(True),
        "single": np.float32(0.25), "cuda": torch.device("cuda", 1), "cpu": torch.device("cpu"),
        "tags": {"a"}, "frozen": frozenset({1}), "size": torch.Size([2, 3]), "blob": b"\x00\xff",
        "big": 2 ** 70, "neg": -5, "none": None, "tuple": (1, "x", None), "nested": {1: [2.5, True]},
    }
    save("misc.pth", misc)
    record("misc.pth", {"param": param})

    np.savez(os.path.join(OUT, "expected.npz"), **expected)
    print(f"wrote expected.npz: {len(expected)} arrays")


if __name__ == "__main__":
    main()
