package fuse3d.tensor.cpu;

/**
 * Max, average and adaptive pooling on contiguous [n, c, d, h, w] arrays (2-D pooling is the d = 1 case
 * with kernel 1, stride 1, padding 0 there), with PyTorch's output sizes, window rules and index output.
 *
 * <p>Max pooling returns PyTorch's {@code return_indices}: the flat index into the input plane
 * {@code d*h*w} of each chosen element. As in PyTorch, a NaN in a window wins (the last NaN when there are
 * several), ties keep the first maximum, padding never wins, and a window whose taps all fall in the
 * padding yields -inf with the index of its first in-range start. Planes are independent and split over
 * threads, so results do not depend on the thread count.
 */
public final class PoolKernels {

    /** Pooled float values, the argmax indices (null for average pooling) and the output d, h, w. */
    public record PoolResult(float[] values, long[] indices, int[] outSpatial) {}

    /** Pooled double values, the argmax indices (null for average pooling) and the output d, h, w. */
    public record PoolResultD(double[] values, long[] indices, int[] outSpatial) {}

    private PoolKernels() {}

    /**
     * PyTorch's pooling output length: floor((in + 2p - dil*(k-1) - 1 + (ceil ? s-1 : 0)) / s) + 1, minus
     * one in ceil mode when the last window would start past the input and its left padding.
     */
    public static int poolOutSize(int in, int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        int out = Math.floorDiv(in + 2 * padding - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0),
                stride) + 1;
        if (ceilMode && (long) (out - 1) * stride >= in + padding) {
            out--;
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------
    // Max pooling

    /** Max pooling with indices; {@code stride} null means stride = kernel (PyTorch's default). */
    public static PoolResult maxPool3d(float[] x, int n, int c, int d, int h, int w, int[] kernel, int[] stride,
                                       int[] padding, int[] dilation, boolean ceilMode) {
        Win g = Win.of(x.length, n, c, d, h, w, kernel, stride, padding, dilation, ceilMode, true);
        float[] out = new float[n * c * g.outVol];
        long[] idx = new long[out.length];
        Parallel.forWork(n * c, (long) out.length * g.kvol, (lo, hi) -> {
            for (int pl = lo; pl < hi; pl++) {
                int xb = pl * g.inVol;
                int ob = pl * g.outVol;
                int o = 0;
                for (int od = 0; od < g.od; od++) {
                    for (int oh = 0; oh < g.oh; oh++) {
                        for (int ow = 0; ow < g.ow; ow++, o++) {
                            int z0 = g.first(0, od);
                            int y0 = g.first(1, oh);
                            int x0 = g.first(2, ow);
                            int z1 = g.end(0, od);
                            int y1 = g.end(1, oh);
                            int x1 = g.end(2, ow);
                            float best = Float.NEGATIVE_INFINITY;
                            int bestAt = (z0 * h + y0) * w + x0;
                            for (int z = z0; z < z1; z += g.dil[0]) {
                                for (int y = y0; y < y1; y += g.dil[1]) {
                                    int row = (z * h + y) * w;
                                    for (int xx = x0; xx < x1; xx += g.dil[2]) {
                                        float v = x[xb + row + xx];
                                        if (v > best || Float.isNaN(v)) {
                                            best = v;
                                            bestAt = row + xx;
                                        }
                                    }
                                }
                            }
                            out[ob + o] = best;
                            idx[ob + o] = bestAt;
                        }
                    }
                }
            }
        });
        return new PoolResult(out, idx, g.outSpatial());
    }

    /** Float64 max pooling with indices (same rules as the float version). */
    public static PoolResultD maxPool3d(double[] x, int n, int c, int d, int h, int w, int[] kernel,
                                        int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        Win g = Win.of(x.length, n, c, d, h, w, kernel, stride, padding, dilation, ceilMode, true);
        double[] out = new double[n * c * g.outVol];
        long[] idx = new long[out.length];
        Parallel.forWork(n * c, (long) out.length * g.kvol, (lo, hi) -> {
            for (int pl = lo; pl < hi; pl++) {
                int xb = pl * g.inVol;
                int ob = pl * g.outVol;
                int o = 0;
                for (int od = 0; od < g.od; od++) {
                    for (int oh = 0; oh < g.oh; oh++) {
                        for (int ow = 0; ow < g.ow; ow++, o++) {
                            int z0 = g.first(0, od);
                            int y0 = g.first(1, oh);
                            int x0 = g.first(2, ow);
                            double best = Double.NEGATIVE_INFINITY;
                            int bestAt = (z0 * h + y0) * w + x0;
                            for (int z = z0; z < g.end(0, od); z += g.dil[0]) {
                                for (int y = y0; y < g.end(1, oh); y += g.dil[1]) {
                                    int row = (z * h + y) * w;
                                    for (int xx = x0; xx < g.end(2, ow); xx += g.dil[2]) {
                                        double v = x[xb + row + xx];
                                        if (v > best || Double.isNaN(v)) {
                                            best = v;
                                            bestAt = row + xx;
                                        }
                                    }
                                }
                            }
                            out[ob + o] = best;
                            idx[ob + o] = bestAt;
                        }
                    }
                }
            }
        });
        return new PoolResultD(out, idx, g.outSpatial());
    }

    // ------------------------------------------------------------------------------------------------
    // Average pooling

    /**
     * Average pooling. The divisor is {@code divisorOverride} when non-zero, else the window size clipped
     * to the padded input ({@code countIncludePad}) or to the input itself; {@code stride} null means
     * stride = kernel. {@code indices} of the result is null.
     */
    public static PoolResult avgPool3d(float[] x, int n, int c, int d, int h, int w, int[] kernel, int[] stride,
                                       int[] padding, boolean ceilMode, boolean countIncludePad,
                                       int divisorOverride) {
        Win g = Win.of(x.length, n, c, d, h, w, kernel, stride, padding, null, ceilMode, false);
        checkDivisor(divisorOverride);
        float[] out = new float[n * c * g.outVol];
        Parallel.forWork(n * c, (long) out.length * g.kvol, (lo, hi) -> {
            int[] win = new int[7];
            for (int pl = lo; pl < hi; pl++) {
                int xb = pl * g.inVol;
                int o = pl * g.outVol;
                for (int od = 0; od < g.od; od++) {
                    for (int oh = 0; oh < g.oh; oh++) {
                        for (int ow = 0; ow < g.ow; ow++, o++) {
                            if (!g.avgWindow(od, oh, ow, win)) {
                                out[o] = 0f;
                                continue;
                            }
                            float s = 0f;
                            for (int z = win[0]; z < win[1]; z++) {
                                for (int y = win[2]; y < win[3]; y++) {
                                    int row = xb + (z * h + y) * w;
                                    for (int xx = win[4]; xx < win[5]; xx++) {
                                        s += x[row + xx];
                                    }
                                }
                            }
                            out[o] = s / divisor(win, countIncludePad, divisorOverride);
                        }
                    }
                }
            }
        });
        return new PoolResult(out, null, g.outSpatial());
    }

    /** Float64 average pooling (same rules as the float version). */
    public static PoolResultD avgPool3d(double[] x, int n, int c, int d, int h, int w, int[] kernel,
                                        int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad,
                                        int divisorOverride) {
        Win g = Win.of(x.length, n, c, d, h, w, kernel, stride, padding, null, ceilMode, false);
        checkDivisor(divisorOverride);
        double[] out = new double[n * c * g.outVol];
        Parallel.forWork(n * c, (long) out.length * g.kvol, (lo, hi) -> {
            int[] win = new int[7];
            for (int pl = lo; pl < hi; pl++) {
                int xb = pl * g.inVol;
                int o = pl * g.outVol;
                for (int od = 0; od < g.od; od++) {
                    for (int oh = 0; oh < g.oh; oh++) {
                        for (int ow = 0; ow < g.ow; ow++, o++) {
                            if (!g.avgWindow(od, oh, ow, win)) {
                                out[o] = 0;
                                continue;
                            }
                            double s = 0;
                            for (int z = win[0]; z < win[1]; z++) {
                                for (int y = win[2]; y < win[3]; y++) {
                                    int row = xb + (z * h + y) * w;
                                    for (int xx = win[4]; xx < win[5]; xx++) {
                                        s += x[row + xx];
                                    }
                                }
                            }
                            out[o] = s / divisor(win, countIncludePad, divisorOverride);
                        }
                    }
                }
            }
        });
        return new PoolResultD(out, null, g.outSpatial());
    }

    private static void checkDivisor(int divisorOverride) {
        if (divisorOverride < 0) {
            throw new IllegalArgumentException("divisor_override must be positive (0 = none), got "
                    + divisorOverride);
        }
    }

    private static int divisor(int[] win, boolean countIncludePad, int divisorOverride) {
        if (divisorOverride != 0) {
            return divisorOverride;
        }
        return countIncludePad ? win[6]
                : (win[1] - win[0]) * (win[3] - win[2]) * (win[5] - win[4]);
    }

    // ------------------------------------------------------------------------------------------------
    // Adaptive pooling

    /** Adaptive average pooling to {@code outSpatial} = {Do, Ho, Wo}; window i spans
     *  [floor(i*in/out), ceil((i+1)*in/out)). {@code indices} of the result is null. */
    public static PoolResult adaptiveAvgPool3d(float[] x, int n, int c, int d, int h, int w, int[] outSpatial) {
        Adaptive a = Adaptive.of(x.length, n, c, d, h, w, outSpatial);
        float[] out = new float[n * c * a.outVol];
        Parallel.forWork(n * c, (long) n * c * d * h * w, (lo, hi) -> {
            for (int pl = lo; pl < hi; pl++) {
                int xb = pl * d * h * w;
                int o = pl * a.outVol;
                for (int od = 0; od < a.out[0]; od++) {
                    int z0 = a.start(0, od);
                    int z1 = a.end(0, od);
                    for (int oh = 0; oh < a.out[1]; oh++) {
                        int y0 = a.start(1, oh);
                        int y1 = a.end(1, oh);
                        for (int ow = 0; ow < a.out[2]; ow++, o++) {
                            int x0 = a.start(2, ow);
                            int x1 = a.end(2, ow);
                            float s = 0f;
                            for (int z = z0; z < z1; z++) {
                                for (int y = y0; y < y1; y++) {
                                    int row = xb + (z * h + y) * w;
                                    for (int xx = x0; xx < x1; xx++) {
                                        s += x[row + xx];
                                    }
                                }
                            }
                            out[o] = s / ((z1 - z0) * (y1 - y0) * (x1 - x0));
                        }
                    }
                }
            }
        });
        return new PoolResult(out, null, a.out.clone());
    }

    /** Float64 adaptive average pooling. */
    public static PoolResultD adaptiveAvgPool3d(double[] x, int n, int c, int d, int h, int w, int[] outSpatial) {
        Adaptive a = Adaptive.of(x.length, n, c, d, h, w, outSpatial);
        double[] out = new double[n * c * a.outVol];
        Parallel.forWork(n * c, (long) n * c * d * h * w, (lo, hi) -> {
            for (int pl = lo; pl < hi; pl++) {
                int xb = pl * d * h * w;
                int o = pl * a.outVol;
                for (int od = 0; od < a.out[0]; od++) {
                    int z0 = a.start(0, od);
                    int z1 = a.end(0, od);
                    for (int oh = 0; oh < a.out[1]; oh++) {
                        int y0 = a.start(1, oh);
                        int y1 = a.end(1, oh);
                        for (int ow = 0; ow < a.out[2]; ow++, o++) {
                            int x0 = a.start(2, ow);
                            int x1 = a.end(2, ow);
                            double s = 0;
                            for (int z = z0; z < z1; z++) {
                                for (int y = y0; y < y1; y++) {
                                    int row = xb + (z * h + y) * w;
                                    for (int xx = x0; xx < x1; xx++) {
                                        s += x[row + xx];
                                    }
                                }
                            }
                            out[o] = s / ((z1 - z0) * (y1 - y0) * (x1 - x0));
                        }
                    }
                }
            }
        });
        return new PoolResultD(out, null, a.out.clone());
    }

    /** Adaptive max pooling with indices (flat into d*h*w), NaN and tie rules as {@link #maxPool3d}. */
    public static PoolResult adaptiveMaxPool3d(float[] x, int n, int c, int d, int h, int w, int[] outSpatial) {
        Adaptive a = Adaptive.of(x.length, n, c, d, h, w, outSpatial);
        float[] out = new float[n * c * a.outVol];
        long[] idx = new long[out.length];
        Parallel.forWork(n * c, (long) n * c * d * h * w, (lo, hi) -> {
            for (int pl = lo; pl < hi; pl++) {
                int xb = pl * d * h * w;
                int o = pl * a.outVol;
                for (int od = 0; od < a.out[0]; od++) {
                    int z0 = a.start(0, od);
                    int z1 = a.end(0, od);
                    for (int oh = 0; oh < a.out[1]; oh++) {
                        int y0 = a.start(1, oh);
                        int y1 = a.end(1, oh);
                        for (int ow = 0; ow < a.out[2]; ow++, o++) {
                            int x0 = a.start(2, ow);
                            int x1 = a.end(2, ow);
                            float best = Float.NEGATIVE_INFINITY;
                            int bestAt = (z0 * h + y0) * w + x0;
                            for (int z = z0; z < z1; z++) {
                                for (int y = y0; y < y1; y++) {
                                    int row = (z * h + y) * w;
                                    for (int xx = x0; xx < x1; xx++) {
                                        float v = x[xb + row + xx];
                                        if (v > best || Float.isNaN(v)) {
                                            best = v;
                                            bestAt = row + xx;
                                        }
                                    }
                                }
                            }
                            out[o] = best;
                            idx[o] = bestAt;
                        }
                    }
                }
            }
        });
        return new PoolResult(out, idx, a.out.clone());
    }

    /** Float64 adaptive max pooling with indices. */
    public static PoolResultD adaptiveMaxPool3d(double[] x, int n, int c, int d, int h, int w, int[] outSpatial) {
        Adaptive a = Adaptive.of(x.length, n, c, d, h, w, outSpatial);
        double[] out = new double[n * c * a.outVol];
        long[] idx = new long[out.length];
        Parallel.forWork(n * c, (long) n * c * d * h * w, (lo, hi) -> {
            for (int pl = lo; pl < hi; pl++) {
                int xb = pl * d * h * w;
                int o = pl * a.outVol;
                for (int od = 0; od < a.out[0]; od++) {
                    int z0 = a.start(0, od);
                    int z1 = a.end(0, od);
                    for (int oh = 0; oh < a.out[1]; oh++) {
                        int y0 = a.start(1, oh);
                        int y1 = a.end(1, oh);
                        for (int ow = 0; ow < a.out[2]; ow++, o++) {
                            int x0 = a.start(2, ow);
                            int x1 = a.end(2, ow);
                            double best = Double.NEGATIVE_INFINITY;
                            int bestAt = (z0 * h + y0) * w + x0;
                            for (int z = z0; z < z1; z++) {
                                for (int y = y0; y < y1; y++) {
                                    int row = (z * h + y) * w;
                                    for (int xx = x0; xx < x1; xx++) {
                                        double v = x[xb + row + xx];
                                        if (v > best || Double.isNaN(v)) {
                                            best = v;
                                            bestAt = row + xx;
                                        }
                                    }
                                }
                            }
                            out[o] = best;
                            idx[o] = bestAt;
                        }
                    }
                }
            }
        });
        return new PoolResultD(out, idx, a.out.clone());
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers


    /** Validated window geometry of a (dilated) pooling. */
    static final class Win {
        final int[] in = new int[3];
        final int[] k = new int[3];
        final int[] s = new int[3];
        final int[] p = new int[3];
        final int[] dil = new int[3];
        final int od, oh, ow, outVol, inVol, kvol;

        private Win(int d, int h, int w, int[] kernel, int[] stride, int[] padding, int[] dilation,
                    boolean ceilMode) {
            in[0] = d;
            in[1] = h;
            in[2] = w;
            int[] o = new int[3];
            for (int i = 0; i < 3; i++) {
                k[i] = kernel[i];
                s[i] = stride == null ? kernel[i] : stride[i];
                p[i] = padding[i];
                dil[i] = dilation == null ? 1 : dilation[i];
                o[i] = poolOutSize(in[i], k[i], s[i], p[i], dil[i], ceilMode);
                if (o[i] < 1) {
                    throw new IllegalArgumentException("pooling output size " + o[i] + " < 1 in dim " + i
                            + " (input " + in[i] + ", kernel " + k[i] + ", stride " + s[i] + ", padding " + p[i]
                            + ", dilation " + dil[i] + ")");
                }
            }
            od = o[0];
            oh = o[1];
            ow = o[2];
            outVol = Math.multiplyExact(Math.multiplyExact(od, oh), ow);
            inVol = d * h * w;
            kvol = k[0] * k[1] * k[2];
        }

        static Win of(int len, int n, int c, int d, int h, int w, int[] kernel, int[] stride, int[] padding,
                      int[] dilation, boolean ceilMode, boolean max) {
            shape(len, n, c, d, h, w);
            Parallel.requireTriple("kernel", kernel, 1);
            if (stride != null) {
                Parallel.requireTriple("stride", stride, 1);
            }
            Parallel.requireTriple("padding", padding, 0);
            if (dilation != null) {
                Parallel.requireTriple("dilation", dilation, 1);
            }
            for (int i = 0; i < 3; i++) {
                if (padding[i] > kernel[i] / 2) {
                    throw new IllegalArgumentException("pad should be at most half of kernel size, got padding "
                            + java.util.Arrays.toString(padding) + " for kernel " + java.util.Arrays.toString(kernel));
                }
            }
            return new Win(d, h, w, kernel, stride, padding, dilation, ceilMode);
        }

        int[] outSpatial() {
            return new int[] {od, oh, ow};
        }

        /** First in-range tap of output o's window along dim i (may be >= in when none is in range). */
        int first(int i, int o) {
            int z = o * s[i] - p[i];
            while (z < 0) {
                z += dil[i];
            }
            return z;
        }

        /** One past the last tap of output o's window along dim i, clipped to the input. */
        int end(int i, int o) {
            return Math.min(o * s[i] - p[i] + (k[i] - 1) * dil[i] + 1, in[i]);
        }

        /**
         * Writes the average-pool window {z0, z1, y0, y1, x0, x1, paddedSize} into r (paddedSize = window
         * size clipped to the padded input); false when the window holds no input element.
         */
        boolean avgWindow(int odi, int ohi, int owi, int[] r) {
            int padded = 1;
            for (int i = 0; i < 3; i++) {
                int start = (i == 0 ? odi : i == 1 ? ohi : owi) * s[i] - p[i];
                int end = Math.min(start + k[i], in[i] + p[i]);
                padded *= end - start;
                start = Math.max(start, 0);
                end = Math.min(end, in[i]);
                if (start >= end) {
                    return false;
                }
                r[2 * i] = start;
                r[2 * i + 1] = end;
            }
            r[6] = padded;
            return true;
        }
    }

    /** Validated adaptive-pooling windows. */
    static final class Adaptive {
        final int[] in;
        final int[] out;
        final int outVol;

        private Adaptive(int[] in, int[] out) {
            this.in = in;
            this.out = out;
            this.outVol = Math.multiplyExact(Math.multiplyExact(out[0], out[1]), out[2]);
        }

        static Adaptive of(int len, int n, int c, int d, int h, int w, int[] outSpatial) {
            shape(len, n, c, d, h, w);
            Parallel.requireTriple("output_size", outSpatial, 1);
            if (d < 1 || h < 1 || w < 1) {
                throw new IllegalArgumentException("adaptive pooling needs non-empty spatial input, got "
                        + d + "x" + h + "x" + w);
            }
            return new Adaptive(new int[] {d, h, w}, outSpatial.clone());
        }

        /** floor(o * in / out). */
        int start(int i, int o) {
            return (int) ((long) o * in[i] / out[i]);
        }

        /** ceil((o + 1) * in / out). */
        int end(int i, int o) {
            return (int) (((long) (o + 1) * in[i] + out[i] - 1) / out[i]);
        }
    }

    private static void shape(int len, int n, int c, int d, int h, int w) {
        if (n < 0 || c < 0 || d < 0 || h < 0 || w < 0) {
            throw new IllegalArgumentException("negative size");
        }
        long expect = (long) n * c * d * h * w;
        if (len != expect) {
            throw new IllegalArgumentException("input has " + len + " elements, expected [" + n + ", " + c + ", "
                    + d + ", " + h + ", " + w + "] = " + expect);
        }
    }

}
