package fuse3d.tensor.cpu;

import static fuse3d.tensor.cpu.ResampleSupport.rnd;

import java.util.Arrays;

/**
 * CPU kernels for PyTorch 1.13's {@code interpolate} (nearest, nearest-exact, linear, bilinear, trilinear)
 * and their backward passes, on contiguous {@code [n, c, spatial...]} float or double arrays.
 *
 * <p>Semantics follow PyTorch 1.13's CPU kernels:
 * <ul>
 *   <li>The scale of an axis is {@code 1 / scaleFactor} when a scale factor is given (as
 *       {@code scale_factor=} without {@code recompute_scale_factor} passes it), else {@code in / out};
 *       with {@code alignCorners} (linear only) it is {@code (in - 1) / (out - 1)}, or 0 when {@code out == 1}.
 *   <li>Linear: source {@code scale * (dst + 0.5) - 0.5} clamped below at 0 (or {@code scale * dst} when
 *       aligning corners), taps {@code floor} and {@code floor + 1} (the second clamped to the last pixel).
 *       An axis whose output size equals its input size is copied, even when a scale factor says otherwise.
 *   <li>Nearest: {@code min(floor(dst * scale), in - 1)}; nearest-exact: {@code min(floor((dst + 0.5) * scale),
 *       in - 1)}. {@code alignCorners} is ignored by both.
 *   <li>The float overloads reproduce float32 index arithmetic (so nearest picks the same pixels as
 *       PyTorch on float32 tensors); the double overloads reproduce PyTorch on float64 tensors, including its
 *       rounding of the nearest source coordinate to float before {@code floor}.
 * </ul>
 *
 * <p>The backward kernels are the exact adjoints of the forward kernels. PyTorch 1.13's nearest backward
 * instead recomputes indices with shortcuts ({@code out == 2 * in} shifts by one bit, float64 uses a float
 * scale) that disagree with its own forward when a scale factor is given; this class keeps forward and
 * backward consistent, so its gradients match PyTorch everywhere except those inconsistent cases.
 */
public final class Interpolate {
    private static final String OP = "interpolate";
    private static final String OP_BACKWARD = "interpolate_backward";

    private Interpolate() {}

    /**
     * The output spatial size PyTorch derives from scale factors: {@code floor(in * scale)} per axis.
     *
     * @throws IllegalArgumentException if the lengths differ, a scale is not positive and finite, or a size
     *     would be below 1 or overflow an int
     */
    public static int[] outputSize(int[] inSpatial, double[] scaleFactors) {
        ResampleSupport.spatialCount(OP, "inSpatial", inSpatial, 1, 3);
        checkScales(OP, inSpatial, scaleFactors);
        if (scaleFactors == null) {
            throw new IllegalArgumentException(OP + ": scaleFactors is null");
        }
        int[] out = new int[inSpatial.length];
        for (int i = 0; i < out.length; i++) {
            double size = Math.floor(inSpatial[i] * scaleFactors[i]);
            if (size < 1 || size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(OP + ": input size " + Arrays.toString(inSpatial)
                        + " with scale factors " + Arrays.toString(scaleFactors) + " gives output size "
                        + size + " on axis " + i);
            }
            out[i] = (int) size;
        }
        return out;
    }

    /**
     * Resamples {@code x} of shape {@code [n, c, inSpatial...]} to {@code [n, c, outSpatial...]}.
     *
     * @param scaleFactors null, or one positive factor per spatial axis; when given, {@code outSpatial} must be
     *     {@link #outputSize(int[], double[])} of it and the coordinate mapping uses {@code 1 / factor}
     */
    public static float[] interpolate(float[] x, int n, int c, int[] inSpatial, int[] outSpatial,
                                      InterpMode mode, boolean alignCorners, double[] scaleFactors) {
        Plan p = plan(OP, n, c, inSpatial, outSpatial, mode, alignCorners, scaleFactors, true);
        checkArray(OP, "x", x == null ? -1 : x.length, p.inTotal, n, c, inSpatial);
        float[] y = new float[p.outTotal];
        if (mode == InterpMode.LINEAR) {
            linearForward(x, y, p);
        } else {
            nearestForward(x, y, p);
        }
        return y;
    }

    /** Double-precision twin of {@link #interpolate(float[], int, int, int[], int[], InterpMode, boolean, double[])}. */
    public static double[] interpolate(double[] x, int n, int c, int[] inSpatial, int[] outSpatial,
                                       InterpMode mode, boolean alignCorners, double[] scaleFactors) {
        Plan p = plan(OP, n, c, inSpatial, outSpatial, mode, alignCorners, scaleFactors, false);
        checkArray(OP, "x", x == null ? -1 : x.length, p.inTotal, n, c, inSpatial);
        double[] y = new double[p.outTotal];
        if (mode == InterpMode.LINEAR) {
            linearForward(x, y, p);
        } else {
            nearestForward(x, y, p);
        }
        return y;
    }

    /**
     * The gradient with respect to the input of
     * {@link #interpolate(float[], int, int, int[], int[], InterpMode, boolean, double[])}, given the gradient
     * {@code gradOut} of shape {@code [n, c, outSpatial...]}; returns shape {@code [n, c, inSpatial...]}.
     */
    public static float[] interpolateBackward(float[] gradOut, int n, int c, int[] inSpatial, int[] outSpatial,
                                              InterpMode mode, boolean alignCorners, double[] scaleFactors) {
        Plan p = plan(OP_BACKWARD, n, c, inSpatial, outSpatial, mode, alignCorners, scaleFactors, true);
        checkArray(OP_BACKWARD, "gradOut", gradOut == null ? -1 : gradOut.length, p.outTotal, n, c, outSpatial);
        float[] gx = new float[p.inTotal];
        if (mode == InterpMode.LINEAR) {
            linearBackward(gradOut, gx, p);
        } else {
            nearestBackward(gradOut, gx, p);
        }
        return gx;
    }

    /** Double-precision twin of {@link #interpolateBackward(float[], int, int, int[], int[], InterpMode, boolean, double[])}. */
    public static double[] interpolateBackward(double[] gradOut, int n, int c, int[] inSpatial, int[] outSpatial,
                                               InterpMode mode, boolean alignCorners, double[] scaleFactors) {
        Plan p = plan(OP_BACKWARD, n, c, inSpatial, outSpatial, mode, alignCorners, scaleFactors, false);
        checkArray(OP_BACKWARD, "gradOut", gradOut == null ? -1 : gradOut.length, p.outTotal, n, c, outSpatial);
        double[] gx = new double[p.inTotal];
        if (mode == InterpMode.LINEAR) {
            linearBackward(gradOut, gx, p);
        } else {
            nearestBackward(gradOut, gx, p);
        }
        return gx;
    }

    // ---------------------------------------------------------------- plan: shapes and per-axis tap tables

    /**
     * Source taps of one axis. Lower ranks are padded to three axes with a single-tap axis (index 0, weight 1),
     * which the loops never multiply by, so a 1-D or 2-D resize does exactly PyTorch's 1-D or 2-D arithmetic.
     */
    private static final class Axis {
        final int[] i0;
        final int[] i1;
        final double[] w0;
        final double[] w1;
        final float[] f0;
        final float[] f1;

        Axis(int out) {
            i0 = new int[out];
            i1 = new int[out];
            w0 = new double[out];
            w1 = new double[out];
            f0 = new float[out];
            f1 = new float[out];
        }

        static Axis single() {
            Axis a = new Axis(1);
            a.w0[0] = 1;
            a.f0[0] = 1;
            return a;
        }
    }

    private record Plan(int rank, int planes, int iD, int iH, int iW, int oD, int oH, int oW,
                        int inTotal, int outTotal, Axis d, Axis h, Axis w) {
        int inPlane() {
            return iD * iH * iW;
        }

        int outPlane() {
            return oD * oH * oW;
        }
    }

    private static Plan plan(String op, int n, int c, int[] inSpatial, int[] outSpatial, InterpMode mode,
                             boolean alignCorners, double[] scaleFactors, boolean f32) {
        if (mode == null) {
            throw new IllegalArgumentException(op + ": mode is null");
        }
        long inCount = ResampleSupport.spatialCount(op, "inSpatial", inSpatial, 1, 3);
        long outCount = ResampleSupport.spatialCount(op, "outSpatial", outSpatial, 1, 3);
        if (inSpatial.length != outSpatial.length) {
            throw new IllegalArgumentException(op + ": inSpatial " + Arrays.toString(inSpatial)
                    + " and outSpatial " + Arrays.toString(outSpatial) + " have different ranks");
        }
        int inTotal = ResampleSupport.total(op, "input", n, c, inCount, inSpatial);
        int outTotal = ResampleSupport.total(op, "output", n, c, outCount, outSpatial);
        checkScales(op, inSpatial, scaleFactors);
        if (scaleFactors != null) {
            int[] expected = outputSize(inSpatial, scaleFactors);
            if (!Arrays.equals(expected, outSpatial)) {
                throw new IllegalArgumentException(op + ": outSpatial " + Arrays.toString(outSpatial)
                        + " does not match floor(inSpatial " + Arrays.toString(inSpatial) + " * scaleFactors "
                        + Arrays.toString(scaleFactors) + ") = " + Arrays.toString(expected));
            }
        }
        int rank = inSpatial.length;
        Axis[] axes = new Axis[3];
        int[] in3 = {1, 1, 1};
        int[] out3 = {1, 1, 1};
        for (int k = 0; k < 3; k++) {
            int a = k - (3 - rank);
            if (a < 0) {
                axes[k] = Axis.single();
                continue;
            }
            in3[k] = inSpatial[a];
            out3[k] = outSpatial[a];
            double scale = scaleFactors == null ? Double.NaN : scaleFactors[a];
            axes[k] = switch (mode) {
                case LINEAR -> linearAxis(in3[k], out3[k], alignCorners, scale, f32);
                case NEAREST -> nearestAxis(in3[k], out3[k], scale, f32, false);
                case NEAREST_EXACT -> nearestAxis(in3[k], out3[k], scale, f32, true);
            };
        }
        return new Plan(rank, n * c, in3[0], in3[1], in3[2], out3[0], out3[1], out3[2], inTotal, outTotal,
                axes[0], axes[1], axes[2]);
    }

    private static void checkScales(String op, int[] inSpatial, double[] scaleFactors) {
        if (scaleFactors == null) {
            return;
        }
        if (scaleFactors.length != inSpatial.length) {
            throw new IllegalArgumentException(op + ": " + scaleFactors.length + " scale factors "
                    + Arrays.toString(scaleFactors) + " for spatial shape " + Arrays.toString(inSpatial));
        }
        for (double s : scaleFactors) {
            if (!(s > 0) || Double.isInfinite(s)) {
                throw new IllegalArgumentException(op + ": scale factors " + Arrays.toString(scaleFactors)
                        + " must be positive and finite");
            }
        }
    }

    private static void checkArray(String op, String what, int length, int expected, int n, int c, int[] spatial) {
        if (length < 0) {
            throw new IllegalArgumentException(op + ": " + what + " is null");
        }
        ResampleSupport.checkLength(op, what, length, expected, ResampleSupport.shape(n, c, spatial));
    }

    /** PyTorch's compute_scales_value: 1/scale when a scale factor was given, else in/out. */
    private static double scalesValue(int in, int out, double scale, boolean f32) {
        return scale > 0 ? rnd(f32, 1.0 / scale) : rnd(f32, rnd(f32, in) / rnd(f32, out));
    }

    private static Axis linearAxis(int in, int out, boolean alignCorners, double scale, boolean f32) {
        // area_pixel_compute_scale in the tensor's precision.
        double ratio;
        if (alignCorners) {
            ratio = out > 1 ? rnd(f32, rnd(f32, in - 1) / rnd(f32, out - 1)) : 0;
        } else {
            ratio = scalesValue(in, out, scale, f32);
        }
        Axis a = new Axis(out);
        for (int o = 0; o < out; o++) {
            int i0;
            int i1;
            double l0;
            double l1;
            if (out == in) {
                // PyTorch copies an axis whose size does not change, whatever the scale factor says.
                i0 = o;
                i1 = o;
                l0 = 1;
                l1 = 0;
            } else {
                // The source coordinate is computed in the accumulation type (double on CPU), from the
                // ratio rounded to the tensor's precision; only the lambdas are rounded back.
                double real;
                if (alignCorners) {
                    real = ratio * o;
                } else {
                    real = ratio * (o + 0.5) - 0.5;
                    if (real < 0) {
                        real = 0;
                    }
                }
                i0 = Math.min((int) real, in - 1);
                i1 = i0 + (i0 < in - 1 ? 1 : 0);
                l1 = rnd(f32, real - i0);
                l0 = rnd(f32, 1.0 - l1);
            }
            a.i0[o] = i0;
            a.i1[o] = i1;
            a.w0[o] = l0;
            a.w1[o] = l1;
            a.f0[o] = (float) l0;
            a.f1[o] = (float) l1;
        }
        return a;
    }

    private static Axis nearestAxis(int in, int out, double scale, boolean f32, boolean exact) {
        // PyTorch computes nearest indices with the scale in the tensor's precision, then calls floorf, which
        // rounds a float64 source coordinate to float first; both roundings matter at exact boundaries.
        double s = scalesValue(in, out, scale, f32);
        Axis a = new Axis(out);
        for (int o = 0; o < out; o++) {
            double src;
            if (exact) {
                src = rnd(f32, rnd(f32, s * rnd(f32, o + 0.5)) - 0.5);
                if (src < 0) {
                    src = 0;
                }
                src = src + 0.5;
            } else {
                src = rnd(f32, s * o);
            }
            int idx = (int) Math.min(Math.floor((float) src), in - 1);
            a.i0[o] = idx;
            a.i1[o] = idx;
            a.w0[o] = 1;
            a.f0[o] = 1;
        }
        return a;
    }

    // ---------------------------------------------------------------- nearest

    private static void nearestForward(float[] x, float[] y, Plan p) {
        int rows = p.planes * p.oD * p.oH;
        ResampleSupport.parallelFor(rows, p.oW, (from, to) -> {
            int[] wi = p.w.i0;
            for (int r = from; r < to; r++) {
                int src = nearestRowBase(p, r);
                int dst = r * p.oW;
                for (int ow = 0; ow < p.oW; ow++) {
                    y[dst + ow] = x[src + wi[ow]];
                }
            }
        });
    }

    private static void nearestForward(double[] x, double[] y, Plan p) {
        int rows = p.planes * p.oD * p.oH;
        ResampleSupport.parallelFor(rows, p.oW, (from, to) -> {
            int[] wi = p.w.i0;
            for (int r = from; r < to; r++) {
                int src = nearestRowBase(p, r);
                int dst = r * p.oW;
                for (int ow = 0; ow < p.oW; ow++) {
                    y[dst + ow] = x[src + wi[ow]];
                }
            }
        });
    }

    // Output rows of one plane scatter into overlapping input rows, so the backward loops own whole planes:
    // each gradient element is then summed by one thread in a fixed order.
    private static void nearestBackward(float[] g, float[] gx, Plan p) {
        int rowsPerPlane = p.oD * p.oH;
        ResampleSupport.parallelFor(p.planes, p.outPlane(), (from, to) -> {
            int[] wi = p.w.i0;
            for (int r = from * rowsPerPlane; r < to * rowsPerPlane; r++) {
                int dst = nearestRowBase(p, r);
                int src = r * p.oW;
                for (int ow = 0; ow < p.oW; ow++) {
                    gx[dst + wi[ow]] += g[src + ow];
                }
            }
        });
    }

    private static void nearestBackward(double[] g, double[] gx, Plan p) {
        int rowsPerPlane = p.oD * p.oH;
        ResampleSupport.parallelFor(p.planes, p.outPlane(), (from, to) -> {
            int[] wi = p.w.i0;
            for (int r = from * rowsPerPlane; r < to * rowsPerPlane; r++) {
                int dst = nearestRowBase(p, r);
                int src = r * p.oW;
                for (int ow = 0; ow < p.oW; ow++) {
                    gx[dst + wi[ow]] += g[src + ow];
                }
            }
        });
    }

    /** Input offset of the source row feeding output row r = (plane * oD + od) * oH + oh. */
    private static int nearestRowBase(Plan p, int r) {
        int oh = r % p.oH;
        int t = r / p.oH;
        int od = t % p.oD;
        int plane = t / p.oD;
        return plane * p.inPlane() + (p.d.i0[od] * p.iH + p.h.i0[oh]) * p.iW;
    }

    // ---------------------------------------------------------------- linear

    private static void linearForward(float[] x, float[] y, Plan p) {
        int rows = p.planes * p.oD * p.oH;
        int taps = 1 << p.rank;
        ResampleSupport.parallelFor(rows, (long) p.oW * taps, (from, to) -> {
            int[] wi0 = p.w.i0;
            int[] wi1 = p.w.i1;
            float[] ww0 = p.w.f0;
            float[] ww1 = p.w.f1;
            int hw = p.iH * p.iW;
            for (int r = from; r < to; r++) {
                int oh = r % p.oH;
                int t = r / p.oH;
                int od = t % p.oD;
                int base = (t / p.oD) * p.inPlane();
                int dst = r * p.oW;
                if (p.rank == 1) {
                    for (int ow = 0; ow < p.oW; ow++) {
                        y[dst + ow] = ww0[ow] * x[base + wi0[ow]] + ww1[ow] * x[base + wi1[ow]];
                    }
                } else if (p.rank == 2) {
                    int r0 = base + p.h.i0[oh] * p.iW;
                    int r1 = base + p.h.i1[oh] * p.iW;
                    float h0 = p.h.f0[oh];
                    float h1 = p.h.f1[oh];
                    for (int ow = 0; ow < p.oW; ow++) {
                        int a = wi0[ow];
                        int b = wi1[ow];
                        float w0 = ww0[ow];
                        float w1 = ww1[ow];
                        y[dst + ow] = h0 * (w0 * x[r0 + a] + w1 * x[r0 + b])
                                + h1 * (w0 * x[r1 + a] + w1 * x[r1 + b]);
                    }
                } else {
                    int d0 = base + p.d.i0[od] * hw;
                    int d1 = base + p.d.i1[od] * hw;
                    int h0i = p.h.i0[oh] * p.iW;
                    int h1i = p.h.i1[oh] * p.iW;
                    int r00 = d0 + h0i;
                    int r01 = d0 + h1i;
                    int r10 = d1 + h0i;
                    int r11 = d1 + h1i;
                    float dw0 = p.d.f0[od];
                    float dw1 = p.d.f1[od];
                    float h0 = p.h.f0[oh];
                    float h1 = p.h.f1[oh];
                    for (int ow = 0; ow < p.oW; ow++) {
                        int a = wi0[ow];
                        int b = wi1[ow];
                        float w0 = ww0[ow];
                        float w1 = ww1[ow];
                        y[dst + ow] = dw0 * (h0 * (w0 * x[r00 + a] + w1 * x[r00 + b])
                                        + h1 * (w0 * x[r01 + a] + w1 * x[r01 + b]))
                                + dw1 * (h0 * (w0 * x[r10 + a] + w1 * x[r10 + b])
                                        + h1 * (w0 * x[r11 + a] + w1 * x[r11 + b]));
                    }
                }
            }
        });
    }

    private static void linearForward(double[] x, double[] y, Plan p) {
        int rows = p.planes * p.oD * p.oH;
        int taps = 1 << p.rank;
        ResampleSupport.parallelFor(rows, (long) p.oW * taps, (from, to) -> {
            int[] wi0 = p.w.i0;
            int[] wi1 = p.w.i1;
            double[] ww0 = p.w.w0;
            double[] ww1 = p.w.w1;
            int hw = p.iH * p.iW;
            for (int r = from; r < to; r++) {
                int oh = r % p.oH;
                int t = r / p.oH;
                int od = t % p.oD;
                int base = (t / p.oD) * p.inPlane();
                int dst = r * p.oW;
                if (p.rank == 1) {
                    for (int ow = 0; ow < p.oW; ow++) {
                        y[dst + ow] = ww0[ow] * x[base + wi0[ow]] + ww1[ow] * x[base + wi1[ow]];
                    }
                } else if (p.rank == 2) {
                    int r0 = base + p.h.i0[oh] * p.iW;
                    int r1 = base + p.h.i1[oh] * p.iW;
                    double h0 = p.h.w0[oh];
                    double h1 = p.h.w1[oh];
                    for (int ow = 0; ow < p.oW; ow++) {
                        int a = wi0[ow];
                        int b = wi1[ow];
                        double w0 = ww0[ow];
                        double w1 = ww1[ow];
                        y[dst + ow] = h0 * (w0 * x[r0 + a] + w1 * x[r0 + b])
                                + h1 * (w0 * x[r1 + a] + w1 * x[r1 + b]);
                    }
                } else {
                    int d0 = base + p.d.i0[od] * hw;
                    int d1 = base + p.d.i1[od] * hw;
                    int h0i = p.h.i0[oh] * p.iW;
                    int h1i = p.h.i1[oh] * p.iW;
                    int r00 = d0 + h0i;
                    int r01 = d0 + h1i;
                    int r10 = d1 + h0i;
                    int r11 = d1 + h1i;
                    double dw0 = p.d.w0[od];
                    double dw1 = p.d.w1[od];
                    double h0 = p.h.w0[oh];
                    double h1 = p.h.w1[oh];
                    for (int ow = 0; ow < p.oW; ow++) {
                        int a = wi0[ow];
                        int b = wi1[ow];
                        double w0 = ww0[ow];
                        double w1 = ww1[ow];
                        y[dst + ow] = dw0 * (h0 * (w0 * x[r00 + a] + w1 * x[r00 + b])
                                        + h1 * (w0 * x[r01 + a] + w1 * x[r01 + b]))
                                + dw1 * (h0 * (w0 * x[r10 + a] + w1 * x[r10 + b])
                                        + h1 * (w0 * x[r11 + a] + w1 * x[r11 + b]));
                    }
                }
            }
        });
    }

    private static void linearBackward(float[] g, float[] gx, Plan p) {
        int rowsPerPlane = p.oD * p.oH;
        ResampleSupport.parallelFor(p.planes, (long) p.outPlane() << p.rank, (from, to) -> {
            int[] wi0 = p.w.i0;
            int[] wi1 = p.w.i1;
            float[] ww0 = p.w.f0;
            float[] ww1 = p.w.f1;
            int hw = p.iH * p.iW;
            int[] rowBase = new int[4];
            float[] rowWeight = new float[4];
            for (int r = from * rowsPerPlane; r < to * rowsPerPlane; r++) {
                int oh = r % p.oH;
                int t = r / p.oH;
                int od = t % p.oD;
                int base = (t / p.oD) * p.inPlane();
                int src = r * p.oW;
                // Row taps of the (d, h) axes; padded axes contribute one tap of weight 1.
                int rowsUsed = 0;
                int dTaps = p.rank == 3 ? 2 : 1;
                int hTaps = p.rank >= 2 ? 2 : 1;
                for (int dk = 0; dk < dTaps; dk++) {
                    int di = dk == 0 ? p.d.i0[od] : p.d.i1[od];
                    float dwt = dk == 0 ? p.d.f0[od] : p.d.f1[od];
                    for (int hk = 0; hk < hTaps; hk++) {
                        int hi = hk == 0 ? p.h.i0[oh] : p.h.i1[oh];
                        float hwt = hk == 0 ? p.h.f0[oh] : p.h.f1[oh];
                        rowBase[rowsUsed] = base + di * hw + hi * p.iW;
                        rowWeight[rowsUsed] = p.rank == 3 ? dwt * hwt : p.rank == 2 ? hwt : 1f;
                        rowsUsed++;
                    }
                }
                for (int k = 0; k < rowsUsed; k++) {
                    int rb = rowBase[k];
                    float rw = rowWeight[k];
                    for (int ow = 0; ow < p.oW; ow++) {
                        float v = rw * g[src + ow];
                        gx[rb + wi0[ow]] += ww0[ow] * v;
                        gx[rb + wi1[ow]] += ww1[ow] * v;
                    }
                }
            }
        });
    }

    private static void linearBackward(double[] g, double[] gx, Plan p) {
        int rowsPerPlane = p.oD * p.oH;
        ResampleSupport.parallelFor(p.planes, (long) p.outPlane() << p.rank, (from, to) -> {
            int[] wi0 = p.w.i0;
            int[] wi1 = p.w.i1;
            double[] ww0 = p.w.w0;
            double[] ww1 = p.w.w1;
            int hw = p.iH * p.iW;
            int[] rowBase = new int[4];
            double[] rowWeight = new double[4];
            for (int r = from * rowsPerPlane; r < to * rowsPerPlane; r++) {
                int oh = r % p.oH;
                int t = r / p.oH;
                int od = t % p.oD;
                int base = (t / p.oD) * p.inPlane();
                int src = r * p.oW;
                int rowsUsed = 0;
                int dTaps = p.rank == 3 ? 2 : 1;
                int hTaps = p.rank >= 2 ? 2 : 1;
                for (int dk = 0; dk < dTaps; dk++) {
                    int di = dk == 0 ? p.d.i0[od] : p.d.i1[od];
                    double dwt = dk == 0 ? p.d.w0[od] : p.d.w1[od];
                    for (int hk = 0; hk < hTaps; hk++) {
                        int hi = hk == 0 ? p.h.i0[oh] : p.h.i1[oh];
                        double hwt = hk == 0 ? p.h.w0[oh] : p.h.w1[oh];
                        rowBase[rowsUsed] = base + di * hw + hi * p.iW;
                        rowWeight[rowsUsed] = p.rank == 3 ? dwt * hwt : p.rank == 2 ? hwt : 1.0;
                        rowsUsed++;
                    }
                }
                for (int k = 0; k < rowsUsed; k++) {
                    int rb = rowBase[k];
                    double rw = rowWeight[k];
                    for (int ow = 0; ow < p.oW; ow++) {
                        double v = rw * g[src + ow];
                        gx[rb + wi0[ow]] += ww0[ow] * v;
                        gx[rb + wi1[ow]] += ww1[ow] * v;
                    }
                }
            }
        });
    }
}
