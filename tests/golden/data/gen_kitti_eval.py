#!/usr/bin/env python3
"""Golden fixture for fuse3d.data.kitti.KittiEvaluator.

A plain-numpy re-derivation of the KITTI object evaluation as OpenPCDet's kitti_object_eval_python defines it
(2D / BEV / 3D / AOS AP, 41-point precision, R11 and R40, Easy/Moderate/Hard, strict and loose overlaps,
DontCare and neighbouring classes), written independently of the Java and without numba or CUDA. It runs on a
seeded random set of frames (random GT of every KITTI class, DontCare regions, perturbed, duplicated, confused and
spurious detections) and stores the label texts, every AP and the printed table in
data/src/test/resources/golden/kitti_eval.json. Run from the repository root:

    /usr/bin/python3 tests/golden/data/gen_kitti_eval.py
"""
import json
import math
import os

import numpy as np

ALL_CLASSES = ['Car', 'Pedestrian', 'Cyclist', 'Van', 'Person_sitting', 'Truck']
# [strict|loose][bbox, bev, 3d][class]
OVERLAPS = np.array([
    [[0.7, 0.5, 0.5, 0.7, 0.5, 0.7]] * 3,
    [[0.7, 0.5, 0.5, 0.7, 0.5, 0.5], [0.5, 0.25, 0.25, 0.5, 0.25, 0.5], [0.5, 0.25, 0.25, 0.5, 0.25, 0.5]],
])
MIN_H = [40, 25, 25]
MAX_OCC = [0, 1, 2]
MAX_TRUNC = [0.15, 0.3, 0.5]
NPTS = 41


# ----------------------------------------------------------------------------------------------- labels

def parse(text):
    rows = [l.split() for l in text.splitlines() if l.strip()]
    a = {'name': [r[0] for r in rows]}
    num = np.array([[float(x) for x in r[1:]] for r in rows]).reshape(len(rows), -1)
    a['truncated'] = num[:, 0] if len(rows) else np.zeros(0)
    a['occluded'] = num[:, 1].astype(int) if len(rows) else np.zeros(0, int)
    a['alpha'] = num[:, 2] if len(rows) else np.zeros(0)
    a['bbox'] = num[:, 3:7] if len(rows) else np.zeros((0, 4))
    # h w l in the file; the evaluation works on (x, y, z, l, h, w, ry)
    a['box3d'] = (np.concatenate([num[:, 10:13], num[:, [9, 7, 8]], num[:, 13:14]], 1) if len(rows) else np.zeros((0, 7)))
    a['score'] = (num[:, 14] if num.shape[1] == 15 else np.zeros(len(rows))) if len(rows) else np.zeros(0)
    return a


# ----------------------------------------------------------------------------------------------- overlaps

def iou_2d(a, b, over_a=False):
    iw = min(a[2], b[2]) - max(a[0], b[0])
    if iw <= 0:
        return 0.0
    ih = min(a[3], b[3]) - max(a[1], b[1])
    if ih <= 0:
        return 0.0
    area_a = (a[2] - a[0]) * (a[3] - a[1])
    u = area_a if over_a else area_a + (b[2] - b[0]) * (b[3] - b[1]) - iw * ih
    return iw * ih / u


def corners_xz(x, z, l, w, ry):
    # rotation by ry in the camera x-z plane: the box's length axis points to (cos ry, -sin ry)
    c, s = math.cos(ry), math.sin(ry)
    local = np.array([[-l / 2, -w / 2], [-l / 2, w / 2], [l / 2, w / 2], [l / 2, -w / 2]])
    return np.stack([c * local[:, 0] + s * local[:, 1] + x, -s * local[:, 0] + c * local[:, 1] + z], 1)


def inside(p, quad):
    # p inside the parallelogram spanned at quad[0] by edges to quad[1] and quad[3]
    ab, ad, ap = quad[1] - quad[0], quad[3] - quad[0], p - quad[0]
    return 0 <= ab @ ap <= ab @ ab and 0 <= ad @ ap <= ad @ ad


def seg_cross(p1, p2, q1, q2):
    d = (p2[0] - p1[0]) * (q2[1] - q1[1]) - (p2[1] - p1[1]) * (q2[0] - q1[0])
    if d == 0:
        return None
    t = ((q1[0] - p1[0]) * (q2[1] - q1[1]) - (q1[1] - p1[1]) * (q2[0] - q1[0])) / d
    u = ((q1[0] - p1[0]) * (p2[1] - p1[1]) - (q1[1] - p1[1]) * (p2[0] - p1[0])) / d
    if 0 < t < 1 and 0 < u < 1:
        return p1 + t * (p2 - p1)
    return None


def rot_intersection(b1, b2):
    """Intersection area of two (x, z, l, w, ry) rectangles: the vertices of the overlap polygon are the corners
    of each inside the other plus the edge crossings; order them by angle and apply the shoelace formula."""
    c1, c2 = corners_xz(*b1), corners_xz(*b2)
    pts = [p for p in c1 if inside(p, c2)] + [p for p in c2 if inside(p, c1)]
    for i in range(4):
        for j in range(4):
            x = seg_cross(c1[i], c1[(i + 1) % 4], c2[j], c2[(j + 1) % 4])
            if x is not None:
                pts.append(x)
    if len(pts) < 3:
        return 0.0
    pts = np.array(pts)
    ctr = pts.mean(0)
    order = np.argsort(np.arctan2(pts[:, 1] - ctr[1], pts[:, 0] - ctr[0]))
    p = pts[order]
    return abs(np.sum(p[:, 0] * np.roll(p[:, 1], -1) - np.roll(p[:, 0], -1) * p[:, 1])) / 2


def overlap(metric, d, g):
    """Overlap of detection d and GT g: dicts of one object each."""
    if metric == 0:
        return iou_2d(d['bbox'], g['bbox'])
    bd, bg = d['box3d'], g['box3d']
    inter = rot_intersection(bd[[0, 2, 3, 5, 6]], bg[[0, 2, 3, 5, 6]])
    if inter <= 0:
        return 0.0
    if metric == 1:
        return inter / (bd[3] * bd[5] + bg[3] * bg[5] - inter)
    hov = min(bd[1], bg[1]) - max(bd[1] - bd[4], bg[1] - bg[4])
    if hov <= 0:
        return 0.0
    v = hov * inter
    return v / (np.prod(bd[3:6]) + np.prod(bg[3:6]) - v)


def objects(a):
    return [{k: a[k][i] for k in a} for i in range(len(a['name']))]


# ----------------------------------------------------------------------------------------------- evaluation

def flags(gt, dt, cls, diff):
    """Per GT: 0 counted, 1 ignored (neighbouring class or too hard), -1 not this class; per detection: 0 counted,
    1 ignored (too small, any class), -1 other class; plus the DontCare boxes and the count of valid GT."""
    want = cls.lower()
    g_flag, n_valid, dc = [], 0, []
    for o in gt:
        name = o['name'].lower()
        same = name == want
        neighbour = (want == 'pedestrian' and name == 'person_sitting') or (want == 'car' and name == 'van')
        hard = (o['occluded'] > MAX_OCC[diff] or o['truncated'] > MAX_TRUNC[diff]
                or o['bbox'][3] - o['bbox'][1] <= MIN_H[diff])
        if same and not hard:
            g_flag.append(0)
            n_valid += 1
        elif neighbour or same:
            g_flag.append(1)
        else:
            g_flag.append(-1)
        if o['name'] == 'DontCare':
            dc.append(o['bbox'])
    d_flag = []
    for o in dt:
        if abs(o['bbox'][3] - o['bbox'][1]) < MIN_H[diff]:
            d_flag.append(1)
        else:
            d_flag.append(0 if o['name'].lower() == want else -1)
    return g_flag, d_flag, dc, n_valid


def match_frame(ov, gt, dt, g_flag, d_flag, dc, metric, min_ov, thresh=None, aos=False):
    """Greedy matching of one frame. thresh None: the first pass (highest score wins, TP scores returned);
    otherwise the counting pass at that score threshold (best overlap wins)."""
    first = thresh is None
    nd = len(dt)
    used = [False] * nd
    active = [first or dt[j]['score'] >= thresh for j in range(nd)]
    tp = fp = fn = 0
    tp_scores, cos_terms = [], []
    for i in range(len(gt)):
        if g_flag[i] == -1:
            continue
        best, kind, best_ov, best_score = -1, None, 0.0, None
        for j in range(nd):
            if d_flag[j] == -1 or used[j] or not active[j] or not ov[j][i] > min_ov:
                continue
            if first:
                if best_score is None or dt[j]['score'] > best_score:
                    best, best_score = j, dt[j]['score']
            elif d_flag[j] == 0 and (ov[j][i] > best_ov or kind == 'ignored'):
                best, kind, best_ov = j, 'counted', ov[j][i]
            elif d_flag[j] == 1 and best == -1:
                best, kind = j, 'ignored'
        if best == -1:
            if g_flag[i] == 0:
                fn += 1
            continue
        used[best] = True
        if g_flag[i] == 1 or d_flag[best] == 1:
            continue
        tp += 1
        tp_scores.append(dt[best]['score'])
        if aos:
            cos_terms.append((1.0 + math.cos(gt[i]['alpha'] - dt[best]['alpha'])) / 2.0)
    if first:
        return tp_scores
    free = [j for j in range(nd) if not used[j] and d_flag[j] == 0 and active[j]]
    fp = len(free)
    if metric == 0:
        for box in dc:
            for j in range(nd):
                if used[j] or d_flag[j] != 0 or not active[j]:
                    continue
                if iou_2d(dt[j]['bbox'], box, over_a=True) > min_ov:
                    used[j] = True
                    fp -= 1
    sim = sum(cos_terms) if (tp > 0 or fp > 0) else None
    return tp, fp, fn, sim


def sample_thresholds(scores, n_valid):
    s = sorted(scores, reverse=True)
    out, cur = [], 0.0
    for i, sc in enumerate(s):
        last = i == len(s) - 1
        lo = (i + 1) / n_valid
        hi = lo if last else (i + 2) / n_valid
        if not last and (hi - cur) < (cur - lo):
            continue
        out.append(sc)
        cur += 1 / (NPTS - 1.0)
    return out


def evaluate(frames, classes):
    gts = [objects(parse(f['gt'])) for f in frames]
    dts = [objects(parse(f['dt'])) for f in frames]
    with_aos = False
    for dt in dts:
        if dt:
            with_aos = dt[0]['alpha'] != -10
            break
    ovs = [[[[overlap(m, d, g) for g in gt] for d in dt] for gt, dt in zip(gts, dts)] for m in range(3)]
    res, prec_out = {}, {}
    for cls in classes:
        ci = ALL_CLASSES.index(cls)
        res[cls] = {}
        for s, set_name in enumerate(['strict', 'loose']):
            curves = {}
            for m, mname in enumerate(['bbox', 'bev', '3d']):
                curves[mname], aos_curves = [], []
                min_ov = OVERLAPS[s][m][ci]
                for diff in range(3):
                    fl = [flags(gt, dt, cls, diff) for gt, dt in zip(gts, dts)]
                    n_valid = sum(f[3] for f in fl)
                    scores = []
                    for k in range(len(frames)):
                        scores += match_frame(ovs[m][k], gts[k], dts[k], fl[k][0], fl[k][1], fl[k][2], m, min_ov)
                    th = sample_thresholds(scores, n_valid)
                    prec, aosc = np.zeros(NPTS), np.zeros(NPTS)
                    for t, thr in enumerate(th):
                        tp = fp = fn = 0
                        sim = 0.0
                        for k in range(len(frames)):
                            a, b, c, d = match_frame(ovs[m][k], gts[k], dts[k], fl[k][0], fl[k][1], fl[k][2], m, min_ov,
                                                     thresh=thr, aos=with_aos and m == 0)
                            tp, fp, fn = tp + a, fp + b, fn + c
                            if d is not None:
                                sim += d
                        prec[t] = tp / (tp + fp)
                        aosc[t] = sim / (tp + fp)
                    # interpolate: the best precision at this or any later sample point
                    prec = np.maximum.accumulate(prec[::-1])[::-1]
                    aosc = np.maximum.accumulate(aosc[::-1])[::-1]
                    curves[mname].append(prec)
                    aos_curves.append(aosc)
                if m == 0:
                    curves['aos'] = aos_curves if with_aos else None
            res[cls][set_name] = {}
            for proto in ['R11', 'R40']:
                res[cls][set_name][proto] = {}
                for mname in ['bbox', 'bev', '3d', 'aos']:
                    cv = curves[mname]
                    if cv is None:
                        res[cls][set_name][proto][mname] = None
                        continue
                    if proto == 'R11':
                        res[cls][set_name][proto][mname] = [float(c[0::4].sum() / 11 * 100) for c in cv]
                    else:
                        res[cls][set_name][proto][mname] = [float(c[1:].sum() / 40 * 100) for c in cv]
    table = ''
    for cls in classes:
        ci = ALL_CLASSES.index(cls)
        for s, set_name in enumerate(['strict', 'loose']):
            ov = OVERLAPS[s][:, ci]
            for proto, head in [('R11', 'AP'), ('R40', 'AP_R40')]:
                r = res[cls][set_name][proto]
                table += f'{cls} {head}@{ov[0]:.2f}, {ov[1]:.2f}, {ov[2]:.2f}:\n'
                table += 'bbox AP:' + ', '.join(f'{v:.4f}' for v in r['bbox']) + '\n'
                table += 'bev  AP:' + ', '.join(f'{v:.4f}' for v in r['bev']) + '\n'
                table += '3d   AP:' + ', '.join(f'{v:.4f}' for v in r['3d']) + '\n'
                if with_aos:
                    table += 'aos  AP:' + ', '.join(f'{v:.2f}' for v in r['aos']) + '\n'
    return res, table, bool(with_aos)


# ----------------------------------------------------------------------------------------------- random frames

SIZES = {'Car': (1.5, 1.6, 3.9), 'Van': (2.2, 1.9, 5.0), 'Truck': (3.2, 2.5, 10.0), 'Pedestrian': (1.75, 0.65, 0.85),
         'Person_sitting': (1.25, 0.6, 0.8), 'Cyclist': (1.75, 0.6, 1.75), 'Misc': (1.5, 1.5, 2.0)}
GT_CLASSES = ['Car'] * 8 + ['Pedestrian'] * 4 + ['Cyclist'] * 3 + ['Van', 'Person_sitting', 'Truck', 'Misc']


def line(name, trunc, occ, alpha, bbox, hwl, loc, ry, score=None):
    f = [name, '%.2f' % trunc, '%d' % occ, '%.4f' % alpha] + ['%.4f' % v for v in bbox] + ['%.4f' % v for v in hwl] \
        + ['%.4f' % v for v in loc] + ['%.4f' % ry]
    if score is not None:
        f.append('%.6f' % score)
    return ' '.join(f)


def random_frames(rng, n_frames):
    frames = []
    for _ in range(n_frames):
        gt_lines, dt_lines = [], []
        n_obj = rng.integers(3, 12)
        for _ in range(n_obj):
            name = GT_CLASSES[rng.integers(len(GT_CLASSES))]
            h, w, l = np.array(SIZES[name]) * rng.uniform(0.85, 1.15, 3)
            loc = np.array([rng.uniform(-15, 15), rng.uniform(1.4, 1.9), rng.uniform(5, 50)])
            ry = rng.uniform(-math.pi, math.pi)
            x1, y1 = rng.uniform(0, 1150), rng.uniform(100, 250)
            bh = [rng.uniform(15, 24), rng.uniform(26, 39), rng.uniform(41, 150)][rng.choice(3, p=[0.1, 0.25, 0.65])]
            bbox = np.array([x1, y1, x1 + rng.uniform(20, 200), y1 + bh])
            trunc = rng.choice([0.0, 0.0, 0.0, 0.1, 0.2, 0.4, 0.7])
            occ = int(rng.choice([0, 0, 0, 1, 1, 2, 3]))
            alpha = rng.uniform(-math.pi, math.pi)
            gt_lines.append(line(name, trunc, occ, alpha, bbox, (h, w, l), loc, ry))
            if name == 'Misc':
                continue
            # detections of this object: usually one, sometimes a duplicate, sometimes missed
            for _ in range(rng.choice([0, 1, 1, 1, 1, 2])):
                dname = name
                if rng.random() < 0.1:
                    dname = {'Van': 'Car', 'Car': 'Van', 'Person_sitting': 'Pedestrian', 'Pedestrian': 'Cyclist',
                             'Cyclist': 'Pedestrian', 'Truck': 'Car'}[name]
                noise = rng.choice([0.03, 0.06, 0.1, 0.2, 0.5])
                dloc = loc + rng.normal(0, noise, 3) * np.array([1, 0.3, 1])
                dhwl = np.array([h, w, l]) * rng.uniform(1 - noise / 2, 1 + noise / 2, 3)
                dry = ry + rng.normal(0, 0.15) + (math.pi if rng.random() < 0.1 else 0)
                dbox = bbox + rng.normal(0, 12 * noise, 4)
                dalpha = alpha + rng.normal(0, 0.3) + (math.pi if rng.random() < 0.1 else 0)
                dt_lines.append(line(dname, -1, -1, dalpha, dbox, dhwl, dloc, dry, rng.uniform(0.05, 1.0)))
        for _ in range(rng.integers(0, 4)):
            x1, y1 = rng.uniform(0, 1100), rng.uniform(100, 250)
            bbox = [x1, y1, x1 + rng.uniform(30, 300), y1 + rng.uniform(20, 120)]
            gt_lines.append(line('DontCare', -1, -1, -10, bbox, (-1, -1, -1), (-1000, -1000, -1000), -10))
            # a spurious detection inside the DontCare region (counts only outside the 2D metric)
            if rng.random() < 0.6:
                name = ['Car', 'Pedestrian', 'Cyclist'][rng.integers(3)]
                inner = [bbox[0] + 2, bbox[1] + 2, bbox[2] - rng.uniform(2, 10), bbox[3] - 2]
                h, w, l = SIZES[name]
                loc = (rng.uniform(-15, 15), 1.6, rng.uniform(5, 50))
                dt_lines.append(line(name, -1, -1, rng.uniform(-3, 3), inner, (h, w, l), loc, rng.uniform(-3, 3),
                                     rng.uniform(0.05, 1.0)))
        for _ in range(rng.integers(0, 4)):
            name = ['Car', 'Pedestrian', 'Cyclist'][rng.integers(3)]
            h, w, l = SIZES[name]
            x1, y1 = rng.uniform(0, 1150), rng.uniform(100, 250)
            bbox = [x1, y1, x1 + rng.uniform(20, 150), y1 + rng.uniform(15, 120)]
            loc = (rng.uniform(-15, 15), 1.6, rng.uniform(5, 50))
            dt_lines.append(line(name, -1, -1, rng.uniform(-3, 3), bbox, (h, w, l), loc, rng.uniform(-3, 3),
                                 rng.uniform(0.0, 0.9)))
        order = rng.permutation(len(dt_lines))
        frames.append({'gt': '\n'.join(gt_lines) + '\n', 'dt': ''.join(dt_lines[i] + '\n' for i in order)})
    return frames


def main():
    rng = np.random.default_rng(20240611)
    frames = random_frames(rng, 30)
    cases = []
    res, table, aos = evaluate(frames, ALL_CLASSES)
    cases.append({'name': 'all classes, with alpha', 'classes': ALL_CLASSES, 'aos': aos, 'results': res,
                  'table': table, 'frames': frames})
    # the same frames with alpha = -10 on every detection: no AOS
    no_alpha = []
    for f in frames:
        rows = [l.split() for l in f['dt'].splitlines()]
        for r in rows:
            r[3] = '-10'
        no_alpha.append({'gt': f['gt'], 'dt': ''.join(' '.join(r) + '\n' for r in rows)})
    res, table, aos = evaluate(no_alpha, ['Car', 'Pedestrian', 'Cyclist'])
    cases.append({'name': 'default classes, no alpha', 'classes': ['Car', 'Pedestrian', 'Cyclist'], 'aos': aos,
                  'results': res, 'table': table, 'frames': no_alpha})
    out = os.path.join('data', 'src', 'test', 'resources', 'golden', 'kitti_eval.json')
    with open(out, 'w') as fh:
        json.dump({'generator': 'tests/golden/data/gen_kitti_eval.py', 'cases': cases}, fh, indent=1)
    print('wrote', out)
    print(cases[0]['table'][:2000])


if __name__ == '__main__':
    main()
