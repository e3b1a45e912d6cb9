"""Golden fixture for fuse3d.data.nuscenes.NuScenesEvaluator (run with /usr/bin/python3; numpy only).

A plain-numpy re-derivation of the nuScenes detection evaluation as the devkit defines it (config
detection_cvpr_2019; nutonomy/nuscenes-devkit python-sdk/nuscenes/eval/detection): range / point / bike-rack
filtering, greedy matching by 2D centre distance, AP from the precision curve resampled at 101 recall points,
the five TP errors from the 2 m matches, mAP and NDS. It is written from the algorithm's description, not
copied, and uses numpy's own np.interp so the Java port of np.interp is checked against the real thing.

Random scenes (seeded) of GT and perturbed / spurious predictions, with score ties, NaN GT velocities, GT
without attributes, boxes beyond the class range, GT with zero points and bicycles in racks, are evaluated
here; the boxes and the expected numbers go to
data/src/test/resources/golden/nuscenes_eval.json, which the Java test reads (this script is not needed
at test time).

Usage: python3 tests/golden/data/gen_nuscenes_eval.py
"""
import json
import math
import os

import numpy as np

CLASSES = ['car', 'truck', 'bus', 'trailer', 'construction_vehicle', 'pedestrian', 'motorcycle', 'bicycle',
           'traffic_cone', 'barrier']
RANGE = {'car': 50, 'truck': 50, 'bus': 50, 'trailer': 50, 'construction_vehicle': 50, 'pedestrian': 40,
         'motorcycle': 40, 'bicycle': 40, 'traffic_cone': 30, 'barrier': 30}
DIST_THS = [0.5, 1.0, 2.0, 4.0]
DIST_TH_TP = 2.0
MIN_RECALL = 0.1
MIN_PRECISION = 0.1
TP_METRICS = ['trans_err', 'scale_err', 'orient_err', 'vel_err', 'attr_err']
ATTRS = {
    'pedestrian': ['pedestrian.moving', 'pedestrian.sitting_lying_down', 'pedestrian.standing'],
    'bicycle': ['cycle.with_rider', 'cycle.without_rider'], 'motorcycle': ['cycle.with_rider', 'cycle.without_rider'],
    'barrier': [], 'traffic_cone': [],
}
SIZES = {'car': (1.9, 4.6, 1.7), 'truck': (2.5, 7.0, 2.9), 'bus': (2.9, 11.0, 3.5), 'trailer': (2.9, 12.0, 3.9),
         'construction_vehicle': (2.8, 6.4, 3.2), 'pedestrian': (0.7, 0.7, 1.8), 'motorcycle': (0.8, 2.1, 1.5),
         'bicycle': (0.6, 1.7, 1.3), 'traffic_cone': (0.4, 0.4, 1.1), 'barrier': (2.5, 0.5, 1.0)}
N = 101


def attrs_of(c):
    return ATTRS.get(c, ['vehicle.moving', 'vehicle.parked', 'vehicle.stopped'])


# ---- geometry ----

def quat_to_matrix(q):
    w, x, y, z = np.asarray(q, dtype=float) / np.linalg.norm(q)
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
                     [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
                     [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]])


def yaw_of(q):
    r = quat_to_matrix(q)
    return math.atan2(r[1, 0], r[0, 0])


def wrapped_diff(a, b, period):
    d = (a - b + period / 2) % period - period / 2
    if d > math.pi:
        d -= 2 * math.pi
    return abs(d)


def in_rack(rack, p):
    """Point inside the rack box, faces included; size is (w, l, h), x along l."""
    local = quat_to_matrix(rack['rotation']).T @ (np.asarray(p) - np.asarray(rack['translation']))
    w, l, h = rack['size']
    return abs(local[0]) <= l / 2 and abs(local[1]) <= w / 2 and abs(local[2]) <= h / 2


# ---- the evaluation ----

def keep(boxes, racks):
    out = {}
    for s, bs in boxes.items():
        kept = []
        for b in bs:
            if not math.hypot(b['ego_translation'][0], b['ego_translation'][1]) < RANGE[b['detection_name']]:
                continue
            if b['num_pts'] == 0:
                continue
            if b['detection_name'] in ('bicycle', 'motorcycle') and any(in_rack(r, b['translation']) for r in racks.get(s, [])):
                continue
            kept.append(b)
        out[s] = kept
    return out


def empty_curve():
    return dict(precision=np.zeros(N), confidence=np.zeros(N), errs={m: np.ones(N) for m in TP_METRICS})


def running_mean(x):
    x = np.asarray(x, dtype=float)
    if np.all(np.isnan(x)):
        return np.ones(len(x))
    valid = ~np.isnan(x)
    total = np.cumsum(np.where(valid, x, 0.0))
    count = np.cumsum(valid)
    return np.where(count > 0, total / np.maximum(count, 1), 0.0)


def curve(gt, pred, cls, th):
    npos = sum(1 for bs in gt.values() for b in bs if b['detection_name'] == cls)
    if npos == 0:
        return empty_curve()
    cand = [b for bs in pred.values() for b in bs if b['detection_name'] == cls]
    # descending score, ties: later candidate first
    order = sorted(range(len(cand)), key=lambda i: (cand[i]['detection_score'], i), reverse=True)
    used = set()
    hits, scores, rows = [], [], []
    period = math.pi if cls == 'barrier' else 2 * math.pi
    for i in order:
        p = cand[i]
        best, best_j = math.inf, None
        for j, g in enumerate(gt.get(p['sample_token'], [])):
            if g['detection_name'] != cls or (p['sample_token'], j) in used:
                continue
            d = float(np.linalg.norm(np.subtract(p['translation'][:2], g['translation'][:2])))
            if d < best:
                best, best_j = d, j
        scores.append(p['detection_score'])
        if best < th:
            used.add((p['sample_token'], best_j))
            g = gt[p['sample_token']][best_j]
            hits.append(1)
            inter = np.prod(np.minimum(g['size'], p['size']))
            union = np.prod(g['size']) + np.prod(p['size']) - inter
            rows.append(dict(
                trans_err=best,
                vel_err=float(np.linalg.norm(np.subtract(p['velocity'], g['velocity']))),
                scale_err=1 - inter / union,
                orient_err=wrapped_diff(yaw_of(g['rotation']), yaw_of(p['rotation']), period),
                attr_err=math.nan if g['attribute_name'] == '' else float(g['attribute_name'] != p['attribute_name']),
                conf=p['detection_score']))
        else:
            hits.append(0)
    if not rows:
        return empty_curve()
    hits = np.array(hits, dtype=float)
    ctp = np.cumsum(hits)
    cfp = np.cumsum(1 - hits)
    precision = ctp / (ctp + cfp)
    recall = ctp / npos
    axis = np.linspace(0, 1, N)
    prec_i = np.interp(axis, recall, precision, right=0)
    conf_i = np.interp(axis, recall, np.array(scores), right=0)
    mconf = np.array([r['conf'] for r in rows])
    errs = {}
    for m in TP_METRICS:
        run = running_mean([r[m] for r in rows])
        errs[m] = np.interp(conf_i[::-1], mconf[::-1], run[::-1])[::-1]
    return dict(precision=prec_i, confidence=conf_i, errs=errs)


def average_precision(c):
    p = c['precision'][int(round(100 * MIN_RECALL)) + 1:] - MIN_PRECISION
    return float(np.mean(np.clip(p, 0, None))) / (1 - MIN_PRECISION)


def tp_error(c, m):
    first = int(round(100 * MIN_RECALL)) + 1
    nz = np.nonzero(c['confidence'])[0]
    last = nz[-1] if len(nz) else 0
    if last < first:
        return 1.0
    return float(np.mean(c['errs'][m][first:last + 1]))


def evaluate(gt, pred, racks):
    gt, pred = keep(gt, racks), keep(pred, racks)
    label_aps, label_tp = {}, {}
    for cls in CLASSES:
        curves = {th: curve(gt, pred, cls, th) for th in DIST_THS}
        label_aps[cls] = {str(th): average_precision(curves[th]) for th in DIST_THS}
        label_tp[cls] = {}
        for m in TP_METRICS:
            undefined = (cls == 'traffic_cone' and m in ('attr_err', 'vel_err', 'orient_err')) or \
                        (cls == 'barrier' and m in ('attr_err', 'vel_err'))
            label_tp[cls][m] = math.nan if undefined else tp_error(curves[DIST_TH_TP], m)
    mean_dist = {c: float(np.mean(list(v.values()))) for c, v in label_aps.items()}
    mean_ap = float(np.mean(list(mean_dist.values())))
    tp_errors = {m: float(np.nanmean([label_tp[c][m] for c in CLASSES])) for m in TP_METRICS}
    tp_scores = {m: max(0.0, 1 - v) for m, v in tp_errors.items()}
    nds = (5 * mean_ap + sum(tp_scores.values())) / 10
    return dict(label_aps=label_aps, mean_dist_aps=mean_dist, mean_ap=mean_ap, label_tp_errors=label_tp,
                tp_errors=tp_errors, tp_scores=tp_scores, nd_score=nds)


# ---- random scenes ----

def yaw_quat(yaw, tilt=0.0):
    """Yaw about z, optionally followed by a small tilt about x (so the yaw extraction is exercised)."""
    qz = np.array([math.cos(yaw / 2), 0, 0, math.sin(yaw / 2)])
    if tilt == 0.0:
        return qz.tolist()
    qx = np.array([math.cos(tilt / 2), math.sin(tilt / 2), 0, 0])
    w1, x1, y1, z1 = qz
    w2, x2, y2, z2 = qx
    return [w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2, w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
            w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2, w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2]


def scenario(rng, n_samples, classes, p_detect, noise, n_fp, tie_scores):
    gt, pred, racks = {}, {}, {}
    for k in range(n_samples):
        s = 'sample%02d' % k
        ego = rng.uniform(-500, 500, 3)
        ego[2] = 0.0
        gts, preds, rk = [], [], []
        for _ in range(rng.integers(3, 14)):
            c = classes[rng.integers(len(classes))]
            r = rng.uniform(2, 55)
            a = rng.uniform(-math.pi, math.pi)
            t = ego + np.array([r * math.cos(a), r * math.sin(a), rng.uniform(-1, 2)])
            size = (np.array(SIZES[c]) * rng.uniform(0.8, 1.2, 3)).tolist()
            yaw = rng.uniform(-math.pi, math.pi)
            vel = rng.normal(0, 3, 2).tolist() if rng.random() > 0.15 else [math.nan, math.nan]
            attr = '' if (not attrs_of(c) or rng.random() < 0.1) else attrs_of(c)[rng.integers(len(attrs_of(c)))]
            g = dict(sample_token=s, translation=t.tolist(), size=size, rotation=yaw_quat(yaw), velocity=vel,
                     ego_translation=(t - ego).tolist(), num_pts=int(rng.integers(0, 6)) if rng.random() < 0.15 else int(rng.integers(1, 500)),
                     detection_name=c, detection_score=-1.0, attribute_name=attr)
            gts.append(g)
            if c == 'bicycle' and rng.random() < 0.5:
                rk.append(dict(translation=(t + rng.uniform(-0.3, 0.3, 3)).tolist(), size=[3.0, 6.0, 2.0],
                               rotation=yaw_quat(rng.uniform(-math.pi, math.pi))))
            if rng.random() < p_detect:
                pc = c if rng.random() > 0.05 else classes[rng.integers(len(classes))]
                pt = t + np.array([rng.normal(0, noise), rng.normal(0, noise), rng.normal(0, 0.2)])
                pv = (np.nan_to_num(np.array(vel)) + rng.normal(0, 1, 2)).tolist()
                pattr = attr if rng.random() > 0.2 else (attrs_of(pc)[0] if attrs_of(pc) else '')
                if not attrs_of(pc):
                    pattr = ''
                score = float(rng.uniform(0.05, 1))
                if tie_scores:
                    score = round(score, 1) or 0.1
                preds.append(dict(sample_token=s, translation=pt.tolist(),
                                  size=(np.array(size) * rng.uniform(0.8, 1.25, 3)).tolist(),
                                  rotation=yaw_quat(yaw + rng.normal(0, 0.4) + (math.pi if rng.random() < 0.1 else 0),
                                                    rng.normal(0, 0.05) if rng.random() < 0.3 else 0.0),
                                  velocity=pv, ego_translation=(pt - ego).tolist(), num_pts=-1, detection_name=pc,
                                  detection_score=score, attribute_name=pattr))
        for _ in range(n_fp):
            c = classes[rng.integers(len(classes))]
            r = rng.uniform(2, 55)
            a = rng.uniform(-math.pi, math.pi)
            t = ego + np.array([r * math.cos(a), r * math.sin(a), 0.5])
            score = float(rng.uniform(0.01, 0.9))
            if tie_scores:
                score = round(score, 1) or 0.1
            preds.append(dict(sample_token=s, translation=t.tolist(), size=list(SIZES[c]), rotation=yaw_quat(rng.uniform(-3, 3)),
                              velocity=rng.normal(0, 2, 2).tolist(), ego_translation=(t - ego).tolist(), num_pts=-1,
                              detection_name=c, detection_score=score,
                              attribute_name=attrs_of(c)[0] if attrs_of(c) else ''))
        rng.shuffle(preds)
        gt[s], pred[s], racks[s] = gts, preds, rk
    return gt, pred, racks


def rounded(x):
    """Inputs rounded to 4 decimals (a smaller fixture; the evaluation then runs on exactly these numbers)."""
    if isinstance(x, float):
        return x if math.isnan(x) else round(x, 4)
    if isinstance(x, dict):
        return {k: rounded(v) for k, v in x.items()}
    if isinstance(x, list):
        return [rounded(v) for v in x]
    return x


def nan_to_none(x):
    if isinstance(x, float) and math.isnan(x):
        return 'NaN'
    if isinstance(x, dict):
        return {k: nan_to_none(v) for k, v in x.items()}
    if isinstance(x, list):
        return [nan_to_none(v) for v in x]
    return x


def main():
    rng = np.random.default_rng(20240611)
    cases = []
    specs = [
        ('all_classes', 10, CLASSES, 0.8, 0.6, 4, False),
        ('ties', 8, CLASSES, 0.85, 0.5, 3, True),
        ('few_classes', 6, ['car', 'pedestrian', 'barrier', 'traffic_cone', 'bicycle'], 0.7, 1.2, 5, False),
        ('dense_noisy', 12, ['car', 'truck', 'pedestrian', 'bicycle', 'motorcycle', 'bus'], 0.9, 1.5, 8, False),
        ('sparse', 4, CLASSES, 0.5, 0.3, 1, False),
    ]
    for name, n, classes, pdet, noise, nfp, ties in specs:
        gt, pred, racks = [rounded(x) for x in scenario(rng, n, classes, pdet, noise, nfp, ties)]
        expected = evaluate(gt, pred, racks)
        cases.append(dict(name=name, gt=gt, pred=pred, racks=racks, expected=expected))
    out = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'data', 'src', 'test', 'resources', 'golden', 'nuscenes_eval.json')
    with open(os.path.normpath(out), 'w') as f:
        json.dump(nan_to_none(cases), f, separators=(',', ':'))
    for c in cases:
        print(c['name'], 'mAP %.4f NDS %.4f' % (c['expected']['mean_ap'], c['expected']['nd_score']))


if __name__ == '__main__':
    main()
