#!/usr/bin/env python3
"""Golden fixture for fuse3d.data.augment.DepthCompletion (IP-Basic's fill_in_fast).

A plain numpy/scipy re-derivation of kujason/ip_basic depth_map_utils.fill_in_fast (Ku et al., CRV 2018), with
OpenCV's border rules written out explicitly, since OpenCV is not available here:
  - dilate / erode (cv2.dilate, cv2.morphologyEx CLOSE): pixels outside the image are ignored
    (scipy maximum_filter / minimum_filter with mode='constant', cval=-inf / +inf);
  - cv2.medianBlur(5) on float32: the edge pixel is replicated (scipy median_filter mode='nearest');
  - cv2.GaussianBlur((5, 5), 0): OpenCV's fixed sigma-0 kernel [1, 4, 6, 4, 1] / 16, separable,
    BORDER_REFLECT_101 (scipy correlate1d mode='mirror');
  - cv2.bilateralFilter(d=5, sigmaColor=1.5, sigmaSpace=2.0) on float32: OpenCV's algorithm (circular window of
    radius 2, space weight exp(-r^2 / (2 s^2)), colour weight from a 4096-bin exp table over the image's value
    range, linearly interpolated, BORDER_REFLECT_101; a constant image is returned as is).
All arithmetic in float32. Writes data/src/test/resources/golden/ipbasic.npz:
  case{i}/input [H, W] and case{i}/{blur}_{extrapolate} [H, W] for blur in (gaussian, bilateral), extrapolate in (0, 1).
Run: /usr/bin/python3 tests/golden/data/gen_ipbasic.py
"""
import os

import numpy as np
from scipy import ndimage

DIAMOND_5 = np.array([[0, 0, 1, 0, 0], [0, 1, 1, 1, 0], [1, 1, 1, 1, 1], [0, 1, 1, 1, 0], [0, 0, 1, 0, 0]], bool)


def dilate(a, footprint):
    return ndimage.maximum_filter(a, footprint=footprint, mode='constant', cval=-np.inf).astype(np.float32)


def erode(a, footprint):
    return ndimage.minimum_filter(a, footprint=footprint, mode='constant', cval=np.inf).astype(np.float32)


def full(k):
    return np.ones((k, k), bool)


def gaussian5(a):
    k = np.array([1, 4, 6, 4, 1], np.float32) / np.float32(16)
    t = ndimage.correlate1d(a, k, axis=1, mode='mirror')
    return ndimage.correlate1d(t, k, axis=0, mode='mirror').astype(np.float32)


def bilateral(a, d=5, sigma_color=1.5, sigma_space=2.0):
    lo, hi = float(a.min()), float(a.max())
    if abs(lo - hi) < np.finfo(np.float32).eps:
        return a.copy()
    radius = max(d // 2, 1)
    cc, sc = -0.5 / sigma_color ** 2, -0.5 / sigma_space ** 2
    bins = 1 << 12
    length = np.float32(hi - lo)
    scale = np.float32(bins / length)
    lut = np.zeros(bins + 2, np.float32)
    last = 1.0
    for i in range(bins + 2):
        if last > 0:
            v = i / float(scale)
            lut[i] = np.float32(np.exp(v * v * cc))
            last = lut[i]
    pad = np.pad(a, radius, mode='reflect')  # numpy 'reflect' does not repeat the edge: BORDER_REFLECT_101
    h, w = a.shape
    total = a.astype(np.float32).copy()  # the centre, weight 1
    wsum = np.ones_like(a, np.float32)
    for i in range(-radius, radius + 1):
        for j in range(-radius, radius + 1):
            r = np.sqrt(float(i * i + j * j))
            if r > radius or (i == 0 and j == 0):
                continue
            sw = np.float32(np.exp(r * r * sc))
            v = pad[radius + i:radius + i + h, radius + j:radius + j + w]
            alpha = np.abs(v - a).astype(np.float32) * scale
            idx = np.floor(alpha).astype(np.int64)
            alpha = (alpha - idx).astype(np.float32)
            wgt = sw * (lut[idx] + alpha * (lut[idx + 1] - lut[idx]))
            total += v * wgt
            wsum += wgt
    return (total / wsum).astype(np.float32)


def fill_in_fast(depth, max_depth=100.0, extrapolate=False, blur='bilateral'):
    d = depth.astype(np.float32).copy()
    valid = d > 0.1
    d[valid] = np.float32(max_depth) - d[valid]
    d = dilate(d, DIAMOND_5)
    d = erode(dilate(d, full(5)), full(5))
    empty = d < 0.1
    d[empty] = dilate(d, full(7))[empty]
    if extrapolate:
        top = np.argmax(d > 0.1, axis=0)
        vals = d[top, np.arange(d.shape[1])]
        for c in range(d.shape[1]):
            d[0:top[c], c] = vals[c]
        empty = d < 0.1
        d[empty] = dilate(d, full(31))[empty]
    d = ndimage.median_filter(d, size=5, mode='nearest').astype(np.float32)
    if blur == 'bilateral':
        d = bilateral(d)
    else:
        valid = d > 0.1
        d[valid] = gaussian5(d)[valid]
    valid = d > 0.1
    d[valid] = np.float32(max_depth) - d[valid]
    return d


def cases():
    rng = np.random.default_rng(20180528)
    out = []
    # sparse random depths, ~8% of pixels, as projected LiDAR
    for h, w, p in [(24, 40, 0.08), (31, 17, 0.15), (48, 64, 0.05)]:
        d = np.where(rng.random((h, w)) < p, rng.uniform(2.0, 80.0, (h, w)), 0.0).astype(np.float32)
        out.append(d)
    # scan-line structure: every 4th row has points, a near object in the middle, the top rows empty
    h, w = 40, 56
    d = np.zeros((h, w), np.float32)
    for r in range(12, h, 4):
        cols = rng.choice(w, size=w // 2, replace=False)
        d[r, cols] = np.float32(60.0 - r)
    d[20:30, 20:30][rng.random((10, 10)) < 0.3] = 8.0
    out.append(d)
    return out


def main():
    arrays = {}
    for i, d in enumerate(cases()):
        arrays[f'case{i}/input'] = d
        for blur in ('gaussian', 'bilateral'):
            for ex in (0, 1):
                arrays[f'case{i}/{blur}_{ex}'] = fill_in_fast(d, extrapolate=bool(ex), blur=blur)
    here = os.path.dirname(os.path.abspath(__file__))
    dst = os.path.join(here, '..', '..', '..', 'data', 'src', 'test', 'resources', 'golden', 'ipbasic.npz')
    np.savez_compressed(os.path.normpath(dst), **arrays)
    print('wrote', os.path.normpath(dst), len(arrays), 'arrays')


if __name__ == '__main__':
    main()
