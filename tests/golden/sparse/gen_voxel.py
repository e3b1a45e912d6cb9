"""Golden fixtures for fuse3d.sparse.voxel: voxelization, VFEs and the pillar scatter, in plain PyTorch 1.13.

Run from the repository root with Debian's python3 (torch 1.13, numpy):
    /usr/bin/python3 tests/golden/sparse/gen_voxel.py
It writes sparse/src/test/resources/golden/voxel.safetensors. Each case lists its tensors by name in
args["tensors"] (in0, in1, ... in that order); outputs are described per op below and in VoxelGoldenTest.

The references here are written from OpenPCDet's documented behaviour (spconv's Point2VoxelCPU first-come
voxelization, PillarVFE / PFNLayer, DynamicPillarVFE / PFNLayerV2, DynamicMeanVFE, PointPillarScatter) with
torch ops only (no spconv, mmcv or torch_scatter here): scatter_mean is index_add / count and scatter_max is
scatter_reduce(amax).
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from golden_common import FixtureFile, seeded  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "sparse", "src", "test", "resources", "golden", "voxel.safetensors")


# ---------------------------------------------------------------------------------------------- voxelization

def hard_voxelize(points, pc_range, voxel_size, max_points, max_voxels):
    """First-come hard voxelization in float32, one point at a time (the rule of spconv's CPU generator)."""
    lo = np.asarray(pc_range[:3], np.float32)
    hi = np.asarray(pc_range[3:], np.float32)
    size = np.asarray(voxel_size, np.float32)
    grid = [int(np.floor(v + np.float32(0.5))) for v in (hi - lo) / size]
    pts = points.numpy()
    f = pts.shape[1]
    slot = {}
    voxels, coords, nums = [], [], []
    for p in pts:
        xyz = p[:3].astype(np.float32)
        with np.errstate(invalid="ignore"):
            cell = np.floor((xyz - lo) / size)
        if np.isnan(cell).any() or (cell < 0).any() or (cell >= np.asarray(grid, np.float32)).any():
            continue
        key = (int(cell[2]), int(cell[1]), int(cell[0]))
        v = slot.get(key)
        if v is None:
            if len(voxels) >= max_voxels:
                continue
            v = len(voxels)
            slot[key] = v
            voxels.append(np.zeros((max_points, f), pts.dtype))
            coords.append(key)
            nums.append(0)
        if nums[v] < max_points:
            voxels[v][nums[v]] = p
            nums[v] += 1
    m = len(voxels)
    vox = np.stack(voxels) if m else np.zeros((0, max_points, f), pts.dtype)
    return (torch.from_numpy(vox), torch.tensor(coords, dtype=torch.int32).reshape(m, 3),
            torch.tensor(nums, dtype=torch.int32))


# ---------------------------------------------------------------------------------------------- VFEs

def make_pfn_state(prefix, layers_in_out, use_norm, g, dtype=torch.float32):
    """Random PFN parameters and running statistics, named as OpenPCDet's state dict."""
    state = {}
    for i, (cin, cout) in enumerate(layers_in_out):
        state[f"{prefix}{i}.linear.weight"] = (torch.rand(cout, cin, generator=g, dtype=dtype) - 0.5) * 0.6
        if use_norm:
            state[f"{prefix}{i}.norm.weight"] = 0.5 + torch.rand(cout, generator=g, dtype=dtype)
            state[f"{prefix}{i}.norm.bias"] = torch.rand(cout, generator=g, dtype=dtype) - 0.5
            state[f"{prefix}{i}.norm.running_mean"] = torch.rand(cout, generator=g, dtype=dtype) - 0.5
            state[f"{prefix}{i}.norm.running_var"] = 0.5 + torch.rand(cout, generator=g, dtype=dtype)
        else:
            state[f"{prefix}{i}.linear.bias"] = torch.rand(cout, generator=g, dtype=dtype) - 0.5
    return state


def pfn_shapes(cin, num_filters):
    """(in, out) of each PFN layer: inner layers produce half their filters (the other half is the max)."""
    dims = [cin] + list(num_filters)
    shapes = []
    for i in range(len(num_filters)):
        last = i == len(num_filters) - 1
        shapes.append((dims[i], dims[i + 1] if last else dims[i + 1] // 2))
    return shapes


def batch_norm(x, state, name, training):
    return torch.nn.functional.batch_norm(x, state[name + ".running_mean"].clone(), state[name + ".running_var"].clone(),
                                          state[name + ".weight"], state[name + ".bias"], training, 0.01, 1e-3)


def pfn_padded(x, state, i, last, use_norm, training):
    """One PFN layer on padded pillars x [M, P, C]."""
    m, p, _ = x.shape
    y = x @ state[f"pfn_layers.{i}.linear.weight"].t()
    if use_norm:
        y = batch_norm(y.reshape(m * p, -1), state, f"pfn_layers.{i}.norm", training).reshape(m, p, -1)
    else:
        y = y + state[f"pfn_layers.{i}.linear.bias"]
    y = torch.relu(y)
    pooled = y.max(dim=1, keepdim=True)[0]
    return pooled if last else torch.cat([y, pooled.expand(-1, p, -1)], dim=2)


def pillar_vfe(voxels, num_points, coords, state, cfg, training):
    vx, vy, vz = cfg["voxel_size"]
    r = cfg["point_cloud_range"]
    xyz = voxels[:, :, :3]
    mean = xyz.sum(dim=1, keepdim=True) / num_points.to(voxels.dtype).clamp(min=1).view(-1, 1, 1)
    cluster = xyz - mean
    centre = torch.stack([coords[:, 3].to(voxels.dtype) * vx + (vx / 2 + r[0]),
                          coords[:, 2].to(voxels.dtype) * vy + (vy / 2 + r[1]),
                          coords[:, 1].to(voxels.dtype) * vz + (vz / 2 + r[2])], dim=1).unsqueeze(1)
    center = xyz - centre
    parts = [voxels if cfg["use_absolute_xyz"] else voxels[:, :, 3:], cluster, center]
    if cfg["with_distance"]:
        parts.append(xyz.norm(dim=2, keepdim=True))
    feats = torch.cat(parts, dim=-1)
    valid = (torch.arange(voxels.shape[1]).view(1, -1) < num_points.view(-1, 1).long()).to(voxels.dtype).unsqueeze(-1)
    feats = feats * valid
    n = len(cfg["num_filters"])
    for i in range(n):
        feats = pfn_padded(feats, state, i, i == n - 1, cfg["use_norm"], training)
    return feats.reshape(voxels.shape[0], -1)


def scatter_mean(src, index, m):
    total = torch.zeros(m, src.shape[1], dtype=src.dtype).index_add(0, index, src)
    count = torch.zeros(m, dtype=src.dtype).index_add(0, index, torch.ones(src.shape[0], dtype=src.dtype))
    return total / count.clamp(min=1).unsqueeze(1)


def scatter_max(src, index, m):
    idx = index.view(-1, 1).expand(-1, src.shape[1])
    return torch.zeros(m, src.shape[1], dtype=src.dtype).scatter_reduce(0, idx, src, "amax", include_self=False)


def dynamic_pillar_vfe(points, state, cfg, training):
    vx, vy, vz = cfg["voxel_size"]
    r = cfg["point_cloud_range"]
    lo = torch.tensor(r[:2], dtype=torch.float32)
    size = torch.tensor([vx, vy], dtype=torch.float32)
    nx, ny = cfg["grid"][0], cfg["grid"][1]
    cells = torch.floor((points[:, 1:3].float() - lo) / size).long()
    keep = ((cells >= 0) & (cells < torch.tensor([nx, ny]))).all(dim=1)
    points, cells = points[keep], cells[keep]
    xyz = points[:, 1:4]
    merge = points[:, 0].long() * (nx * ny) + cells[:, 0] * ny + cells[:, 1]
    unq, inv = torch.unique(merge, return_inverse=True)
    m = unq.shape[0]
    cluster = xyz - scatter_mean(xyz, inv, m)[inv]
    center = torch.stack([xyz[:, 0] - (cells[:, 0].to(xyz.dtype) * vx + (vx / 2 + r[0])),
                          xyz[:, 1] - (cells[:, 1].to(xyz.dtype) * vy + (vy / 2 + r[1])),
                          xyz[:, 2] - (vz / 2 + r[2])], dim=1)
    parts = [points[:, 1:] if cfg["use_absolute_xyz"] else points[:, 4:], cluster, center]
    if cfg["with_distance"]:
        parts.append(points[:, 1:4].norm(dim=1, keepdim=True))
    feats = torch.cat(parts, dim=-1)
    n = len(cfg["num_filters"])
    for i in range(n):
        y = feats @ state[f"pfn_layers.{i}.linear.weight"].t()
        if cfg["use_norm"]:
            y = batch_norm(y, state, f"pfn_layers.{i}.norm", training)
        else:
            y = y + state[f"pfn_layers.{i}.linear.bias"]
        y = torch.relu(y)
        pooled = scatter_max(y, inv, m)
        feats = pooled if i == n - 1 else torch.cat([y, pooled[inv]], dim=1)
    coords = torch.stack([unq // (nx * ny), torch.zeros_like(unq), unq % ny, (unq % (nx * ny)) // ny], dim=1).int()
    return feats, coords


def dynamic_mean_vfe(points, cfg):
    r = cfg["point_cloud_range"]
    lo = torch.tensor(r[:3], dtype=torch.float32)
    size = torch.tensor(cfg["voxel_size"], dtype=torch.float32)
    nx, ny, nz = cfg["grid"]
    cells = torch.floor((points[:, 1:4].float() - lo) / size).long()
    keep = ((cells >= 0) & (cells < torch.tensor([nx, ny, nz]))).all(dim=1)
    points, cells = points[keep], cells[keep]
    merge = points[:, 0].long() * (nx * ny * nz) + cells[:, 0] * (ny * nz) + cells[:, 1] * nz + cells[:, 2]
    unq, inv = torch.unique(merge, return_inverse=True)
    mean = scatter_mean(points[:, 1:], inv, unq.shape[0])
    coords = torch.stack([unq // (nx * ny * nz), unq % nz, (unq % (ny * nz)) // nz, (unq % (nx * ny * nz)) // (ny * nz)], dim=1).int()
    return mean, coords


def point_pillar_scatter(features, coords, batch_size, nx, ny):
    c = features.shape[1]
    out = torch.zeros(batch_size, c, ny * nx, dtype=features.dtype)
    flat = coords[:, 2].long() * nx + coords[:, 3].long()
    out[coords[:, 0].long(), :, flat] = features
    return out.view(batch_size, c, ny, nx)


# ---------------------------------------------------------------------------------------------- inputs

def random_points(g, n, pc_range, features=1, margin=0.2):
    lo = torch.tensor(pc_range[:3]) - margin
    hi = torch.tensor(pc_range[3:]) + margin
    xyz = lo + (hi - lo) * torch.rand(n, 3, generator=g)
    return torch.cat([xyz, torch.rand(n, features, generator=g)], dim=1)


def grid_of(pc_range, voxel_size):
    return [int(round((pc_range[i + 3] - pc_range[i]) / voxel_size[i])) for i in range(3)]


def main():
    ff = FixtureFile()

    # ---- hard voxelization: overflow of points and voxels, boundaries, NaN
    pcr, vs = [0.0, -2.0, -1.0, 3.2, 2.0, 1.0], [0.4, 0.5, 0.5]
    g = seeded(7)
    clustered = torch.cat([random_points(g, 60, [0.0, -0.5, -0.5, 0.8, 0.5, 0.5]), random_points(g, 120, pcr, margin=0.5)])
    special = torch.tensor([[0.0, -2.0, -1.0, 0.1], [3.2, 0.0, 0.0, 0.2], [3.1999, 1.9999, 0.9999, 0.3],
                            [-1e-6, 0.0, 0.0, 0.4], [float("nan"), 0.0, 0.0, 0.5], [1.0, float("nan"), 0.0, 0.6],
                            [0.8, 0.5, 0.5, 0.7], [0.4, 0.0, 0.0, 0.8]])
    pts = torch.cat([special, clustered])
    for case, mp, mv in [("hard_small_caps", 3, 10), ("hard_no_overflow", 40, 1000), ("hard_voxel_cap", 5, 4)]:
        ff.add(case, "hard_voxelize", [pts], list(hard_voxelize(pts, pcr, vs, mp, mv)),
               point_cloud_range=pcr, voxel_size=vs, max_points_per_voxel=mp, max_voxels=mv, tensors=["points"])
    pts64 = random_points(seeded(8), 50, pcr).double()
    ff.add("hard_float64", "hard_voxelize", [pts64], list(hard_voxelize(pts64, pcr, vs, 4, 100)),
           point_cloud_range=pcr, voxel_size=vs, max_points_per_voxel=4, max_voxels=100, tensors=["points"])

    # ---- PillarVFE: voxels from the hard voxelizer, as in OpenPCDet's pipeline
    pillar_pcr, pillar_vs = [0.0, -3.2, -3.0, 4.8, 3.2, 1.0], [0.32, 0.32, 4.0]
    configs = [
        ("pillar_vfe_pointpillars", dict(num_filters=[64], use_norm=True, with_distance=False, use_absolute_xyz=True), 9),
        ("pillar_vfe_two_layers_distance", dict(num_filters=[16, 32], use_norm=True, with_distance=True, use_absolute_xyz=False), 10),
        ("pillar_vfe_no_norm", dict(num_filters=[8], use_norm=False, with_distance=False, use_absolute_xyz=True), 11),
    ]
    for case, cfg, seed in configs:
        g = seeded(seed)
        cloud = torch.cat([random_points(g, 40, [0.0, -0.64, -3.0, 0.64, 0.64, 1.0], margin=0),
                           random_points(g, 160, pillar_pcr, margin=0.3)])
        voxels, coords3, num = hard_voxelize(cloud, pillar_pcr, pillar_vs, 6, 1000)
        coords = torch.cat([torch.zeros(coords3.shape[0], 1, dtype=torch.int32), coords3], dim=1)
        cfg = dict(cfg, voxel_size=pillar_vs, point_cloud_range=pillar_pcr)
        cin = 4 + (6 if cfg["use_absolute_xyz"] else 3) + (1 if cfg["with_distance"] else 0)
        state = make_pfn_state("pfn_layers.", pfn_shapes(cin, cfg["num_filters"]), cfg["use_norm"], g)
        names = sorted(state)
        for training in (True, False):
            vox = voxels.clone().requires_grad_(True)
            params = {k: v.clone().requires_grad_(k.endswith("weight") or k.endswith("bias")) for k, v in state.items()}
            out = pillar_vfe(vox, num, coords, params, cfg, training)
            cot = torch.rand(out.shape, generator=g) - 0.5
            (out * cot).sum().backward()
            w0 = params["pfn_layers.0.linear.weight"]
            ff.add(case + ("_train" if training else "_eval"), "pillar_vfe", [vox.detach(), num, coords, cot] + [state[k] for k in names],
                   [out.detach(), vox.grad, w0.grad], tensors=["voxels", "num_points", "coords", "grad_output"] + names,
                   training=training, **cfg)

    # ---- DynamicPillarVFE and DynamicMeanVFE on a batch of two clouds
    dyn_pcr, dyn_vs = [0.0, -1.6, -2.0, 2.4, 1.6, 2.0], [0.4, 0.4, 4.0]
    g = seeded(12)
    pts = torch.cat([random_points(g, 90, dyn_pcr, margin=0.3), random_points(g, 70, dyn_pcr, margin=0.3)])
    batch = torch.cat([torch.zeros(90, 1), torch.ones(70, 1)])
    bpts = torch.cat([batch, pts], dim=1)
    cfg = dict(num_filters=[16, 32], use_norm=True, with_distance=True, use_absolute_xyz=True,
               voxel_size=dyn_vs, point_cloud_range=dyn_pcr, grid=grid_of(dyn_pcr, dyn_vs))
    state = make_pfn_state("pfn_layers.", pfn_shapes(4 + 6 + 1, cfg["num_filters"]), True, g)
    names = sorted(state)
    for training in (True, False):
        p = bpts.clone().requires_grad_(True)
        params = {k: v.clone().requires_grad_(k.endswith("weight") or k.endswith("bias")) for k, v in state.items()}
        feats, coords = dynamic_pillar_vfe(p, params, cfg, training)
        cot = torch.rand(feats.shape, generator=g) - 0.5
        (feats * cot).sum().backward()
        ff.add("dynamic_pillar_vfe" + ("_train" if training else "_eval"), "dynamic_pillar_vfe", [bpts, cot] + [state[k] for k in names],
               [feats.detach(), coords, p.grad, params["pfn_layers.0.linear.weight"].grad],
               tensors=["points", "grad_output"] + names, training=training, **cfg)

    mean_vs = [0.4, 0.4, 0.5]
    mcfg = dict(voxel_size=mean_vs, point_cloud_range=dyn_pcr, grid=grid_of(dyn_pcr, mean_vs))
    feats, coords = dynamic_mean_vfe(bpts, mcfg)
    ff.add("dynamic_mean_vfe", "dynamic_mean_vfe", [bpts], [feats, coords], tensors=["points"], **mcfg)

    # ---- MeanVFE and PointPillarScatter
    voxels, coords3, num = hard_voxelize(pts, dyn_pcr, mean_vs, 3, 1000)
    ff.add("mean_vfe", "mean_vfe", [voxels, num], [voxels.sum(dim=1) / num.clamp(min=1).view(-1, 1).float()],
           tensors=["voxels", "num_points"])

    g = seeded(13)
    nx, ny = 7, 5
    cells = torch.randperm(2 * nx * ny, generator=g)[:23]
    coords = torch.stack([cells // (nx * ny), torch.zeros_like(cells), (cells % (nx * ny)) // nx, cells % nx], dim=1).int()
    features = torch.rand(23, 6, generator=g) - 0.5
    ff.add("point_pillar_scatter", "point_pillar_scatter", [features, coords], [point_pillar_scatter(features, coords, 3, nx, ny)],
           tensors=["features", "coords"], batch_size=3, nx=nx, ny=ny)

    ff.write(OUT)


if __name__ == "__main__":
    main()
