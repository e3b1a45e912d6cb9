"""Shared helpers for the nn-layer golden fixtures (run with Debian's /usr/bin/python3, torch 1.13).

Every gen_nn_*.py script writes its safetensors output through :class:`NnFixture`, a thin layer over
golden_common.FixtureFile: tensors are stored under plain slash-separated names chosen by the script
(``<case>/<role>/<key>``, see tests/golden/nn/README.md), and each case has one ``__metadata__`` entry holding
a JSON object with the module's configuration. Outputs go to tests/src/test/resources/golden-nn/.
"""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from golden_common import FixtureFile, _to_numpy  # noqa: E402

OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "src", "test", "resources", "golden-nn"))


def out_path(name):
    os.makedirs(OUT_DIR, exist_ok=True)
    return os.path.join(OUT_DIR, name)


class NnFixture(FixtureFile):
    """A FixtureFile whose tensors carry free-form names and whose metadata is one JSON object per case."""

    def put(self, name, t):
        if name in self.tensors:
            raise ValueError("duplicate tensor " + name)
        a = _to_numpy(t.detach().clone() if isinstance(t, torch.Tensor) else t)
        self.tensors[name] = a.copy()

    def put_all(self, prefix, tensors):
        for k, v in tensors.items():
            self.put(f"{prefix}/{k}", v)

    def info(self, case, **fields):
        if case in self.meta:
            raise ValueError("duplicate case " + case)
        self.meta[case] = json.dumps(fields, sort_keys=True)


def grads_of(module):
    """Every parameter's .grad under its state-dict name (parameters without a grad are an error)."""
    out = {}
    for k, p in module.named_parameters():
        if p.grad is None:
            raise ValueError("no grad for " + k)
        out[k] = p.grad.detach().clone()
    return out


def state_of(module):
    """A detached copy of the state dict (the live one aliases parameters the script changes later)."""
    return {k: v.detach().clone() for k, v in module.state_dict().items()}
