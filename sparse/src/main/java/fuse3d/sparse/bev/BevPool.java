package fuse3d.sparse.bev;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.cpu.Parallel;
import fuse3d.tensor.cpu.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * BEVPoolv2 (BEVDet's bev_pool_v2, arXiv 2211.17111): the Lift-Splat-Shoot splat without materialising the
 * frustum features. With a {@link BevPoolRanks} plan, each occupied cell sums
 * {@code depth[rank_depth] * feat[rank_feat]} over its interval of points; the output is [B, C, Z, Y, X] (BEVDet's
 * bev_feat_shape (B, Z, Y, X, C) permuted to channels first) and empty cells are 0.
 *
 * <p>Forward runs in parallel over intervals (each writes its own cell: no scatter, no races). Backward:
 * {@code grad_depth[rank_depth] = <grad_out[cell], feat[rank_feat]>} per point (each depth entry belongs to one
 * point) and {@code grad_feat[pixel] = sum depth * grad_out[cell]} over the points of that pixel, in parallel over
 * pixels using the plan's reverse grouping. float32 accumulates in float32 as the CUDA kernel does (Vector API FMAs,
 * or the scalar twins under {@code -Dfuse3d.simd=false}); float64 in float64 (for gradient checks).
 */
public final class BevPool {
    private static final VectorSpecies<Float> F = Simd.F;

    private BevPool() {}

    /**
     * Pools with autograd: depth [B*N, D, H, W] (probabilities), feat [B*N, C, H, W] (context features), both
     * float32 or both float64; returns [B, C, Z, Y, X] with gradients for depth and feat.
     */
    public static Var pool(Var depth, Var feat, BevPoolRanks ranks) {
        int c = checkShapes(depth.data(), feat.data(), ranks);
        // channels-last features, kept for backward (the depth gradient reads them once per point)
        Tensor featCl = feat.data().permute(0, 2, 3, 1).contiguous();
        Tensor depthC = depth.data().contiguous();
        Tensor out = forward(depthC, featCl, c, ranks);
        return Var.record("bev_pool_v2", out, (g, needs) -> {
            Tensor gCells = gatherCells(g.contiguous(), c, ranks);
            Tensor gd = needs[0] ? depthGrad(gCells, featCl, c, ranks, depthC.shape()) : null;
            Tensor gf = needs[1] ? featGrad(gCells, depthC, c, ranks) : null;
            return new Tensor[] {gd, gf};
        }, depth, feat);
    }

    /** Pools without autograd: the forward of {@link #pool(Var, Var, BevPoolRanks)} on tensors. */
    public static Tensor pool(Tensor depth, Tensor feat, BevPoolRanks ranks) {
        int c = checkShapes(depth, feat, ranks);
        return forward(depth.contiguous(), feat.permute(0, 2, 3, 1).contiguous(), c, ranks);
    }

    /** BEVDet's "collapse Z": [B, C, Z, Y, X] to [B, Z * C, Y, X], channel z * C + c (torch.cat(x.unbind(2), 1)). */
    public static Var collapseZ(Var bev) {
        int[] s = bev.shape();
        if (s.length != 5) throw new IllegalArgumentException("BevPool.collapseZ: expected [B, C, Z, Y, X], got " + Shape.str(s));
        return bev.permute(0, 2, 1, 3, 4).reshape(s[0], s[2] * s[1], s[3], s[4]);
    }

    private static int checkShapes(Tensor depth, Tensor feat, BevPoolRanks r) {
        String shapes = "depth " + depth.dtype().torchName() + " " + Shape.str(depth.shape()) + ", feat " + feat.dtype().torchName() + " "
                + Shape.str(feat.shape()) + ", plan " + r;
        if (depth.dtype() != feat.dtype() || (depth.dtype() != DType.FLOAT32 && depth.dtype() != DType.FLOAT64))
            throw new IllegalArgumentException("bev_pool_v2: depth and feat must both be float32 or both float64: " + shapes);
        int[] d = depth.shape(), f = feat.shape();
        if (d.length != 4 || f.length != 4 || d[0] != r.cams() || d[1] != r.depthBins() || d[2] != r.height() || d[3] != r.width()
                || f[0] != r.cams() || f[2] != r.height() || f[3] != r.width())
            throw new IllegalArgumentException("bev_pool_v2: expected depth [" + r.cams() + ", " + r.depthBins() + ", " + r.height() + ", " + r.width()
                    + "] and feat [" + r.cams() + ", C, " + r.height() + ", " + r.width() + "]: " + shapes);
        if (f[1] < 1) throw new IllegalArgumentException("bev_pool_v2: feat has no channels: " + shapes);
        long out = (long) r.batch() * f[1] * r.nz() * r.ny() * r.nx();
        if (out > Integer.MAX_VALUE) throw new IllegalArgumentException("bev_pool_v2: output of " + out + " elements is too large: " + shapes);
        return f[1];
    }

    private static int[] outShape(BevPoolRanks r, int c) { return new int[] {r.batch(), c, r.nz(), r.ny(), r.nx()}; }

    /** out[b, c, cell] = sum over the cell's interval of depth * featCl[pixel, c]. */
    private static Tensor forward(Tensor depth, Tensor featCl, int c, BevPoolRanks r) {
        int cellsPerSample = r.nz() * r.ny() * r.nx();
        int[] rd = r.rd(), rf = r.rf(), rb = r.rb(), st = r.starts(), ln = r.lengths();
        long work = (long) r.points() * c + r.intervals();
        if (depth.dtype() == DType.FLOAT32) {
            float[] dd = depth.toFloatArray(), ff = featCl.toFloatArray();
            float[] out = new float[r.batch() * c * cellsPerSample];
            Parallel.forWork(r.intervals(), work, (lo, hi) -> {
                float[] acc = new float[c];
                for (int k = lo; k < hi; k++) {
                    weightedRowSum(dd, rd, ff, rf, c, st[k], st[k] + ln[k], acc, 0);
                    int cell = rb[st[k]], b = cell / cellsPerSample, o = b * c * cellsPerSample + cell % cellsPerSample;
                    for (int ch = 0; ch < c; ch++) out[o + ch * cellsPerSample] = acc[ch];
                }
            });
            return Tensor.of(out, outShape(r, c));
        }
        double[] dd = depth.toDoubleArray(), ff = featCl.toDoubleArray();
        double[] out = new double[r.batch() * c * cellsPerSample];
        Parallel.forWork(r.intervals(), work, (lo, hi) -> {
            double[] acc = new double[c];
            for (int k = lo; k < hi; k++) {
                java.util.Arrays.fill(acc, 0);
                for (int i = st[k], e = st[k] + ln[k]; i < e; i++) {
                    double w = dd[rd[i]];
                    int base = rf[i] * c;
                    for (int ch = 0; ch < c; ch++) acc[ch] += w * ff[base + ch];
                }
                int cell = rb[st[k]], b = cell / cellsPerSample, o = b * c * cellsPerSample + cell % cellsPerSample;
                for (int ch = 0; ch < c; ch++) out[o + ch * cellsPerSample] = acc[ch];
            }
        });
        return Tensor.of(out, outShape(r, c));
    }

    /** The output gradient of the occupied cells only, channels last: [intervals, C] (empty cells get no gradient anywhere). */
    private static Tensor gatherCells(Tensor g, int c, BevPoolRanks r) {
        int cellsPerSample = r.nz() * r.ny() * r.nx();
        int[] rb = r.rb(), st = r.starts();
        int n = r.intervals();
        long work = (long) n * c;
        if (g.dtype() == DType.FLOAT32) {
            float[] src = g.toFloatArray(), dst = new float[n * c];
            Parallel.forWork(n, work, (lo, hi) -> {
                for (int k = lo; k < hi; k++) {
                    int cell = rb[st[k]], o = (cell / cellsPerSample) * c * cellsPerSample + cell % cellsPerSample;
                    for (int ch = 0; ch < c; ch++) dst[k * c + ch] = src[o + ch * cellsPerSample];
                }
            });
            return Tensor.of(dst, n, c);
        }
        double[] src = g.to(DType.FLOAT64).toDoubleArray(), dst = new double[n * c];
        Parallel.forWork(n, work, (lo, hi) -> {
            for (int k = lo; k < hi; k++) {
                int cell = rb[st[k]], o = (cell / cellsPerSample) * c * cellsPerSample + cell % cellsPerSample;
                for (int ch = 0; ch < c; ch++) dst[k * c + ch] = src[o + ch * cellsPerSample];
            }
        });
        return Tensor.of(dst, n, c);
    }

    /** grad_depth[rank_depth[i]] = <gCells[interval(i)], featCl[rank_feat[i]]>; entries of dropped points are 0. */
    private static Tensor depthGrad(Tensor gCells, Tensor featCl, int c, BevPoolRanks r, int[] depthShape) {
        int[] rd = r.rd(), rf = r.rf(), pi = r.pointInterval();
        int n = r.points();
        long work = (long) n * c;
        if (featCl.dtype() == DType.FLOAT32) {
            float[] g = gCells.toFloatArray(), ff = featCl.toFloatArray();
            float[] out = new float[Shape.numel(depthShape)];
            Parallel.forWork(n, work, (lo, hi) -> {
                for (int i = lo; i < hi; i++) out[rd[i]] = dot(g, pi[i] * c, ff, rf[i] * c, c);
            });
            return Tensor.of(out, depthShape);
        }
        double[] g = gCells.toDoubleArray(), ff = featCl.toDoubleArray();
        double[] out = new double[Shape.numel(depthShape)];
        Parallel.forWork(n, work, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                int gb = pi[i] * c, fb = rf[i] * c;
                double s = 0;
                for (int ch = 0; ch < c; ch++) s += g[gb + ch] * ff[fb + ch];
                out[rd[i]] = s;
            }
        });
        return Tensor.of(out, depthShape);
    }

    /** grad_feat[pixel, c] = sum over the pixel's points of depth * gCells[interval, c]; returned as [B*N, C, H, W]. */
    private static Tensor featGrad(Tensor gCells, Tensor depth, int c, BevPoolRanks r) {
        int[] rd = r.rd(), pi = r.pointInterval(), ptr = r.featPtr(), pts = r.featPoints();
        int pixels = r.cams() * r.height() * r.width();
        long work = (long) r.points() * c + pixels;
        Tensor cl;
        if (depth.dtype() == DType.FLOAT32) {
            float[] g = gCells.toFloatArray(), dd = depth.toFloatArray();
            float[] out = new float[pixels * c];
            int[] fd = r.featDepth(), fi = r.featInterval();
            Parallel.forWork(pixels, work, (lo, hi) -> {
                for (int p = lo; p < hi; p++) if (ptr[p + 1] > ptr[p]) weightedRowSum(dd, fd, g, fi, c, ptr[p], ptr[p + 1], out, p * c);
            });
            cl = Tensor.of(out, r.cams(), r.height(), r.width(), c);
        } else {
            double[] g = gCells.toDoubleArray(), dd = depth.toDoubleArray();
            double[] out = new double[pixels * c];
            Parallel.forWork(pixels, work, (lo, hi) -> {
                for (int p = lo; p < hi; p++) {
                    int o = p * c;
                    for (int j = ptr[p], e = ptr[p + 1]; j < e; j++) {
                        int i = pts[j], gb = pi[i] * c;
                        double w = dd[rd[i]];
                        for (int ch = 0; ch < c; ch++) out[o + ch] += w * g[gb + ch];
                    }
                }
            });
            cl = Tensor.of(out, r.cams(), r.height(), r.width(), c);
        }
        return cl.permute(0, 3, 1, 2).contiguous();
    }

    /**
     * {@code out[o .. o + c) = sum over j in [from, to) of w[wi[j]] * src[ri[j] * c .. + c)}: the inner loop of the
     * forward (one interval) and of the feature gradient (one pixel). The SIMD form keeps four vector accumulators
     * in registers across the whole run of rows (the scalar twin's accumulator round-trips through memory and runs
     * about 7x slower at C = 80); channels past the last full vector go through the scalar loop.
     */
    static void weightedRowSum(float[] w, int[] wi, float[] src, int[] ri, int c, int from, int to, float[] out, int o) {
        int ch = 0;
        if (Simd.ENABLED) {
            int lanes = F.length();
            for (; ch + 4 * lanes <= c; ch += 4 * lanes) {
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
                for (int j = from; j < to; j++) {
                    FloatVector s = FloatVector.broadcast(F, w[wi[j]]);
                    int base = ri[j] * c + ch;
                    a0 = FloatVector.fromArray(F, src, base).fma(s, a0);
                    a1 = FloatVector.fromArray(F, src, base + lanes).fma(s, a1);
                    a2 = FloatVector.fromArray(F, src, base + 2 * lanes).fma(s, a2);
                    a3 = FloatVector.fromArray(F, src, base + 3 * lanes).fma(s, a3);
                }
                a0.intoArray(out, o + ch);
                a1.intoArray(out, o + ch + lanes);
                a2.intoArray(out, o + ch + 2 * lanes);
                a3.intoArray(out, o + ch + 3 * lanes);
            }
            for (; ch + lanes <= c; ch += lanes) {
                FloatVector a0 = FloatVector.zero(F);
                for (int j = from; j < to; j++) a0 = FloatVector.fromArray(F, src, ri[j] * c + ch).fma(FloatVector.broadcast(F, w[wi[j]]), a0);
                a0.intoArray(out, o + ch);
            }
        }
        if (ch < c) {
            java.util.Arrays.fill(out, o + ch, o + c, 0f);
            for (int j = from; j < to; j++) {
                float s = w[wi[j]];
                int base = ri[j] * c;
                for (int q = ch; q < c; q++) out[o + q] += s * src[base + q];
            }
        }
    }

    /** {@code <a[ao .. ao + c), b[bo .. bo + c)>}, lanes summed in a fixed order (same bits before and after JIT). */
    static float dot(float[] a, int ao, float[] b, int bo, int c) {
        int ch = 0;
        float s = 0;
        if (Simd.ENABLED) {
            int lanes = F.length();
            FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
            for (; ch + 2 * lanes <= c; ch += 2 * lanes) {
                acc0 = FloatVector.fromArray(F, a, ao + ch).fma(FloatVector.fromArray(F, b, bo + ch), acc0);
                acc1 = FloatVector.fromArray(F, a, ao + ch + lanes).fma(FloatVector.fromArray(F, b, bo + ch + lanes), acc1);
            }
            for (; ch + lanes <= c; ch += lanes) acc0 = FloatVector.fromArray(F, a, ao + ch).fma(FloatVector.fromArray(F, b, bo + ch), acc0);
            s = Simd.sumLanes(acc0.add(acc1));
        }
        for (; ch < c; ch++) s += a[ao + ch] * b[bo + ch];
        return s;
    }

    /**
     * The plain definition, for tests and as the reference twin of the kernel: every kept point scatter-adds
     * {@code depth * feat} into its cell, in float64, then the result is cast to depth's dtype.
     */
    public static Tensor naiveScatterAdd(Tensor depth, Tensor feat, BevPoolRanks r) {
        int c = checkShapes(depth, feat, r);
        int cellsPerSample = r.nz() * r.ny() * r.nx();
        double[] dd = depth.contiguous().to(DType.FLOAT64).toDoubleArray(), ff = feat.contiguous().to(DType.FLOAT64).toDoubleArray();
        int hw = r.height() * r.width();
        double[] out = new double[r.batch() * c * cellsPerSample];
        int[] rd = r.rd(), rf = r.rf(), rb = r.rb();
        for (int i = 0; i < r.points(); i++) {
            int cam = rf[i] / hw, pix = rf[i] % hw, cell = rb[i];
            int o = (cell / cellsPerSample) * c * cellsPerSample + cell % cellsPerSample;
            for (int ch = 0; ch < c; ch++) out[o + ch * cellsPerSample] += dd[rd[i]] * ff[(cam * c + ch) * hw + pix];
        }
        return Tensor.of(out, outShape(r, c)).to(depth.dtype());
    }
}
