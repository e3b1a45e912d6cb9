"""Golden fixtures for fuse3d.sparse.bev (run with Debian's /usr/bin/python3 and python3-torch 1.13).

Writes sparse/src/test/resources/golden/bev.safetensors. Each reference is re-derived here in plain torch/numpy
from the public semantics of BEVDet (create_frustum, get_lidar_coor, voxel_pooling_prepare_v2, bev_pool_v2)
and OpenPCDet (calibration_kitti.Calibration, box_utils.boxes3d_*); no mmcv/mmdet3d code is imported.

Cases (tensor names <case>/inK, <case>/outK; args in the metadata JSON):
  frustum_a, frustum_b  op "frustum"    out0 [D, H, W, 3] float32
  lidar_coor            op "lidar_coor" in: rots, trans, cam2imgs, post_rots, post_trans, bda; out0 coor [B,N,D,H,W,3]
                                        (float32, torch.inverse in float32 as BEVDet); out1/out2 post_rots/post_trans
                                        recomputed from the augmentation args (img_transform) in float64
  ranks                 op "ranks"      coor = lidar_coor/out0 (args); out: ranks_bev, ranks_depth, ranks_feat, interval_starts,
                                        interval_lengths (int32; argsort made stable so the order is defined)
  pool                  op "bev_pool_v2" in: depth [BN,D,H,W], feat [BN,C,H,W], ranks_depth, ranks_feat, ranks_bev,
                                        interval_starts, interval_lengths, grad_out; out: bev [B,C,Z,Y,X],
                                        grad_depth, grad_feat, collapsed [B, Z*C, Y, X] (naive index_add_ reference)
  pool64                same in float64, without the collapsed output
  kitti                 op "kitti"      in: P2, R0, V2C (float64), points_lidar [N,3], boxes_lidar [M,7], uvd [N,3];
                                        out: rect, img_uv, img_depth, rect_from_img, boxes_cam, boxes_lidar_back,
                                        image_boxes (OpenPCDet's formulas in float64)
"""
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from golden_common import FixtureFile, seeded  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "sparse", "src", "test", "resources", "golden",
                   "bev.safetensors")


def frustum(input_size, downsample, dbound):
    h_in, w_in = input_size
    hf, wf = h_in // downsample, w_in // downsample
    d = torch.arange(*dbound, dtype=torch.float).view(-1, 1, 1).expand(-1, hf, wf)
    n_d = d.shape[0]
    x = torch.linspace(0, w_in - 1, wf, dtype=torch.float).view(1, 1, wf).expand(n_d, hf, wf)
    y = torch.linspace(0, h_in - 1, hf, dtype=torch.float).view(1, hf, 1).expand(n_d, hf, wf)
    return torch.stack((x, y, d), -1)


def rot2(h):
    return torch.tensor([[math.cos(h), math.sin(h)], [-math.sin(h), math.cos(h)]], dtype=torch.float64)


def img_transform(resize, crop, flip, rotate):
    """BEVDet's post_rot / post_tran bookkeeping for resize -> crop -> flip -> rotate (float64 here)."""
    post_rot = torch.eye(2, dtype=torch.float64) * resize
    post_tran = -torch.tensor(crop[:2], dtype=torch.float64)
    if flip:
        a = torch.tensor([[-1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
        b = torch.tensor([crop[2] - crop[0], 0.0], dtype=torch.float64)
        post_rot = a @ post_rot
        post_tran = a @ post_tran + b
    a = rot2(rotate / 180 * math.pi)
    b = torch.tensor([crop[2] - crop[0], crop[3] - crop[1]], dtype=torch.float64) / 2
    b = a @ (-b) + b
    post_rot = a @ post_rot
    post_tran = a @ post_tran + b
    r3 = torch.eye(3, dtype=torch.float64)
    r3[:2, :2] = post_rot
    t3 = torch.zeros(3, dtype=torch.float64)
    t3[:2] = post_tran
    return r3, t3


def random_rotation(g):
    q = torch.randn(4, generator=g, dtype=torch.float64)
    q = q / q.norm()
    w, x, y, z = q.tolist()
    return torch.tensor([
        [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
        [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
        [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]], dtype=torch.float64)


def lidar_coor(frus, rots, trans, cam2imgs, post_rots, post_trans, bda):
    b, n, _ = trans.shape
    points = frus.to(rots) - post_trans.view(b, n, 1, 1, 1, 3)
    points = torch.inverse(post_rots).view(b, n, 1, 1, 1, 3, 3).matmul(points.unsqueeze(-1))
    points = torch.cat((points[..., :2, :] * points[..., 2:3, :], points[..., 2:3, :]), 5)
    combine = rots.matmul(torch.inverse(cam2imgs))
    points = combine.view(b, n, 1, 1, 1, 3, 3).matmul(points).squeeze(-1)
    points += trans.view(b, n, 1, 1, 1, 3)
    points = bda.view(b, 1, 1, 1, 1, 3, 3).matmul(points.unsqueeze(-1)).squeeze(-1)
    return points


def prepare_ranks(coor, lower, interval, size):
    b, n, d, h, w, _ = coor.shape
    num_points = b * n * d * h * w
    ranks_depth = torch.arange(num_points, dtype=torch.int64)
    ranks_feat = torch.arange(num_points // d, dtype=torch.int64).reshape(b, n, 1, h, w).expand(b, n, d, h, w).flatten()
    c = ((coor - torch.tensor(lower, dtype=coor.dtype)) / torch.tensor(interval, dtype=coor.dtype)).long().view(num_points, 3)
    batch_idx = torch.arange(b).reshape(b, 1).expand(b, num_points // b).reshape(num_points, 1)
    c = torch.cat((c, batch_idx), 1)
    kept = (c[:, 0] >= 0) & (c[:, 0] < size[0]) & (c[:, 1] >= 0) & (c[:, 1] < size[1]) & (c[:, 2] >= 0) & (c[:, 2] < size[2])
    c, ranks_depth, ranks_feat = c[kept], ranks_depth[kept], ranks_feat[kept]
    ranks_bev = c[:, 3] * (size[2] * size[1] * size[0]) + c[:, 2] * (size[1] * size[0]) + c[:, 1] * size[0] + c[:, 0]
    order = torch.sort(ranks_bev, stable=True)[1]
    ranks_bev, ranks_depth, ranks_feat = ranks_bev[order], ranks_depth[order], ranks_feat[order]
    keep = torch.ones(ranks_bev.shape[0], dtype=torch.bool)
    keep[1:] = ranks_bev[1:] != ranks_bev[:-1]
    starts = torch.where(keep)[0]
    lengths = torch.zeros_like(starts)
    lengths[:-1] = starts[1:] - starts[:-1]
    lengths[-1] = ranks_bev.shape[0] - starts[-1]
    return [t.int() for t in (ranks_bev, ranks_depth, ranks_feat, starts, lengths)]


def naive_pool(depth, feat, ranks_depth, ranks_feat, ranks_bev, bev_shape):
    """out[cell] += depth * feat per point (index_add_), shaped (B, Z, Y, X, C) then channels first."""
    bb, z, y, x = bev_shape
    c = feat.shape[1]
    feat_cl = feat.permute(0, 2, 3, 1).reshape(-1, c)
    contrib = depth.reshape(-1)[ranks_depth.long()].unsqueeze(1) * feat_cl[ranks_feat.long()]
    out = torch.zeros(bb * z * y * x, c, dtype=depth.dtype).index_add(0, ranks_bev.long(), contrib)
    return out.view(bb, z, y, x, c).permute(0, 4, 1, 2, 3).contiguous()


def main():
    f = FixtureFile()
    f.add("frustum_a", "frustum", [], frustum((32, 176), 16, (2.0, 58.0, 0.8)), input_size=[32, 176], downsample=16, depth=[2.0, 58.0, 0.8])
    f.add("frustum_b", "frustum", [], frustum((50, 90), 8, (1.0, 10.0, 1.5)), input_size=[50, 90], downsample=8, depth=[1.0, 10.0, 1.5])

    # a 2-sample, 3-camera rig looking outwards, with image and BEV augmentation
    g = seeded(20240611)
    B, N = 2, 3
    input_size, ds, dbound = (50, 90), 8, (1.0, 10.0, 1.5)
    frus = frustum(input_size, ds, dbound)
    rots = torch.zeros(B, N, 3, 3, dtype=torch.float64)
    trans = torch.zeros(B, N, 3, dtype=torch.float64)
    cam2imgs = torch.zeros(B, N, 3, 3, dtype=torch.float64)
    post_rots = torch.zeros(B, N, 3, 3, dtype=torch.float64)
    post_trans = torch.zeros(B, N, 3, dtype=torch.float64)
    augs = []
    for i in range(B):
        for j in range(N):
            # camera looks along yaw; camera axes (x right, y down, z forward) -> lidar (x fwd, y left, z up), plus a small random tilt
            yaw = 2 * math.pi * j / N + 0.1 * i
            base = torch.tensor([[0.0, 0.0, 1.0], [-1.0, 0.0, 0.0], [0.0, -1.0, 0.0]], dtype=torch.float64)
            rz = torch.tensor([[math.cos(yaw), -math.sin(yaw), 0], [math.sin(yaw), math.cos(yaw), 0], [0, 0, 1]], dtype=torch.float64)
            tilt = random_rotation(g)
            tilt = torch.eye(3, dtype=torch.float64) + 0.05 * (tilt - torch.eye(3, dtype=torch.float64))
            u, _, vt = torch.linalg.svd(tilt)
            tilt = u @ vt
            rots[i, j] = rz @ base @ tilt
            trans[i, j] = torch.tensor([0.5 * math.cos(yaw), 0.5 * math.sin(yaw), 1.5], dtype=torch.float64) + 0.1 * torch.randn(3, generator=g, dtype=torch.float64)
            fx = 60.0 + 5 * torch.rand(1, generator=g, dtype=torch.float64).item()
            cam2imgs[i, j] = torch.tensor([[fx, 0.0, 46.0 + j], [0.0, fx * 1.01, 26.0 - i], [0.0, 0.0, 1.0]], dtype=torch.float64)
            resize = 0.9 + 0.2 * torch.rand(1, generator=g, dtype=torch.float64).item()
            crop = [3.0 * j, 2.0 * i, 3.0 * j + 90.0, 2.0 * i + 50.0]
            flip = (i + j) % 2 == 1
            rotate = -5.4 + 10.8 * torch.rand(1, generator=g, dtype=torch.float64).item()
            r3, t3 = img_transform(resize, crop, flip, rotate)
            post_rots[i, j] = r3
            post_trans[i, j] = t3
            augs.append({"resize": resize, "crop": crop, "flip": flip, "rotate": rotate})
    bda = torch.zeros(B, 3, 3, dtype=torch.float64)
    for i in range(B):
        a = (0.3 if i == 0 else -0.7)
        s = 1.0 if i == 0 else 1.05
        m = torch.tensor([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]], dtype=torch.float64) * s
        if i == 1:
            m = torch.tensor([[1.0, 0, 0], [0, -1.0, 0], [0, 0, 1.0]], dtype=torch.float64) @ m  # flip y
        bda[i] = m
    f32 = [t.float() for t in (rots, trans, cam2imgs, post_rots, post_trans, bda)]
    coor = lidar_coor(frus, *f32)
    f.add("lidar_coor", "lidar_coor", f32, [coor, post_rots, post_trans], input_size=list(input_size), downsample=ds, depth=list(dbound), augs=augs)

    lower, interval, size = [-6.0, -6.0, -2.0], [1.0, 1.0, 2.5], [12, 12, 2]
    ranks = prepare_ranks(coor, lower, interval, size)
    f.add("ranks", "ranks", [], ranks, coor="lidar_coor/out0", x=[-6.0, 6.0, 1.0], y=[-6.0, 6.0, 1.0], z=[-2.0, 3.0, 2.5])

    D, H, W = coor.shape[2], coor.shape[3], coor.shape[4]
    C = 5
    ranks_bev, ranks_depth, ranks_feat, starts, lengths = ranks
    for name, dtype in (("pool", torch.float32), ("pool64", torch.float64)):
        depth = torch.randn(B * N, D, H, W, generator=g, dtype=torch.float64).softmax(1).to(dtype).requires_grad_()
        feat = torch.randn(B * N, C, H, W, generator=g, dtype=torch.float64).to(dtype).requires_grad_()
        out = naive_pool(depth, feat, ranks_depth, ranks_feat, ranks_bev, (B, size[2], size[1], size[0]))
        grad_out = torch.randn(out.shape, generator=g, dtype=torch.float64).to(dtype)
        out.backward(grad_out)
        outs = [out.detach(), depth.grad, feat.grad]
        if dtype == torch.float32:
            outs.append(torch.cat(out.detach().unbind(dim=2), 1))  # BEVDet's collapse Z
        f.add(name, "bev_pool_v2", [depth.detach(), feat.detach(), ranks_depth, ranks_feat, ranks_bev, starts, lengths, grad_out],
              outs, bev_feat_shape=[B, size[2], size[1], size[0], C])

    # KITTI frames with OpenPCDet's formulas (float64), on a made-up calibration close to a real one
    P2 = np.array([[720.5, 0.0, 610.2, 44.9], [0.0, 720.5, 175.1, 0.21], [0.0, 0.0, 1.0, 0.0027]])
    R0 = np.array([[0.99991, 0.0102, -0.0084], [-0.0102, 0.99994, -0.0041], [0.0085, 0.0041, 0.99996]])
    u_, _, vt_ = np.linalg.svd(R0)
    R0 = u_ @ vt_
    V2C = np.array([[0.0070, -0.99997, -0.0028, -0.025], [-0.0012, 0.0028, -0.99999, -0.061], [0.99997, 0.0070, -0.0011, -0.33]])
    u_, _, vt_ = np.linalg.svd(V2C[:, :3])
    V2C[:, :3] = u_ @ vt_
    rng = np.random.default_rng(7)
    pts = np.stack([rng.uniform(2, 60, 12), rng.uniform(-20, 20, 12), rng.uniform(-2, 2, 12)], 1)
    boxes = np.stack([rng.uniform(5, 50, 6), rng.uniform(-15, 15, 6), rng.uniform(-1.5, 0.5, 6), rng.uniform(0.5, 5, 6),
                      rng.uniform(0.5, 2.5, 6), rng.uniform(1, 3, 6), rng.uniform(-math.pi, math.pi, 6)], 1)
    uvd = np.stack([rng.uniform(0, 1240, 12), rng.uniform(0, 370, 12), rng.uniform(1, 70, 12)], 1)

    def hom(p):
        return np.hstack((p, np.ones((p.shape[0], 1))))
    r0e = np.eye(4); r0e[:3, :3] = R0
    v2ce = np.eye(4); v2ce[:3, :] = V2C
    rect = hom(pts) @ (V2C.T @ R0.T)
    p2d = hom(rect) @ P2.T
    img_uv = p2d[:, 0:2] / rect[:, 2:3]
    img_depth = p2d[:, 2] - P2.T[3, 2]
    cu, cv, fu, fv = P2[0, 2], P2[1, 2], P2[0, 0], P2[1, 1]
    tx, ty = P2[0, 3] / (-fu), P2[1, 3] / (-fv)
    rect_from_img = np.stack([((uvd[:, 0] - cu) * uvd[:, 2]) / fu + tx, ((uvd[:, 1] - cv) * uvd[:, 2]) / fv + ty, uvd[:, 2]], 1)
    inv = np.linalg.inv(r0e @ v2ce)
    xyz = boxes[:, 0:3].copy()
    xyz[:, 2] -= boxes[:, 5] / 2
    xyz_cam = hom(xyz) @ (V2C.T @ R0.T)
    boxes_cam = np.concatenate([xyz_cam, boxes[:, 3:4], boxes[:, 5:6], boxes[:, 4:5], -boxes[:, 6:7] - np.pi / 2], 1)
    back_xyz = (hom(boxes_cam[:, 0:3]) @ inv.T)[:, 0:3]
    back_xyz[:, 2] += boxes_cam[:, 4] / 2
    boxes_back = np.concatenate([back_xyz, boxes_cam[:, 3:4], boxes_cam[:, 5:6], boxes_cam[:, 4:5], -(boxes_cam[:, 6:7] + np.pi / 2)], 1)
    # corners (bottom centred) and their image box
    l, h, w, ry = boxes_cam[:, 3], boxes_cam[:, 4], boxes_cam[:, 5], boxes_cam[:, 6]
    xc = np.array([l / 2., l / 2., -l / 2., -l / 2., l / 2., l / 2., -l / 2., -l / 2]).T
    zc = np.array([w / 2., -w / 2., -w / 2., w / 2., w / 2., -w / 2., -w / 2., w / 2.]).T
    yc = np.zeros((len(l), 8)); yc[:, 4:8] = -h[:, None]
    rot = np.transpose(np.array([[np.cos(ry), np.zeros_like(ry), -np.sin(ry)], [np.zeros_like(ry), np.ones_like(ry), np.zeros_like(ry)],
                                 [np.sin(ry), np.zeros_like(ry), np.cos(ry)]]), (2, 0, 1))
    corners = np.matmul(np.stack([xc, yc, zc], 2), rot) + boxes_cam[:, None, 0:3]
    c_rect = corners.reshape(-1, 3)
    c_uv = (hom(c_rect) @ P2.T)[:, 0:2] / c_rect[:, 2:3]
    c_uv = c_uv.reshape(-1, 8, 2)
    image_boxes = np.concatenate([c_uv.min(1), c_uv.max(1)], 1)
    f.add("kitti", "kitti", [P2, R0, V2C, pts, boxes, uvd],
          [rect, img_uv, img_depth, rect_from_img, boxes_cam, boxes_back, image_boxes, corners])
    f.write(OUT)


if __name__ == "__main__":
    main()
