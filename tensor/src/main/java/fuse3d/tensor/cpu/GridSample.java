package fuse3d.tensor.cpu;

import static fuse3d.tensor.cpu.ResampleSupport.rnd;

import java.util.Arrays;

/**
 * CPU kernels for PyTorch 1.13's {@code grid_sample} (2-D and 3-D, bilinear/trilinear and nearest, zeros,
 * border and reflection padding) and its backward pass, on contiguous float or double arrays.
 *
 * <p>Shapes: input {@code x} is {@code [n, c, H, W]} or {@code [n, c, D, H, W]}; {@code grid} is
 * {@code [n, oH, oW, 2]} or {@code [n, oD, oH, oW, 3]} holding normalized {@code (x, y[, z])} coordinates in
 * [-1, 1] (x indexes W, y indexes H, z indexes D); the output is {@code [n, c, oH, oW]} or
 * {@code [n, c, oD, oH, oW]}.
 *
 * <p>PyTorch 1.13 runs 2-D on a vectorized kernel and 3-D on a scalar one, and the two differ in ways that
 * show in results, so this class reproduces each:
 * <ul>
 *   <li>Nearest rounding: 2-D rounds half to even ({@code nearbyint}); 3-D rounds half away from zero
 *       ({@code std::round}), so a coordinate of exactly 2.5 picks pixel 2 in 2-D but pixel 3 in 3-D.
 *   <li>Unnormalization: 2-D computes {@code (g + 1) * (size - 1) / 2} or {@code (g + 1) * size / 2 - 0.5}
 *       with the factor rounded first; 3-D computes {@code ((g + 1) / 2) * (size - 1)} or
 *       {@code ((g + 1) * size - 1) / 2}. In float32 these can differ in the last bit.
 *   <li>Reflection folds with {@code trunc} and a twice-span period in 2-D, with {@code fmod} and
 *       {@code floor} in 3-D.
 * </ul>
 * The float overloads emulate float32 arithmetic step by step, so pixel choices (floor, rounding, borders)
 * match PyTorch on float32 tensors; sums over corners and channels are float sums in PyTorch's order where
 * that is cheap, so values agree to a few ulps. Gradients are zero across clamped borders, and the gradient
 * with respect to the grid is zero in nearest mode, as in PyTorch. NaN grid coordinates give unspecified
 * (but memory-safe) results.
 */
public final class GridSample {
    private static final String OP = "grid_sample";
    private static final String OP_BACKWARD = "grid_sample_backward";
    /** Points whose corner tables are built at once; each channel then sweeps them with good locality. */
    private static final int CHUNK = 64;

    private GridSample() {}

    /** Samples {@code x} at {@code grid}; see the class comment for shapes and semantics. */
    public static float[] gridSample(float[] x, int n, int c, int[] inSpatial, float[] grid, int[] outSpatial,
                                     SampleMode mode, PaddingMode padding, boolean alignCorners) {
        Geometry g = geometry(OP, n, c, inSpatial, outSpatial, mode, padding, alignCorners, true);
        g.checkInput(OP, x == null ? -1 : x.length);
        g.checkGrid(OP, grid == null ? -1 : grid.length);
        float[] y = new float[g.outTotal];
        ResampleSupport.parallelFor(n * g.chunks, (long) CHUNK * c * g.corners, (from, to) -> {
            Corners t = new Corners(g, false);
            for (int u = from; u < to; u++) {
                int b = u / g.chunks;
                int p0 = (u % g.chunks) * CHUNK;
                int cnt = Math.min(CHUNK, g.points - p0);
                t.load(grid, b, p0, cnt);
                t.fill(cnt, false);
                for (int ch = 0; ch < c; ch++) {
                    int xb = (b * c + ch) * g.inPlane;
                    int yb = (b * c + ch) * g.points + p0;
                    forwardPoints(x, xb, y, yb, t, cnt);
                }
            }
        });
        return y;
    }

    /** Double-precision twin of {@link #gridSample(float[], int, int, int[], float[], int[], SampleMode, PaddingMode, boolean)}. */
    public static double[] gridSample(double[] x, int n, int c, int[] inSpatial, double[] grid, int[] outSpatial,
                                      SampleMode mode, PaddingMode padding, boolean alignCorners) {
        Geometry g = geometry(OP, n, c, inSpatial, outSpatial, mode, padding, alignCorners, false);
        g.checkInput(OP, x == null ? -1 : x.length);
        g.checkGrid(OP, grid == null ? -1 : grid.length);
        double[] y = new double[g.outTotal];
        ResampleSupport.parallelFor(n * g.chunks, (long) CHUNK * c * g.corners, (from, to) -> {
            Corners t = new Corners(g, false);
            for (int u = from; u < to; u++) {
                int b = u / g.chunks;
                int p0 = (u % g.chunks) * CHUNK;
                int cnt = Math.min(CHUNK, g.points - p0);
                t.load(grid, b, p0, cnt);
                t.fill(cnt, false);
                for (int ch = 0; ch < c; ch++) {
                    int xb = (b * c + ch) * g.inPlane;
                    int yb = (b * c + ch) * g.points + p0;
                    forwardPoints(x, xb, y, yb, t, cnt);
                }
            }
        });
        return y;
    }

    /**
     * The gradients of {@link #gridSample(float[], int, int, int[], float[], int[], SampleMode, PaddingMode, boolean)}
     * given {@code gradOut} (the output's shape).
     *
     * @return {@code {gradInput, gradGrid}}, shaped like {@code x} and {@code grid}
     */
    public static float[][] gridSampleBackward(float[] gradOut, float[] x, float[] grid, int n, int c,
                                               int[] inSpatial, int[] outSpatial, SampleMode mode,
                                               PaddingMode padding, boolean alignCorners) {
        Geometry g = geometry(OP_BACKWARD, n, c, inSpatial, outSpatial, mode, padding, alignCorners, true);
        g.checkInput(OP_BACKWARD, x == null ? -1 : x.length);
        g.checkGrid(OP_BACKWARD, grid == null ? -1 : grid.length);
        g.checkGradOut(OP_BACKWARD, gradOut == null ? -1 : gradOut.length);
        float[] gradInput = new float[g.inTotal];
        float[] gradGrid = new float[g.gridTotal];
        if (mode == SampleMode.BILINEAR) {
            // Each grid gradient sums over channels of one point: parallel over point chunks.
            ResampleSupport.parallelFor(n * g.chunks, (long) CHUNK * c * g.corners * g.rank, (from, to) -> {
                Corners t = new Corners(g, true);
                float[] acc = new float[CHUNK * g.rank];
                for (int u = from; u < to; u++) {
                    int b = u / g.chunks;
                    int p0 = (u % g.chunks) * CHUNK;
                    int cnt = Math.min(CHUNK, g.points - p0);
                    t.load(grid, b, p0, cnt);
                    t.fill(cnt, true);
                    Arrays.fill(acc, 0f);
                    for (int ch = 0; ch < c; ch++) {
                        gridGradPoints(x, (b * c + ch) * g.inPlane, gradOut, (b * c + ch) * g.points + p0,
                                t, cnt, acc);
                    }
                    int gb = (b * g.points + p0) * g.rank;
                    for (int i = 0; i < cnt * g.rank; i++) {
                        gradGrid[gb + i] = acc[i] * (float) t.mult[i];
                    }
                }
            });
        }
        // Input gradients scatter, so each task owns whole (batch, channel block) planes and walks the points
        // in order: every element is summed by one thread in the same order whatever the thread count.
        int blocks = channelBlocks(n, c);
        ResampleSupport.parallelFor(n * blocks, (long) g.points * g.corners * Math.max(1, c / blocks),
                (from, to) -> {
                    Corners t = new Corners(g, false);
                    for (int u = from; u < to; u++) {
                        int b = u / blocks;
                        int blk = u % blocks;
                        int c0 = (int) ((long) c * blk / blocks);
                        int c1 = (int) ((long) c * (blk + 1) / blocks);
                        for (int p0 = 0; p0 < g.points; p0 += CHUNK) {
                            int cnt = Math.min(CHUNK, g.points - p0);
                            t.load(grid, b, p0, cnt);
                            t.fill(cnt, false);
                            for (int ch = c0; ch < c1; ch++) {
                                scatterPoints(gradOut, (b * c + ch) * g.points + p0, gradInput,
                                        (b * c + ch) * g.inPlane, t, cnt);
                            }
                        }
                    }
                });
        return new float[][] {gradInput, gradGrid};
    }

    /** Double-precision twin of {@link #gridSampleBackward(float[], float[], float[], int, int, int[], int[], SampleMode, PaddingMode, boolean)}. */
    public static double[][] gridSampleBackward(double[] gradOut, double[] x, double[] grid, int n, int c,
                                                int[] inSpatial, int[] outSpatial, SampleMode mode,
                                                PaddingMode padding, boolean alignCorners) {
        Geometry g = geometry(OP_BACKWARD, n, c, inSpatial, outSpatial, mode, padding, alignCorners, false);
        g.checkInput(OP_BACKWARD, x == null ? -1 : x.length);
        g.checkGrid(OP_BACKWARD, grid == null ? -1 : grid.length);
        g.checkGradOut(OP_BACKWARD, gradOut == null ? -1 : gradOut.length);
        double[] gradInput = new double[g.inTotal];
        double[] gradGrid = new double[g.gridTotal];
        if (mode == SampleMode.BILINEAR) {
            ResampleSupport.parallelFor(n * g.chunks, (long) CHUNK * c * g.corners * g.rank, (from, to) -> {
                Corners t = new Corners(g, true);
                double[] acc = new double[CHUNK * g.rank];
                for (int u = from; u < to; u++) {
                    int b = u / g.chunks;
                    int p0 = (u % g.chunks) * CHUNK;
                    int cnt = Math.min(CHUNK, g.points - p0);
                    t.load(grid, b, p0, cnt);
                    t.fill(cnt, true);
                    Arrays.fill(acc, 0.0);
                    for (int ch = 0; ch < c; ch++) {
                        gridGradPoints(x, (b * c + ch) * g.inPlane, gradOut, (b * c + ch) * g.points + p0,
                                t, cnt, acc);
                    }
                    int gb = (b * g.points + p0) * g.rank;
                    for (int i = 0; i < cnt * g.rank; i++) {
                        gradGrid[gb + i] = acc[i] * t.mult[i];
                    }
                }
            });
        }
        int blocks = channelBlocks(n, c);
        ResampleSupport.parallelFor(n * blocks, (long) g.points * g.corners * Math.max(1, c / blocks),
                (from, to) -> {
                    Corners t = new Corners(g, false);
                    for (int u = from; u < to; u++) {
                        int b = u / blocks;
                        int blk = u % blocks;
                        int c0 = (int) ((long) c * blk / blocks);
                        int c1 = (int) ((long) c * (blk + 1) / blocks);
                        for (int p0 = 0; p0 < g.points; p0 += CHUNK) {
                            int cnt = Math.min(CHUNK, g.points - p0);
                            t.load(grid, b, p0, cnt);
                            t.fill(cnt, false);
                            for (int ch = c0; ch < c1; ch++) {
                                scatterPoints(gradOut, (b * c + ch) * g.points + p0, gradInput,
                                        (b * c + ch) * g.inPlane, t, cnt);
                            }
                        }
                    }
                });
        return new double[][] {gradInput, gradGrid};
    }

    /** Enough channel blocks to keep every core busy when the batch is small; 1 when the batch suffices. */
    private static int channelBlocks(int n, int c) {
        int cpus = Runtime.getRuntime().availableProcessors();
        return Math.max(1, Math.min(c, (4 * cpus + n - 1) / n));
    }

    // ---------------------------------------------------------------- channel loops

    private static void forwardPoints(float[] x, int xb, float[] y, int yb, Corners t, int cnt) {
        int k = t.g.corners;
        if (k == 1) {
            for (int j = 0; j < cnt; j++) {
                int o = t.off[j];
                y[yb + j] = o >= 0 ? x[xb + o] : 0f;
            }
            return;
        }
        for (int j = 0; j < cnt; j++) {
            float acc = 0f;
            for (int q = j * k; q < j * k + k; q++) {
                int o = t.off[q];
                acc += (o >= 0 ? x[xb + o] : 0f) * t.wf[q];
            }
            y[yb + j] = acc;
        }
    }

    private static void forwardPoints(double[] x, int xb, double[] y, int yb, Corners t, int cnt) {
        int k = t.g.corners;
        if (k == 1) {
            for (int j = 0; j < cnt; j++) {
                int o = t.off[j];
                y[yb + j] = o >= 0 ? x[xb + o] : 0.0;
            }
            return;
        }
        for (int j = 0; j < cnt; j++) {
            double acc = 0.0;
            for (int q = j * k; q < j * k + k; q++) {
                int o = t.off[q];
                acc += (o >= 0 ? x[xb + o] : 0.0) * t.w[q];
            }
            y[yb + j] = acc;
        }
    }

    private static void gridGradPoints(float[] x, int xb, float[] gOut, int gb, Corners t, int cnt, float[] acc) {
        int k = t.g.corners;
        int rank = t.g.rank;
        for (int j = 0; j < cnt; j++) {
            float go = gOut[gb + j];
            for (int q = j * k; q < j * k + k; q++) {
                int o = t.off[q];
                if (o < 0) {
                    continue;
                }
                float v = x[xb + o] * go;
                for (int a = 0; a < rank; a++) {
                    acc[j * rank + a] += v * t.dwf[q * rank + a];
                }
            }
        }
    }

    private static void gridGradPoints(double[] x, int xb, double[] gOut, int gb, Corners t, int cnt,
                                       double[] acc) {
        int k = t.g.corners;
        int rank = t.g.rank;
        for (int j = 0; j < cnt; j++) {
            double go = gOut[gb + j];
            for (int q = j * k; q < j * k + k; q++) {
                int o = t.off[q];
                if (o < 0) {
                    continue;
                }
                double v = x[xb + o] * go;
                for (int a = 0; a < rank; a++) {
                    acc[j * rank + a] += v * t.dw[q * rank + a];
                }
            }
        }
    }

    private static void scatterPoints(float[] gOut, int gb, float[] gIn, int ib, Corners t, int cnt) {
        int k = t.g.corners;
        for (int j = 0; j < cnt; j++) {
            float go = gOut[gb + j];
            for (int q = j * k; q < j * k + k; q++) {
                int o = t.off[q];
                if (o >= 0) {
                    gIn[ib + o] += t.wf[q] * go;
                }
            }
        }
    }

    private static void scatterPoints(double[] gOut, int gb, double[] gIn, int ib, Corners t, int cnt) {
        int k = t.g.corners;
        for (int j = 0; j < cnt; j++) {
            double go = gOut[gb + j];
            for (int q = j * k; q < j * k + k; q++) {
                int o = t.off[q];
                if (o >= 0) {
                    gIn[ib + o] += t.w[q] * go;
                }
            }
        }
    }

    // ---------------------------------------------------------------- geometry and argument checks

    /** Shapes and options of one call; sizes[a] is the input size along grid axis a (x=W, y=H, z=D). */
    private record Geometry(int rank, int n, int c, int[] inSpatial, int[] outSpatial, int[] sizes, int[] strides,
                            int inPlane, int points, int chunks, int inTotal, int outTotal, int gridTotal,
                            int corners, SampleMode mode, PaddingMode padding, boolean align, boolean f32) {
        void checkInput(String op, int length) {
            if (length < 0) {
                throw new IllegalArgumentException(op + ": x is null");
            }
            ResampleSupport.checkLength(op, "x", length, inTotal, ResampleSupport.shape(n, c, inSpatial));
        }

        void checkGrid(String op, int length) {
            if (length < 0) {
                throw new IllegalArgumentException(op + ": grid is null");
            }
            int[] shape = Arrays.copyOf(outSpatial, rank + 1);
            shape[rank] = rank;
            String text = Arrays.toString(shape).replace("[", "[" + n + ", ");
            ResampleSupport.checkLength(op, "grid", length, gridTotal, text);
        }

        void checkGradOut(String op, int length) {
            if (length < 0) {
                throw new IllegalArgumentException(op + ": gradOut is null");
            }
            ResampleSupport.checkLength(op, "gradOut", length, outTotal, ResampleSupport.shape(n, c, outSpatial));
        }
    }

    private static Geometry geometry(String op, int n, int c, int[] inSpatial, int[] outSpatial, SampleMode mode,
                                     PaddingMode padding, boolean align, boolean f32) {
        if (mode == null || padding == null) {
            throw new IllegalArgumentException(op + ": mode and padding must not be null");
        }
        long inCount = ResampleSupport.spatialCount(op, "inSpatial", inSpatial, 2, 3);
        long outCount = ResampleSupport.spatialCount(op, "outSpatial", outSpatial, 2, 3);
        if (inSpatial.length != outSpatial.length) {
            throw new IllegalArgumentException(op + ": input " + ResampleSupport.shape(n, c, inSpatial)
                    + " and output spatial shape " + Arrays.toString(outSpatial) + " have different ranks");
        }
        int rank = inSpatial.length;
        int inTotal = ResampleSupport.total(op, "input", n, c, inCount, inSpatial);
        int outTotal = ResampleSupport.total(op, "output", n, c, outCount, outSpatial);
        long gridTotal = (long) n * outCount * rank;
        if (gridTotal > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(op + ": grid for output " + ResampleSupport.shape(n, c, outSpatial)
                    + " has more elements than a Java array can hold");
        }
        int[] sizes = new int[rank];
        int[] strides = new int[rank];
        int stride = 1;
        for (int a = 0; a < rank; a++) {
            sizes[a] = inSpatial[rank - 1 - a];
            strides[a] = stride;
            stride *= sizes[a];
        }
        int points = (int) outCount;
        int corners = mode == SampleMode.NEAREST ? 1 : 1 << rank;
        return new Geometry(rank, n, c, inSpatial.clone(), outSpatial.clone(), sizes, strides, (int) inCount,
                points, (points + CHUNK - 1) / CHUNK, inTotal, outTotal, (int) gridTotal, corners, mode, padding,
                align, f32);
    }

    // ---------------------------------------------------------------- per-point corner tables

    /**
     * Corner offsets and weights of a chunk of points, computed once and reused by every channel. The
     * arithmetic is done in double, rounded to float after every operation when emulating float32.
     */
    private static final class Corners {
        final Geometry g;
        final double[] coords;
        /** Offset of each corner inside an input plane, or -1 when the corner lies outside (zero padding). */
        final int[] off;
        final double[] w;
        final float[] wf;
        /** d(weight)/d(source coordinate) per corner and axis, for the grid gradient. */
        final double[] dw;
        final float[] dwf;
        /** d(source coordinate)/d(grid value) per point and axis: unnormalize scale times padding slope. */
        final double[] mult;
        // Per-axis scratch of the current point.
        private final double[] lo = new double[3];
        private final double[] hi = new double[3];
        private final double[] base = new double[3];
        private final boolean[] valid0 = new boolean[3];
        private final boolean[] valid1 = new boolean[3];
        private double slope;

        Corners(Geometry g, boolean grads) {
            this.g = g;
            int k = g.corners;
            coords = new double[CHUNK * g.rank];
            off = new int[CHUNK * k];
            w = new double[CHUNK * k];
            wf = new float[CHUNK * k];
            dw = grads ? new double[CHUNK * k * g.rank] : null;
            dwf = grads ? new float[CHUNK * k * g.rank] : null;
            mult = new double[CHUNK * g.rank];
        }

        void load(float[] grid, int b, int p0, int cnt) {
            int from = (b * g.points + p0) * g.rank;
            for (int i = 0; i < cnt * g.rank; i++) {
                coords[i] = grid[from + i];
            }
        }

        void load(double[] grid, int b, int p0, int cnt) {
            System.arraycopy(grid, (b * g.points + p0) * g.rank, coords, 0, cnt * g.rank);
        }

        void fill(int cnt, boolean grads) {
            int rank = g.rank;
            int k = g.corners;
            boolean f = g.f32;
            boolean twoD = rank == 2;
            for (int j = 0; j < cnt; j++) {
                if (g.mode == SampleMode.NEAREST) {
                    int o = 0;
                    boolean inside = true;
                    for (int a = 0; a < rank; a++) {
                        double s = source(coords[j * rank + a], g.sizes[a], false);
                        mult[j * rank + a] = 0;
                        double r = twoD ? Math.rint(s) : roundHalfAway(s);
                        if (r >= 0 && r < g.sizes[a]) {
                            o += (int) r * g.strides[a];
                        } else {
                            inside = false;
                        }
                    }
                    off[j] = inside ? o : -1;
                    w[j] = 1;
                    wf[j] = 1f;
                    continue;
                }
                for (int a = 0; a < rank; a++) {
                    double s = source(coords[j * rank + a], g.sizes[a], grads);
                    mult[j * rank + a] = slope;
                    double fl = Math.floor(s);
                    base[a] = fl;
                    if (twoD) {
                        // Vectorized 2-D kernel: w = x - floor(x), e = 1 - w.
                        hi[a] = rnd(f, s - fl);
                        lo[a] = rnd(f, 1.0 - hi[a]);
                    } else {
                        // Scalar 3-D kernel: distances to the two neighbours, each computed directly.
                        lo[a] = rnd(f, rnd(f, fl + 1) - s);
                        hi[a] = rnd(f, s - fl);
                    }
                    valid0[a] = fl >= 0 && fl < g.sizes[a];
                    valid1[a] = fl + 1 >= 0 && fl + 1 < g.sizes[a];
                }
                for (int q = 0; q < k; q++) {
                    boolean inside = true;
                    int o = 0;
                    double weight = 1;
                    for (int a = 0; a < rank; a++) {
                        boolean up = ((q >> a) & 1) != 0;
                        inside &= up ? valid1[a] : valid0[a];
                        if (inside) {
                            o += ((int) base[a] + (up ? 1 : 0)) * g.strides[a];
                        }
                        weight = a == 0 ? (up ? hi[a] : lo[a]) : rnd(f, weight * (up ? hi[a] : lo[a]));
                    }
                    int at = j * k + q;
                    off[at] = inside ? o : -1;
                    w[at] = weight;
                    wf[at] = (float) weight;
                    if (grads) {
                        for (int a = 0; a < rank; a++) {
                            double d = 1;
                            boolean first = true;
                            for (int b = 0; b < rank; b++) {
                                if (b == a) {
                                    continue;
                                }
                                double fb = ((q >> b) & 1) != 0 ? hi[b] : lo[b];
                                d = first ? fb : rnd(f, d * fb);
                                first = false;
                            }
                            d = ((q >> a) & 1) != 0 ? d : -d;
                            dw[at * rank + a] = d;
                            dwf[at * rank + a] = (float) d;
                        }
                    }
                }
            }
        }

        /**
         * The source pixel coordinate of a normalized grid value along one axis, after padding; sets
         * {@link #slope} to its derivative when {@code grads} is set. Follows the 2-D vectorized kernel or
         * the 3-D scalar kernel of PyTorch 1.13 according to the rank.
         */
        private double source(double v, int size, boolean grads) {
            boolean f = g.f32;
            double max = size - 1;
            if (g.rank == 2) {
                double sf;
                double u;
                if (g.align) {
                    sf = rnd(f, rnd(f, size - 1) / 2);
                    u = rnd(f, rnd(f, v + 1) * sf);
                } else {
                    sf = rnd(f, rnd(f, size) / 2);
                    u = rnd(f, rnd(f, rnd(f, v + 1) * sf) - 0.5);
                }
                switch (g.padding) {
                    case ZEROS -> {
                        slope = sf;
                        return u;
                    }
                    case BORDER -> {
                        return clip2d(u, max, sf);
                    }
                    default -> {
                        double r;
                        double sign;
                        if (g.align) {
                            if (size <= 1) {
                                slope = 0;
                                return 0;
                            }
                            double twiceSpan = rnd(f, rnd(f, size - 1) * 2);
                            double abs = Math.abs(u);
                            double flips = Math.floor(rnd(f, abs / twiceSpan));
                            double extra = rnd(f, abs - rnd(f, flips * twiceSpan));
                            double reflected = rnd(f, twiceSpan - extra);
                            boolean oneMore = extra > reflected;
                            r = oneMore ? reflected : extra;
                            sign = (oneMore ^ (u < 0)) ? -1 : 1;
                        } else {
                            double twiceSpan = rnd(f, rnd(f, size) * 2);
                            double shifted = rnd(f, u + 0.5);
                            double abs = Math.abs(shifted);
                            double flips = Math.floor(rnd(f, abs / twiceSpan));
                            double extra = rnd(f, abs - rnd(f, flips * twiceSpan));
                            double reflected = rnd(f, twiceSpan - extra);
                            boolean oneMore = extra > reflected;
                            r = rnd(f, (oneMore ? reflected : extra) - 0.5);
                            sign = (oneMore ^ (shifted < 0)) ? -1 : 1;
                        }
                        return clip2d(r, max, sign * sf);
                    }
                }
            }
            double sf;
            double u;
            if (g.align) {
                sf = rnd(f, rnd(f, size - 1) / 2);
                u = rnd(f, rnd(f, rnd(f, v + 1) / 2) * rnd(f, size - 1));
            } else {
                sf = rnd(f, rnd(f, size) / 2);
                u = rnd(f, rnd(f, rnd(f, rnd(f, v + 1) * rnd(f, size)) - 1) / 2);
            }
            switch (g.padding) {
                case ZEROS -> {
                    slope = sf;
                    return u;
                }
                case BORDER -> {
                    return clip3d(u, max, sf, grads);
                }
                default -> {
                    int twiceLow = g.align ? 0 : -1;
                    int twiceHigh = g.align ? 2 * (size - 1) : 2 * size - 1;
                    if (twiceLow == twiceHigh) {
                        slope = 0;
                        return clip3d(0, max, 0, grads);
                    }
                    double min = twiceLow / 2.0;
                    double span = (twiceHigh - twiceLow) / 2.0;
                    double in = rnd(f, u - min);
                    double sign = in < 0 ? -1 : 1;
                    in = Math.abs(in);
                    double extra = in % span; // fmod is exact, in float as in double
                    long flips = (long) Math.floor(rnd(f, in / span));
                    double r;
                    if (flips % 2 == 0) {
                        r = rnd(f, extra + min);
                    } else {
                        r = rnd(f, rnd(f, span - extra) + min);
                        sign = -sign;
                    }
                    return clip3d(r, max, sf * sign, grads);
                }
            }
        }

        /** The 2-D kernel's clamp to [0, max]: NaN becomes 0, and the slope is 0 on (and beyond) both ends. */
        private double clip2d(double u, double max, double inner) {
            double low = u > 0 ? u : 0;
            double r = low < max ? low : max;
            slope = (low != 0 && r != max) ? inner : 0;
            return r;
        }

        /** The 3-D kernel's clip_coordinates (forward) or clip_coordinates_set_grad (backward). */
        private double clip3d(double u, double max, double inner, boolean grads) {
            if (grads) {
                if (u <= 0) {
                    slope = 0;
                    return 0;
                }
                if (u >= max) {
                    slope = 0;
                    return max;
                }
                slope = inner;
                return u;
            }
            double low = u < 0 ? 0 : u;
            slope = inner;
            return low < max ? low : max;
        }
    }

    /** C's round(): halves go away from zero (PyTorch 1.13's 3-D CPU nearest uses it, not nearbyint). */
    static double roundHalfAway(double v) {
        double a = Math.abs(v);
        double t = Math.floor(a);
        if (a - t >= 0.5) {
            t += 1;
        }
        return Math.copySign(t, v);
    }
}
