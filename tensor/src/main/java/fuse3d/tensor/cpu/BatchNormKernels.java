package fuse3d.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * BatchNorm's backward over a contiguous float [N, C, plane] layout in two passes per channel: the sums
 * sum(g) and sum(g (x - mean)) (in float lanes per plane, double across planes), then
 * dx = g scale + (x - mean) k + c0 with the per-channel constants those sums give. Channels run in parallel and
 * each channel's planes are summed in batch order, so the bits do not depend on the thread count.
 */
public final class BatchNormKernels {
    private static final VectorSpecies<Float> F = Simd.F;

    private BatchNormKernels() {}

    /**
     * @param scale    invStd * weight per channel (invStd without a weight)
     * @param invStd   1 / sqrt(var + eps) per channel
     * @param training batch statistics (dx has the mean and variance terms) or running statistics (dx = g scale)
     * @param dx       output [N, C, plane], or null when the input needs no gradient
     * @param sumG     output [C]: sum of g per channel (the bias gradient)
     * @param sumGXhat output [C]: sum of g (x - mean) invStd per channel (the weight gradient)
     */
    public static void backward(float[] g, int gOff, float[] x, int xOff, int n, int c, int plane, float[] mean, float[] invStd, float[] scale,
                                boolean training, float[] dx, float[] sumG, float[] sumGXhat) {
        backward(g, gOff, x, xOff, n, c, plane, mean, invStd, scale, training, dx, sumG, sumGXhat, plane == 1);
    }

    /** backward with the row walk for plane 1 on or off (the tests compare the two). */
    static void backward(float[] g, int gOff, float[] x, int xOff, int n, int c, int plane, float[] mean, float[] invStd, float[] scale,
                         boolean training, float[] dx, float[] sumG, float[] sumGXhat, boolean rowWalk) {
        long count = (long) n * plane;
        if (rowWalk && plane == 1) {
            backwardRows(g, gOff, x, xOff, n, c, mean, invStd, scale, training, dx, sumG, sumGXhat);
            return;
        }
        Parallel.forWork(c, count * c * 4, (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                double[] sums = new double[2]; // sum(g), sum(g (x - mean)), accumulated plane by plane in batch order
                float m = mean[ch];
                for (int b = 0; b < n; b++) {
                    int base = (b * c + ch) * plane;
                    addPlaneSums(g, gOff + base, x, xOff + base, plane, m, sums);
                }
                double sg = sums[0], sgx = sums[1];
                sumG[ch] = (float) sg;
                sumGXhat[ch] = (float) (sgx * invStd[ch]);
                if (dx == null) continue;
                float a = scale[ch];
                float k = training ? (float) (-(double) scale[ch] * invStd[ch] * (sgx * invStd[ch]) / count) : 0f;
                float off = training ? (float) (-(double) scale[ch] * sg / count) : 0f;
                for (int b = 0; b < n; b++) {
                    int base = (b * c + ch) * plane;
                    writeDx(g, gOff + base, x, xOff + base, plane, m, a, k, off, dx, base);
                }
            }
        });
    }

    /**
     * backward for [N, C] (sparse features, plane 1), walked row by row instead of one strided element per call:
     * every channel still sums its rows in batch order with the per-plane arithmetic of addPlaneSums and writeDx
     * at plane length 1 (no vector lanes), so the bits equal the general path's.
     */
    private static void backwardRows(float[] g, int gOff, float[] x, int xOff, int n, int c, float[] mean, float[] invStd, float[] scale,
                                     boolean training, float[] dx, float[] sumG, float[] sumGXhat) {
        Parallel.forWork(c, (long) n * c * 4, (c0, c1) -> {
            int w = c1 - c0;
            double[] s0 = new double[w], s1 = new double[w];
            for (int b = 0; b < n; b++) {
                int base = b * c;
                for (int ch = c0; ch < c1; ch++) {
                    float gv = g[gOff + base + ch];
                    s0[ch - c0] += 0.0 + gv;
                    s1[ch - c0] += 0.0 + (double) gv * (x[xOff + base + ch] - mean[ch]);
                }
            }
            float[] a = new float[w], k = new float[w], off = new float[w];
            for (int ch = c0; ch < c1; ch++) {
                double sg = s0[ch - c0], sgx = s1[ch - c0];
                sumG[ch] = (float) sg;
                sumGXhat[ch] = (float) (sgx * invStd[ch]);
                a[ch - c0] = scale[ch];
                k[ch - c0] = training ? (float) (-(double) scale[ch] * invStd[ch] * (sgx * invStd[ch]) / n) : 0f;
                off[ch - c0] = training ? (float) (-(double) scale[ch] * sg / n) : 0f;
            }
            if (dx == null) return;
            for (int b = 0; b < n; b++) {
                int base = b * c;
                for (int ch = c0; ch < c1; ch++) {
                    int q = ch - c0;
                    dx[base + ch] = (x[xOff + base + ch] - mean[ch]) * k[q] + (g[gOff + base + ch] * a[q] + off[q]);
                }
            }
        });
    }

    /**
     * y = x scale[c] + shift[c] over a contiguous float [N, C, plane]: the product rounded, then the sum (Java never
     * contracts to an fma), so the bits equal x.mul(scale).add(shift) in one pass and one allocation.
     */
    public static void affine(float[] x, int xOff, int n, int c, int plane, float[] scale, float[] shift, float[] y) {
        if (plane == 1) { // [N, C] (sparse features): the channel is the inner loop
            Parallel.forWork(n, (long) n * c * 2, (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    int base = r * c;
                    for (int ch = 0; ch < c; ch++) y[base + ch] = x[xOff + base + ch] * scale[ch] + shift[ch];
                }
            });
            return;
        }
        Parallel.forWork(n * c, (long) n * c * plane * 2, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int ch = p % c, base = p * plane;
                float s = scale[ch], b = shift[ch];
                for (int i = 0; i < plane; i++) y[base + i] = x[xOff + base + i] * s + b;
            }
        });
    }

    private static void addPlaneSums(float[] g, int go, float[] x, int xo, int n, float m, double[] sums) {
        int i = 0;
        float sg = 0, sgx = 0;
        if (Simd.ENABLED && n >= F.length()) {
            FloatVector vg = FloatVector.zero(F), vgx = FloatVector.zero(F), mv = FloatVector.broadcast(F, m);
            int bound = F.loopBound(n);
            for (; i < bound; i += F.length()) {
                FloatVector gv = FloatVector.fromArray(F, g, go + i);
                vg = vg.add(gv);
                vgx = gv.fma(FloatVector.fromArray(F, x, xo + i).sub(mv), vgx);
            }
            sg = Simd.sumLanes(vg);
            sgx = Simd.sumLanes(vgx);
        }
        double dg = sg, dgx = sgx;
        for (; i < n; i++) {
            dg += g[go + i];
            dgx += (double) g[go + i] * (x[xo + i] - m);
        }
        sums[0] += dg;
        sums[1] += dgx;
    }

    private static void writeDx(float[] g, int go, float[] x, int xo, int n, float m, float a, float k, float off, float[] dx, int o) {
        int i = 0;
        if (Simd.ENABLED && n >= F.length()) {
            FloatVector mv = FloatVector.broadcast(F, m), av = FloatVector.broadcast(F, a), kv = FloatVector.broadcast(F, k),
                    ov = FloatVector.broadcast(F, off);
            int bound = F.loopBound(n);
            for (; i < bound; i += F.length())
                FloatVector.fromArray(F, x, xo + i).sub(mv).fma(kv, FloatVector.fromArray(F, g, go + i).fma(av, ov)).intoArray(dx, o + i);
        }
        for (; i < n; i++) dx[o + i] = (x[xo + i] - m) * k + (g[go + i] * a + off);
    }
}
