package fuse3d.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Softmax and log-softmax of contiguous float rows: per row the maximum, exp(x - max) written once, its sum,
 * then one scaling pass (softmax) or one subtraction of the log-sum (log-softmax). Rows run in parallel; each
 * row is one thread's, so the bits do not depend on the thread count. The scalar twin computes in double.
 */
final class SoftmaxKernels {
    private static final VectorSpecies<Float> F = Simd.F;

    private SoftmaxKernels() {}

    /** dst rows = (log-)softmax of src rows; rows of length {@code inner} start at srcOff + r * inner. */
    static void rows(float[] src, int srcOff, float[] dst, int rows, int inner, boolean log) {
        Parallel.forWork(rows, (long) rows * inner * 8, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                if (Simd.ENABLED) rowSimd(src, srcOff + r * inner, dst, r * inner, inner, log);
                else rowScalar(src, srcOff + r * inner, dst, r * inner, inner, log);
            }
        });
    }

    static void rowSimd(float[] x, int xo, float[] y, int yo, int n, boolean log) {
        int bound = F.loopBound(n);
        float m = Float.NEGATIVE_INFINITY;
        int i = 0;
        if (bound > 0) {
            FloatVector mv = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (; i < bound; i += F.length()) mv = mv.max(FloatVector.fromArray(F, x, xo + i));
            m = mv.reduceLanes(VectorOperators.MAX); // max is order-independent
        }
        for (; i < n; i++) m = Math.max(m, x[xo + i]);
        if (Float.isNaN(m)) { // torch: a NaN anywhere in the row makes the whole row NaN
            java.util.Arrays.fill(y, yo, yo + n, Float.NaN);
            return;
        }
        // an all -inf row: exp gives 0s and the result NaN, as torch; +inf max: inf - inf makes the row NaN, as torch
        if (m == Float.NEGATIVE_INFINITY) m = 0f;
        FloatVector mb = FloatVector.broadcast(F, m);
        FloatVector acc = FloatVector.zero(F);
        i = 0;
        for (; i < bound; i += F.length()) {
            // Simd.exp, not lanewise(EXP): the latter's bits change when C2 compiles this loop
            FloatVector e = Simd.exp(FloatVector.fromArray(F, x, xo + i).sub(mb));
            if (!log) e.intoArray(y, yo + i);
            acc = acc.add(e);
        }
        float sum = Simd.sumLanes(acc);
        for (; i < n; i++) {
            float e = Simd.expScalar(x[xo + i] - m);
            if (!log) y[yo + i] = e;
            sum += e;
        }
        if (log) {
            // (x - max) - log(sum), in two steps: folding max + log(sum) into one float first loses the
            // log-sum's low bits when the logits are large
            float lse = (float) Math.log(sum);
            FloatVector lb = FloatVector.broadcast(F, lse);
            i = 0;
            for (; i < bound; i += F.length()) FloatVector.fromArray(F, x, xo + i).sub(mb).sub(lb).intoArray(y, yo + i);
            for (; i < n; i++) y[yo + i] = (x[xo + i] - m) - lse;
        } else {
            float inv = 1f / sum;
            FloatVector ib = FloatVector.broadcast(F, inv);
            i = 0;
            for (; i < bound; i += F.length()) FloatVector.fromArray(F, y, yo + i).mul(ib).intoArray(y, yo + i);
            for (; i < n; i++) y[yo + i] *= inv;
        }
    }

    static void rowScalar(float[] x, int xo, float[] y, int yo, int n, boolean log) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) m = Math.max(m, x[xo + i]);
        if (m == Double.NEGATIVE_INFINITY) m = 0;
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(x[xo + i] - m);
        double lse = Math.log(sum);
        for (int i = 0; i < n; i++) {
            double e = x[xo + i] - m;
            y[yo + i] = (float) (log ? e - lse : Math.exp(e) / sum);
        }
    }

    /** dx rows of softmax (y * (g - sum(g y))) or log-softmax (g - exp(y) sum(g)) from y and g rows. */
    static void backwardRows(float[] y, int yOff, float[] g, int gOff, float[] dx, int rows, int inner, boolean log) {
        Parallel.forWork(rows, (long) rows * inner * 4, (r0, r1) -> {
            for (int r = r0; r < r1; r++) backwardRow(y, yOff + r * inner, g, gOff + r * inner, dx, r * inner, inner, log);
        });
    }

    static void backwardRow(float[] y, int yo, float[] g, int go, float[] dx, int o, int n, boolean log) {
        int bound = Simd.ENABLED ? F.loopBound(n) : 0;
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i < bound; i += F.length()) {
            FloatVector gv = FloatVector.fromArray(F, g, go + i);
            acc = log ? acc.add(gv) : gv.fma(FloatVector.fromArray(F, y, yo + i), acc);
        }
        float s = bound > 0 ? Simd.sumLanes(acc) : 0f;
        for (; i < n; i++) s += log ? g[go + i] : g[go + i] * y[yo + i];
        FloatVector sb = FloatVector.broadcast(F, s);
        i = 0;
        for (; i < bound; i += F.length()) {
            FloatVector yv = FloatVector.fromArray(F, y, yo + i), gv = FloatVector.fromArray(F, g, go + i);
            FloatVector r = log ? gv.sub(Simd.exp(yv).mul(sb)) : yv.mul(gv.sub(sb));
            r.intoArray(dx, o + i);
        }
        for (; i < n; i++) dx[o + i] = log ? g[go + i] - Simd.expScalar(y[yo + i]) * s : y[yo + i] * (g[go + i] - s);
    }
}
