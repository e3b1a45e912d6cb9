package fuse3d.tensor.cpu;

/**
 * Dense N-d convolution and transposed convolution on contiguous NC(D)HW arrays, with PyTorch's Conv3d /
 * ConvTranspose3d semantics (zero padding, dilation, groups); 2-D and 1-D convolutions are the D = 1
 * (and H = 1) cases with kernel 1, stride 1, padding 0 in the unit dimensions.
 *
 * <p>Float convolution has three paths, all built on {@link Sgemm}'s micro-kernels. A 1x1x1 kernel with
 * stride 1 and no padding is a plain GEMM on the input. Otherwise, when the output channels per group
 * fill the vector lanes well, a direct kernel puts output channels in the lanes and broadcasts input
 * values from a zero-padded copy of x (no im2col at all); else im2col runs in column chunks sized to stay
 * in L2 (so a large 3-D input never needs a multi-gigabyte column matrix) and the GEMM kernel reads each
 * chunk in place. Tasks are fixed pieces of the output, so results do not depend on the thread count.
 * Transposed convolution is GEMM (Wᵀ·X) followed by a col2im scatter-add split over output channels.
 * The double overloads are plain loops over the definitions and serve as the test oracle.
 */
public final class ConvKernels {
    /** Floats per im2col chunk: 256K floats = 1 MiB, about one core's L2 with the packed panels. */
    static final int COL_BUDGET = Integer.getInteger("fuse3d.conv.colFloats", 1 << 18);

    private ConvKernels() {}

    /** PyTorch's convolution output length: floor((in + 2p - dil*(k-1) - 1) / s) + 1. */
    public static int convOutSize(int in, int kernel, int stride, int padding, int dilation) {
        return Math.floorDiv(in + 2 * padding - dilation * (kernel - 1) - 1, stride) + 1;
    }

    /** PyTorch's transposed-convolution output length: (in-1)*s - 2p + dil*(k-1) + outPad + 1. */
    public static int convTransposeOutSize(int in, int kernel, int stride, int padding, int outputPadding,
                                           int dilation) {
        return (in - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1;
    }

    // ------------------------------------------------------------------------------------------------
    // Convolution, float

    /**
     * y[n, cout, Do, Ho, Wo] = conv3d(x[n, cin, d, h, w], weight[cout, cin/groups, kd, kh, kw]) + bias,
     * on {@link Parallel#threads()} threads. {@code stride}, {@code padding}, {@code dilation} are
     * {d, h, w} triples; {@code bias} may be null.
     */
    public static float[] conv3d(float[] x, int n, int cin, int d, int h, int w,
                                 float[] weight, int cout, int kd, int kh, int kw, float[] bias,
                                 int[] stride, int[] padding, int[] dilation, int groups) {
        return conv3d(x, n, cin, d, h, w, weight, cout, kd, kh, kw, bias, stride, padding, dilation, groups,
                Parallel.threads());
    }

    /** {@link #conv3d(float[], int, int, int, int, int, float[], int, int, int, int, float[], int[], int[],
     *  int[], int)} on at most {@code threads} threads (same bits for any count). */
    public static float[] conv3d(float[] x, int n, int cin, int d, int h, int w,
                                 float[] weight, int cout, int kd, int kh, int kw, float[] bias,
                                 int[] stride, int[] padding, int[] dilation, int groups, int threads) {
        return conv3d(x, n, cin, d, h, w, weight, cout, kd, kh, kw, bias, stride, padding, dilation, groups, threads,
                Algo.AUTO);
    }

    /** Which float convolution algorithm runs (tests pin each one; callers use AUTO). */
    enum Algo {
        /** Pointwise shortcut when it applies, else direct or im2col by {@link #directPays}. */
        AUTO,
        /** Direct kernel (output channels in the vector lanes), after the pointwise shortcut. */
        DIRECT,
        /** im2col chunks + GEMM, after the pointwise shortcut. */
        IM2COL
    }

    static float[] conv3d(float[] x, int n, int cin, int d, int h, int w,
                          float[] weight, int cout, int kd, int kh, int kw, float[] bias,
                          int[] stride, int[] padding, int[] dilation, int groups, int threads, Algo algo) {
        Geometry g = Geometry.conv(x.length, n, cin, d, h, w, weight.length, cout, kd, kh, kw,
                bias == null ? -1 : bias.length, stride, padding, dilation, groups);
        float[] y = new float[Math.multiplyExact(Math.multiplyExact(n, cout), g.outVolume)];
        conv3d(x, n, cin, d, h, w, weight, cout, kd, kh, kw, bias, g, groups, threads, algo, y);
        return y;
    }

    /**
     * The convolution of {@link #conv3d(float[], int, int, int, int, int, float[], int, int, int, int,
     * float[], int[], int[], int[], int, int)} written into {@code y} (length n*cout*Do*Ho*Wo, fully
     * overwritten), for callers that recycle output buffers instead of allocating one per call.
     */
    public static void conv3dInto(float[] x, int n, int cin, int d, int h, int w,
                                  float[] weight, int cout, int kd, int kh, int kw, float[] bias,
                                  int[] stride, int[] padding, int[] dilation, int groups, float[] y, int threads) {
        Geometry g = Geometry.conv(x.length, n, cin, d, h, w, weight.length, cout, kd, kh, kw,
                bias == null ? -1 : bias.length, stride, padding, dilation, groups);
        long need = (long) n * cout * g.outVolume;
        if (y.length != need) {
            throw new IllegalArgumentException("output has " + y.length + " elements, expected " + need);
        }
        conv3d(x, n, cin, d, h, w, weight, cout, kd, kh, kw, bias, g, groups, threads, Algo.AUTO, y);
    }

    private static void conv3d(float[] x, int n, int cin, int d, int h, int w,
                               float[] weight, int cout, int kd, int kh, int kw, float[] bias, Geometry g,
                               int groups, int threads, Algo algo, float[] y) {
        if (y.length == 0) {
            return;
        }
        int cinG = cin / groups;
        int coutG = cout / groups;
        int kvol = kd * kh * kw;
        int kDim = cinG * kvol;
        int outP = g.outVolume;
        int inVol = d * h * w;
        boolean pointwise = kvol == 1 && g.sd == 1 && g.sh == 1 && g.sw == 1 && g.pd == 0 && g.ph == 0 && g.pw == 0;
        if (pointwise) {
            // The input planes already are the column matrix: B(p, j) = x[channel p, position j].
            for (int b = 0; b < n; b++) {
                for (int gr = 0; gr < groups; gr++) {
                    Sgemm.multiply(coutG, outP, kDim, weight, gr * coutG * kDim, kDim, 1,
                            x, (b * cin + gr * cinG) * inVol, inVol, 1,
                            y, (b * cout + gr * coutG) * outP, outP, false, threads);
                }
            }
            if (bias != null) {
                addBias(y, n, cout, outP, bias, threads);
            }
            return;
        }
        if (Simd.ENABLED && (algo == Algo.DIRECT || algo == Algo.AUTO && directPays(coutG))) {
            direct(x, n, cin, d, h, w, weight, cout, kd, kh, kw, bias, g, groups, threads, y);
            return;
        }
        // im2col in column chunks that fit the L2 budget, then GEMM: the SIMD kernel reads the chunk in
        // place against weights packed once; the scalar twin runs the reference GEMM.
        int chunk = Math.max(Sgemm.NR, COL_BUDGET / Math.max(1, kDim) / Sgemm.NR * Sgemm.NR);
        chunk = Math.min(chunk, outP);
        int chunksPerImage = Sgemm.ceilDiv(outP, chunk);
        int tasks = n * groups * chunksPerImage;
        int pieceSize = chunk;
        float[][] packedW = new float[groups][];
        for (int gr = 0; gr < groups && Simd.ENABLED; gr++) {
            packedW[gr] = Sgemm.packA(coutG, kDim, weight, gr * coutG * kDim, kDim, 1);
        }
        Parallel.forChunks(0, tasks, tasks, threads, (lo, hi) -> {
            float[] col = Buffers.take(kDim * pieceSize);
            try {
                for (int t = lo; t < hi; t++) {
                    int img = t / chunksPerImage;
                    int p0 = (t - img * chunksPerImage) * pieceSize;
                    int pc = Math.min(pieceSize, outP - p0);
                    int b = img / groups;
                    int gr = img - b * groups;
                    im2col(x, (b * cin + gr * cinG) * inVol, cinG, d, h, w, kd, kh, kw, g, p0, pc, col);
                    int yOff = (b * cout + gr * coutG) * outP + p0;
                    if (Simd.ENABLED) {
                        Sgemm.multiplyPackedA(coutG, pc, kDim, packedW[gr], col, 0, pc, y, yOff, outP, false);
                    } else {
                        SgemmReference.multiply(coutG, pc, kDim, weight, gr * coutG * kDim, kDim, 1, col, 0, pc, 1,
                                y, yOff, outP, false);
                    }
                    addBiasRange(y, bias, gr * coutG, coutG, yOff, outP, pc);
                }
            } finally {
                Buffers.give(col);
            }
        });
        return;
    }

    /** y[row co, positions yOff .. yOff+len) += bias[c0 + co] for co in [0, rows). */
    private static void addBiasRange(float[] y, float[] bias, int c0, int rows, int yOff, int ld, int len) {
        if (bias == null) {
            return;
        }
        for (int co = 0; co < rows; co++) {
            float bv = bias[c0 + co];
            int row = yOff + co * ld;
            for (int j = 0; j < len; j++) {
                y[row + j] += bv;
            }
        }
    }

    /**
     * Whether the direct kernel (output channels in the vector lanes, NR per tile) wastes fewer lanes than
     * im2col + GEMM (channels in MR-row panels), counting the im2col copy as a third of the GEMM's time.
     */
    static boolean directPays(int coutG) {
        double directWaste = (double) Sgemm.roundUp(coutG, Sgemm.NR) / coutG;
        double gemmWaste = (double) Sgemm.roundUp(coutG, Sgemm.MR) / coutG * 1.3;
        return directWaste <= gemmWaste;
    }

    /**
     * Direct convolution: for each output row (b, group, od, oh) and each run of MR output positions,
     * an MR x NR tile of (positions x output channels) is summed over all kDim taps by
     * {@link Sgemm#directKernel}, which broadcasts input values straight from x (no im2col) against rows
     * of the transposed, NR-channel-padded weights. Padding is handled once by a zero-padded copy of the
     * input, so every tap of every position is in range. A partial run at the end of a row is gathered
     * into a packed MR x kDim panel and goes through the GEMM kernel, which does the same float operations.
     * Tasks are whole output rows, so results do not depend on the thread count.
     */
    private static void direct(float[] x, int n, int cin, int d, int h, int w, float[] weight, int cout,
                               int kd, int kh, int kw, float[] bias, Geometry g, int groups, int threads,
                               float[] y) {
        int nr = Sgemm.NR;
        int cinG = cin / groups;
        int coutG = cout / groups;
        int kDim = cinG * kd * kh * kw;
        int hp = h + 2 * g.ph;
        int wp = w + 2 * g.pw;
        float[] xp = padded(x, n * cin, d, h, w, g.pd, g.ph, g.pw, threads);
        int plane = (d + 2 * g.pd) * hp * wp;
        int[] tapOff = new int[kDim];
        int t0 = 0;
        for (int ci = 0; ci < cinG; ci++) {
            for (int a = 0; a < kd; a++) {
                for (int bb = 0; bb < kh; bb++) {
                    for (int cc = 0; cc < kw; cc++) {
                        tapOff[t0++] = ci * plane + (a * g.dd * hp + bb * g.dh) * wp + cc * g.dw;
                    }
                }
            }
        }
        // Transposed weights, one zero-padded block of NR output channels at a time: wt[t][co].
        int coPanels = Sgemm.ceilDiv(coutG, nr);
        float[] wt = new float[groups * coPanels * kDim * nr];
        for (int gr = 0; gr < groups; gr++) {
            for (int cp = 0; cp < coPanels; cp++) {
                int base = (gr * coPanels + cp) * kDim * nr;
                for (int j = 0; j < nr && cp * nr + j < coutG; j++) {
                    int src = (gr * coutG + cp * nr + j) * kDim;
                    for (int t = 0; t < kDim; t++) {
                        wt[base + t * nr + j] = weight[src + t];
                    }
                }
            }
        }
        int rows = g.outD * g.outH;
        int tasks = n * groups * rows;
        try {
            directRows(xp, cin, cout, cinG, coutG, kDim, g, groups, threads, tapOff, wt, coPanels, plane, hp, wp,
                    rows, tasks, bias, y);
        } finally {
            if (xp != x) {
                Buffers.give(xp);
            }
        }
    }

    /** The parallel part of {@link #direct}: output rows split over threads. */
    private static void directRows(float[] xp, int cin, int cout, int cinG, int coutG, int kDim, Geometry g,
                                   int groups, int threads, int[] tapOff, float[] wt, int coPanels, int plane,
                                   int hp, int wp, int rows, int tasks, float[] bias, float[] y) {
        int nr = Sgemm.NR;
        int mr = Sgemm.MR;
        int outP = g.outVolume;
        Parallel.forChunks(0, tasks, tasks, threads, (lo, hi) -> {
            float[] tile = Buffers.take(mr * nr + mr * kDim);
            int apOff = mr * nr;
            try {
                for (int task = lo; task < hi; task++) {
                    int img = task / rows;
                    int row = task - img * rows;
                    int b = img / groups;
                    int gr = img - b * groups;
                    int od = row / g.outH;
                    int oh = row - od * g.outH;
                    int rowOrigin = (b * cin + gr * cinG) * plane + (od * g.sd * hp + oh * g.sh) * wp;
                    int pos0 = row * g.outW;
                    for (int cp = 0; cp < coPanels; cp++) {
                        int wOff = (gr * coPanels + cp) * kDim * nr;
                        int nco = Math.min(nr, coutG - cp * nr);
                        int co0 = gr * coutG + cp * nr;
                        for (int ow = 0; ow < g.outW; ow += mr) {
                            int m = Math.min(mr, g.outW - ow);
                            int origin = rowOrigin + ow * g.sw;
                            if (m == mr) {
                                Sgemm.directKernel(kDim, xp, origin, g.sw, tapOff, wt, wOff, tile, 0);
                            } else {
                                // Row end: gather the m positions (zero rows past m) for the GEMM kernel.
                                for (int t = 0; t < kDim; t++) {
                                    int src = origin + tapOff[t];
                                    int dst = apOff + t * mr;
                                    for (int r = 0; r < mr; r++) {
                                        tile[dst + r] = r < m ? xp[src + r * g.sw] : 0f;
                                    }
                                }
                                Sgemm.kernel(kDim, tile, apOff, wt, wOff, nr, tile, 0, nr, true, -1);
                            }
                            // The tile is (positions x channels) and y is channel-major: store transposed.
                            int pos = pos0 + ow;
                            for (int j = 0; j < nco; j++) {
                                int yRow = (b * cout + co0 + j) * outP + pos;
                                if (bias == null) {
                                    for (int r = 0; r < m; r++) {
                                        y[yRow + r] = tile[r * nr + j];
                                    }
                                } else {
                                    float bv = bias[co0 + j];
                                    for (int r = 0; r < m; r++) {
                                        y[yRow + r] = tile[r * nr + j] + bv;
                                    }
                                }
                            }
                        }
                    }
                }
            } finally {
                Buffers.give(tile);
            }
        });
    }

    /**
     * x [planes, d, h, w] copied into a zero border of (pd, ph, pw), in a pooled array that the caller
     * gives back to {@link Buffers}; x itself when there is no padding. Every element is written (the
     * pooled array holds stale data), and pooling avoids touching fresh heap pages on every call: on a VM
     * the first touch of a page can cost microseconds, which made the copy dominate small convolutions.
     */
    private static float[] padded(float[] x, int planes, int d, int h, int w, int pd, int ph, int pw,
                                  int threads) {
        if (pd == 0 && ph == 0 && pw == 0) {
            return x;
        }
        int dp = d + 2 * pd;
        int hp = h + 2 * ph;
        int wp = w + 2 * pw;
        float[] xp = Buffers.take(Math.multiplyExact(planes, Math.multiplyExact(dp, hp * wp)));
        int t = (long) planes * dp * hp * wp < (1 << 18) ? 1 : threads;
        Parallel.forRange(0, planes * dp, t, (lo, hi) -> {
            for (int pz = lo; pz < hi; pz++) {
                int pl = pz / dp;
                int z = pz - pl * dp - pd;
                int dst = pz * hp * wp;
                if (z < 0 || z >= d) {
                    java.util.Arrays.fill(xp, dst, dst + hp * wp, 0f);
                    continue;
                }
                java.util.Arrays.fill(xp, dst, dst + ph * wp, 0f);
                for (int yy = 0; yy < h; yy++) {
                    int row = dst + (yy + ph) * wp;
                    java.util.Arrays.fill(xp, row, row + pw, 0f);
                    System.arraycopy(x, ((pl * d + z) * h + yy) * w, xp, row + pw, w);
                    java.util.Arrays.fill(xp, row + pw + w, row + wp, 0f);
                }
                java.util.Arrays.fill(xp, dst + (ph + h) * wp, dst + hp * wp, 0f);
            }
        });
        return xp;
    }

    /**
     * Writes the column matrix rows (ci, a, b, c) x output positions [p0, p0 + pc) into {@code col}
     * (row-major, leading dimension pc); out-of-range taps read the zero padding.
     */
    static void im2col(float[] x, int xBase, int cinG, int d, int h, int w, int kd, int kh, int kw,
                       Geometry g, int p0, int pc, float[] col) {
        int hw = g.outH * g.outW;
        int odStart = p0 / hw;
        int ohStart = (p0 - odStart * hw) / g.outW;
        int owStart = p0 - odStart * hw - ohStart * g.outW;
        int row = 0;
        for (int ci = 0; ci < cinG; ci++) {
            int xc = xBase + ci * d * h * w;
            for (int a = 0; a < kd; a++) {
                for (int bb = 0; bb < kh; bb++) {
                    for (int cc = 0; cc < kw; cc++, row++) {
                        int dst = row * pc;
                        int filled = 0;
                        int od = odStart;
                        int oh = ohStart;
                        int ow = owStart;
                        int colShift = cc * g.dw - g.pw;
                        while (filled < pc) {
                            int run = Math.min(g.outW - ow, pc - filled);
                            int id = od * g.sd - g.pd + a * g.dd;
                            int ih = oh * g.sh - g.ph + bb * g.dh;
                            int at = dst + filled;
                            if (id < 0 || id >= d || ih < 0 || ih >= h) {
                                java.util.Arrays.fill(col, at, at + run, 0f);
                            } else {
                                int src = xc + (id * h + ih) * w;
                                int iw0 = ow * g.sw + colShift;
                                if (g.sw == 1) {
                                    // Contiguous run: zeros left of the input, one copy, zeros right of it.
                                    int lo = Math.min(run, Math.max(0, -iw0));
                                    int hi = Math.max(lo, Math.min(run, w - iw0));
                                    java.util.Arrays.fill(col, at, at + lo, 0f);
                                    if (hi > lo) {
                                        System.arraycopy(x, src + iw0 + lo, col, at + lo, hi - lo);
                                    }
                                    java.util.Arrays.fill(col, at + hi, at + run, 0f);
                                } else {
                                    for (int t = 0; t < run; t++) {
                                        int iw = iw0 + t * g.sw;
                                        col[at + t] = iw >= 0 && iw < w ? x[src + iw] : 0f;
                                    }
                                }
                            }
                            filled += run;
                            ow = 0;
                            if (++oh == g.outH) {
                                oh = 0;
                                od++;
                            }
                        }
                    }
                }
            }
        }
    }

    private static void addBias(float[] y, int n, int cout, int plane, float[] bias, int threads) {
        int t = (long) y.length < (1 << 16) ? 1 : threads;
        Parallel.forRange(0, n * cout, t, (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                float bv = bias[r % cout];
                int off = r * plane;
                for (int j = 0; j < plane; j++) {
                    y[off + j] += bv;
                }
            }
        });
    }

    // ------------------------------------------------------------------------------------------------
    // Transposed convolution, float

    /**
     * y[n, cout, Do, Ho, Wo] = conv_transpose3d(x[n, cin, d, h, w], weight[cin, cout/groups, kd, kh, kw])
     * + bias, PyTorch semantics (Do = (d-1)*s - 2p + dil*(k-1) + outputPadding + 1), on
     * {@link Parallel#threads()} threads.
     */
    public static float[] convTranspose3d(float[] x, int n, int cin, int d, int h, int w,
                                          float[] weight, int cout, int kd, int kh, int kw, float[] bias,
                                          int[] stride, int[] padding, int[] outputPadding, int[] dilation,
                                          int groups) {
        return convTranspose3d(x, n, cin, d, h, w, weight, cout, kd, kh, kw, bias, stride, padding,
                outputPadding, dilation, groups, Parallel.threads());
    }

    /** {@link #convTranspose3d(float[], int, int, int, int, int, float[], int, int, int, int, float[],
     *  int[], int[], int[], int[], int)} on at most {@code threads} threads (same bits for any count). */
    public static float[] convTranspose3d(float[] x, int n, int cin, int d, int h, int w,
                                          float[] weight, int cout, int kd, int kh, int kw, float[] bias,
                                          int[] stride, int[] padding, int[] outputPadding, int[] dilation,
                                          int groups, int threads) {
        Geometry g = Geometry.transpose(x.length, n, cin, d, h, w, weight.length, cout, kd, kh, kw,
                bias == null ? -1 : bias.length, stride, padding, outputPadding, dilation, groups);
        float[] y = new float[Math.multiplyExact(Math.multiplyExact(n, cout), g.outVolume)];
        convTranspose3d(x, n, cin, d, h, w, weight, cout, kd, kh, kw, bias, g, groups, threads, y);
        return y;
    }

    /**
     * The transposed convolution of {@link #convTranspose3d(float[], int, int, int, int, int, float[], int,
     * int, int, int, float[], int[], int[], int[], int[], int, int)} written into {@code y} (length
     * n*cout*Do*Ho*Wo, fully overwritten).
     */
    public static void convTranspose3dInto(float[] x, int n, int cin, int d, int h, int w,
                                           float[] weight, int cout, int kd, int kh, int kw, float[] bias,
                                           int[] stride, int[] padding, int[] outputPadding, int[] dilation,
                                           int groups, float[] y, int threads) {
        Geometry g = Geometry.transpose(x.length, n, cin, d, h, w, weight.length, cout, kd, kh, kw,
                bias == null ? -1 : bias.length, stride, padding, outputPadding, dilation, groups);
        long need = (long) n * cout * g.outVolume;
        if (y.length != need) {
            throw new IllegalArgumentException("output has " + y.length + " elements, expected " + need);
        }
        convTranspose3d(x, n, cin, d, h, w, weight, cout, kd, kh, kw, bias, g, groups, threads, y);
    }

    private static void convTranspose3d(float[] x, int n, int cin, int d, int h, int w, float[] weight, int cout,
                                        int kd, int kh, int kw, float[] bias, Geometry g, int groups, int threads,
                                        float[] y) {
        int outP = g.outVolume;
        if (y.length == 0) {
            return;
        }
        // The scatter below accumulates into y, so it starts from the bias (or zero).
        for (int r = 0; r < n * cout; r++) {
            java.util.Arrays.fill(y, r * outP, (r + 1) * outP, bias == null ? 0f : bias[r % cout]);
        }
        int cinG = cin / groups;
        int coutG = cout / groups;
        int kvol = kd * kh * kw;
        int rows = coutG * kvol;
        int inP = d * h * w;
        if (inP == 0 || cinG == 0) {
            return;
        }
        int chunk = Math.max(Sgemm.NR, COL_BUDGET * 4 / Math.max(1, rows) / Sgemm.NR * Sgemm.NR);
        chunk = Math.min(chunk, inP);
        float[] col = Buffers.take(rows * chunk);
        try {
            for (int b = 0; b < n; b++) {
                for (int gr = 0; gr < groups; gr++) {
                    int yBase = (b * cout + gr * coutG) * outP;
                    for (int p0 = 0; p0 < inP; p0 += chunk) {
                        int pc = Math.min(chunk, inP - p0);
                        // col[r, j] = sum over ci of W[ci, r] * X[ci, p0 + j], r = (co, a, bb, cc).
                        Sgemm.multiply(rows, pc, cinG, weight, gr * cinG * rows, 1, rows,
                                x, (b * cin + gr * cinG) * inP + p0, inP, 1, col, 0, pc, false, threads);
                        int start = p0;
                        int len = pc;
                        // Output channels own disjoint planes of y, so the scatter splits over them race-free.
                        Parallel.forRange(0, coutG, (long) rows * pc < (1 << 15) ? 1 : threads,
                                (lo, hi) -> col2im(col, len, start, lo, hi, kd, kh, kw, d, h, w, g, y, yBase));
                    }
                }
            }
        } finally {
            Buffers.give(col);
        }
    }

    /** Scatter-adds column rows of output channels [co0, co1) for input positions [p0, p0+pc) into y. */
    private static void col2im(float[] col, int pc, int p0, int co0, int co1, int kd, int kh, int kw,
                               int d, int h, int w, Geometry g, float[] y, int yBase) {
        int hw = h * w;
        int outPlane = g.outD * g.outH * g.outW;
        for (int co = co0; co < co1; co++) {
            int yc = yBase + co * outPlane;
            for (int a = 0; a < kd; a++) {
                for (int bb = 0; bb < kh; bb++) {
                    for (int cc = 0; cc < kw; cc++) {
                        int src = ((co * kd + a) * kh + bb) * kw + cc;
                        src = src * pc;
                        int id = p0 / hw;
                        int ih = (p0 - id * hw) / w;
                        int iw = p0 - id * hw - ih * w;
                        for (int j = 0; j < pc; j++) {
                            int od = id * g.sd - g.pd + a * g.dd;
                            int oh = ih * g.sh - g.ph + bb * g.dh;
                            int ow = iw * g.sw - g.pw + cc * g.dw;
                            if (od >= 0 && od < g.outD && oh >= 0 && oh < g.outH && ow >= 0 && ow < g.outW) {
                                y[yc + (od * g.outH + oh) * g.outW + ow] += col[src + j];
                            }
                            if (++iw == w) {
                                iw = 0;
                                if (++ih == h) {
                                    ih = 0;
                                    id++;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Double references (plain loops over the definitions)

    /** Float64 convolution by the definition; same contract as the float version. */
    public static double[] conv3d(double[] x, int n, int cin, int d, int h, int w,
                                  double[] weight, int cout, int kd, int kh, int kw, double[] bias,
                                  int[] stride, int[] padding, int[] dilation, int groups) {
        Geometry g = Geometry.conv(x.length, n, cin, d, h, w, weight.length, cout, kd, kh, kw,
                bias == null ? -1 : bias.length, stride, padding, dilation, groups);
        int cinG = cin / groups;
        int coutG = cout / groups;
        double[] y = new double[n * cout * g.outVolume];
        for (int b = 0; b < n; b++) {
            for (int co = 0; co < cout; co++) {
                int gr = co / coutG;
                for (int od = 0; od < g.outD; od++) {
                    for (int oh = 0; oh < g.outH; oh++) {
                        for (int ow = 0; ow < g.outW; ow++) {
                            double s = bias == null ? 0 : bias[co];
                            for (int ci = 0; ci < cinG; ci++) {
                                int xc = (b * cin + gr * cinG + ci) * d;
                                for (int a = 0; a < kd; a++) {
                                    int id = od * g.sd - g.pd + a * g.dd;
                                    if (id < 0 || id >= d) {
                                        continue;
                                    }
                                    for (int bb = 0; bb < kh; bb++) {
                                        int ih = oh * g.sh - g.ph + bb * g.dh;
                                        if (ih < 0 || ih >= h) {
                                            continue;
                                        }
                                        for (int cc = 0; cc < kw; cc++) {
                                            int iw = ow * g.sw - g.pw + cc * g.dw;
                                            if (iw < 0 || iw >= w) {
                                                continue;
                                            }
                                            s += x[((xc + id) * h + ih) * w + iw]
                                                    * weight[(((co * cinG + ci) * kd + a) * kh + bb) * kw + cc];
                                        }
                                    }
                                }
                            }
                            y[(((b * cout + co) * g.outD + od) * g.outH + oh) * g.outW + ow] = s;
                        }
                    }
                }
            }
        }
        return y;
    }

    /** Float64 transposed convolution in scatter form (each input tap adds into the outputs it feeds). */
    public static double[] convTranspose3d(double[] x, int n, int cin, int d, int h, int w,
                                           double[] weight, int cout, int kd, int kh, int kw, double[] bias,
                                           int[] stride, int[] padding, int[] outputPadding, int[] dilation,
                                           int groups) {
        Geometry g = Geometry.transpose(x.length, n, cin, d, h, w, weight.length, cout, kd, kh, kw,
                bias == null ? -1 : bias.length, stride, padding, outputPadding, dilation, groups);
        int cinG = cin / groups;
        int coutG = cout / groups;
        int outP = g.outVolume;
        double[] y = new double[n * cout * outP];
        for (int b = 0; b < n; b++) {
            for (int co = 0; co < cout; co++) {
                for (int p = 0; p < outP; p++) {
                    y[(b * cout + co) * outP + p] = bias == null ? 0 : bias[co];
                }
            }
            for (int ci = 0; ci < cin; ci++) {
                int gr = ci / cinG;
                for (int id = 0; id < d; id++) {
                    for (int ih = 0; ih < h; ih++) {
                        for (int iw = 0; iw < w; iw++) {
                            double v = x[(((b * cin + ci) * d + id) * h + ih) * w + iw];
                            for (int co = 0; co < coutG; co++) {
                                for (int a = 0; a < kd; a++) {
                                    int od = id * g.sd - g.pd + a * g.dd;
                                    if (od < 0 || od >= g.outD) {
                                        continue;
                                    }
                                    for (int bb = 0; bb < kh; bb++) {
                                        int oh = ih * g.sh - g.ph + bb * g.dh;
                                        if (oh < 0 || oh >= g.outH) {
                                            continue;
                                        }
                                        for (int cc = 0; cc < kw; cc++) {
                                            int ow = iw * g.sw - g.pw + cc * g.dw;
                                            if (ow < 0 || ow >= g.outW) {
                                                continue;
                                            }
                                            int oc = gr * coutG + co;
                                            y[(((b * cout + oc) * g.outD + od) * g.outH + oh) * g.outW + ow] +=
                                                    v * weight[(((ci * coutG + co) * kd + a) * kh + bb) * kw + cc];
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return y;
    }

    // ------------------------------------------------------------------------------------------------
    // Shape checks

    /** Validated strides, paddings, dilations and output sizes of one (transposed) convolution. */
    static final class Geometry {
        final int sd, sh, sw, pd, ph, pw, dd, dh, dw;
        final int outD, outH, outW, outVolume;

        private Geometry(int[] s, int[] p, int[] dil, int outD, int outH, int outW) {
            sd = s[0]; sh = s[1]; sw = s[2];
            pd = p[0]; ph = p[1]; pw = p[2];
            dd = dil[0]; dh = dil[1]; dw = dil[2];
            this.outD = outD;
            this.outH = outH;
            this.outW = outW;
            this.outVolume = Math.multiplyExact(Math.multiplyExact(outD, outH), outW);
        }

        /**
         * Unvalidated geometry with explicit "output" sizes, for the backward kernels: they run im2col over
         * a gradient whose positions are not the ones a forward convolution of its shape would produce.
         */
        static Geometry explicit(int[] stride, int[] padding, int[] dilation, int outD, int outH, int outW) {
            return new Geometry(stride, padding, dilation, outD, outH, outW);
        }

        static Geometry conv(int xLen, int n, int cin, int d, int h, int w, int wLen, int cout,
                             int kd, int kh, int kw, int biasLen, int[] stride, int[] padding, int[] dilation,
                             int groups) {
            common(xLen, n, cin, d, h, w, cout, kd, kh, kw, biasLen, stride, padding, dilation, groups);
            long expectW = (long) cout * (cin / groups) * kd * kh * kw;
            if (wLen != expectW) {
                throw new IllegalArgumentException("weight has " + wLen + " elements, expected [" + cout + ", "
                        + cin / groups + ", " + kd + ", " + kh + ", " + kw + "] = " + expectW);
            }
            int[] in = {d, h, w};
            int[] k = {kd, kh, kw};
            int[] out = new int[3];
            for (int i = 0; i < 3; i++) {
                out[i] = convOutSize(in[i], k[i], stride[i], padding[i], dilation[i]);
                if (out[i] < 1 && in[i] > 0) {
                    throw new IllegalArgumentException("convolution output size " + out[i] + " < 1 in dim " + i
                            + ": input " + in[i] + " (padded " + (in[i] + 2 * padding[i]) + ") smaller than "
                            + "the dilated kernel " + (dilation[i] * (k[i] - 1) + 1));
                }
                out[i] = Math.max(out[i], 0);
            }
            return new Geometry(stride, padding, dilation, out[0], out[1], out[2]);
        }

        static Geometry transpose(int xLen, int n, int cin, int d, int h, int w, int wLen, int cout,
                                  int kd, int kh, int kw, int biasLen, int[] stride, int[] padding,
                                  int[] outputPadding, int[] dilation, int groups) {
            common(xLen, n, cin, d, h, w, cout, kd, kh, kw, biasLen, stride, padding, dilation, groups);
            Parallel.requireTriple("outputPadding", outputPadding, 0);
            long expectW = (long) cin * (cout / groups) * kd * kh * kw;
            if (wLen != expectW) {
                throw new IllegalArgumentException("weight has " + wLen + " elements, expected [" + cin + ", "
                        + cout / groups + ", " + kd + ", " + kh + ", " + kw + "] = " + expectW);
            }
            int[] in = {d, h, w};
            int[] k = {kd, kh, kw};
            int[] out = new int[3];
            for (int i = 0; i < 3; i++) {
                if (outputPadding[i] >= stride[i] && outputPadding[i] >= dilation[i]) {
                    throw new IllegalArgumentException("output padding must be smaller than either stride or "
                            + "dilation, got outputPadding " + outputPadding[i] + " stride " + stride[i]
                            + " dilation " + dilation[i]);
                }
                out[i] = convTransposeOutSize(in[i], k[i], stride[i], padding[i], outputPadding[i], dilation[i]);
                if (out[i] < 1) {
                    throw new IllegalArgumentException("transposed convolution output size " + out[i]
                            + " < 1 in dim " + i);
                }
            }
            return new Geometry(stride, padding, dilation, out[0], out[1], out[2]);
        }

        private static void common(int xLen, int n, int cin, int d, int h, int w, int cout, int kd, int kh,
                                   int kw, int biasLen, int[] stride, int[] padding, int[] dilation,
                                   int groups) {
            if (n < 0 || cin < 0 || d < 0 || h < 0 || w < 0 || cout < 0) {
                throw new IllegalArgumentException("negative size");
            }
            if (kd < 1 || kh < 1 || kw < 1) {
                throw new IllegalArgumentException("kernel sizes must be >= 1, got " + kd + "x" + kh + "x" + kw);
            }
            if (groups < 1 || cin % groups != 0 || cout % groups != 0) {
                throw new IllegalArgumentException("groups=" + groups + " must divide cin=" + cin + " and cout="
                        + cout);
            }
            Parallel.requireTriple("stride", stride, 1);
            Parallel.requireTriple("padding", padding, 0);
            Parallel.requireTriple("dilation", dilation, 1);
            long expectX = (long) n * cin * d * h * w;
            if (xLen != expectX) {
                throw new IllegalArgumentException("input has " + xLen + " elements, expected [" + n + ", " + cin
                        + ", " + d + ", " + h + ", " + w + "] = " + expectX);
            }
            if (biasLen >= 0 && biasLen != cout) {
                throw new IllegalArgumentException("bias has " + biasLen + " elements, expected " + cout);
            }
        }

    }
}
