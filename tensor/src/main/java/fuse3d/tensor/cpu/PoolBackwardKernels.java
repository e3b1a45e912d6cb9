package fuse3d.tensor.cpu;

/**
 * Gradients of {@link PoolKernels}' max, average and adaptive pooling with respect to their input, on
 * contiguous [n, c, d, h, w] arrays (2-D pooling is the d = 1 case).
 *
 * <p>Max pooling scatters each output gradient into the input position its forward chose (the flat
 * per-plane indices {@link PoolKernels} returns), adding up when one input won several windows. Average
 * pooling spreads each output gradient over its window divided by the forward's divisor. Planes are
 * independent and each is accumulated in a fixed order, so results do not depend on the thread count.
 */
public final class PoolBackwardKernels {

    private PoolBackwardKernels() {}

    // ------------------------------------------------------------------------------------------------
    // Max pooling (and adaptive max pooling: the same scatter)

    /**
     * gradInput [n, c, inVolume] of max pooling: each gradOut [n, c, outVolume] element is added at its
     * plane's {@code indices} position (flat into the input plane d*h*w).
     */
    public static float[] maxPool3dBackward(float[] gradOut, long[] indices, int n, int c, int inVolume,
                                            int outVolume) {
        checkScatter(gradOut.length, indices, n, c, inVolume, outVolume);
        float[] gi = new float[n * c * inVolume];
        Parallel.forWork(n * c, gradOut.length, (lo, hi) -> {
            for (int pl = lo; pl < hi; pl++) {
                int ib = pl * inVolume;
                int ob = pl * outVolume;
                for (int o = 0; o < outVolume; o++) {
                    gi[ib + index(indices[ob + o], inVolume)] += gradOut[ob + o];
                }
            }
        });
        return gi;
    }

    /** Float64 version of {@link #maxPool3dBackward(float[], long[], int, int, int, int)}. */
    public static double[] maxPool3dBackward(double[] gradOut, long[] indices, int n, int c, int inVolume,
                                             int outVolume) {
        checkScatter(gradOut.length, indices, n, c, inVolume, outVolume);
        double[] gi = new double[n * c * inVolume];
        Parallel.forWork(n * c, gradOut.length, (lo, hi) -> {
            for (int pl = lo; pl < hi; pl++) {
                int ib = pl * inVolume;
                int ob = pl * outVolume;
                for (int o = 0; o < outVolume; o++) {
                    gi[ib + index(indices[ob + o], inVolume)] += gradOut[ob + o];
                }
            }
        });
        return gi;
    }

    /** Adaptive max pooling's input gradient: the same index scatter as {@link #maxPool3dBackward}. */
    public static float[] adaptiveMaxPool3dBackward(float[] gradOut, long[] indices, int n, int c, int inVolume,
                                                    int outVolume) {
        return maxPool3dBackward(gradOut, indices, n, c, inVolume, outVolume);
    }

    /** Float64 adaptive max pooling's input gradient (the index scatter). */
    public static double[] adaptiveMaxPool3dBackward(double[] gradOut, long[] indices, int n, int c,
                                                     int inVolume, int outVolume) {
        return maxPool3dBackward(gradOut, indices, n, c, inVolume, outVolume);
    }

    // ------------------------------------------------------------------------------------------------
    // Average pooling

    /**
     * gradInput [n, c, d, h, w] of {@link PoolKernels#avgPool3d(float[], int, int, int, int, int, int[],
     * int[], int[], boolean, boolean, int)} with the same arguments, given gradOut [n, c, Do, Ho, Wo].
     */
    public static float[] avgPool3dBackward(float[] gradOut, int n, int c, int d, int h, int w, int[] kernel,
                                            int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad,
                                            int divisorOverride) {
        PoolKernels.Win g = avgWin(gradOut.length, n, c, d, h, w, kernel, stride, padding, ceilMode,
                divisorOverride);
        float[] gi = new float[n * c * d * h * w];
        Parallel.forWork(n * c, (long) gradOut.length * g.kvol, (lo, hi) -> {
            int[] win = new int[7];
            for (int pl = lo; pl < hi; pl++) {
                int ib = pl * g.inVol;
                int o = pl * g.outVol;
                for (int od = 0; od < g.od; od++) {
                    for (int oh = 0; oh < g.oh; oh++) {
                        for (int ow = 0; ow < g.ow; ow++, o++) {
                            if (!g.avgWindow(od, oh, ow, win)) {
                                continue;
                            }
                            // Divide once, then spread: the forward divided the window's sum once.
                            float v = gradOut[o] / divisor(win, countIncludePad, divisorOverride);
                            for (int z = win[0]; z < win[1]; z++) {
                                for (int y = win[2]; y < win[3]; y++) {
                                    int row = ib + (z * h + y) * w;
                                    for (int xx = win[4]; xx < win[5]; xx++) {
                                        gi[row + xx] += v;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        });
        return gi;
    }

    /** Float64 version of {@link #avgPool3dBackward(float[], int, int, int, int, int, int[], int[], int[],
     *  boolean, boolean, int)}. */
    public static double[] avgPool3dBackward(double[] gradOut, int n, int c, int d, int h, int w, int[] kernel,
                                             int[] stride, int[] padding, boolean ceilMode,
                                             boolean countIncludePad, int divisorOverride) {
        PoolKernels.Win g = avgWin(gradOut.length, n, c, d, h, w, kernel, stride, padding, ceilMode,
                divisorOverride);
        double[] gi = new double[n * c * d * h * w];
        Parallel.forWork(n * c, (long) gradOut.length * g.kvol, (lo, hi) -> {
            int[] win = new int[7];
            for (int pl = lo; pl < hi; pl++) {
                int ib = pl * g.inVol;
                int o = pl * g.outVol;
                for (int od = 0; od < g.od; od++) {
                    for (int oh = 0; oh < g.oh; oh++) {
                        for (int ow = 0; ow < g.ow; ow++, o++) {
                            if (!g.avgWindow(od, oh, ow, win)) {
                                continue;
                            }
                            double v = gradOut[o] / divisor(win, countIncludePad, divisorOverride);
                            for (int z = win[0]; z < win[1]; z++) {
                                for (int y = win[2]; y < win[3]; y++) {
                                    int row = ib + (z * h + y) * w;
                                    for (int xx = win[4]; xx < win[5]; xx++) {
                                        gi[row + xx] += v;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        });
        return gi;
    }

    // ------------------------------------------------------------------------------------------------
    // Adaptive average pooling

    /**
     * gradInput [n, c, d, h, w] of {@link PoolKernels#adaptiveAvgPool3d(float[], int, int, int, int, int,
     * int[])} to {@code outSpatial}, given gradOut [n, c, Do, Ho, Wo].
     */
    public static float[] adaptiveAvgPool3dBackward(float[] gradOut, int n, int c, int d, int h, int w,
                                                    int[] outSpatial) {
        PoolKernels.Adaptive a = PoolKernels.Adaptive.of(n * c * d * h * w, n, c, d, h, w, outSpatial);
        checkLength(gradOut.length, (long) n * c * a.outVol);
        float[] gi = new float[n * c * d * h * w];
        Parallel.forWork(n * c, (long) gi.length + gradOut.length, (lo, hi) -> {
            for (int pl = lo; pl < hi; pl++) {
                int ib = pl * d * h * w;
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
                            float v = gradOut[o] / ((z1 - z0) * (y1 - y0) * (x1 - x0));
                            for (int z = z0; z < z1; z++) {
                                for (int y = y0; y < y1; y++) {
                                    int row = ib + (z * h + y) * w;
                                    for (int xx = x0; xx < x1; xx++) {
                                        gi[row + xx] += v;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        });
        return gi;
    }

    /** Float64 version of {@link #adaptiveAvgPool3dBackward(float[], int, int, int, int, int, int[])}. */
    public static double[] adaptiveAvgPool3dBackward(double[] gradOut, int n, int c, int d, int h, int w,
                                                     int[] outSpatial) {
        PoolKernels.Adaptive a = PoolKernels.Adaptive.of(n * c * d * h * w, n, c, d, h, w, outSpatial);
        checkLength(gradOut.length, (long) n * c * a.outVol);
        double[] gi = new double[n * c * d * h * w];
        Parallel.forWork(n * c, (long) gi.length + gradOut.length, (lo, hi) -> {
            for (int pl = lo; pl < hi; pl++) {
                int ib = pl * d * h * w;
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
                            double v = gradOut[o] / ((z1 - z0) * (y1 - y0) * (x1 - x0));
                            for (int z = z0; z < z1; z++) {
                                for (int y = y0; y < y1; y++) {
                                    int row = ib + (z * h + y) * w;
                                    for (int xx = x0; xx < x1; xx++) {
                                        gi[row + xx] += v;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        });
        return gi;
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers

    private static PoolKernels.Win avgWin(int gradLen, int n, int c, int d, int h, int w, int[] kernel,
                                          int[] stride, int[] padding, boolean ceilMode, int divisorOverride) {
        if (divisorOverride < 0) {
            throw new IllegalArgumentException("divisor_override must be positive (0 = none), got "
                    + divisorOverride);
        }
        if (n < 0 || c < 0 || d < 0 || h < 0 || w < 0) {
            throw new IllegalArgumentException("negative size");
        }
        PoolKernels.Win g = PoolKernels.Win.of(n * c * d * h * w, n, c, d, h, w, kernel, stride, padding, null,
                ceilMode, false);
        checkLength(gradLen, (long) n * c * g.outVol);
        return g;
    }

    /** The forward's divisor: the override, else the window clipped to the padded input or to the input. */
    private static int divisor(int[] win, boolean countIncludePad, int divisorOverride) {
        if (divisorOverride != 0) {
            return divisorOverride;
        }
        return countIncludePad ? win[6] : (win[1] - win[0]) * (win[3] - win[2]) * (win[5] - win[4]);
    }

    private static void checkScatter(int gradLen, long[] indices, int n, int c, int inVolume, int outVolume) {
        if (n < 0 || c < 0 || inVolume < 0 || outVolume < 0) {
            throw new IllegalArgumentException("negative size");
        }
        checkLength(gradLen, (long) n * c * outVolume);
        if (indices.length != gradLen) {
            throw new IllegalArgumentException("indices has " + indices.length + " elements, gradOut " + gradLen);
        }
        if (outVolume > 0 && inVolume == 0 && gradLen > 0) {
            throw new IllegalArgumentException("indices point into an empty input plane");
        }
    }

    private static int index(long i, int inVolume) {
        if (i < 0 || i >= inVolume) {
            throw new IndexOutOfBoundsException("pooling index " + i + " outside the input plane of " + inVolume);
        }
        return (int) i;
    }

    private static void checkLength(long len, long expect) {
        if (len != expect) {
            throw new IllegalArgumentException("gradOut has " + len + " elements, expected " + expect);
        }
    }

}
