"""Golden fixtures for fuse3d.sparse.points (run with /usr/bin/python3, torch 1.13; no CUDA, spconv or mmcv).

The OpenPCDet ops (pointnet2 furthest_point_sample, ball_query, grouping_operation, three_nn, three_interpolate,
roiaware_pool3d points_in_boxes_gpu / points_in_boxes_cpu / RoIAwarePool3d, Voxel R-CNN's grid points, voxel
query and NeighborVoxelSAModuleMSG) exist only as CUDA kernels, so each is re-stated here in plain torch, following
the kernel's loop order, comparisons and float32 arithmetic; gradients come from torch autograd on the plain-torch
expression. Writes sparse/src/test/resources/golden/point_ops.safetensors. Ops (inputs -> outputs):
  furthest_point_sample  [xyz] -> [idx]                                 args npoint
  ball_query             [xyz, new_xyz] -> [idx]                        args radius, nsample
  grouping_operation     [features, idx, grad_out] -> [out, grad_features]
  three_nn               [unknown, known] -> [dist, idx]
  three_interpolate      [features, idx, weight, grad_out] -> [out, grad_features]
  points_in_boxes_gpu    [points, boxes] -> [box_idx]
  points_in_boxes_cpu    [points, boxes] -> [mask]
  roiaware_pool3d        [rois, pts, pts_feature, grad_out] -> [pooled, grad_pts_feature]  args out_size, max_pts_each_voxel, pool_method
  roi_grid_pool          [rois, voxel_coords, voxel_features, grad_out, <state dict tensors>] ->
                         [grid_xyz, grid_coords, voxel_centers, query_idx0, pooled, grad_voxel_features]
Everything is seeded, so rerunning the script reproduces the file byte for byte.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from golden_common import FixtureFile, seeded  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "sparse", "src", "test", "resources",
                   "golden", "point_ops.safetensors")

torch.manual_seed(0)
fx = FixtureFile()
gen = seeded(20250404)


def uniform(lo, hi, *shape):
    return lo + (hi - lo) * torch.rand(*shape, generator=gen, dtype=torch.float32)


def randn(*shape):
    return torch.randn(*shape, generator=gen, dtype=torch.float32)


def i32(t):
    return t.to(torch.int32)


# ------------------------------------------------------------------------------------------- pointnet2 (batch)

def fps(xyz, npoint):
    b, n, _ = xyz.shape
    out = torch.zeros(b, npoint, dtype=torch.int32)
    for bi in range(b):
        temp = torch.full((n,), 1e10, dtype=torch.float32)
        old = 0
        for j in range(1, npoint):
            d = ((xyz[bi] - xyz[bi, old]) ** 2).sum(-1)
            temp = torch.minimum(d, temp)
            old = int(torch.argmax(temp))  # first maximum, as the kernel's strict '>' scan
            out[bi, j] = old
    return out


def ball_query(radius, nsample, xyz, new_xyz):
    b, m, _ = new_xyz.shape
    idx = torch.zeros(b, m, nsample, dtype=torch.int32)
    r2 = torch.tensor(radius, dtype=torch.float32) ** 2
    for bi in range(b):
        for i in range(m):
            d2 = ((new_xyz[bi, i] - xyz[bi]) ** 2).sum(-1)
            hits = torch.nonzero(d2 < r2).flatten()[:nsample]
            if len(hits) > 0:
                idx[bi, i, :] = hits[0]
                idx[bi, i, :len(hits)] = hits
    return idx


def grouping(features, idx):
    b, c, n = features.shape
    _, m, k = idx.shape
    index = idx.long().reshape(b, 1, m * k).expand(b, c, m * k)
    return torch.gather(features, 2, index).reshape(b, c, m, k)


def three_nn(unknown, known):
    d = ((unknown.unsqueeze(2) - known.unsqueeze(1)) ** 2).sum(-1)  # [B, N, M]
    vals, idx = torch.sort(d, dim=-1, stable=True)
    return torch.sqrt(vals[..., :3]), i32(idx[..., :3])


def three_interpolate(features, idx, weight):
    b, c, m = features.shape
    n = idx.shape[1]
    out = 0
    for k in range(3):
        index = idx[:, :, k].long().reshape(b, 1, n).expand(b, c, n)
        out = out + torch.gather(features, 2, index) * weight[:, :, k].unsqueeze(1)
    return out


def add_grad_case(name, op, fn, diff_input, inputs, **args):
    x = diff_input.clone().requires_grad_(True)
    y = fn(x)
    g = randn(*y.shape)
    (gx,) = torch.autograd.grad(y, x, g)
    fx.add(name, op, inputs + [g], [y, gx], **args)


xyz = uniform(-2, 2, 2, 40, 3)
fx.add("fps", "furthest_point_sample", [xyz], [fps(xyz, 12)], npoint=12)

xyz = uniform(-1, 1, 2, 30, 3)
new_xyz = uniform(-1, 1, 2, 6, 3)
new_xyz[1, 5] = torch.tensor([9.0, 9.0, 9.0])  # an empty ball
fx.add("ball_query", "ball_query", [xyz, new_xyz], [ball_query(0.6, 5, xyz, new_xyz)], radius=0.6, nsample=5)

feat = randn(2, 4, 10)
idx = i32(torch.randint(0, 10, (2, 3, 5), generator=gen))
add_grad_case("grouping", "grouping_operation", lambda f: grouping(f, idx), feat, [feat, idx])

unknown = uniform(-1, 1, 2, 15, 3)
known = uniform(-1, 1, 2, 8, 3)
dist, nn_idx = three_nn(unknown, known)
fx.add("three_nn", "three_nn", [unknown, known], [dist, nn_idx])

recip = 1.0 / (dist + 1e-8)
weight = recip / recip.sum(dim=2, keepdim=True)
kfeat = randn(2, 4, 8)
add_grad_case("three_interpolate", "three_interpolate", lambda f: three_interpolate(f, nn_idx, weight), kfeat,
              [kfeat, nn_idx, weight])


# ------------------------------------------------------------------------------------------- roiaware_pool3d

def local_xy(points, box):
    shift = points[:, :2] - box[:2]
    a = -box[6]
    cosa, sina = torch.cos(a), torch.sin(a)
    lx = shift[:, 0] * cosa + shift[:, 1] * (-sina)
    ly = shift[:, 0] * sina + shift[:, 1] * cosa
    return lx, ly


def inside(points, box, margin):
    lx, ly = local_xy(points, box)
    zin = ~((points[:, 2] - box[2]).abs() > box[5].double() / 2.0)
    return zin & (lx.abs().double() < box[3].double() / 2.0 + margin) & (ly.abs().double() < box[4].double() / 2.0 + margin)


def random_boxes(n, lo, hi):
    centre = uniform(lo, hi, n, 3)
    size = uniform(0.5, 2.5, n, 3)
    heading = uniform(-3.2, 3.2, n, 1)
    return torch.cat([centre, size, heading], dim=1)


def points_in_boxes_gpu(points, boxes):
    b, n, _ = points.shape
    out = torch.full((b, n), -1, dtype=torch.int32)
    for bi in range(b):
        for k in reversed(range(boxes.shape[1])):  # reversed so that the first box wins
            m = inside(points[bi], boxes[bi, k], np.float32(1e-5).item())
            out[bi][m] = k
    return out


pts = uniform(-2, 2, 2, 300, 3)
boxes = torch.stack([random_boxes(6, -1.5, 1.5), random_boxes(6, -1.5, 1.5)])  # overlapping: the first box wins
fx.add("points_in_boxes_gpu", "points_in_boxes_gpu", [pts, boxes], [points_in_boxes_gpu(pts, boxes)])
mask = torch.stack([inside(pts[0], boxes[0, k], np.float32(1e-2).item()) for k in range(6)]).to(torch.int32)
fx.add("points_in_boxes_cpu", "points_in_boxes_cpu", [pts[0], boxes[0]], [mask])


def roiaware(rois, pts, feat, out_size, max_pts, method):
    ox, oy, oz = out_size
    nr, c = rois.shape[0], feat.shape[1]
    cells = [[[[[] for _ in range(oz)] for _ in range(oy)] for _ in range(ox)] for _ in range(nr)]
    for r in range(nr):
        box = rois[r]
        m = inside(pts, box, np.float32(1e-5).item())
        lx, ly = local_xy(pts, box)
        dx, dy, dz = box[3], box[4], box[5]
        for k in range(pts.shape[0]):
            if not m[k]:
                continue
            xi = int(((lx[k] + dx / 2) / (dx / ox)).item())
            yi = int(((ly[k] + dy / 2) / (dy / oy)).item())
            zi = int(((pts[k, 2] - box[2] + dz / 2) / (dz / oz)).item())
            xi, yi, zi = min(max(xi, 0), ox - 1), min(max(yi, 0), oy - 1), min(max(zi, 0), oz - 1)
            cell = cells[r][xi][yi][zi]
            if len(cell) < max_pts - 1:
                cell.append(k)
    rows = []
    for r in range(nr):
        for xi in range(ox):
            for yi in range(oy):
                for zi in range(oz):
                    cell = cells[r][xi][yi][zi]
                    if not cell:
                        rows.append(feat.new_zeros(c) + 0 * feat.sum())
                    elif method == "max":
                        rows.append(feat[cell].max(dim=0).values)
                    else:
                        rows.append(feat[cell].mean(dim=0))
    return torch.stack(rows).reshape(nr, ox, oy, oz, c)


rois = random_boxes(3, -1, 1)
rois[:, 3:6] = uniform(1.5, 3.0, 3, 3)
rpts = uniform(-2.0, 2.0, 400, 3)
rfeat = randn(400, 4)
for method in ("max", "avg"):
    for out_size, max_pts in (((2, 3, 2), 128), ((2, 2, 1), 4)):
        name = f"roiaware_{method}_{out_size[0]}{out_size[1]}{out_size[2]}_{max_pts}"
        add_grad_case(name, "roiaware_pool3d", lambda f: roiaware(rois, rpts, f, out_size, max_pts, method), rfeat,
                      [rois, rpts, rfeat], out_size=list(out_size), max_pts_each_voxel=max_pts, pool_method=method)


# ------------------------------------------------------------------------------------------- Voxel R-CNN

def rotate_points_along_z(points, angle):
    cosa, sina = torch.cos(angle), torch.sin(angle)
    zeros, ones = angle.new_zeros(points.shape[0]), angle.new_ones(points.shape[0])
    rot = torch.stack((cosa, sina, zeros, -sina, cosa, zeros, zeros, zeros, ones), dim=1).view(-1, 3, 3).float()
    return torch.matmul(points[:, :, 0:3], rot)


def grid_points(rois, g):
    rois = rois.view(-1, rois.shape[-1])
    n = rois.shape[0]
    dense_idx = rois.new_ones((g, g, g)).nonzero().repeat(n, 1, 1).float()
    size = rois[:, 3:6]
    local = (dense_idx + 0.5) / g * size.unsqueeze(1) - size.unsqueeze(1) / 2
    return rotate_points_along_z(local.clone(), rois[:, 6]) + rois[:, 0:3].unsqueeze(1)


def voxel_query(max_range, radius, nsample, xyz, new_xyz, new_coords, v2p):
    m = new_coords.shape[0]
    bsz, R1, R2, R3 = v2p.shape
    idx = torch.zeros(m, nsample, dtype=torch.int32)
    r2 = torch.tensor(radius, dtype=torch.float32) ** 2
    zr, yr, xr = max_range
    empty = torch.zeros(m, dtype=torch.bool)
    for i in range(m):
        b, cz, cy, cx = [int(v) for v in new_coords[i]]
        cnt = 0
        for dz in range(-zr, zr + 1):
            for dy in range(-yr, yr + 1):
                for dx in range(-xr, xr + 1):
                    z, y, x = cz + dz, cy + dy, cx + dx
                    if not (0 <= z < R1 and 0 <= y < R2 and 0 <= x < R3):
                        continue
                    nb = int(v2p[b, z, y, x])
                    if nb < 0:
                        continue
                    d2 = ((xyz[nb] - new_xyz[i]) ** 2).sum()
                    if d2 > r2:
                        continue
                    if cnt < nsample:
                        if cnt == 0:
                            idx[i, :] = nb
                        idx[i, cnt] = nb
                        cnt += 1
        empty[i] = cnt == 0
    return idx, empty


class NeighborVoxelSA(nn.Module):
    def __init__(self, query_ranges, radii, nsamples, mlps):
        super().__init__()
        self.query_ranges, self.radii, self.nsamples = query_ranges, radii, nsamples
        self.mlps_in, self.mlps_pos, self.mlps_out = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        for spec in mlps:
            self.mlps_in.append(nn.Sequential(nn.Conv1d(spec[0], spec[1], 1, bias=False), nn.BatchNorm1d(spec[1])))
            self.mlps_pos.append(nn.Sequential(nn.Conv2d(3, spec[1], 1, bias=False), nn.BatchNorm2d(spec[1])))
            self.mlps_out.append(nn.Sequential(nn.Conv1d(spec[1], spec[2], 1, bias=False), nn.BatchNorm1d(spec[2]), nn.ReLU()))

    def forward(self, xyz, new_xyz, new_coords, features, v2p):
        outs, idx0 = [], None
        for k in range(len(self.mlps_in)):
            f_in = self.mlps_in[k](features.permute(1, 0).unsqueeze(0)).permute(0, 2, 1).reshape(-1, self.mlps_in[k][0].out_channels)
            idx, empty = voxel_query(self.query_ranges[k], self.radii[k], self.nsamples[k], xyz, new_xyz, new_coords, v2p)
            if idx0 is None:
                idx0 = idx
            idx[empty] = 0
            gf = f_in[idx.long()]  # [M, ns, C]
            gf = gf.masked_fill(empty.view(-1, 1, 1), 0).permute(2, 0, 1).unsqueeze(0)
            gx = xyz[idx.long()] - new_xyz.unsqueeze(1)
            gx = gx.masked_fill(empty.view(-1, 1, 1), 0).permute(2, 0, 1).unsqueeze(0)
            h = F.relu(gf + self.mlps_pos[k](gx))
            h = F.max_pool2d(h, kernel_size=[1, h.size(3)]).squeeze(-1)
            outs.append(self.mlps_out[k](h).squeeze(0).permute(1, 0))
        return torch.cat(outs, dim=1), idx0


pc_range = [0.0, -4.0, -1.0, 8.0, 4.0, 1.0]
voxel_size = [0.2, 0.2, 0.2]
stride = 2
shape = [5, 20, 20]  # (Z, Y, X) at stride 2
bsz, grid = 2, 3
coords = []
for b in range(bsz):
    flat = torch.randperm(shape[0] * shape[1] * shape[2], generator=gen)[:300]
    z, y, x = flat // (shape[1] * shape[2]), flat // shape[2] % shape[1], flat % shape[2]
    coords.append(torch.stack([torch.full_like(z, b), z, y, x], dim=1))
coords = i32(torch.cat(coords))
vfeat = randn(coords.shape[0], 6)
vrois = torch.stack([torch.cat([uniform(2, 6, 2, 1), uniform(-2, 2, 2, 1), uniform(-0.5, 0.5, 2, 1),
                                uniform(1.0, 3.0, 2, 3), uniform(-3.2, 3.2, 2, 1)], dim=1) for _ in range(bsz)])

gxyz = grid_points(vrois, grid).view(bsz, -1, 3)
gcx = (gxyz[:, :, 0:1] - pc_range[0]) // voxel_size[0]
gcy = (gxyz[:, :, 1:2] - pc_range[1]) // voxel_size[1]
gcz = (gxyz[:, :, 2:3] - pc_range[2]) // voxel_size[2]
gcoords = torch.cat([gcx, gcy, gcz], dim=-1) // stride
bidx = torch.arange(bsz).view(bsz, 1, 1).expand(bsz, gcoords.shape[1], 1).float()
gcoords = torch.cat([bidx, gcoords], dim=-1).int().view(-1, 4)[:, [0, 3, 2, 1]].contiguous()  # (b, z, y, x)

centers = (coords[:, [3, 2, 1]].float() + 0.5) * (torch.tensor(voxel_size).float() * stride) + torch.tensor(pc_range[0:3]).float()
v2p = -torch.ones(bsz, *shape, dtype=torch.int32)
v2p[coords[:, 0].long(), coords[:, 1].long(), coords[:, 2].long(), coords[:, 3].long()] = torch.arange(coords.shape[0], dtype=torch.int32)

sa = NeighborVoxelSA([[1, 1, 1], [2, 2, 2]], [0.5, 0.9], [6, 10], [[6, 8, 8], [6, 8, 5]])
with torch.no_grad():
    for m in sa.modules():
        if isinstance(m, (nn.Conv1d, nn.Conv2d)):
            m.weight.copy_(randn(*m.weight.shape) * 0.5)
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.weight.copy_(uniform(0.5, 1.5, m.num_features))
            m.bias.copy_(randn(m.num_features) * 0.1)
            m.running_mean.copy_(randn(m.num_features) * 0.1)
            m.running_var.copy_(uniform(0.5, 1.5, m.num_features))
sa.eval()
vf = vfeat.clone().requires_grad_(True)
pooled, qidx0 = sa(centers, gxyz.reshape(-1, 3), gcoords, vf, v2p)
pooled = pooled.view(bsz * 2, grid ** 3, -1)
gout = randn(*pooled.shape)
(gvf,) = torch.autograd.grad(pooled, vf, gout)
state = {k: v for k, v in sa.state_dict().items() if not k.endswith("num_batches_tracked")}
names = sorted(state)
fx.add("roi_grid_pool", "roi_grid_pool", [vrois, coords, vfeat, gout] + [state[k] for k in names],
       [gxyz.reshape(-1, 3), gcoords, centers, qidx0, pooled, gvf],
       state_names=names, grid_size=grid, voxel_size=voxel_size, point_cloud_range=pc_range, stride=stride,
       spatial_shape=shape, query_ranges=[[1, 1, 1], [2, 2, 2]], radii=[0.5, 0.9], nsamples=[6, 10],
       mlps=[[6, 8, 8], [6, 8, 5]])

fx.write(OUT)
