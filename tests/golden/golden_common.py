"""Shared writer for Fuse3D's golden fixtures (run with Debian's /usr/bin/python3 and python3-torch 1.13).

A fixture file is one safetensors file per op family. Each case is a set of tensors named
``<case>/in0, <case>/in1, ...`` (the op's tensor inputs, in call order) and ``<case>/out0, ...`` (its
outputs), plus one metadata entry ``<case>`` holding JSON ``{"op": NAME, "args": {...}}`` where ``args``
are the op's non-tensor arguments under PyTorch's own keyword names. The Java golden suite looks the op
up in its registry by NAME and calls it with the inputs and args.
"""
import json
import struct

import numpy as np
import torch

_DTYPES = {
    np.dtype("float32"): "F32",
    np.dtype("float64"): "F64",
    np.dtype("int32"): "I32",
    np.dtype("int64"): "I64",
    np.dtype("bool"): "BOOL",
}


class FixtureFile:
    """Collects golden cases and writes them as one safetensors file."""

    def __init__(self):
        self.tensors = {}
        self.meta = {}

    def add(self, case, op, inputs, outputs, **args):
        if case in self.meta:
            raise ValueError("duplicate case " + case)
        self.meta[case] = json.dumps({"op": op, "args": args}, sort_keys=True)
        for i, t in enumerate(inputs):
            self.tensors[f"{case}/in{i}"] = _to_numpy(t)
        if not isinstance(outputs, (list, tuple)):
            outputs = [outputs]
        for i, t in enumerate(outputs):
            self.tensors[f"{case}/out{i}"] = _to_numpy(t)

    def write(self, path):
        header = {"__metadata__": self.meta}
        blobs = []
        offset = 0
        for name in sorted(self.tensors):
            a = np.array(self.tensors[name], order="C", copy=True)  # keeps 0-d arrays 0-d
            raw = a.astype(a.dtype.newbyteorder("<")).tobytes()
            header[name] = {"dtype": _DTYPES[a.dtype], "shape": list(a.shape),
                            "data_offsets": [offset, offset + len(raw)]}
            blobs.append(raw)
            offset += len(raw)
        hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
        hjson += b" " * ((8 - len(hjson) % 8) % 8)
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", len(hjson)))
            f.write(hjson)
            for raw in blobs:
                f.write(raw)
        print(f"wrote {path}: {len(self.meta)} cases, {len(self.tensors)} tensors, {8 + len(hjson) + offset} bytes")


def _to_numpy(t):
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().numpy()
    return np.asarray(t)


def seeded(seed):
    """A torch generator with a fixed seed, so the fixtures are reproducible."""
    g = torch.Generator()
    g.manual_seed(seed)
    return g
