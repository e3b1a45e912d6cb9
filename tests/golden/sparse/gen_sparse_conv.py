"""Golden fixtures for fuse3d.sparse.conv (run with /usr/bin/python3, torch 1.13; no spconv needed).

Writes sparse/src/test/resources/golden/sparse_conv.safetensors. Each case is a random sparse input (distinct
(batch, z, y, x) sites in shuffled order) and its PyTorch dense-equivalent result, the semantics spconv's own
tests check against nn.Conv3d:
  - submanifold: F.conv3d with centred padding (k - 1) / 2 * dilation, read at the input sites;
  - strided (regular): F.conv3d; output sites are those whose receptive field holds an active input,
    in (batch, z, y, x) order; out0 = sites [M, 4] int32, out1 = features [M, Cout];
  - inverse: F.conv_transpose3d of the strided output with the inverse weight, with output_padding that
    restores the input grid, read at the input sites in their order.
Weights are stored in spconv 2.2+'s KRSC layout [Cout, kD, kH, kW, Cin]; case "subm_rsck" stores the same kind
of weight in spconv 1.x's RSCK layout [kD, kH, kW, Cin, Cout] to exercise the layout conversion.
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from golden_common import FixtureFile, seeded  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "sparse", "src", "test", "resources",
                   "golden", "sparse_conv.safetensors")

g = seeded(20261123)


def sites(batch, shape, density):
    occ = torch.rand((batch,) + tuple(shape), generator=g) < density
    idx = occ.nonzero().to(torch.int32)
    perm = torch.randperm(idx.shape[0], generator=g)
    return idx[perm]


def dense(idx, feats, batch, shape):
    c = feats.shape[1]
    d = torch.zeros((batch, c) + tuple(shape), dtype=feats.dtype)
    b, z, y, x = idx.long().unbind(1)
    d[b, :, z, y, x] = feats
    return d


def at_sites(d, idx):
    b, z, y, x = idx.long().unbind(1)
    return d[b, :, z, y, x]


def krsc_to_torch(w):  # [Cout, k..., Cin] -> [Cout, Cin, k...]
    return w.permute(0, 4, 1, 2, 3).contiguous()


def strided(idx, feats, batch, shape, w, k, s, p, d):
    x = dense(idx, feats, batch, shape)
    y = F.conv3d(x, krsc_to_torch(w), None, s, p, d)
    occ = dense(idx, torch.ones(idx.shape[0], 1), batch, shape)
    o = F.conv3d(occ, torch.ones((1, 1) + tuple(k)), None, s, p, d)[:, 0] > 0
    out_idx = o.nonzero().to(torch.int32)  # row-major: sorted by (batch, z, y, x)
    return out_idx, at_sites(y, out_idx), tuple(y.shape[2:])


def main():
    f = FixtureFile()

    for name, shape, k, dil, cin, cout, bias in [
        ("subm_k3", (6, 7, 8), (3, 3, 3), (1, 1, 1), 4, 5, True),
        ("subm_k133_dil2", (5, 9, 9), (1, 3, 3), (1, 2, 2), 3, 2, False),
        ("subm_k5", (5, 6, 7), (5, 5, 3), (1, 1, 2), 2, 3, True),
    ]:
        batch = 2
        idx = sites(batch, shape, 0.25)
        feats = torch.randn(idx.shape[0], cin, generator=g)
        w = torch.randn((cout,) + k + (cin,), generator=g)
        b = torch.randn(cout, generator=g) if bias else torch.zeros(cout)
        pad = tuple((kk - 1) // 2 * dd for kk, dd in zip(k, dil))
        y = F.conv3d(dense(idx, feats, batch, shape), krsc_to_torch(w), b, 1, pad, dil)
        f.add(name, "subm_conv3d", [idx, feats, w, b], [at_sites(y, idx)], kernel_size=list(k), dilation=list(dil),
              spatial_shape=list(shape), batch_size=batch, bias=bias)
        if name == "subm_k3":
            f.add("subm_rsck", "subm_conv3d_rsck", [idx, feats, w.permute(1, 2, 3, 4, 0).contiguous(), b], [at_sites(y, idx)],
                  kernel_size=list(k), dilation=list(dil), spatial_shape=list(shape), batch_size=batch, bias=bias)

    for name, shape, k, s, p, d, cin, cout in [
        ("spconv_k3s2p1", (9, 10, 11), (3, 3, 3), (2, 2, 2), (1, 1, 1), (1, 1, 1), 3, 4),
        ("spconv_k3s2p011", (11, 8, 8), (3, 3, 3), (2, 2, 2), (0, 1, 1), (1, 1, 1), 4, 4),
        ("spconv_k311s211", (5, 6, 6), (3, 1, 1), (2, 1, 1), (0, 0, 0), (1, 1, 1), 4, 3),
        ("spconv_k2s1_dil2", (6, 6, 7), (2, 2, 2), (1, 1, 1), (0, 1, 0), (2, 2, 1), 2, 3),
    ]:
        batch = 2
        idx = sites(batch, shape, 0.2)
        feats = torch.randn(idx.shape[0], cin, generator=g)
        w = torch.randn((cout,) + k + (cin,), generator=g)
        out_idx, out_feats, _ = strided(idx, feats, batch, shape, w, k, s, p, d)
        f.add(name, "sparse_conv3d", [idx, feats, w], [out_idx, out_feats], kernel_size=list(k), stride=list(s), padding=list(p),
              dilation=list(d), spatial_shape=list(shape), batch_size=batch)

    # inverse: down (k3 s2 p1) then SparseInverseConv3d with the same key and kernel
    shape, k, s, p, batch = (7, 9, 8), (3, 3, 3), (2, 2, 2), (1, 1, 1), 2
    idx = sites(batch, shape, 0.2)
    feats = torch.randn(idx.shape[0], 3, generator=g)
    w_down = torch.randn((4,) + k + (3,), generator=g)
    w_up = torch.randn((2,) + k + (4,), generator=g)
    b_up = torch.randn(2, generator=g)
    out_idx, out_feats, out_shape = strided(idx, feats, batch, shape, w_down, k, s, p, (1, 1, 1))
    y = dense(out_idx, out_feats, batch, out_shape)
    op = tuple(n - ((o - 1) * ss - 2 * pp + (kk - 1) + 1) for n, o, ss, pp, kk in zip(shape, out_shape, s, p, k))
    z = F.conv_transpose3d(y, w_up.permute(4, 0, 1, 2, 3).contiguous(), b_up, s, p, op)
    f.add("inverse_k3s2p1", "sparse_inverse_conv3d", [idx, feats, w_down, w_up, b_up], [at_sites(z, idx)], kernel_size=list(k),
          stride=list(s), padding=list(p), spatial_shape=list(shape), batch_size=batch)

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    f.write(OUT)


if __name__ == "__main__":
    main()
