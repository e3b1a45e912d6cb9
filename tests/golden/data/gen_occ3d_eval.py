"""Golden fixtures for Fuse3D's Occ3D evaluator (fuse3d.data.occ3d), from a plain-numpy re-derivation of the
official metrics. Run with Debian's /usr/bin/python3 (numpy only):

    python3 tests/golden/data/gen_occ3d_eval.py

Written from reading, not copying, the official code:
  * voxel metrics -- the Occ3D devkit's / GDFusion's occ_metrics.py: one confusion histogram per mask setting
    summed over samples (ground-truth labels outside 0..17 ignored), IoU = diag / (row + col - diag),
    mIoU = nanmean over classes 0..16, occupied IoU from a 2x2 histogram of (label != 17), mIoU_D = nanmean over
    the dynamic ids [2, 3, 4, 5, 6, 7, 9, 10];
  * RayIoU -- SparseOcc's loaders/ray_metrics.py and its DVR renderer (lib/dvr/dvr.cu): 39 x 360 rays, origin and
    end points converted to voxel units in float64 then rounded to float32, an Amanatides-Woo walk in float64
    (ties go to z, then y), first non-free voxel, distance = exit distance of that voxel x voxel size in float32,
    rays with a free ground-truth hit dropped, TP when classes agree and |d_pred - d_gt| < 1, 2, 4 m.
The walk here is vectorised over rays, unlike the renderer's one-thread-per-ray loop, but takes the same steps.

Outputs (both small):
  data/src/test/resources/golden/occ3d_eval.npz            random small grids: inputs and expected metrics
  data/src/test/resources/golden/occ3d_real_expected.json  numbers (no data) for the real sample in
                                                           /work/shared/data/occ3d, if present, against a
                                                           prediction derived from it by a fixed formula
"""
import json
import math
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
OUT_DIR = os.path.join(ROOT, "data", "src", "test", "resources", "golden")
REAL = "/work/shared/data/occ3d/29796060110c4163b07f06eff4af0753/labels.npz"

FREE = 17
N_CL = 18
DYNAMIC = [2, 3, 4, 5, 6, 7, 9, 10]
THRESHOLDS = [1, 2, 4]
MAX_STEP = 1000
DBL_MAX = sys.float_info.max


# ----------------------------------------------------------------------------------------------------------
# Voxel metrics.

def histogram(n_cl, pred, gt):
    keep = (gt >= 0) & (gt < n_cl)
    idx = n_cl * gt[keep].astype(np.int64) + pred[keep].astype(np.int64)
    return np.bincount(idx, minlength=n_cl * n_cl).reshape(n_cl, n_cl).astype(np.float64)


def class_iou(hist):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.diag(hist) / (hist.sum(1) + hist.sum(0) - np.diag(hist))


def voxel_metrics(samples):
    """samples: list of (gt, pred, mask_lidar, mask_camera) arrays; returns {mode: dict}."""
    out = {}
    for mode in ("mask_camera", "mask_lidar", "no_mask"):
        hist = np.zeros((N_CL, N_CL))
        hist_occ = np.zeros((2, 2))
        for gt, pred, lidar, camera in samples:
            sel = {"mask_camera": camera, "mask_lidar": lidar, "no_mask": np.ones_like(camera)}[mode].astype(bool)
            g, p = gt[sel], pred[sel]
            hist += histogram(N_CL, p, g)
            hist_occ += histogram(2, (p != FREE).astype(np.float32), (g != FREE).astype(np.float32))
        iou = class_iou(hist)[:FREE]
        with np.errstate(invalid="ignore"):
            out[mode] = {
                "iou": iou,
                "miou": np.nanmean(iou) if not np.all(np.isnan(iou)) else np.nan,
                "occupied_iou": class_iou(hist_occ)[1],
                "miou_d": np.nanmean(iou[DYNAMIC]) if not np.all(np.isnan(iou[DYNAMIC])) else np.nan,
            }
    return out


# ----------------------------------------------------------------------------------------------------------
# RayIoU.

def lidar_rays():
    pitch = [-(math.pi / 2 - math.atan(k + 1)) for k in range(10)]
    while pitch[-1] < 0.21:
        pitch.append(pitch[-1] + (pitch[-1] - pitch[-2]))
    rays = []
    for p in pitch:
        for a in np.arange(0, 360, 1):
            az = np.deg2rad(a)
            rays.append((np.cos(p) * np.cos(az), np.cos(p) * np.sin(az), np.sin(p)))
    return np.array(pitch), np.array(rays, dtype=np.float32)


def cast(sem, origin, rays, pc_min, voxel):
    """sem: [nx, ny, nz] labels; origin: float64 [3] metres; pc_min float32 [3]; voxel float32.
    Returns (label int64 [N], distance float32 [N])."""
    nx, ny, nz = sem.shape
    offset = pc_min.astype(np.float64)
    scale = np.float64(voxel)
    o = ((origin - offset) / scale).astype(np.float32).astype(np.float64)          # [3]
    e = ((rays.astype(np.float64) + origin[None, :] - offset) / scale).astype(np.float32).astype(np.float64)
    r = e - o[None, :]
    length = np.sqrt(r[:, 0] * r[:, 0] + r[:, 1] * r[:, 1] + r[:, 2] * r[:, 2])
    d = r / length[:, None]
    n = len(rays)
    v = np.tile(np.trunc(o).astype(np.int64), (n, 1))                               # C's int(): toward zero
    step = np.where(d >= 0, 1, -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        tmax = np.where(d != 0, ((v + np.where(step < 0, 0, 1)) - o[None, :]) / d, DBL_MAX)
        tdelta = np.where(d != 0, step / d, DBL_MAX)
    active = np.ones(n, bool)
    was_inside = np.zeros(n, bool)
    count = np.zeros(n, np.int64)
    steps = np.zeros(n, np.int64)
    hit = np.zeros(n, bool)
    hit_label = np.zeros(n, np.int64)
    hit_d = np.zeros(n)
    last_label = np.zeros(n, np.int64)
    last_d = np.zeros(n)
    rows = np.arange(n)
    while active.any():
        inside = (v[:, 0] >= 0) & (v[:, 0] < nx) & (v[:, 1] >= 0) & (v[:, 1] < ny) & (v[:, 2] >= 0) & (v[:, 2] < nz)
        active &= ~(~inside & was_inside)                  # left the grid after being in it
        was_inside |= inside & active
        cur = np.zeros(n, np.int64)
        cur[inside] = sem[v[inside, 0], v[inside, 1], v[inside, 2]]
        tx, ty, tz = tmax[:, 0], tmax[:, 1], tmax[:, 2]
        axis = np.where(tx < ty, np.where(tx < tz, 0, 2), np.where(ty < tz, 1, 2))
        dist = tmax[rows, axis]
        a = active
        v[rows[a], axis[a]] += step[rows[a], axis[a]]
        tmax[rows[a], axis[a]] += tdelta[rows[a], axis[a]]
        rec = a & inside
        new_hit = rec & (cur != FREE)
        hit_label[new_hit] = cur[new_hit]
        hit_d[new_hit] = dist[new_hit]
        hit |= new_hit
        passed = rec & ~new_hit
        count[passed] += 1
        last_label[passed] = cur[passed]
        last_d[passed] = dist[passed]
        active &= ~new_hit
        steps[active] += 1
        active &= ~(steps > MAX_STEP)
    label = np.where(hit, hit_label, np.where(count > 0, last_label, sem[0, 0, 0]))
    d_vox = np.where(hit, hit_d, np.where(count > 0, last_d, -1.0)).astype(np.float32)
    return label, (d_vox * np.float32(voxel)).astype(np.float32)


def rayiou(samples, origins_list, pc_min, voxel, rays):
    gt_cnt = np.zeros(N_CL)
    pred_cnt = np.zeros(N_CL)
    tp_cnt = np.zeros((len(THRESHOLDS), N_CL))
    for (gt, pred, _, _), origins in zip(samples, origins_list):
        gl, gd, pl, pd = [], [], [], []
        for origin in origins:
            a, b = cast(gt, origin, rays, pc_min, voxel)
            c, d = cast(pred, origin, rays, pc_min, voxel)
            gl.append(a), gd.append(b), pl.append(c), pd.append(d)
        gl, gd, pl, pd = map(np.concatenate, (gl, gd, pl, pd))
        keep = gl != FREE
        gl, gd, pl, pd = gl[keep], gd[keep], pl[keep], pd[keep]
        err = np.abs(pd - gd)
        for j, th in enumerate(THRESHOLDS):
            close = err < th
            for c in range(N_CL):
                g, p = gl == c, pl == c
                if j == 0:
                    gt_cnt[c] += g.sum()
                    pred_cnt[c] += p.sum()
                tp_cnt[j, c] += (g & p & close).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        per = np.stack([(tp_cnt[j] / (gt_cnt + pred_cnt - tp_cnt[j]))[:-1] for j in range(len(THRESHOLDS))])  # [3, 17]
    with np.errstate(invalid="ignore"):
        return {"per_class": per.T, "at": np.array([np.nanmean(per[j]) for j in range(3)]), "rayiou": np.nanmean(per)}


# ----------------------------------------------------------------------------------------------------------
# Random scenes.

def random_scene(rng, shape):
    nx, ny, nz = shape
    sem = np.full(shape, FREE, np.uint8)
    sem[:, :, 0] = rng.choice([11, 12, 13, 14], size=(nx, ny))          # ground
    sem[:, :, 1][rng.random((nx, ny)) < 0.15] = 15
    for _ in range(6):                                                  # boxes of object classes
        c = rng.integers(0, 11)
        x0, y0 = rng.integers(0, nx - 3), rng.integers(0, ny - 3)
        sx, sy, sz = rng.integers(1, 4), rng.integers(1, 4), rng.integers(1, nz - 1)
        sem[x0:x0 + sx, y0:y0 + sy, 1:1 + sz] = c
    for _ in range(2):                                                  # walls and vegetation at the edges
        x0 = rng.integers(0, nx)
        sem[x0, :, 1:rng.integers(2, nz)] = rng.choice([15, 16])
    sem[rng.random(shape) < 0.01] = 255                                 # ignored by the voxel metrics
    lidar = (rng.random(shape) < 0.6).astype(np.uint8)
    camera = (rng.random(shape) < 0.7).astype(np.uint8)
    return sem, lidar, camera


def perturb(rng, sem):
    pred = sem.copy()
    pred[pred == 255] = FREE
    flip = rng.random(sem.shape) < 0.08
    pred[flip] = rng.integers(0, 18, size=flip.sum())
    if rng.random() < 0.7:                                              # a shifted copy: distance errors
        pred = np.roll(pred, rng.integers(-2, 3), axis=rng.integers(0, 2))
    return pred.astype(np.uint8)


def main():
    rng = np.random.default_rng(20240603)
    pitch, rays = lidar_rays()
    arrays = {"rays": rays, "pitch": pitch}
    cases = [
        # name, shape, pc_min, voxel, number of samples, origins per sample (metres)
        ("small", (20, 20, 8), [-4.0, -4.0, -1.0], 0.4, 1, [[[0.9858, 0.0, 1.8402]]]),
        ("multi", (24, 20, 10), [-4.8, -4.0, -1.0], 0.4, 3,
         [[[0.5, 0.2, 1.8], [-1.3, 0.7, 1.7]], [[0.0, 0.0, 1.84]], [[2.1, -1.9, 1.5], [0.3, 0.3, 0.3], [-3.0, 2.5, 2.0]]]),
        ("outside", (16, 16, 6), [-3.2, -3.2, -1.0], 0.4, 1, [[[0.1, -0.2, 2.5], [0.0, 0.0, 1.0]]]),
        ("coarse", (12, 14, 5), [-6.0, -7.0, -2.0], 1.0, 2, [[[0.4, 0.6, 0.9]], [[-1.2, 2.2, 0.2]]]),
    ]
    names = []
    for name, shape, pc_min, voxel, count, origins in cases:
        pc_min = np.array(pc_min, np.float32)
        voxel = np.float32(voxel)
        samples = []
        for s in range(count):
            sem, lidar, camera = random_scene(rng, shape)
            pred = perturb(rng, sem)
            samples.append((sem, pred, lidar, camera))
            arrays[f"{name}/{s}/semantics"] = sem
            arrays[f"{name}/{s}/pred"] = pred
            arrays[f"{name}/{s}/mask_lidar"] = lidar
            arrays[f"{name}/{s}/mask_camera"] = camera
            arrays[f"{name}/{s}/origins"] = np.array(origins[s], np.float64)
        arrays[f"{name}/grid"] = np.array([*pc_min, voxel], np.float32)
        arrays[f"{name}/count"] = np.array(count, np.int32)
        vm = voxel_metrics(samples)
        for mode, m in vm.items():
            arrays[f"{name}/{mode}/iou"] = m["iou"]
            arrays[f"{name}/{mode}/scalars"] = np.array([m["miou"], m["occupied_iou"], m["miou_d"]])
        ri = rayiou(samples, [[np.array(o, np.float64) for o in orig] for orig in origins], pc_min, voxel, rays)
        arrays[f"{name}/rayiou/per_class"] = ri["per_class"]
        arrays[f"{name}/rayiou/scalars"] = np.array([ri["rayiou"], *ri["at"]])
        # The raw casts of the first sample's first origin, to check the caster ray by ray.
        lab, dist = cast(samples[0][0], np.array(origins[0][0], np.float64), rays, pc_min, voxel)
        arrays[f"{name}/cast_label"] = lab.astype(np.int32)
        arrays[f"{name}/cast_dist"] = dist
        names.append(name)
        print(name, "miou(camera) %.4f  RayIoU %.4f" % (vm["mask_camera"]["miou"], ri["rayiou"]))
    os.makedirs(OUT_DIR, exist_ok=True)
    np.savez_compressed(os.path.join(OUT_DIR, "occ3d_eval.npz"), **arrays)

    if os.path.exists(REAL):
        z = np.load(REAL)
        gt, lidar, camera = z["semantics"], z["mask_lidar"], z["mask_camera"]
        pred = real_prediction(gt)
        vm = voxel_metrics([(gt, pred, lidar, camera)])
        origins = [np.array([0.9858, 0.0, 1.8402]), np.array([-6.5, 1.25, 1.9])]
        ri = rayiou([(gt, pred, lidar, camera)], [origins], np.array([-40, -40, -1], np.float32), np.float32(0.4), rays)
        out = {"file": os.path.relpath(REAL, "/work/shared/data"),
               "prediction": "gt, then label 17 where (x + 2y + 3z) % 11 == 0, then car (4) -> truck (10) where x % 3 == 0, "
                             "then everything shifted by +1 along y (np.roll)",
               "origins": [o.tolist() for o in origins]}
        for mode, m in vm.items():
            out[mode] = {"iou": [None if np.isnan(v) else float(v) for v in m["iou"]],
                         "miou": float(m["miou"]), "occupied_iou": float(m["occupied_iou"]), "miou_d": float(m["miou_d"])}
        out["rayiou"] = {"RayIoU": float(ri["rayiou"]), "at": [float(v) for v in ri["at"]],
                         "per_class": [[None if np.isnan(v) else float(v) for v in row] for row in ri["per_class"]]}
        with open(os.path.join(OUT_DIR, "occ3d_real_expected.json"), "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")
        print("real: miou(camera) %.4f  RayIoU %.4f" % (vm["mask_camera"]["miou"], ri["rayiou"]))
    else:
        print("real sample not found; occ3d_real_expected.json not regenerated")


def real_prediction(gt):
    """A fixed, easily re-implemented corruption of the ground truth (the Java test builds the same)."""
    pred = gt.copy()
    x, y, z = np.meshgrid(np.arange(gt.shape[0]), np.arange(gt.shape[1]), np.arange(gt.shape[2]), indexing="ij")
    pred[(x + 2 * y + 3 * z) % 11 == 0] = FREE
    pred[(pred == 4) & (x % 3 == 0)] = 10
    return np.roll(pred, 1, axis=1)


if __name__ == "__main__":
    main()
