#!/usr/bin/python3
"""Golden fixtures for fuse3d.sparse.box, from PyTorch 1.13 / numpy reimplementations of OpenPCDet's box utilities.

Run from the repository root:  /usr/bin/python3 tests/golden/sparse/gen_box.py
Writes sparse/src/test/resources/golden/box.safetensors in the layout of tests/golden/golden_common.py.

Neither OpenPCDet nor its CUDA ops are installed here, so each reference is stated in plain torch/numpy from the
documented semantics (written here, not copied):
  corners3d          boxes_to_corners_3d: template (+,+,-) (+,-,-) (-,-,-) (-,+,-) then the top face, rotated CCW
  iou_bev / iou3d    iou3d_nms's kernel method, independent of the Java clipping: corners of each box inside the
                     other plus segment crossings, sorted by angle around their mean, shoelace area; float64;
                     BEV union floored at 1e-8, 3D union at 1e-6
  nearest_bev_iou    boxes3d_nearest_bev_iou (limit_period, dims swapped at |angle| >= pi/4, boxes_iou_normal)
  nms / class_agnostic_nms / multi_classes_nms   greedy by score with IoU > thresh, topk before, post max after
  residual_coder / point_residual_coder          ResidualCoder / PointResidualCoder encode and decode
  gaussian_radius / center_targets               centernet_utils + CenterHead.assign_target_of_single_head
  anchors            AnchorGenerator.generate_anchors (torch.arange in float32, meshgrid, z to the centre)
  flip_x / flip_y / rotation / scaling           augmentor_utils on boxes with velocity and points with intensity
  aligned_diou       bbox3d_overlaps_diou value and the gradient of its sum w.r.t. pred (torch autograd)
"""
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from golden_common import FixtureFile, seeded  # noqa: E402

OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "sparse", "src", "test",
                                    "resources", "golden", "box.safetensors"))


def rotate_z(pts, angle):
    c, s = np.cos(angle), np.sin(angle)
    x, y = pts[..., 0].copy(), pts[..., 1].copy()
    out = pts.copy()
    out[..., 0] = x * c - y * s
    out[..., 1] = x * s + y * c
    return out


def corners3d(boxes):
    t = torch.tensor([[1, 1, -1], [1, -1, -1], [-1, -1, -1], [-1, 1, -1],
                      [1, 1, 1], [1, -1, 1], [-1, -1, 1], [-1, 1, 1]], dtype=boxes.dtype) / 2
    local = boxes[:, None, 3:6] * t[None]
    c, s = torch.cos(boxes[:, 6])[:, None], torch.sin(boxes[:, 6])[:, None]
    x = local[..., 0] * c - local[..., 1] * s + boxes[:, None, 0]
    y = local[..., 0] * s + local[..., 1] * c + boxes[:, None, 1]
    z = local[..., 2] + boxes[:, None, 2]
    return torch.stack([x, y, z], dim=-1)


def bev_quad(b):
    hx, hy = b[3] / 2, b[4] / 2
    local = np.array([[-hx, -hy], [hx, -hy], [hx, hy], [-hx, hy]])
    return rotate_z(local, b[6]) + b[:2]


def point_in_quad(p, q):
    ab, ad, ap = q[1] - q[0], q[3] - q[0], p - q[0]
    e = 1e-9
    return -e <= ap @ ab <= ab @ ab + e and -e <= ap @ ad <= ad @ ad + e


def seg_cross(p1, p2, q1, q2):
    r, s = p2 - p1, q2 - q1
    den = r[0] * s[1] - r[1] * s[0]
    if abs(den) < 1e-12:
        return None
    qp = q1 - p1
    t = (qp[0] * s[1] - qp[1] * s[0]) / den
    u = (qp[0] * r[1] - qp[1] * r[0]) / den
    if 0 <= t <= 1 and 0 <= u <= 1:
        return p1 + t * r
    return None


def bev_overlap(a, b):
    if a[3] <= 0 or a[4] <= 0 or b[3] <= 0 or b[4] <= 0:
        return 0.0
    qa, qb = bev_quad(a), bev_quad(b)
    pts = [p for p in qa if point_in_quad(p, qb)] + [p for p in qb if point_in_quad(p, qa)]
    for i in range(4):
        for j in range(4):
            c = seg_cross(qa[i], qa[(i + 1) % 4], qb[j], qb[(j + 1) % 4])
            if c is not None:
                pts.append(c)
    if len(pts) < 3:
        return 0.0
    pts = np.array(pts)
    m = pts.mean(0)
    pts = pts[np.argsort(np.arctan2(pts[:, 1] - m[1], pts[:, 0] - m[0]), kind="stable")]
    x, y = pts[:, 0], pts[:, 1]
    return abs(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)) / 2


def iou_bev(A, B):
    out = np.zeros((len(A), len(B)))
    for i, a in enumerate(A):
        for j, b in enumerate(B):
            ov = bev_overlap(a, b)
            out[i, j] = ov / max(a[3] * a[4] + b[3] * b[4] - ov, 1e-8)
    return out


def iou3d(A, B):
    out = np.zeros((len(A), len(B)))
    for i, a in enumerate(A):
        for j, b in enumerate(B):
            ov = bev_overlap(a, b)
            h = max(min(a[2] + a[5] / 2, b[2] + b[5] / 2) - max(a[2] - a[5] / 2, b[2] - b[5] / 2), 0)
            inter = ov * h
            out[i, j] = inter / max(a[3] * a[4] * a[5] + b[3] * b[4] * b[5] - inter, 1e-6)
    return out


def limit_period(v, offset=0.5, period=np.pi):
    return v - torch.floor(v / period + offset) * period


def nearest_bev_iou(A, B):
    def aligned(b):
        rot = limit_period(b[:, 6]).abs()
        dims = torch.where(rot[:, None] < np.pi / 4, b[:, [3, 4]], b[:, [4, 3]])
        return torch.cat([b[:, 0:2] - dims / 2, b[:, 0:2] + dims / 2], dim=1)
    a, b = aligned(A), aligned(B)
    xmin = torch.max(a[:, 0, None], b[None, :, 0]); xmax = torch.min(a[:, 2, None], b[None, :, 2])
    ymin = torch.max(a[:, 1, None], b[None, :, 1]); ymax = torch.min(a[:, 3, None], b[None, :, 3])
    inter = torch.clamp_min(xmax - xmin, 0) * torch.clamp_min(ymax - ymin, 0)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1]); area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / torch.clamp_min(area_a[:, None] + area_b[None, :] - inter, 1e-6)


def greedy_nms(boxes, scores, thresh):
    order = np.argsort(-scores, kind="stable")
    iou = iou_bev(boxes[order], boxes[order])
    keep, dead = [], np.zeros(len(order), bool)
    for i in range(len(order)):
        if dead[i]:
            continue
        keep.append(order[i])
        dead |= iou[i] > thresh
    return np.array(keep, dtype=np.int64)


def class_agnostic_nms(scores, boxes, thresh, pre, post, score_thresh):
    mask = scores >= score_thresh
    s, b = scores[mask], boxes[mask]
    sel = np.zeros(0, np.int64)
    if len(s) > 0:
        top = np.argsort(-s, kind="stable")[:min(pre, len(s))]
        keep = greedy_nms(b[top], s[top], thresh)
        sel = top[keep[:post]]
    return np.nonzero(mask)[0][sel].astype(np.int64)


def residual_encode(boxes, anchors, sincos):
    anchors = anchors.clone(); boxes = boxes.clone()
    anchors[:, 3:6] = torch.clamp_min(anchors[:, 3:6], 1e-5); boxes[:, 3:6] = torch.clamp_min(boxes[:, 3:6], 1e-5)
    xa, ya, za, dxa, dya, dza, ra, *cas = torch.split(anchors, 1, dim=-1)
    xg, yg, zg, dxg, dyg, dzg, rg, *cgs = torch.split(boxes, 1, dim=-1)
    diag = torch.sqrt(dxa ** 2 + dya ** 2)
    rts = [torch.cos(rg) - torch.cos(ra), torch.sin(rg) - torch.sin(ra)] if sincos else [rg - ra]
    return torch.cat([(xg - xa) / diag, (yg - ya) / diag, (zg - za) / dza, torch.log(dxg / dxa), torch.log(dyg / dya),
                      torch.log(dzg / dza), *rts, *[g - a for g, a in zip(cgs, cas)]], dim=-1)


def residual_decode(codes, anchors, sincos):
    xa, ya, za, dxa, dya, dza, ra, *cas = torch.split(anchors, 1, dim=-1)
    if sincos:
        xt, yt, zt, dxt, dyt, dzt, cost, sint, *cts = torch.split(codes, 1, dim=-1)
        rg = torch.atan2(sint + torch.sin(ra), cost + torch.cos(ra))
    else:
        xt, yt, zt, dxt, dyt, dzt, rt, *cts = torch.split(codes, 1, dim=-1)
        rg = rt + ra
    diag = torch.sqrt(dxa ** 2 + dya ** 2)
    return torch.cat([xt * diag + xa, yt * diag + ya, zt * dza + za, torch.exp(dxt) * dxa, torch.exp(dyt) * dya,
                      torch.exp(dzt) * dza, rg, *[t + a for t, a in zip(cts, cas)]], dim=-1)


def point_encode(gt, points, classes, mean_size):
    gt = gt.clone(); gt[:, 3:6] = torch.clamp_min(gt[:, 3:6], 1e-5)
    xg, yg, zg, dxg, dyg, dzg, rg, *cgs = torch.split(gt, 1, dim=-1)
    xa, ya, za = torch.split(points, 1, dim=-1)
    if mean_size is not None:
        dxa, dya, dza = torch.split(mean_size[classes - 1], 1, dim=-1)
        diag = torch.sqrt(dxa ** 2 + dya ** 2)
        parts = [(xg - xa) / diag, (yg - ya) / diag, (zg - za) / dza, torch.log(dxg / dxa), torch.log(dyg / dya), torch.log(dzg / dza)]
    else:
        parts = [xg - xa, yg - ya, zg - za, torch.log(dxg), torch.log(dyg), torch.log(dzg)]
    return torch.cat(parts + [torch.cos(rg), torch.sin(rg), *cgs], dim=-1)


def point_decode(codes, points, classes, mean_size):
    xt, yt, zt, dxt, dyt, dzt, cost, sint, *cts = torch.split(codes, 1, dim=-1)
    xa, ya, za = torch.split(points, 1, dim=-1)
    if mean_size is not None:
        dxa, dya, dza = torch.split(mean_size[classes - 1], 1, dim=-1)
        diag = torch.sqrt(dxa ** 2 + dya ** 2)
        parts = [xt * diag + xa, yt * diag + ya, zt * dza + za, torch.exp(dxt) * dxa, torch.exp(dyt) * dya, torch.exp(dzt) * dza]
    else:
        parts = [xt + xa, yt + ya, zt + za, *torch.split(torch.exp(codes[:, 3:6]), 1, dim=-1)]
    return torch.cat(parts + [torch.atan2(sint, cost), *cts], dim=-1)


def gaussian_radius(height, width, min_overlap=0.5):
    b1 = height + width
    c1 = width * height * (1 - min_overlap) / (1 + min_overlap)
    r1 = (b1 + (b1 ** 2 - 4 * 1 * c1).sqrt()) / 2
    b2 = 2 * (height + width)
    c2 = (1 - min_overlap) * width * height
    r2 = (b2 + (b2 ** 2 - 4 * 4 * c2).sqrt()) / 2
    a3 = 4 * min_overlap
    b3 = -2 * min_overlap * (height + width)
    c3 = (min_overlap - 1) * width * height
    r3 = (b3 + (b3 ** 2 - 4 * a3 * c3).sqrt()) / 2
    return torch.min(torch.min(r1, r2), r3)


def gaussian2d(shape, sigma):
    m, n = [(s - 1.) / 2. for s in shape]
    y, x = np.ogrid[-m:m + 1, -n:n + 1]
    h = np.exp(-(x * x + y * y) / (2 * sigma * sigma))
    h[h < np.finfo(h.dtype).eps * h.max()] = 0
    return h


def draw_gaussian(heatmap, center, radius):
    d = 2 * radius + 1
    g = gaussian2d((d, d), sigma=d / 6)
    x, y = int(center[0]), int(center[1])
    H, W = heatmap.shape
    left, right = min(x, radius), min(W - x, radius + 1)
    top, bottom = min(y, radius), min(H - y, radius + 1)
    mh = heatmap[y - top:y + bottom, x - left:x + right]
    mg = torch.from_numpy(g[radius - top:radius + bottom, radius - left:radius + right]).float()
    if min(mg.shape) > 0 and min(mh.shape) > 0:
        torch.max(mh, mg, out=mh)


def center_targets(num_classes, gt, fms, stride, pcr, vs, max_objs, overlap, min_radius):
    heatmap = gt.new_zeros(num_classes, fms[1], fms[0])
    ret = gt.new_zeros((max_objs, gt.shape[-1]))
    inds = gt.new_zeros(max_objs).long(); mask = gt.new_zeros(max_objs).long()
    src = gt.new_zeros(max_objs, gt.shape[-1]); src[:gt.shape[0]] = gt
    cx = torch.clamp((gt[:, 0] - pcr[0]) / vs[0] / stride, min=0, max=fms[0] - 0.5)
    cy = torch.clamp((gt[:, 1] - pcr[1]) / vs[1] / stride, min=0, max=fms[1] - 0.5)
    center = torch.cat((cx[:, None], cy[:, None]), dim=-1)
    ci = center.int()
    dx = gt[:, 3] / vs[0] / stride; dy = gt[:, 4] / vs[1] / stride
    radius = torch.clamp_min(gaussian_radius(dx, dy, min_overlap=overlap).int(), min=min_radius)
    for k in range(min(max_objs, gt.shape[0])):
        if dx[k] <= 0 or dy[k] <= 0:
            continue
        if not (0 <= ci[k][0] <= fms[0] and 0 <= ci[k][1] <= fms[1]):
            continue
        cls = (gt[k, -1] - 1).long()
        draw_gaussian(heatmap[cls], center[k], radius[k].item())
        inds[k] = ci[k, 1] * fms[0] + ci[k, 0]; mask[k] = 1
        ret[k, 0:2] = center[k] - ci[k].float(); ret[k, 2] = gt[k, 2]
        ret[k, 3:6] = gt[k, 3:6].log(); ret[k, 6] = torch.cos(gt[k, 6]); ret[k, 7] = torch.sin(gt[k, 6])
        if gt.shape[1] > 8:
            ret[k, 8:] = gt[k, 7:-1]
    return heatmap, ret, inds, mask, src


def anchors(rng, sizes, rots, heights, align, grid):
    if align:
        xs_, ys_ = (rng[3] - rng[0]) / grid[0], (rng[4] - rng[1]) / grid[1]; xo, yo = xs_ / 2, ys_ / 2
    else:
        xs_, ys_ = (rng[3] - rng[0]) / (grid[0] - 1), (rng[4] - rng[1]) / (grid[1] - 1); xo, yo = 0, 0
    x = torch.arange(rng[0] + xo, rng[3] + 1e-5, step=xs_, dtype=torch.float32)
    y = torch.arange(rng[1] + yo, rng[4] + 1e-5, step=ys_, dtype=torch.float32)
    z = x.new_tensor(heights)
    ns, nr = len(sizes), len(rots)
    rot = x.new_tensor(rots); size = x.new_tensor(sizes)
    x, y, z = torch.meshgrid([x, y, z], indexing="ij")
    a = torch.stack((x, y, z), dim=-1)[:, :, :, None, :].repeat(1, 1, 1, ns, 1)
    a = torch.cat((a, size.view(1, 1, 1, -1, 3).repeat([*a.shape[0:3], 1, 1])), dim=-1)
    a = a[:, :, :, :, None, :].repeat(1, 1, 1, 1, nr, 1)
    a = torch.cat((a, rot.view(1, 1, 1, -1, 1).repeat([*a.shape[0:3], ns, 1, 1])), dim=-1)
    a = a.permute(2, 1, 0, 3, 4, 5).contiguous()
    a[..., 2] += a[..., 5] / 2
    return a


def aligned_diou(pred, gt):
    def c2d(b):
        return torch.stack([b[:, :2] - b[:, 3:5] / 2, b[:, :2] + b[:, 3:5] / 2], dim=1)
    q, g = c2d(pred), c2d(gt)
    imax = torch.minimum(q[:, 1], g[:, 1]); imin = torch.maximum(q[:, 0], g[:, 0])
    omax = torch.maximum(q[:, 1], g[:, 1]); omin = torch.minimum(q[:, 0], g[:, 0])
    vp = pred[:, 3] * pred[:, 4] * pred[:, 5]; vg = gt[:, 3] * gt[:, 4] * gt[:, 5]
    ih = torch.minimum(pred[:, 2] + 0.5 * pred[:, 5], gt[:, 2] + 0.5 * gt[:, 5]) - torch.maximum(pred[:, 2] - 0.5 * pred[:, 5], gt[:, 2] - 0.5 * gt[:, 5])
    ih = torch.clamp(ih, min=0)
    inter = torch.clamp(imax - imin, min=0)
    vi = inter[:, 0] * inter[:, 1] * ih
    vu = vg + vp - vi
    idiag = torch.pow(gt[:, 0:3] - pred[:, 0:3], 2).sum(-1)
    oh = torch.clamp(torch.maximum(gt[:, 2] + 0.5 * gt[:, 5], pred[:, 2] + 0.5 * pred[:, 5]) - torch.minimum(gt[:, 2] - 0.5 * gt[:, 5], pred[:, 2] - 0.5 * pred[:, 5]), min=0)
    outer = torch.clamp(omax - omin, min=0)
    odiag = outer[:, 0] ** 2 + outer[:, 1] ** 2 + oh ** 2
    return torch.clamp(vi / vu - idiag / odiag, min=-1.0, max=1.0)


def random_boxes(g, n, spread, dtype=torch.float64):
    xyz = (torch.rand(n, 3, generator=g, dtype=dtype) - 0.5) * torch.tensor([spread, spread, 1.0], dtype=dtype)
    size = torch.rand(n, 3, generator=g, dtype=dtype) * torch.tensor([3.0, 1.5, 1.0], dtype=dtype) + torch.tensor([1.0, 0.5, 0.8], dtype=dtype)
    h = (torch.rand(n, 1, generator=g, dtype=dtype) - 0.5) * 2 * math.pi
    return torch.cat([xyz, size, h], dim=1)


def main():
    f = FixtureFile()
    g = seeded(3)

    b = random_boxes(g, 6, 10.0).float()
    f.add("corners3d", "corners3d", [b], [corners3d(b)])

    a64, b64 = random_boxes(g, 8, 4.0), random_boxes(g, 10, 4.0)
    b64[0] = a64[0]  # a box with itself: IoU 1
    b64[1] = a64[1].clone(); b64[1, 6] += math.pi / 2  # square-ish turned by 90 degrees
    b64[2] = a64[2].clone(); b64[2, 0] += 1e-3  # a hair apart: parallel edges
    f.add("iou_bev", "iou_bev", [a64, b64], [torch.from_numpy(iou_bev(a64.numpy(), b64.numpy()))])
    f.add("iou3d", "iou3d", [a64, b64], [torch.from_numpy(iou3d(a64.numpy(), b64.numpy()))])
    f.add("nearest_bev_iou", "nearest_bev_iou", [a64, b64], [nearest_bev_iou(a64, b64)])
    a32 = a64.float(); b32 = b64.float()
    f.add("iou_bev_f32", "iou_bev", [a32, b32], [torch.from_numpy(iou_bev(a32.double().numpy(), b32.double().numpy())).float()])

    nb = random_boxes(g, 60, 12.0)
    ns = torch.rand(60, generator=g, dtype=torch.float64)
    f.add("nms", "nms", [nb, ns], [torch.from_numpy(greedy_nms(nb.numpy(), ns.numpy(), 0.1))], thresh=0.1)
    f.add("class_agnostic_nms", "class_agnostic_nms", [nb, ns],
          [torch.from_numpy(class_agnostic_nms(ns.numpy(), nb.numpy(), 0.2, 40, 12, 0.3))],
          nms_thresh=0.2, nms_pre_maxsize=40, nms_post_maxsize=12, score_thresh=0.3)
    cls = torch.rand(60, 3, generator=g, dtype=torch.float64)
    idx, lab = [], []
    for k in range(3):
        sel = class_agnostic_nms(cls[:, k].numpy(), nb.numpy(), 0.1, 30, 8, 0.4)
        idx.append(sel); lab.append(np.full(len(sel), k, np.int64))
    f.add("multi_classes_nms", "multi_classes_nms", [cls, nb], [torch.from_numpy(np.concatenate(idx)), torch.from_numpy(np.concatenate(lab))],
          nms_thresh=0.1, nms_pre_maxsize=30, nms_post_maxsize=8, score_thresh=0.4)

    for sincos in (False, True):
        boxes = torch.cat([random_boxes(g, 12, 30.0), torch.randn(12, 2, generator=g, dtype=torch.float64)], dim=1).float()
        anch = torch.cat([random_boxes(g, 12, 30.0), torch.randn(12, 2, generator=g, dtype=torch.float64)], dim=1).float()
        enc = residual_encode(boxes, anch, sincos)
        f.add(f"residual_coder_sincos{int(sincos)}", "residual_coder", [boxes, anch], [enc, residual_decode(enc, anch, sincos)],
              encode_angle_by_sincos=sincos)

    mean = torch.tensor([[3.9, 1.6, 1.56], [0.8, 0.6, 1.73], [1.76, 0.6, 1.73]])
    for use_mean in (False, True):
        gt = random_boxes(g, 10, 30.0).float()
        pts = gt[:, :3] + torch.randn(10, 3, generator=g) * 0.5
        classes = torch.randint(1, 4, (10,), generator=g)
        enc = point_encode(gt, pts, classes, mean if use_mean else None)
        f.add(f"point_residual_coder_mean{int(use_mean)}", "point_residual_coder", [gt, pts, classes, mean],
              [enc, point_decode(enc, pts, classes, mean if use_mean else None)], use_mean_size=use_mean)

    hh = torch.rand(20, generator=g) * 30 + 0.5; ww = torch.rand(20, generator=g) * 30 + 0.5
    f.add("gaussian_radius", "gaussian_radius", [hh, ww], [gaussian_radius(hh, ww, 0.1)], min_overlap=0.1)

    pcr, vs, fms, stride = [0.0, -40.0, -3.0, 70.4, 40.0, 1.0], [0.2, 0.2, 0.1], [44, 50], 8
    gt = random_boxes(g, 9, 30.0).float()
    gt[:, 0] += 35.0
    gt[3, 0] = -5.0  # outside the range: clamped to the border cell
    gt[4, 3] = 0.0  # zero length: skipped
    gt = torch.cat([gt, torch.randn(9, 2, generator=g), torch.randint(1, 4, (9, 1), generator=g).float()], dim=1)
    hm, ret, inds, mask, src = center_targets(3, gt, fms, stride, pcr, vs, 16, 0.1, 2)
    f.add("center_targets", "center_targets", [gt], [hm, ret, inds, mask, src], num_classes=3, feature_map_size=fms,
          feature_map_stride=stride, point_cloud_range=pcr, voxel_size=vs, num_max_objs=16, gaussian_overlap=0.1, min_radius=2)

    rng = [0.0, -40.0, -3.0, 70.4, 40.0, 1.0]
    f.add("anchors_car", "anchors", [], [anchors(rng, [[3.9, 1.6, 1.56]], [0, 1.57], [-1.78], False, [22, 25])],
          anchor_range=rng, anchor_sizes=[[3.9, 1.6, 1.56]], anchor_rotations=[0, 1.57], anchor_bottom_heights=[-1.78],
          align_center=False, grid_size=[22, 25])
    f.add("anchors_ped_aligned", "anchors", [], [anchors(rng, [[0.8, 0.6, 1.73], [1.0, 0.7, 1.6]], [0, 1.57], [-0.6, -0.2], True, [11, 10])],
          anchor_range=rng, anchor_sizes=[[0.8, 0.6, 1.73], [1.0, 0.7, 1.6]], anchor_rotations=[0, 1.57], anchor_bottom_heights=[-0.6, -0.2],
          align_center=True, grid_size=[11, 10])

    boxes = torch.cat([random_boxes(g, 5, 20.0), torch.randn(5, 2, generator=g, dtype=torch.float64)], dim=1).numpy()
    pts = torch.cat([torch.randn(7, 3, generator=g, dtype=torch.float64) * 10, torch.rand(7, 1, generator=g, dtype=torch.float64)], dim=1).numpy()
    fb, fp = boxes.copy(), pts.copy()
    fb[:, 1] = -fb[:, 1]; fb[:, 6] = -fb[:, 6]; fb[:, 8] = -fb[:, 8]; fp[:, 1] = -fp[:, 1]
    f.add("flip_x", "flip_x", [boxes, pts], [fb, fp])
    fb, fp = boxes.copy(), pts.copy()
    fb[:, 0] = -fb[:, 0]; fb[:, 6] = -(fb[:, 6] + np.pi); fb[:, 7] = -fb[:, 7]; fp[:, 0] = -fp[:, 0]
    f.add("flip_y", "flip_y", [boxes, pts], [fb, fp])
    ang = 0.3
    rb, rp = boxes.copy(), pts.copy()
    rp[:, :3] = rotate_z(pts[:, :3], ang)
    rb[:, 0:3] = rotate_z(boxes[:, 0:3], ang); rb[:, 6] += ang
    rb[:, 7:9] = rotate_z(np.hstack([boxes[:, 7:9], np.zeros((5, 1))]), ang)[:, 0:2]
    f.add("rotation", "rotation", [boxes, pts], [rb, rp], angle=ang)
    sc = 1.07
    sb, sp = boxes.copy(), pts.copy()
    sp[:, :3] *= sc; sb[:, :6] *= sc; sb[:, 7:] *= sc
    f.add("scaling", "scaling", [boxes, pts], [sb, sp], scale=sc)

    pred = random_boxes(g, 10, 3.0).requires_grad_(True)
    tgt = random_boxes(g, 10, 3.0)
    d = aligned_diou(pred, tgt)
    d.sum().backward()
    f.add("aligned_diou", "aligned_diou", [pred.detach(), tgt], [d.detach(), pred.grad])

    f.write(OUT)


if __name__ == "__main__":
    main()
