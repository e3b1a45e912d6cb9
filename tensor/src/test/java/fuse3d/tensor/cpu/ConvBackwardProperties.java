package fuse3d.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Convolution and transposed-convolution gradients: float64 versions against central finite differences
 * of the float64 forward and against the adjoint identities, float versions against float64, and the
 * float versions' independence of the thread count.
 */
class ConvBackwardProperties {

    static final double EPS = 1e-6;
    static final double ATOL = 1e-5;
    static final double RTOL = 1e-4;

    /** One small random problem: rank 1-3 (unit leading dims), geometry per dim, data from the seed. */
    record Case(int rank, int n, int groups, int cinG, int coutG, int[] k, int[] s, int[] p, int[] dil,
                int[] extra, int[] outPad, long seed) {
        int cin() {
            return groups * cinG;
        }

        int cout() {
            return groups * coutG;
        }

        int kvol() {
            return k[0] * k[1] * k[2];
        }

        /** Convolution input sizes: at least the dilated kernel minus twice the padding, plus extra. */
        int[] in() {
            int[] in = new int[3];
            for (int i = 0; i < 3; i++) {
                in[i] = Math.max(1, dil[i] * (k[i] - 1) + 1 - 2 * p[i]) + extra[i];
            }
            return in;
        }

        int[] convOut() {
            int[] in = in();
            int[] o = new int[3];
            for (int i = 0; i < 3; i++) {
                o[i] = ConvKernels.convOutSize(in[i], k[i], s[i], p[i], dil[i]);
            }
            return o;
        }

        /** Transposed-convolution input sizes: the smallest with an output of at least 1, plus extra. */
        int[] inT() {
            int[] in = new int[3];
            for (int i = 0; i < 3; i++) {
                int need = 2 * p[i] - dil[i] * (k[i] - 1) - outPad[i];
                in[i] = 1 + Math.max(0, Math.ceilDiv(need, s[i])) + extra[i];
            }
            return in;
        }

        int[] transposeOut() {
            int[] in = inT();
            int[] o = new int[3];
            for (int i = 0; i < 3; i++) {
                o[i] = ConvKernels.convTransposeOutSize(in[i], k[i], s[i], p[i], outPad[i], dil[i]);
            }
            return o;
        }

        @Override
        public String toString() {
            return "Case[rank=" + rank + " n=" + n + " groups=" + groups + " cinG=" + cinG + " coutG=" + coutG
                    + " k=" + Arrays.toString(k) + " s=" + Arrays.toString(s) + " p=" + Arrays.toString(p)
                    + " dil=" + Arrays.toString(dil) + " extra=" + Arrays.toString(extra)
                    + " outPad=" + Arrays.toString(outPad) + " seed=" + seed + "]";
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<int[]> k = Arbitraries.integers().between(1, 3).array(int[].class).ofSize(3);
        Arbitrary<int[]> s = Arbitraries.integers().between(1, 3).array(int[].class).ofSize(3);
        Arbitrary<int[]> p = Arbitraries.integers().between(0, 2).array(int[].class).ofSize(3);
        Arbitrary<int[]> dil = Arbitraries.integers().between(1, 2).array(int[].class).ofSize(3);
        Arbitrary<int[]> extra = Arbitraries.integers().between(0, 3).array(int[].class).ofSize(3);
        Arbitrary<int[]> outPadSeed = Arbitraries.integers().between(0, 2).array(int[].class).ofSize(3);
        Arbitrary<int[]> counts = Arbitraries.integers().between(1, 3).array(int[].class).ofSize(4);
        return Combinators.combine(Arbitraries.integers().between(1, 3), counts, k, s, p, dil, extra, outPadSeed)
                .as((rank, c, kk, ss, pp, dd, ex, op) -> {
                    for (int i = 0; i < 3 - rank; i++) {
                        kk[i] = 1; ss[i] = 1; pp[i] = 0; dd[i] = 1; ex[i] = 0;
                    }
                    int[] outPad = new int[3];
                    for (int i = 0; i < 3; i++) {
                        // Output padding below stride or dilation (the latter exercises the cropped path).
                        outPad[i] = op[i] % Math.max(ss[i], dd[i]);
                    }
                    return new Case(rank, c[0] == 3 ? 2 : 1, c[1], Math.min(2, c[2]), Math.min(2, c[3]), kk, ss,
                            pp, dd, ex, outPad, 0L);
                })
                .flatMap(c -> Arbitraries.longs().map(seed -> new Case(c.rank(), c.n(), c.groups(), c.cinG(),
                        c.coutG(), c.k(), c.s(), c.p(), c.dil(), c.extra(), c.outPad(), seed)));
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers

    static double[] randoms(int size, Random rnd) {
        double[] d = new double[size];
        for (int i = 0; i < size; i++) {
            d[i] = rnd.nextDouble() * 2 - 1;
        }
        return d;
    }

    static float[] randomFloats(int size, Random rnd) {
        float[] f = new float[size];
        for (int i = 0; i < size; i++) {
            f[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return f;
    }

    static double dot(double[] a, double[] b) {
        assertEquals(a.length, b.length, "dot operand sizes");
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double absDot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += Math.abs(a[i] * b[i]);
        }
        return s;
    }

    static double[] abs(double[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = Math.abs(a[i]);
        }
        return r;
    }

    /** Central difference of f at arr[i] (arr is perturbed in place and restored). */
    static double centralDifference(double[] arr, int i, Supplier<Double> f) {
        double v = arr[i];
        arr[i] = v + EPS;
        double up = f.get();
        arr[i] = v - EPS;
        double down = f.get();
        arr[i] = v;
        return (up - down) / (2 * EPS);
    }

    /**
     * Checks grad against finite differences of f at up to {@code samples} random coordinates of arr
     * (all of them when arr is small), with |fd - grad| <= atol + rtol |fd|.
     */
    static void checkFiniteDifferences(double[] arr, double[] grad, Supplier<Double> f, int samples, Random rnd,
                                       Object what) {
        assertEquals(arr.length, grad.length, "gradient size for " + what);
        int count = Math.min(samples, arr.length);
        for (int t = 0; t < count; t++) {
            int i = arr.length <= samples ? t : rnd.nextInt(arr.length);
            double fd = centralDifference(arr, i, f);
            if (!(Math.abs(fd - grad[i]) <= ATOL + RTOL * Math.abs(fd))) {
                throw new AssertionError("element " + i + ": analytic " + grad[i] + " vs finite difference " + fd
                        + " for " + what);
            }
        }
    }

    /** Adjoint identity within rounding: |lhs - rhs| <= 1e-12 * (sum of |terms| on either side + 1). */
    static void assertAdjoint(double lhs, double rhs, double scale, Object what) {
        if (!(Math.abs(lhs - rhs) <= 1e-12 * (scale + 1))) {
            throw new AssertionError("adjoint identity: " + lhs + " vs " + rhs + " for " + what);
        }
    }

    /**
     * Float against float64 element-wise, with a per-element bound from the terms' magnitudes:
     * |got - exact| <= 2 * terms * u * sum|terms| (+ tiny), where absRef is the float64 result on |data|.
     */
    static void assertFloatMatches(float[] got, double[] ref, double[] absRef, long terms, Object what) {
        assertEquals(ref.length, got.length, "size for " + what);
        double u = Math.ulp(1f) / 2;
        for (int i = 0; i < got.length; i++) {
            double tol = 2 * (terms + 2) * u * absRef[i] + 1e-30;
            if (!(Math.abs(got[i] - ref[i]) <= tol)) {
                throw new AssertionError("element " + i + ": " + got[i] + " vs " + ref[i] + " tol " + tol + " for "
                        + what);
            }
        }
    }

    static double[] toDouble(float[] f) {
        return SgemmProperties.toDouble(f);
    }

    // ------------------------------------------------------------------------------------------------
    // Convolution

    double[] conv(Case c, double[] x, double[] w, double[] b) {
        int[] in = c.in();
        return ConvKernels.conv3d(x, c.n(), c.cin(), in[0], in[1], in[2], w, c.cout(), c.k()[0], c.k()[1],
                c.k()[2], b, c.s(), c.p(), c.dil(), c.groups());
    }

    double[] convInputGrad(Case c, double[] g, double[] w) {
        int[] in = c.in();
        int[] o = c.convOut();
        return ConvBackwardKernels.conv3dBackwardInput(g, c.n(), c.cout(), o[0], o[1], o[2], w, c.cin(), c.k()[0],
                c.k()[1], c.k()[2], in[0], in[1], in[2], c.s(), c.p(), c.dil(), c.groups());
    }

    double[] convWeightGrad(Case c, double[] g, double[] x) {
        int[] in = c.in();
        int[] o = c.convOut();
        return ConvBackwardKernels.conv3dBackwardWeight(g, x, c.n(), c.cin(), in[0], in[1], in[2], c.cout(), o[0],
                o[1], o[2], c.k()[0], c.k()[1], c.k()[2], c.s(), c.p(), c.dil(), c.groups());
    }

    int convOutVol(Case c) {
        int[] o = c.convOut();
        return o[0] * o[1] * o[2];
    }

    @Property(tries = 60)
    void convGradientsMatchFiniteDifferences(@ForAll("cases") Case c) {
        int[] in = c.in();
        Random rnd = new Random(c.seed());
        double[] x = randoms(c.n() * c.cin() * in[0] * in[1] * in[2], rnd);
        double[] w = randoms(c.cout() * c.cinG() * c.kvol(), rnd);
        double[] b = randoms(c.cout(), rnd);
        double[] g = randoms(c.n() * c.cout() * convOutVol(c), rnd);
        Supplier<Double> f = () -> dot(conv(c, x, w, b), g);
        checkFiniteDifferences(x, convInputGrad(c, g, w), f, 12, rnd, "input " + c);
        checkFiniteDifferences(w, convWeightGrad(c, g, x), f, 12, rnd, "weight " + c);
        checkFiniteDifferences(b, ConvBackwardKernels.biasGrad(g, c.n(), c.cout(), convOutVol(c)), f, 12, rnd,
                "bias " + c);
    }

    @Property(tries = 100)
    void convAdjointIdentities(@ForAll("cases") Case c) {
        int[] in = c.in();
        Random rnd = new Random(c.seed());
        double[] x = randoms(c.n() * c.cin() * in[0] * in[1] * in[2], rnd);
        double[] w = randoms(c.cout() * c.cinG() * c.kvol(), rnd);
        double[] g = randoms(c.n() * c.cout() * convOutVol(c), rnd);
        double[] y = conv(c, x, w, null);
        double lhs = dot(y, g);
        double scale = absDot(conv(c, abs(x), abs(w), null), abs(g));
        assertAdjoint(lhs, dot(x, convInputGrad(c, g, w)), scale, "input " + c);
        assertAdjoint(lhs, dot(w, convWeightGrad(c, g, x)), scale, "weight " + c);
    }

    @Property(tries = 100)
    void convFloatMatchesFloat64AndIgnoresThreadCount(@ForAll("cases") Case c) {
        int[] in = c.in();
        int[] o = c.convOut();
        Random rnd = new Random(c.seed());
        float[] x = randomFloats(c.n() * c.cin() * in[0] * in[1] * in[2], rnd);
        float[] w = randomFloats(c.cout() * c.cinG() * c.kvol(), rnd);
        float[] g = randomFloats(c.n() * c.cout() * convOutVol(c), rnd);
        checkConvFloat(c, in, o, x, w, g);
    }

    /**
     * Maps large enough (over 2048 positions) for the weight gradient's fixed slices of positions, with
     * stride 1 (the flipped-weight input gradient) and stride 2: against float64, and 1 vs 2 threads.
     */
    @Example
    void largeMapsTakeTheSlicedWeightGradientAndTheFlippedInputGradient() {
        for (int stride : new int[] {1, 2}) {
            Case c = new Case(2, 1, 1, 3, 5, new int[] {1, 3, 3}, new int[] {1, stride, stride}, new int[] {0, 1, 1},
                    new int[] {1, 1, 1}, new int[] {0, 70 * stride - 1, 40 * stride - 1}, new int[] {0, 0, 0}, 11L + stride);
            int[] in = c.in();
            int[] o = c.convOut();
            Random rnd = new Random(c.seed());
            float[] x = randomFloats(c.n() * c.cin() * in[0] * in[1] * in[2], rnd);
            float[] w = randomFloats(c.cout() * c.cinG() * c.kvol(), rnd);
            float[] g = randomFloats(c.n() * c.cout() * convOutVol(c), rnd);
            checkConvFloat(c, in, o, x, w, g);
        }
    }

    private void checkConvFloat(Case c, int[] in, int[] o, float[] x, float[] w, float[] g) {
        double[] xd = toDouble(x);
        double[] wd = toDouble(w);
        double[] gd = toDouble(g);
        for (int threads = 1; threads <= 2; threads++) {
            float[] gi = ConvBackwardKernels.conv3dBackwardInput(g, c.n(), c.cout(), o[0], o[1], o[2], w, c.cin(),
                    c.k()[0], c.k()[1], c.k()[2], in[0], in[1], in[2], c.s(), c.p(), c.dil(), c.groups(), threads);
            assertFloatMatches(gi, convInputGrad(c, gd, wd), convInputGrad(c, abs(gd), abs(wd)),
                    (long) c.coutG() * c.kvol(), "input " + c);
            float[] gw = ConvBackwardKernels.conv3dBackwardWeight(g, x, c.n(), c.cin(), in[0], in[1], in[2],
                    c.cout(), o[0], o[1], o[2], c.k()[0], c.k()[1], c.k()[2], c.s(), c.p(), c.dil(), c.groups(),
                    threads);
            assertFloatMatches(gw, convWeightGrad(c, gd, xd), convWeightGrad(c, abs(gd), abs(xd)),
                    (long) c.n() * o[0] * o[1] * o[2], "weight " + c);
            if (threads == 2) {
                assertArrayEquals(ConvBackwardKernels.conv3dBackwardInput(g, c.n(), c.cout(), o[0], o[1], o[2], w,
                        c.cin(), c.k()[0], c.k()[1], c.k()[2], in[0], in[1], in[2], c.s(), c.p(), c.dil(),
                        c.groups(), 1), gi, "input 1 vs 2 threads");
                assertArrayEquals(ConvBackwardKernels.conv3dBackwardWeight(g, x, c.n(), c.cin(), in[0], in[1],
                        in[2], c.cout(), o[0], o[1], o[2], c.k()[0], c.k()[1], c.k()[2], c.s(), c.p(), c.dil(),
                        c.groups(), 1), gw, "weight 1 vs 2 threads");
            }
        }
        float[] gb = ConvBackwardKernels.biasGrad(g, c.n(), c.cout(), o[0] * o[1] * o[2]);
        assertFloatMatches(gb, ConvBackwardKernels.biasGrad(gd, c.n(), c.cout(), o[0] * o[1] * o[2]),
                ConvBackwardKernels.biasGrad(abs(gd), c.n(), c.cout(), o[0] * o[1] * o[2]), 1, "bias " + c);
    }

    /**
     * A problem large enough that the GEMMs fork, the weight gradient spans several im2col chunks and
     * the input gradient several column chunks: float against float64 and 1 vs 2 threads.
     */
    @Example
    void largeConvSpansChunksAndThreads() {
        Case c = new Case(3, 2, 1, 24, 16, new int[] {3, 3, 3}, new int[] {1, 2, 1}, new int[] {1, 1, 0},
                new int[] {1, 1, 2}, new int[] {9, 10, 8}, new int[] {0, 0, 0}, 7L);
        int[] in = c.in();
        int[] o = c.convOut();
        // kDim = 24 * 27 columns per position: the weight gradient's im2col takes several chunks.
        assertEquals(true, (long) c.cinG() * c.kvol() * o[0] * o[1] * o[2] > ConvKernels.COL_BUDGET, "chunks");
        Random rnd = new Random(c.seed());
        float[] x = randomFloats(c.n() * c.cin() * in[0] * in[1] * in[2], rnd);
        float[] w = randomFloats(c.cout() * c.cinG() * c.kvol(), rnd);
        float[] g = randomFloats(c.n() * c.cout() * convOutVol(c), rnd);
        checkConvFloat(c, in, o, x, w, g);
        // With groups the weight gradient splits over groups instead of inside the GEMM.
        Case cg = new Case(3, 1, 3, 4, 8, new int[] {3, 3, 3}, new int[] {1, 1, 1}, new int[] {1, 1, 1},
                new int[] {1, 1, 1}, new int[] {8, 8, 8}, new int[] {0, 0, 0}, 8L);
        int[] ing = cg.in();
        float[] xg = randomFloats(cg.n() * cg.cin() * ing[0] * ing[1] * ing[2], rnd);
        float[] wg = randomFloats(cg.cout() * cg.cinG() * cg.kvol(), rnd);
        float[] gg = randomFloats(cg.n() * cg.cout() * convOutVol(cg), rnd);
        checkConvFloat(cg, ing, cg.convOut(), xg, wg, gg);
    }

    /** Several input sizes give one output size under stride 2; the gradient takes the stated one. */
    @Example
    void inputSizeIsExplicit() {
        // 1-D, k = 2, stride 2: inputs of length 4 and 5 both give 2 outputs; the 5th input is unused.
        double[] w = {1, 10};
        double[] g = {1, 2};
        int[] s = {1, 1, 2};
        int[] zero = {0, 0, 0};
        int[] one = {1, 1, 1};
        double[] g4 = ConvBackwardKernels.conv3dBackwardInput(g, 1, 1, 1, 1, 2, w, 1, 1, 1, 2, 1, 1, 4, s, zero,
                one, 1);
        assertArrayEquals(new double[] {1, 10, 2, 20}, g4);
        double[] g5 = ConvBackwardKernels.conv3dBackwardInput(g, 1, 1, 1, 1, 2, w, 1, 1, 1, 2, 1, 1, 5, s, zero,
                one, 1);
        assertArrayEquals(new double[] {1, 10, 2, 20, 0}, g5);
        float[] f5 = ConvBackwardKernels.conv3dBackwardInput(new float[] {1, 2}, 1, 1, 1, 1, 2,
                new float[] {1, 10}, 1, 1, 1, 2, 1, 1, 5, s, zero, one, 1);
        assertArrayEquals(new float[] {1, 10, 2, 20, 0}, f5);
        // gradW = sum_o g[o] * x[2o + tap] for x = [1 2 3 4 5]: tap0 = 1*1 + 2*3 = 7, tap1 = 1*2 + 2*4 = 10.
        float[] gw = ConvBackwardKernels.conv3dBackwardWeight(new float[] {1, 2}, new float[] {1, 2, 3, 4, 5}, 1, 1,
                1, 1, 5, 1, 1, 1, 2, 1, 1, 2, s, zero, one, 1);
        assertArrayEquals(new float[] {7, 10}, gw);
        // An input size that does not give the gradient's output size is rejected.
        assertThrows(IllegalArgumentException.class, () -> ConvBackwardKernels.conv3dBackwardInput(g, 1, 1, 1, 1, 2,
                w, 1, 1, 1, 2, 1, 1, 6, s, zero, one, 1));
    }

    // ------------------------------------------------------------------------------------------------
    // Transposed convolution

    double[] convT(Case c, double[] x, double[] w) {
        int[] in = c.inT();
        return ConvKernels.convTranspose3d(x, c.n(), c.cin(), in[0], in[1], in[2], w, c.cout(), c.k()[0], c.k()[1],
                c.k()[2], null, c.s(), c.p(), c.outPad(), c.dil(), c.groups());
    }

    double[] convTInputGrad(Case c, double[] g, double[] w) {
        int[] in = c.inT();
        int[] o = c.transposeOut();
        return ConvBackwardKernels.convTranspose3dBackwardInput(g, c.n(), c.cout(), o[0], o[1], o[2], w, c.cin(),
                c.k()[0], c.k()[1], c.k()[2], in[0], in[1], in[2], c.s(), c.p(), c.outPad(), c.dil(), c.groups());
    }

    double[] convTWeightGrad(Case c, double[] g, double[] x) {
        int[] in = c.inT();
        int[] o = c.transposeOut();
        return ConvBackwardKernels.convTranspose3dBackwardWeight(g, x, c.n(), c.cin(), in[0], in[1], in[2],
                c.cout(), o[0], o[1], o[2], c.k()[0], c.k()[1], c.k()[2], c.s(), c.p(), c.outPad(), c.dil(),
                c.groups());
    }

    int transposeOutVol(Case c) {
        int[] o = c.transposeOut();
        return o[0] * o[1] * o[2];
    }

    @Property(tries = 60)
    void convTransposeGradientsMatchFiniteDifferences(@ForAll("cases") Case c) {
        int[] in = c.inT();
        Random rnd = new Random(c.seed());
        double[] x = randoms(c.n() * c.cin() * in[0] * in[1] * in[2], rnd);
        double[] w = randoms(c.cin() * c.coutG() * c.kvol(), rnd);
        double[] g = randoms(c.n() * c.cout() * transposeOutVol(c), rnd);
        Supplier<Double> f = () -> dot(convT(c, x, w), g);
        checkFiniteDifferences(x, convTInputGrad(c, g, w), f, 12, rnd, "input " + c);
        checkFiniteDifferences(w, convTWeightGrad(c, g, x), f, 12, rnd, "weight " + c);
    }

    @Property(tries = 100)
    void convTransposeAdjointIdentities(@ForAll("cases") Case c) {
        int[] in = c.inT();
        Random rnd = new Random(c.seed());
        double[] x = randoms(c.n() * c.cin() * in[0] * in[1] * in[2], rnd);
        double[] w = randoms(c.cin() * c.coutG() * c.kvol(), rnd);
        double[] g = randoms(c.n() * c.cout() * transposeOutVol(c), rnd);
        double lhs = dot(convT(c, x, w), g);
        double scale = absDot(convT(c, abs(x), abs(w)), abs(g));
        assertAdjoint(lhs, dot(x, convTInputGrad(c, g, w)), scale, "input " + c);
        assertAdjoint(lhs, dot(w, convTWeightGrad(c, g, x)), scale, "weight " + c);
    }

    @Property(tries = 100)
    void convTransposeFloatMatchesFloat64AndIgnoresThreadCount(@ForAll("cases") Case c) {
        checkConvTransposeFloat(c);
    }

    /** A transposed convolution large enough that its GEMMs fork (1 vs 2 threads then differ in who works). */
    @Example
    void largeConvTransposeSpansChunksAndThreads() {
        checkConvTransposeFloat(new Case(3, 2, 1, 16, 12, new int[] {3, 3, 3}, new int[] {2, 1, 2},
                new int[] {1, 0, 1}, new int[] {1, 2, 1}, new int[] {5, 6, 5}, new int[] {1, 1, 0}, 9L));
    }

    private void checkConvTransposeFloat(Case c) {
        int[] in = c.inT();
        int[] o = c.transposeOut();
        Random rnd = new Random(c.seed());
        float[] x = randomFloats(c.n() * c.cin() * in[0] * in[1] * in[2], rnd);
        float[] w = randomFloats(c.cin() * c.coutG() * c.kvol(), rnd);
        float[] g = randomFloats(c.n() * c.cout() * transposeOutVol(c), rnd);
        double[] xd = toDouble(x);
        double[] wd = toDouble(w);
        double[] gd = toDouble(g);
        float[][] results = new float[3][];
        for (int threads = 1; threads <= 2; threads++) {
            float[] gi = ConvBackwardKernels.convTranspose3dBackwardInput(g, c.n(), c.cout(), o[0], o[1], o[2], w,
                    c.cin(), c.k()[0], c.k()[1], c.k()[2], in[0], in[1], in[2], c.s(), c.p(), c.outPad(), c.dil(),
                    c.groups(), threads);
            assertFloatMatches(gi, convTInputGrad(c, gd, wd), convTInputGrad(c, abs(gd), abs(wd)),
                    (long) c.coutG() * c.kvol(), "input " + c);
            float[] gw = ConvBackwardKernels.convTranspose3dBackwardWeight(g, x, c.n(), c.cin(), in[0], in[1],
                    in[2], c.cout(), o[0], o[1], o[2], c.k()[0], c.k()[1], c.k()[2], c.s(), c.p(), c.outPad(),
                    c.dil(), c.groups(), threads);
            assertFloatMatches(gw, convTWeightGrad(c, gd, xd), convTWeightGrad(c, abs(gd), abs(xd)),
                    (long) c.n() * in[0] * in[1] * in[2], "weight " + c);
            if (threads == 1) {
                results[0] = gi;
                results[1] = gw;
            } else {
                assertArrayEquals(results[0], gi, "input 1 vs 2 threads");
                assertArrayEquals(results[1], gw, "weight 1 vs 2 threads");
            }
        }
    }

    /** The float64 transposed-convolution gradients on a hand-computed 1-D case. */
    @Example
    void transposeHandCase() {
        // y = convT([1 2], w = [1 10 100], stride 2): y = [1, 10, 102, 20, 200].
        // gradX[i] = sum_tap g[2i + tap] w[tap]; gradW[tap] = sum_i x[i] g[2i + tap].
        double[] g = {1, 2, 3, 4, 5};
        int[] s = {1, 1, 2};
        int[] zero = {0, 0, 0};
        int[] one = {1, 1, 1};
        double[] gx = ConvBackwardKernels.convTranspose3dBackwardInput(g, 1, 1, 1, 1, 5, new double[] {1, 10, 100},
                1, 1, 1, 3, 1, 1, 2, s, zero, zero, one, 1);
        assertArrayEquals(new double[] {1 + 20 + 300, 3 + 40 + 500}, gx);
        double[] gw = ConvBackwardKernels.convTranspose3dBackwardWeight(g, new double[] {1, 2}, 1, 1, 1, 1, 2, 1, 1,
                1, 5, 1, 1, 3, s, zero, zero, one, 1);
        assertArrayEquals(new double[] {1 + 6, 2 + 8, 3 + 10}, gw);
        float[] gxf = ConvBackwardKernels.convTranspose3dBackwardInput(new float[] {1, 2, 3, 4, 5}, 1, 1, 1, 1, 5,
                new float[] {1, 10, 100}, 1, 1, 1, 3, 1, 1, 2, s, zero, zero, one, 1);
        assertArrayEquals(new float[] {321, 543}, gxf);
    }
}
