"""Writes the array-file fixtures that fuse3d.tensor.io's tests read (numpy 1.24, torch 1.13, /usr/bin/python3).

Run from the repository root:  /usr/bin/python3 tests/golden/gen_io_fixtures.py

Output, under tensor/src/test/resources/io/:
  npy/*.npy                 one file per stored dtype, plus Fortran-order, big-endian, scalar, empty and
                            format 2.0 / 3.0 variants, all written by numpy itself;
  npz/stored.npz            np.savez (zip entries stored);
  npz/compressed.npz        np.savez_compressed (zip entries deflated);
  safetensors/mixed.safetensors
                            written by the small writer below (the safetensors package is not installed),
                            with every dtype the Java reader accepts, F16 and BF16 included, and metadata;
  expected.json             for every array: the Java DType it must read as, its shape, and its elements in
                            C order as the Java reader must return them (float16/bfloat16 widened to float32,
                            small ints widened, bools as true/false). Floats are written with Python's repr,
                            which round-trips exactly; NaN and +-Infinity use the JSON extension tokens.
"""
import json
import os
import struct

import numpy as np
import torch

OUT = os.path.join("tensor", "src", "test", "resources", "io")

# numpy dtype kind+size -> the Java DType it reads as.
JAVA_DTYPE = {
    "f2": "FLOAT32", "f4": "FLOAT32", "f8": "FLOAT64",
    "i1": "INT32", "i2": "INT32", "i4": "INT32", "u1": "INT32", "u2": "INT32",
    "i8": "INT64", "u4": "INT64", "b1": "BOOL",
}

expected = {}


def describe(a, java_dtype=None):
    """Expected reading of numpy array ``a``: dtype name, shape, C-order values as JSON-able Python scalars."""
    code = a.dtype.kind + str(a.dtype.itemsize)
    flat = np.ascontiguousarray(a).reshape(-1)
    if a.dtype.kind == "f":
        values = [float(x) for x in flat.astype(np.float64)]
    elif a.dtype.kind == "b":
        values = [bool(x) for x in flat]
    else:
        values = [int(x) for x in flat]
    return {"dtype": java_dtype or JAVA_DTYPE[code], "shape": list(a.shape), "values": values}


def save_npy(name, a, **kw):
    path = os.path.join(OUT, "npy", name)
    # Guard against numpy quietly converting a fixture back to the common case.
    assert ("_be" in name) == (a.dtype.byteorder == ">"), name
    assert ("fortran" in name) == (a.flags.f_contiguous and not a.flags.c_contiguous), name
    if kw:
        with open(path, "wb") as f:
            np.lib.format.write_array(f, a, **kw)
    else:
        np.save(path, a)
    expected["npy/" + name] = describe(a)
    # Check numpy itself reads back what we promise.
    back = np.load(path)
    assert back.dtype == a.dtype and back.shape == a.shape and np.array_equal(back, a, equal_nan=a.dtype.kind == "f")


def npy_fixtures():
    nan, inf = float("nan"), float("inf")
    save_npy("f4.npy", np.array([[1.5, -0.0, nan], [inf, -inf, 1e-45]], dtype="<f4"))
    save_npy("f8.npy", np.array([0.1, -2.5e300, nan, 5e-324], dtype="<f8"))
    save_npy("f2.npy", np.array([1.0, -2.5, 65504.0, 6e-8, inf, nan, -0.0], dtype="<f2"))
    save_npy("i1.npy", np.array([-128, -1, 0, 127], dtype="i1"))
    save_npy("u1.npy", np.array([[0, 1], [128, 255]], dtype="u1"))
    save_npy("i2.npy", np.array([-32768, 32767, -2], dtype="<i2"))
    save_npy("u2.npy", np.array([0, 65535, 40000], dtype="<u2"))
    save_npy("i4.npy", np.array([[-2147483648, 2147483647], [0, -1]], dtype="<i4"))
    save_npy("u4.npy", np.array([0, 4294967295, 7], dtype="<u4"))
    save_npy("i8.npy", np.array([-9223372036854775808, 9223372036854775807, 123456789012345], dtype="<i8"))
    save_npy("b1.npy", np.array([[True, False, True], [False, False, True]]))
    # Fortran order: numpy stores the transpose's bytes; the reader must hand back C order.
    save_npy("f4_fortran.npy", np.asfortranarray(np.arange(24, dtype="<f4").reshape(2, 3, 4) * 0.5 - 3))
    save_npy("b1_fortran.npy", np.asfortranarray(np.array([[True, False, False], [True, True, False]])))
    # Big-endian, one of them also Fortran order.
    save_npy("f8_be.npy", np.array([[1.25, -7.0], [nan, 1e-310]], dtype=">f8"))
    save_npy("i4_be.npy", np.array([1, -2, 305419896], dtype=">i4"))
    save_npy("f2_be.npy", np.array([0.5, -65504.0, 1e-7], dtype=">f2"))
    save_npy("u2_be.npy", np.array([1, 65534], dtype=">u2"))
    save_npy("i8_be_fortran.npy", np.asfortranarray((np.arange(6).reshape(3, 2) - 2**40).astype(">i8")))
    save_npy("scalar.npy", np.float64(3.25) * np.ones((), dtype="<f8"))
    save_npy("empty.npy", np.zeros((0, 3), dtype="<f4"))
    save_npy("v2.npy", np.arange(5, dtype="<i8"), version=(2, 0))
    save_npy("v3.npy", np.arange(4, dtype="<f4").reshape(2, 2), version=(3, 0))


def npz_fixtures():
    rng = np.random.default_rng(5)
    arrays = {
        "points": rng.standard_normal((5, 3)).astype("<f4"),
        "labels": rng.integers(0, 18, (2, 3, 4)).astype("u1"),
        "mask": rng.integers(0, 2, (2, 3, 4)).astype(bool),
        "ids": np.array([3, -1, 2**40], dtype="<i8"),
    }
    np.savez(os.path.join(OUT, "npz", "stored.npz"), **arrays)
    np.savez_compressed(os.path.join(OUT, "npz", "compressed.npz"), **arrays)
    for name in ("stored.npz", "compressed.npz"):
        expected["npz/" + name] = {k: describe(v) for k, v in arrays.items()}


# safetensors dtype name for each numpy dtype; BF16 is handled through torch.
ST_DTYPES = {"<f4": "F32", "<f8": "F64", "<i4": "I32", "<i8": "I64", "|b1": "BOOL",
             "|u1": "U8", "|i1": "I8", "<i2": "I16", "<f2": "F16"}


def write_safetensors(path, tensors, metadata):
    """A minimal safetensors writer: tensors is a list of (name, dtype name, shape, raw little-endian bytes)."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((8 - len(hjson) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for _, _, _, raw in tensors:
            f.write(raw)


def safetensors_fixture():
    nan, inf = float("nan"), float("inf")
    arrays = [
        # Deliberately not in alphabetical order: the reader must keep header order.
        ("zeta/f32", np.array([[1.5, -0.0], [nan, -inf], [3.4e38, 1e-45]], dtype="<f4")),
        ("alpha/f64", np.array([0.1, -1e-300], dtype="<f8")),
        ("i32", np.array([-2147483648, 5, 2147483647], dtype="<i4")),
        ("i64", np.array([[2**62, -3]], dtype="<i8")),
        ("mask", np.array([True, False, True, True])),
        ("u8", np.array([0, 17, 255], dtype="u1")),
        ("i8", np.array([-128, 127], dtype="i1")),
        ("i16", np.array([-32768, 12345], dtype="<i2")),
        ("f16", np.array([1.0, -2.0, 65504.0, 6e-8, inf, nan], dtype="<f2")),
        ("scalar", np.array(2.5, dtype="<f4")),
        ("empty", np.zeros((2, 0), dtype="<f4")),
    ]
    tensors = [(name, ST_DTYPES[a.dtype.str], a.shape, a.tobytes()) for name, a in arrays]
    cases = {name: describe(a) for name, a in arrays}
    # bfloat16 has no numpy dtype: let torch round the values and hand over the 16-bit patterns.
    bf = torch.tensor([1.0, -3.140625, 1e38, -1e-38, float("inf"), float("nan"), 0.1], dtype=torch.bfloat16)
    bits = bf.view(torch.int16).numpy().astype("<i2")
    tensors.insert(3, ("bf16", "BF16", tuple(bf.shape), bits.tobytes()))
    cases["bf16"] = describe(bf.float().numpy(), "FLOAT32")
    metadata = {"format": "pt", "producer": "gen_io_fixtures.py"}
    write_safetensors(os.path.join(OUT, "safetensors", "mixed.safetensors"), tensors, metadata)
    expected["safetensors/mixed.safetensors"] = {
        "order": [t[0] for t in tensors],
        "metadata": metadata,
        "tensors": cases,
    }


def main():
    for sub in ("npy", "npz", "safetensors"):
        os.makedirs(os.path.join(OUT, sub), exist_ok=True)
    npy_fixtures()
    npz_fixtures()
    safetensors_fixture()
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(expected)} fixture files' expectations to {OUT}/expected.json")


if __name__ == "__main__":
    main()
