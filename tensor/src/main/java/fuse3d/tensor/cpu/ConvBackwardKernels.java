package fuse3d.tensor.cpu;

import fuse3d.tensor.cpu.ConvKernels.Geometry;

/**
 * Gradients of {@link ConvKernels}' convolution and transposed convolution with respect to their input,
 * weight and bias, on contiguous NC(D)HW arrays with PyTorch's semantics (2-D and 1-D are the D = 1, H = 1
 * cases).
 *
 * <p>Input sizes are passed explicitly: with stride > 1 several input lengths give the same output
 * length, and the gradient must have the input's shape. The float versions are GEMM based. The input
 * gradient of a convolution is a transposed convolution of the output gradient (Wᵀ·gradOut, then a
 * col2im scatter-add) and the input gradient of a transposed convolution is a plain convolution, so both
 * reuse the forward kernels. Weight gradients are gradOut·colᵀ accumulated over im2col chunks sized to the
 * forward's L2 budget, so memory stays bounded for large 3-D inputs. Every reduction runs in an order that
 * does not depend on the thread count, so the float results are the same bits for any thread count. The
 * double overloads are plain loops over the definitions and serve float64 gradient checks.
 */
public final class ConvBackwardKernels {

    private ConvBackwardKernels() {}

    // ------------------------------------------------------------------------------------------------
    // Convolution: gradient with respect to the input

    /**
     * gradInput [n, cin, inD, inH, inW] of {@code y = conv3d(x, weight)} given gradOut [n, cout, oD, oH, oW]
     * and weight [cout, cin/groups, kd, kh, kw]; on {@link Parallel#threads()} threads.
     */
    public static float[] conv3dBackwardInput(float[] gradOut, int n, int cout, int oD, int oH, int oW,
                                              float[] weight, int cin, int kd, int kh, int kw,
                                              int inD, int inH, int inW,
                                              int[] stride, int[] padding, int[] dilation, int groups) {
        return conv3dBackwardInput(gradOut, n, cout, oD, oH, oW, weight, cin, kd, kh, kw, inD, inH, inW, stride,
                padding, dilation, groups, Parallel.threads());
    }

    /** {@link #conv3dBackwardInput(float[], int, int, int, int, int, float[], int, int, int, int, int, int,
     *  int, int[], int[], int[], int)} on at most {@code threads} threads (same bits for any count). */
    public static float[] conv3dBackwardInput(float[] gradOut, int n, int cout, int oD, int oH, int oW,
                                              float[] weight, int cin, int kd, int kh, int kw,
                                              int inD, int inH, int inW,
                                              int[] stride, int[] padding, int[] dilation, int groups,
                                              int threads) {
        checkConv(gradOut.length, n, cout, oD, oH, oW, weight.length, cin, kd, kh, kw, inD, inH, inW, stride,
                padding, dilation, groups);
        int size = Math.multiplyExact(Math.multiplyExact(n, cin), inD * inH * inW);
        if (size == 0 || cout == 0) {
            return new float[size];
        }
        if (stride[0] == 1 && stride[1] == 1 && stride[2] == 1 && (long) oD * oH * oW >= cout
                && padding[0] <= dilation[0] * (kd - 1) && padding[1] <= dilation[1] * (kh - 1) && padding[2] <= dilation[2] * (kw - 1)) {
            // With stride 1 the input gradient is a plain convolution of gradOut with the weight flipped in
            // space and transposed in channels, padded by dil*(k-1) - p: the forward kernels (direct or
            // im2col + GEMM) run it with no col2im scatter, which is the slow part of the general path. With
            // few positions per channel (deep, small maps) the GEMM + col2im path is the faster one.
            int[] pad = {dilation[0] * (kd - 1) - padding[0], dilation[1] * (kh - 1) - padding[1], dilation[2] * (kw - 1) - padding[2]};
            return ConvKernels.conv3d(gradOut, n, cout, oD, oH, oW, flipTransposed(weight, cout, cin, kd * kh * kw, groups), cin, kd, kh, kw, null,
                    stride, pad, dilation, groups, threads);
        }
        // The floor in the forward output size drops up to stride-1 trailing input positions; as a
        // transposed convolution they are its output padding, which is therefore always < stride.
        int[] outPad = {
            inD - ConvKernels.convTransposeOutSize(oD, kd, stride[0], padding[0], 0, dilation[0]),
            inH - ConvKernels.convTransposeOutSize(oH, kh, stride[1], padding[1], 0, dilation[1]),
            inW - ConvKernels.convTransposeOutSize(oW, kw, stride[2], padding[2], 0, dilation[2]),
        };
        // Weight [cout, cin/groups, k...] read as a transposed-convolution weight [cin_t, cout_t/groups, k...]
        // with cin_t = cout: exactly the layout the transposed convolution expects.
        return ConvKernels.convTranspose3d(gradOut, n, cout, oD, oH, oW, weight, cin, kd, kh, kw, null, stride,
                padding, outPad, dilation, groups, threads);
    }

    /**
     * W'[g*cinG + ci, co, t'] = W[g*coutG + co, ci, t] with t' the tap mirrored in every dim (the flat index
     * kvol-1-t): the weight of the convolution that maps a stride-1 convolution's output gradient back.
     */
    static float[] flipTransposed(float[] weight, int cout, int cin, int kvol, int groups) {
        int coutG = cout / groups, cinG = cin / groups;
        float[] f = new float[weight.length];
        for (int gr = 0; gr < groups; gr++)
            for (int co = 0; co < coutG; co++)
                for (int ci = 0; ci < cinG; ci++) {
                    int src = ((gr * coutG + co) * cinG + ci) * kvol;
                    int dst = ((gr * cinG + ci) * coutG + co) * kvol;
                    for (int t = 0; t < kvol; t++) f[dst + kvol - 1 - t] = weight[src + t];
                }
        return f;
    }

    /** Float64 input gradient of a convolution, by the definition (same contract as the float version). */
    public static double[] conv3dBackwardInput(double[] gradOut, int n, int cout, int oD, int oH, int oW,
                                               double[] weight, int cin, int kd, int kh, int kw,
                                               int inD, int inH, int inW,
                                               int[] stride, int[] padding, int[] dilation, int groups) {
        checkConv(gradOut.length, n, cout, oD, oH, oW, weight.length, cin, kd, kh, kw, inD, inH, inW, stride,
                padding, dilation, groups);
        double[] gi = new double[n * cin * inD * inH * inW];
        int cinG = cin / groups;
        int coutG = cout == 0 ? 1 : cout / groups;
        for (int b = 0; b < n; b++) {
            for (int co = 0; co < cout; co++) {
                int gr = co / coutG;
                for (int od = 0; od < oD; od++) {
                    for (int oh = 0; oh < oH; oh++) {
                        for (int ow = 0; ow < oW; ow++) {
                            double gv = gradOut[(((b * cout + co) * oD + od) * oH + oh) * oW + ow];
                            for (int ci = 0; ci < cinG; ci++) {
                                int xc = (b * cin + gr * cinG + ci) * inD;
                                int wBase = (co * cinG + ci) * kd * kh * kw;
                                forTaps(od, oh, ow, kd, kh, kw, inD, inH, inW, stride, padding, dilation,
                                        (tap, id, ih, iw) -> gi[((xc + id) * inH + ih) * inW + iw] +=
                                                gv * weight[wBase + tap]);
                            }
                        }
                    }
                }
            }
        }
        return gi;
    }

    // ------------------------------------------------------------------------------------------------
    // Convolution: gradient with respect to the weight

    /**
     * gradWeight [cout, cin/groups, kd, kh, kw] of {@code y = conv3d(x, weight)} given gradOut
     * [n, cout, oD, oH, oW] and x [n, cin, inD, inH, inW]; on {@link Parallel#threads()} threads.
     */
    public static float[] conv3dBackwardWeight(float[] gradOut, float[] x, int n, int cin, int inD, int inH,
                                               int inW, int cout, int oD, int oH, int oW, int kd, int kh, int kw,
                                               int[] stride, int[] padding, int[] dilation, int groups) {
        return conv3dBackwardWeight(gradOut, x, n, cin, inD, inH, inW, cout, oD, oH, oW, kd, kh, kw, stride,
                padding, dilation, groups, Parallel.threads());
    }

    /** {@link #conv3dBackwardWeight(float[], float[], int, int, int, int, int, int, int, int, int, int, int,
     *  int, int[], int[], int[], int)} on at most {@code threads} threads (same bits for any count). */
    public static float[] conv3dBackwardWeight(float[] gradOut, float[] x, int n, int cin, int inD, int inH,
                                               int inW, int cout, int oD, int oH, int oW, int kd, int kh, int kw,
                                               int[] stride, int[] padding, int[] dilation, int groups,
                                               int threads) {
        long kvol = (long) kd * kh * kw;
        checkConv(gradOut.length, n, cout, oD, oH, oW, cout * (long) (cin / Math.max(1, groups)) * kvol, cin,
                kd, kh, kw, inD, inH, inW, stride, padding, dilation, groups);
        checkLength("input", x.length, (long) n * cin * inD * inH * inW);
        Geometry g = Geometry.explicit(stride, padding, dilation, oD, oH, oW);
        return weightGrad(gradOut, x, n, cin, cout, inD, inH, inW, oD * oH * oW, cout / groups, cin / groups,
                cin / groups, kd, kh, kw, g, groups, threads);
    }

    /** Float64 weight gradient of a convolution, by the definition (same contract as the float version). */
    public static double[] conv3dBackwardWeight(double[] gradOut, double[] x, int n, int cin, int inD, int inH,
                                                int inW, int cout, int oD, int oH, int oW, int kd, int kh, int kw,
                                                int[] stride, int[] padding, int[] dilation, int groups) {
        int kvol = kd * kh * kw;
        checkConv(gradOut.length, n, cout, oD, oH, oW, cout * (long) (cin / Math.max(1, groups)) * kvol, cin,
                kd, kh, kw, inD, inH, inW, stride, padding, dilation, groups);
        checkLength("input", x.length, (long) n * cin * inD * inH * inW);
        int cinG = cin / groups;
        int coutG = cout == 0 ? 1 : cout / groups;
        double[] gw = new double[cout * cinG * kvol];
        for (int b = 0; b < n; b++) {
            for (int co = 0; co < cout; co++) {
                int gr = co / coutG;
                for (int od = 0; od < oD; od++) {
                    for (int oh = 0; oh < oH; oh++) {
                        for (int ow = 0; ow < oW; ow++) {
                            double gv = gradOut[(((b * cout + co) * oD + od) * oH + oh) * oW + ow];
                            for (int ci = 0; ci < cinG; ci++) {
                                int xc = (b * cin + gr * cinG + ci) * inD;
                                int wBase = (co * cinG + ci) * kvol;
                                forTaps(od, oh, ow, kd, kh, kw, inD, inH, inW, stride, padding, dilation,
                                        (tap, id, ih, iw) -> gw[wBase + tap] +=
                                                gv * x[((xc + id) * inH + ih) * inW + iw]);
                            }
                        }
                    }
                }
            }
        }
        return gw;
    }

    // ------------------------------------------------------------------------------------------------
    // Bias

    /** gradBias [c]: gradOut [n, c, vol] summed over the batch and the spatial positions (in double). */
    public static float[] biasGrad(float[] gradOut, int n, int c, int vol) {
        checkLength("gradOut", gradOut.length, (long) n * c * vol);
        float[] gb = new float[c];
        // Channels are independent sums, each in a fixed order: any split over threads gives the same bits.
        Parallel.forRange(0, c, (long) gradOut.length < (1 << 16) ? 1 : Parallel.threads(), (lo, hi) -> {
            for (int ch = lo; ch < hi; ch++) {
                double s = 0;
                for (int b = 0; b < n; b++) {
                    int off = (b * c + ch) * vol;
                    for (int j = 0; j < vol; j++) {
                        s += gradOut[off + j];
                    }
                }
                gb[ch] = (float) s;
            }
        });
        return gb;
    }

    /** Float64 bias gradient: gradOut [n, c, vol] summed over the batch and the spatial positions. */
    public static double[] biasGrad(double[] gradOut, int n, int c, int vol) {
        checkLength("gradOut", gradOut.length, (long) n * c * vol);
        double[] gb = new double[c];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                int off = (b * c + ch) * vol;
                for (int j = 0; j < vol; j++) {
                    gb[ch] += gradOut[off + j];
                }
            }
        }
        return gb;
    }

    // ------------------------------------------------------------------------------------------------
    // Transposed convolution

    /**
     * gradInput [n, cin, inD, inH, inW] of {@code y = convTranspose3d(x, weight)} given gradOut
     * [n, cout, oD, oH, oW] and weight [cin, cout/groups, kd, kh, kw]; on {@link Parallel#threads()} threads.
     */
    public static float[] convTranspose3dBackwardInput(float[] gradOut, int n, int cout, int oD, int oH, int oW,
                                                       float[] weight, int cin, int kd, int kh, int kw,
                                                       int inD, int inH, int inW, int[] stride, int[] padding,
                                                       int[] outputPadding, int[] dilation, int groups) {
        return convTranspose3dBackwardInput(gradOut, n, cout, oD, oH, oW, weight, cin, kd, kh, kw, inD, inH, inW,
                stride, padding, outputPadding, dilation, groups, Parallel.threads());
    }

    /** {@link #convTranspose3dBackwardInput(float[], int, int, int, int, int, float[], int, int, int, int,
     *  int, int, int, int[], int[], int[], int[], int)} on at most {@code threads} threads (same bits for any
     *  count). */
    public static float[] convTranspose3dBackwardInput(float[] gradOut, int n, int cout, int oD, int oH, int oW,
                                                       float[] weight, int cin, int kd, int kh, int kw,
                                                       int inD, int inH, int inW, int[] stride, int[] padding,
                                                       int[] outputPadding, int[] dilation, int groups,
                                                       int threads) {
        checkTranspose(gradOut.length, n, cout, oD, oH, oW, weight.length, cin, kd, kh, kw, inD, inH, inW, stride,
                padding, outputPadding, dilation, groups);
        int inVol = inD * inH * inW;
        int size = Math.multiplyExact(Math.multiplyExact(n, cin), inVol);
        if (size == 0 || cout == 0) {
            return new float[size];
        }
        // The transposed weight [cin, cout/groups, k...] is a plain convolution weight mapping cout -> cin.
        float[] y = ConvKernels.conv3d(gradOut, n, cout, oD, oH, oW, weight, cin, kd, kh, kw, null, stride,
                padding, dilation, groups, threads);
        int cD = ConvKernels.convOutSize(oD, kd, stride[0], padding[0], dilation[0]);
        int cH = ConvKernels.convOutSize(oH, kh, stride[1], padding[1], dilation[1]);
        int cW = ConvKernels.convOutSize(oW, kw, stride[2], padding[2], dilation[2]);
        if (cD == inD && cH == inH && cW == inW) {
            return y;
        }
        // Output padding >= stride (allowed when below the dilation) makes the convolution one or more
        // positions longer than the input; those positions fed no output, so they are cropped away.
        float[] gi = new float[size];
        for (int pl = 0; pl < n * cin; pl++) {
            for (int z = 0; z < inD; z++) {
                for (int r = 0; r < inH; r++) {
                    System.arraycopy(y, ((pl * cD + z) * cH + r) * cW, gi, ((pl * inD + z) * inH + r) * inW, inW);
                }
            }
        }
        return gi;
    }

    /** Float64 input gradient of a transposed convolution, by the definition. */
    public static double[] convTranspose3dBackwardInput(double[] gradOut, int n, int cout, int oD, int oH,
                                                        int oW, double[] weight, int cin, int kd, int kh, int kw,
                                                        int inD, int inH, int inW, int[] stride, int[] padding,
                                                        int[] outputPadding, int[] dilation, int groups) {
        checkTranspose(gradOut.length, n, cout, oD, oH, oW, weight.length, cin, kd, kh, kw, inD, inH, inW, stride,
                padding, outputPadding, dilation, groups);
        int cinG = cin / groups;
        int coutG = cout / groups;
        int kvol = kd * kh * kw;
        double[] gi = new double[n * cin * inD * inH * inW];
        // y[co, i*s - p + tap*dil] += x[ci, i] * w[ci, co, tap], so gradX[ci, i] = sum g[co, ...] * w.
        for (int b = 0; b < n; b++) {
            for (int ci = 0; ci < cin; ci++) {
                int gr = ci / cinG;
                for (int id = 0; id < inD; id++) {
                    for (int ih = 0; ih < inH; ih++) {
                        for (int iw = 0; iw < inW; iw++) {
                            int at = (((b * cin + ci) * inD + id) * inH + ih) * inW + iw;
                            for (int co = 0; co < coutG; co++) {
                                int gc = (b * cout + gr * coutG + co) * oD;
                                int wBase = (ci * coutG + co) * kvol;
                                forTaps(id, ih, iw, kd, kh, kw, oD, oH, oW, stride, padding, dilation,
                                        (tap, od, oh, ow) -> gi[at] +=
                                                gradOut[((gc + od) * oH + oh) * oW + ow] * weight[wBase + tap]);
                            }
                        }
                    }
                }
            }
        }
        return gi;
    }

    /**
     * gradWeight [cin, cout/groups, kd, kh, kw] of {@code y = convTranspose3d(x, weight)} given gradOut
     * [n, cout, oD, oH, oW] and x [n, cin, inD, inH, inW]; on {@link Parallel#threads()} threads.
     */
    public static float[] convTranspose3dBackwardWeight(float[] gradOut, float[] x, int n, int cin, int inD,
                                                        int inH, int inW, int cout, int oD, int oH, int oW,
                                                        int kd, int kh, int kw, int[] stride, int[] padding,
                                                        int[] outputPadding, int[] dilation, int groups) {
        return convTranspose3dBackwardWeight(gradOut, x, n, cin, inD, inH, inW, cout, oD, oH, oW, kd, kh, kw,
                stride, padding, outputPadding, dilation, groups, Parallel.threads());
    }

    /** {@link #convTranspose3dBackwardWeight(float[], float[], int, int, int, int, int, int, int, int, int,
     *  int, int, int, int[], int[], int[], int[], int)} on at most {@code threads} threads (same bits for any
     *  count). */
    public static float[] convTranspose3dBackwardWeight(float[] gradOut, float[] x, int n, int cin, int inD,
                                                        int inH, int inW, int cout, int oD, int oH, int oW,
                                                        int kd, int kh, int kw, int[] stride, int[] padding,
                                                        int[] outputPadding, int[] dilation, int groups,
                                                        int threads) {
        long kvol = (long) kd * kh * kw;
        checkTranspose(gradOut.length, n, cout, oD, oH, oW, cin * (long) (cout / Math.max(1, groups)) * kvol,
                cin, kd, kh, kw, inD, inH, inW, stride, padding, outputPadding, dilation, groups);
        checkLength("input", x.length, (long) n * cin * inD * inH * inW);
        // gradW[ci, (co, tap)] = sum over positions i of x[ci, i] * gradOut[co, i*s - p + tap*dil]: the
        // im2col of gradOut taken at the transposed convolution's input positions.
        Geometry g = Geometry.explicit(stride, padding, dilation, inD, inH, inW);
        return weightGrad(x, gradOut, n, cout, cin, oD, oH, oW, inD * inH * inW, cin / groups, cout / groups,
                cout / groups, kd, kh, kw, g, groups, threads);
    }

    /** Float64 weight gradient of a transposed convolution, by the definition. */
    public static double[] convTranspose3dBackwardWeight(double[] gradOut, double[] x, int n, int cin, int inD,
                                                         int inH, int inW, int cout, int oD, int oH, int oW,
                                                         int kd, int kh, int kw, int[] stride, int[] padding,
                                                         int[] outputPadding, int[] dilation, int groups) {
        int kvol = kd * kh * kw;
        checkTranspose(gradOut.length, n, cout, oD, oH, oW, cin * (long) (cout / Math.max(1, groups)) * kvol,
                cin, kd, kh, kw, inD, inH, inW, stride, padding, outputPadding, dilation, groups);
        checkLength("input", x.length, (long) n * cin * inD * inH * inW);
        int cinG = cin / groups;
        int coutG = cout / groups;
        double[] gw = new double[cin * coutG * kvol];
        for (int b = 0; b < n; b++) {
            for (int ci = 0; ci < cin; ci++) {
                int gr = ci / cinG;
                for (int id = 0; id < inD; id++) {
                    for (int ih = 0; ih < inH; ih++) {
                        for (int iw = 0; iw < inW; iw++) {
                            double xv = x[(((b * cin + ci) * inD + id) * inH + ih) * inW + iw];
                            for (int co = 0; co < coutG; co++) {
                                int gc = (b * cout + gr * coutG + co) * oD;
                                int wBase = (ci * coutG + co) * kvol;
                                forTaps(id, ih, iw, kd, kh, kw, oD, oH, oW, stride, padding, dilation,
                                        (tap, od, oh, ow) -> gw[wBase + tap] +=
                                                xv * gradOut[((gc + od) * oH + oh) * oW + ow]);
                            }
                        }
                    }
                }
            }
        }
        return gw;
    }

    // ------------------------------------------------------------------------------------------------
    // Shared float weight-gradient GEMM

    /**
     * gradW_g [rowsG, colCh * kvol] = sum over batch b and positions p of A[b, g] [rowsG, P] times
     * im2col(src[b, g]) [colCh * kvol, P] transposed, where im2col reads colCh channels of src (spatial
     * size sd x sh x sw, srcCh channels per image) at the P positions of {@code g}'s output grid.
     * Convolution: A = gradOut, src = x. Transposed convolution: A = x, src = gradOut. Chunks of
     * positions and batches are accumulated in a fixed order, so the bits do not depend on the threads.
     */
    private static float[] weightGrad(float[] a, float[] src, int n, int srcCh, int aCh, int sd, int sh, int sw,
                                      int positions, int rowsG, int colCh, int srcChG, int kd, int kh, int kw,
                                      Geometry g, int groups, int threads) {
        int kDim = colCh * kd * kh * kw;
        float[] gw = new float[Math.multiplyExact(groups * rowsG, kDim)];
        if (gw.length == 0 || n == 0 || positions == 0) {
            return gw;
        }
        int srcVol = sd * sh * sw;
        int chunk = Math.max(Sgemm.NR, ConvKernels.COL_BUDGET / Math.max(1, kDim) / Sgemm.NR * Sgemm.NR);
        if ((long) rowsG * kDim > ConvKernels.COL_BUDGET)
            // a gradient larger than the column budget (deep layers: many channels, few positions) is read and
            // written once per chunk, so chunks as long as 4M floats of columns allow beat cache-sized ones
            chunk = Math.max(chunk, (1 << 22) / Math.max(1, kDim));
        int pieceSize = Math.min(chunk, positions);
        // Groups own disjoint rows of gradW: with several groups they run in parallel (one GEMM thread
        // each), else the GEMM itself is parallel. The GEMM's bits do not depend on its thread count.
        if (groups == 1) { // whatever the thread count, so the bits do not depend on it
            // slices of at least 1024 positions: shorter ones make GEMMs too thin, and each slice costs a
            // partial gradient buffer the size of the weight
            int parts = Math.min(PARTS, positions / 1024);
            if (parts > 1)
                return weightGradByParts(a, src, n, srcCh, aCh, sd, sh, sw, positions, rowsG, colCh, srcChG, kd, kh, kw, g, threads, kDim, parts);
        }
        int outer = groups >= 2 ? Math.max(1, threads) : 1;
        int inner = outer > 1 ? 1 : threads;
        Parallel.forRange(0, groups, outer, (g0, g1) -> {
            float[] col = Buffers.take(kDim * pieceSize);
            try {
                for (int gr = g0; gr < g1; gr++) {
                    for (int b = 0; b < n; b++) {
                        int srcBase = (b * srcCh + gr * srcChG) * srcVol;
                        int aBase = (b * aCh + gr * rowsG) * positions;
                        for (int p0 = 0; p0 < positions; p0 += pieceSize) {
                            int pc = Math.min(pieceSize, positions - p0);
                            ConvKernels.im2col(src, srcBase, colCh, sd, sh, sw, kd, kh, kw, g, p0, pc, col);
                            Sgemm.multiply(rowsG, kDim, pc, a, aBase + p0, positions, 1, col, 0, 1, pc,
                                    gw, gr * rowsG * kDim, kDim, true, inner);
                        }
                    }
                }
            } finally {
                Buffers.give(col);
            }
        });
        return gw;
    }

    /** How many fixed slices of the positions a single-group weight gradient is split into (not the thread count). */
    private static final int PARTS = 4;

    /**
     * The single-group weight gradient with the positions cut into {@code parts} fixed slices, each summed by
     * one single-threaded GEMM into its own buffer, the buffers then added in slice order. A weight gradient's
     * GEMM is short and wide (cout rows against a long sum over positions), which the row-parallel GEMM splits
     * badly; slices of the sum keep both cores busy. The slices depend on the sizes only, so the bits are the
     * same for any thread count.
     */
    private static float[] weightGradByParts(float[] a, float[] src, int n, int srcCh, int aCh, int sd, int sh, int sw, int positions,
                                             int rowsG, int colCh, int srcChG, int kd, int kh, int kw, Geometry g, int threads,
                                             int kDim, int parts) {
        int srcVol = sd * sh * sw;
        int chunk = Math.max(Sgemm.NR, ConvKernels.COL_BUDGET / Math.max(1, kDim) / Sgemm.NR * Sgemm.NR);
        int slice = (positions + parts - 1) / parts;
        float[][] partial = new float[parts][rowsG * kDim];
        Parallel.forRange(0, parts, threads, (p0, p1) -> {
            float[] col = Buffers.take(kDim * Math.min(chunk, slice));
            try {
                for (int part = p0; part < p1; part++) {
                    int from = part * slice, to = Math.min(positions, from + slice);
                    for (int b = 0; b < n; b++) {
                        int srcBase = b * srcCh * srcVol;
                        int aBase = b * aCh * positions;
                        for (int q = from; q < to; q += chunk) {
                            int pc = Math.min(chunk, to - q);
                            ConvKernels.im2col(src, srcBase, colCh, sd, sh, sw, kd, kh, kw, g, q, pc, col);
                            Sgemm.multiply(rowsG, kDim, pc, a, aBase + q, positions, 1, col, 0, 1, pc, partial[part], 0, kDim, true, 1);
                        }
                    }
                }
            } finally {
                Buffers.give(col);
            }
        });
        float[] gw = partial[0];
        for (int part = 1; part < parts; part++) {
            float[] pp = partial[part];
            for (int i = 0; i < gw.length; i++) gw[i] += pp[i];
        }
        return gw;
    }

    // ------------------------------------------------------------------------------------------------
    // Taps and shape checks

    /** Receives one in-range tap: its flat kernel index and the position it touches. */
    @FunctionalInterface
    private interface TapBody {
        void accept(int tap, int z, int y, int x);
    }

    /**
     * Visits the kernel taps of position (pd, ph, pw) that land inside a grid of sizes (gd, gh, gw), at
     * p*s - pad + tap*dil per dimension (the convolution's window, or the transposed convolution's scatter).
     */
    private static void forTaps(int pd, int ph, int pw, int kd, int kh, int kw, int gd, int gh, int gw,
                                int[] s, int[] p, int[] dil, TapBody body) {
        for (int a = 0; a < kd; a++) {
            int z = pd * s[0] - p[0] + a * dil[0];
            if (z < 0 || z >= gd) {
                continue;
            }
            for (int bb = 0; bb < kh; bb++) {
                int y = ph * s[1] - p[1] + bb * dil[1];
                if (y < 0 || y >= gh) {
                    continue;
                }
                for (int cc = 0; cc < kw; cc++) {
                    int x = pw * s[2] - p[2] + cc * dil[2];
                    if (x >= 0 && x < gw) {
                        body.accept((a * kh + bb) * kw + cc, z, y, x);
                    }
                }
            }
        }
    }

    /** Validates a convolution's sizes: the output sizes must be what the input sizes produce. */
    private static void checkConv(int gradLen, int n, int cout, int oD, int oH, int oW, long wLen, int cin,
                                  int kd, int kh, int kw, int inD, int inH, int inW, int[] stride, int[] padding,
                                  int[] dilation, int groups) {
        checkCommon(gradLen, n, cout, oD, oH, oW, cin, kd, kh, kw, inD, inH, inW, stride, padding, dilation,
                groups);
        checkLength("weight", wLen, (long) cout * (cin / groups) * kd * kh * kw);
        int[] in = {inD, inH, inW};
        int[] k = {kd, kh, kw};
        int[] out = {oD, oH, oW};
        for (int i = 0; i < 3; i++) {
            int expect = ConvKernels.convOutSize(in[i], k[i], stride[i], padding[i], dilation[i]);
            if (expect < 1 || expect != out[i]) {
                throw new IllegalArgumentException("input size " + in[i] + " in dim " + i + " gives convolution "
                        + "output " + expect + ", but the gradient has " + out[i]);
            }
        }
    }

    /** Validates a transposed convolution's sizes: the output sizes must be what the input sizes produce. */
    private static void checkTranspose(int gradLen, int n, int cout, int oD, int oH, int oW, long wLen, int cin,
                                       int kd, int kh, int kw, int inD, int inH, int inW, int[] stride,
                                       int[] padding, int[] outputPadding, int[] dilation, int groups) {
        checkCommon(gradLen, n, cout, oD, oH, oW, cin, kd, kh, kw, inD, inH, inW, stride, padding, dilation,
                groups);
        Parallel.requireTriple("outputPadding", outputPadding, 0);
        checkLength("weight", wLen, (long) cin * (cout / groups) * kd * kh * kw);
        int[] in = {inD, inH, inW};
        int[] k = {kd, kh, kw};
        int[] out = {oD, oH, oW};
        for (int i = 0; i < 3; i++) {
            if (outputPadding[i] >= stride[i] && outputPadding[i] >= dilation[i]) {
                throw new IllegalArgumentException("output padding must be smaller than either stride or "
                        + "dilation, got outputPadding " + outputPadding[i] + " stride " + stride[i]
                        + " dilation " + dilation[i]);
            }
            int expect = ConvKernels.convTransposeOutSize(in[i], k[i], stride[i], padding[i], outputPadding[i],
                    dilation[i]);
            if (in[i] < 1 || expect < 1 || expect != out[i]) {
                throw new IllegalArgumentException("input size " + in[i] + " in dim " + i + " gives transposed "
                        + "convolution output " + expect + ", but the gradient has " + out[i]);
            }
        }
    }

    private static void checkCommon(int gradLen, int n, int cout, int oD, int oH, int oW, int cin, int kd,
                                    int kh, int kw, int inD, int inH, int inW, int[] stride, int[] padding,
                                    int[] dilation, int groups) {
        if (n < 0 || cin < 0 || cout < 0 || oD < 0 || oH < 0 || oW < 0 || inD < 1 || inH < 1 || inW < 1) {
            throw new IllegalArgumentException("negative size, or an empty input spatial dimension");
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
        checkLength("gradOut", gradLen, (long) n * cout * oD * oH * oW);
    }

    private static void checkLength(String name, long len, long expect) {
        if (len != expect) {
            throw new IllegalArgumentException(name + " has " + len + " elements, expected " + expect);
        }
    }

}
