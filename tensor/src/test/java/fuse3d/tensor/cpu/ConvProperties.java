package fuse3d.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** Float convolution and transposed convolution against the float64 definition loops. */
class ConvProperties {

    /** One random convolution: rank 1, 2 or 3 (unit leading dims), geometry per dim, data from seed. */
    record Case(int rank, int n, int groups, int cinG, int coutG, int[] k, int[] s, int[] p, int[] dil,
                int[] extra, int[] outPad, boolean bias, boolean dyadic, long seed) {
        int cin() {
            return groups * cinG;
        }

        int cout() {
            return groups * coutG;
        }

        /** Input sizes: at least the dilated kernel minus twice the padding, plus a random extra. */
        int[] in() {
            int[] in = new int[3];
            for (int i = 0; i < 3; i++) {
                in[i] = Math.max(1, dil[i] * (k[i] - 1) + 1 - 2 * p[i]) + extra[i];
            }
            return in;
        }

        /** Transposed-convolution input sizes: the smallest giving an output of at least 1, plus extra. */
        int[] inTransposed() {
            int[] in = new int[3];
            for (int i = 0; i < 3; i++) {
                int need = 2 * p[i] - dil[i] * (k[i] - 1) - outPad[i]; // (in-1)*s >= need
                in[i] = 1 + Math.max(0, Math.ceilDiv(need, s[i])) + extra[i];
            }
            return in;
        }

        @Override
        public String toString() {
            return "Case[rank=" + rank + " n=" + n + " groups=" + groups + " cinG=" + cinG + " coutG=" + coutG
                    + " in=" + java.util.Arrays.toString(in()) + " k=" + java.util.Arrays.toString(k)
                    + " s=" + java.util.Arrays.toString(s) + " p=" + java.util.Arrays.toString(p)
                    + " dil=" + java.util.Arrays.toString(dil) + " outPad=" + java.util.Arrays.toString(outPad)
                    + " bias=" + bias + " dyadic=" + dyadic + " seed=" + seed + "]";
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<int[]> k = Arbitraries.integers().between(1, 3).array(int[].class).ofSize(3);
        Arbitrary<int[]> s = Arbitraries.integers().between(1, 3).array(int[].class).ofSize(3);
        Arbitrary<int[]> p = Arbitraries.integers().between(0, 2).array(int[].class).ofSize(3);
        Arbitrary<int[]> dil = Arbitraries.integers().between(1, 2).array(int[].class).ofSize(3);
        Arbitrary<int[]> extra = Arbitraries.integers().between(0, 5).array(int[].class).ofSize(3);
        Arbitrary<int[]> outPadSeed = Arbitraries.integers().between(0, 2).array(int[].class).ofSize(3);
        Arbitrary<int[]> counts = Arbitraries.integers().between(1, 3).array(int[].class).ofSize(4);
        return Combinators.combine(Arbitraries.integers().between(1, 3), counts, k, s, p, dil, extra, outPadSeed)
                .as((rank, c, kk, ss, pp, dd, ex, op) -> {
                    // Unit dimensions of 1-D / 2-D problems carry kernel 1, stride 1, padding 0.
                    for (int i = 0; i < 3 - rank; i++) {
                        kk[i] = 1; ss[i] = 1; pp[i] = 0; dd[i] = 1; ex[i] = 0;
                    }
                    int[] outPad = new int[3];
                    for (int i = 0; i < 3; i++) {
                        outPad[i] = op[i] % Math.max(ss[i], dd[i]);
                    }
                    return new Case(rank, c[0] == 3 ? 2 : 1, c[1], c[2], c[3], kk, ss, pp, dd, ex, outPad,
                            (c[0] & 1) == 1, (c[1] + c[2] + c[3]) % 2 == 0, 0L);
                })
                .flatMap(c -> Arbitraries.longs().map(seed -> new Case(c.rank(), c.n(), c.groups(), c.cinG(),
                        c.coutG(), c.k(), c.s(), c.p(), c.dil(), c.extra(), c.outPad(), c.bias(), c.dyadic(),
                        seed)));
    }

    static float[] fill(int size, Random rnd, boolean dyadic) {
        float[] f = new float[size];
        for (int i = 0; i < size; i++) {
            f[i] = SgemmProperties.value(rnd, dyadic);
        }
        return f;
    }

    /**
     * Checks float against float64 element-wise: exact for dyadic data (every partial sum is exactly
     * representable), else within a bound proportional to the number of terms.
     */
    static void assertMatches(float[] got, double[] expected, int terms, boolean dyadic, Object what) {
        assertEquals(expected.length, got.length, "output size");
        double u = Math.ulp(1f) / 2;
        for (int i = 0; i < got.length; i++) {
            // |a|, |b| <= 2, so sum |a b| <= 4 * terms (+ bias 2).
            double tol = dyadic ? 0 : 2 * (terms + 2) * u * (4.0 * terms + 2) + 1e-30;
            if (!(Math.abs(got[i] - expected[i]) <= tol)) {
                throw new AssertionError("element " + i + ": " + got[i] + " vs " + expected[i] + " tol " + tol
                        + " for " + what);
            }
        }
    }

    /** Output channels per group: small counts, and counts around the direct kernel's NR-channel tiles. */
    @Provide
    Arbitrary<Integer> coutPerGroup() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(1, 3)),
                Tuple.of(1, Arbitraries.of(Sgemm.NR - 1, Sgemm.NR, Sgemm.NR + 3, 2 * Sgemm.NR)));
    }

    /** Every algorithm (direct, im2col + GEMM) against the definition, and 1 vs 2 threads. */
    @Property(tries = 250)
    void convMatchesFloat64Definition(@ForAll("cases") Case c0, @ForAll("coutPerGroup") int coutG) {
        Case c = new Case(c0.rank(), c0.n(), c0.groups(), c0.cinG(), coutG, c0.k(), c0.s(), c0.p(), c0.dil(),
                c0.extra(), c0.outPad(), c0.bias(), c0.dyadic(), c0.seed());
        int[] in = c.in();
        Random rnd = new Random(c.seed());
        float[] x = fill(c.n() * c.cin() * in[0] * in[1] * in[2], rnd, c.dyadic());
        float[] w = fill(c.cout() * c.cinG() * c.k()[0] * c.k()[1] * c.k()[2], rnd, c.dyadic());
        float[] b = c.bias() ? fill(c.cout(), rnd, c.dyadic()) : null;
        double[] ref = ConvKernels.conv3d(SgemmProperties.toDouble(x), c.n(), c.cin(), in[0], in[1], in[2],
                SgemmProperties.toDouble(w), c.cout(), c.k()[0], c.k()[1], c.k()[2],
                b == null ? null : SgemmProperties.toDouble(b), c.s(), c.p(), c.dil(), c.groups());
        int terms = c.cinG() * c.k()[0] * c.k()[1] * c.k()[2];
        for (ConvKernels.Algo algo : ConvKernels.Algo.values()) {
            float[] y1 = ConvKernels.conv3d(x, c.n(), c.cin(), in[0], in[1], in[2], w, c.cout(), c.k()[0], c.k()[1],
                    c.k()[2], b, c.s(), c.p(), c.dil(), c.groups(), 1, algo);
            assertMatches(y1, ref, terms, c.dyadic(), algo + " " + c);
            float[] y2 = ConvKernels.conv3d(x, c.n(), c.cin(), in[0], in[1], in[2], w, c.cout(), c.k()[0], c.k()[1],
                    c.k()[2], b, c.s(), c.p(), c.dil(), c.groups(), 2, algo);
            assertArrayEquals(y1, y2, algo + " 1 vs 2 threads");
        }
    }

    @Property(tries = 250)
    void convTransposeMatchesScatterDefinition(@ForAll("cases") Case c) {
        int[] in = c.inTransposed();
        Random rnd = new Random(c.seed());
        float[] x = fill(c.n() * c.cin() * in[0] * in[1] * in[2], rnd, c.dyadic());
        float[] w = fill(c.cin() * c.coutG() * c.k()[0] * c.k()[1] * c.k()[2], rnd, c.dyadic());
        float[] b = c.bias() ? fill(c.cout(), rnd, c.dyadic()) : null;
        float[] y1 = ConvKernels.convTranspose3d(x, c.n(), c.cin(), in[0], in[1], in[2], w, c.cout(), c.k()[0],
                c.k()[1], c.k()[2], b, c.s(), c.p(), c.outPad(), c.dil(), c.groups(), 1);
        double[] ref = ConvKernels.convTranspose3d(SgemmProperties.toDouble(x), c.n(), c.cin(), in[0], in[1],
                in[2], SgemmProperties.toDouble(w), c.cout(), c.k()[0], c.k()[1], c.k()[2],
                b == null ? null : SgemmProperties.toDouble(b), c.s(), c.p(), c.outPad(), c.dil(), c.groups());
        // An output element gathers at most cinG * kvol taps.
        int terms = c.cinG() * c.k()[0] * c.k()[1] * c.k()[2];
        assertMatches(y1, ref, terms, c.dyadic(), c);
        float[] y2 = ConvKernels.convTranspose3d(x, c.n(), c.cin(), in[0], in[1], in[2], w, c.cout(), c.k()[0],
                c.k()[1], c.k()[2], b, c.s(), c.p(), c.outPad(), c.dil(), c.groups(), 2);
        assertArrayEquals(y1, y2, "1 vs 2 threads");
    }

    /**
     * Output rows much wider than one tile (MR positions for the direct kernel, NR for the GEMM), with
     * partial tiles at the row ends; the narrow random cases above mostly hit the partial-tile paths.
     */
    @Property(tries = 60)
    void convWideRows(@ForAll("cases") Case c0, @ForAll("coutPerGroup") int coutG,
                      @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 40) int widen) {
        Case c = new Case(c0.rank(), c0.n(), c0.groups(), c0.cinG(), coutG, c0.k(), c0.s(), c0.p(), c0.dil(),
                c0.extra(), c0.outPad(), c0.bias(), c0.dyadic(), c0.seed());
        int[] in = c.in();
        // Widen w so that several full panels fit one output row; keep the rest small.
        int w = in[2] + (Sgemm.NR + widen) * c.s()[2];
        Random rnd = new Random(c.seed());
        float[] x = fill(c.n() * c.cin() * in[0] * in[1] * w, rnd, c.dyadic());
        float[] wt = fill(c.cout() * c.cinG() * c.k()[0] * c.k()[1] * c.k()[2], rnd, c.dyadic());
        float[] b = c.bias() ? fill(c.cout(), rnd, c.dyadic()) : null;
        double[] ref = ConvKernels.conv3d(SgemmProperties.toDouble(x), c.n(), c.cin(), in[0], in[1], w,
                SgemmProperties.toDouble(wt), c.cout(), c.k()[0], c.k()[1], c.k()[2],
                b == null ? null : SgemmProperties.toDouble(b), c.s(), c.p(), c.dil(), c.groups());
        for (ConvKernels.Algo algo : ConvKernels.Algo.values()) {
            float[] y1 = ConvKernels.conv3d(x, c.n(), c.cin(), in[0], in[1], w, wt, c.cout(), c.k()[0], c.k()[1],
                    c.k()[2], b, c.s(), c.p(), c.dil(), c.groups(), 1, algo);
            assertMatches(y1, ref, c.cinG() * c.k()[0] * c.k()[1] * c.k()[2], c.dyadic(), algo + " " + c + " w=" + w);
            float[] y2 = ConvKernels.conv3d(x, c.n(), c.cin(), in[0], in[1], w, wt, c.cout(), c.k()[0], c.k()[1],
                    c.k()[2], b, c.s(), c.p(), c.dil(), c.groups(), 2, algo);
            assertArrayEquals(y1, y2, algo + " 1 vs 2 threads");
        }
    }

    /** The double reference itself, on a hand-computed 1-D case (so the oracle is not trusted blindly). */
    @Example
    void referenceOnHandCase() {
        // x = [1 2 3 4], w = [1 10 100], padding 1, stride 2, dilation 1 -> out len 2:
        // y0 = 0*1 + 1*10 + 2*100 = 210, y1 = 2*1 + 3*10 + 4*100 = 432; bias 0.5.
        double[] y = ConvKernels.conv3d(new double[] {1, 2, 3, 4}, 1, 1, 1, 1, 4, new double[] {1, 10, 100}, 1, 1,
                1, 3, new double[] {0.5}, new int[] {1, 1, 2}, new int[] {0, 0, 1}, new int[] {1, 1, 1}, 1);
        assertArrayEquals(new double[] {210.5, 432.5}, y);
        float[] yf = ConvKernels.conv3d(new float[] {1, 2, 3, 4}, 1, 1, 1, 1, 4, new float[] {1, 10, 100}, 1, 1,
                1, 3, new float[] {0.5f}, new int[] {1, 1, 2}, new int[] {0, 0, 1}, new int[] {1, 1, 1}, 1);
        assertArrayEquals(new float[] {210.5f, 432.5f}, yf);
        // Transposed, stride 2, x = [1 2], w = [1 10 100]: y has (2-1)*2 + 3 = 5 entries,
        // y = [1, 10, 100 + 2, 20, 200].
        double[] t = ConvKernels.convTranspose3d(new double[] {1, 2}, 1, 1, 1, 1, 2, new double[] {1, 10, 100}, 1,
                1, 1, 3, null, new int[] {1, 1, 2}, new int[] {0, 0, 0}, new int[] {0, 0, 0}, new int[] {1, 1, 1}, 1);
        assertArrayEquals(new double[] {1, 10, 102, 20, 200}, t);
        float[] tf = ConvKernels.convTranspose3d(new float[] {1, 2}, 1, 1, 1, 1, 2, new float[] {1, 10, 100}, 1,
                1, 1, 3, null, new int[] {1, 1, 2}, new int[] {0, 0, 0}, new int[] {0, 0, 0}, new int[] {1, 1, 1}, 1);
        assertArrayEquals(new float[] {1, 10, 102, 20, 200}, tf);
    }

    /**
     * Enough input channels that the reduction spans several depth blocks (KC) and, on the scalar path,
     * several im2col column chunks (one partial).
     */
    @Example
    void manyInputChannels() {
        int cin = 40;
        int cout = 3;
        int[] in = {7, 9, 11};
        int kDim = cin * 27;
        int chunk = Math.max(Sgemm.NR, ConvKernels.COL_BUDGET / kDim / Sgemm.NR * Sgemm.NR);
        int outP = in[0] * in[1] * in[2];
        assert outP > 2 * chunk && outP % chunk != 0 : "test must span chunks";
        assert kDim > 2 * Sgemm.KC : "test must span depth blocks";
        Random rnd = new Random(7);
        float[] x = fill(cin * outP, rnd, true);
        float[] w = fill(cout * kDim, rnd, true);
        float[] b = fill(cout, rnd, true);
        int[] one = {1, 1, 1};
        float[] y = ConvKernels.conv3d(x, 1, cin, in[0], in[1], in[2], w, cout, 3, 3, 3, b, one, one, one, 1, 1,
                ConvKernels.Algo.IM2COL);
        double[] ref = ConvKernels.conv3d(SgemmProperties.toDouble(x), 1, cin, in[0], in[1], in[2],
                SgemmProperties.toDouble(w), cout, 3, 3, 3, SgemmProperties.toDouble(b), one, one, one, 1);
        assertMatches(y, ref, kDim, true, "manyInputChannels");
        float[] y2 = ConvKernels.conv3d(x, 1, cin, in[0], in[1], in[2], w, cout, 3, 3, 3, b, one, one, one, 1, 2,
                ConvKernels.Algo.IM2COL);
        assertArrayEquals(y, y2);
        float[] y3 = ConvKernels.conv3d(x, 1, cin, in[0], in[1], in[2], w, cout, 3, 3, 3, b, one, one, one, 1, 2,
                ConvKernels.Algo.DIRECT);
        assertMatches(y3, ref, kDim, true, "manyInputChannels direct");
    }

    @Example
    void pointwiseConvolutionUsesInputAsColumns() {
        Random rnd = new Random(3);
        int[] one = {1, 1, 1};
        int[] zero = {0, 0, 0};
        float[] x = fill(2 * 6 * 5 * 7, rnd, true);
        float[] w = fill(4 * 3, rnd, true);
        float[] b = fill(4, rnd, true);
        float[] y = ConvKernels.conv3d(x, 2, 6, 1, 5, 7, w, 4, 1, 1, 1, b, one, zero, one, 2);
        double[] ref = ConvKernels.conv3d(SgemmProperties.toDouble(x), 2, 6, 1, 5, 7, SgemmProperties.toDouble(w),
                4, 1, 1, 1, SgemmProperties.toDouble(b), one, zero, one, 2);
        assertMatches(y, ref, 3, true, "pointwise");
    }

    /**
     * The Into variants overwrite every output element, whatever the buffer held before; scratch arrays
     * recycled through {@link Buffers} hold NaN here, so any element a kernel forgets to write shows.
     */
    @Example
    void intoVariantsOverwriteStaleOutput() {
        for (int size : new int[] {1 << 10, 1 << 12, 1 << 14, 1 << 16}) {
            float[] poison = new float[size];
            java.util.Arrays.fill(poison, Float.NaN);
            Buffers.give(poison);
        }
        Random rnd = new Random(11);
        int[] one = {1, 1, 1};
        int[] s2 = {1, 2, 1};
        int[] pad = {0, 1, 1};
        for (int cout : new int[] {3, Sgemm.NR}) {
            float[] x = fill(2 * 4 * 6 * 9, rnd, true);
            float[] w = fill(cout * 4 * 9, rnd, true);
            float[] expect = ConvKernels.conv3d(x, 2, 4, 1, 6, 9, w, cout, 1, 3, 3, null, s2, pad, one, 1);
            float[] y = new float[expect.length];
            java.util.Arrays.fill(y, Float.NaN);
            ConvKernels.conv3dInto(x, 2, 4, 1, 6, 9, w, cout, 1, 3, 3, null, s2, pad, one, 1, y, 2);
            assertArrayEquals(expect, y);
            float[] wt = fill(4 * cout * 9, rnd, true);
            float[] expectT = ConvKernels.convTranspose3d(x, 2, 4, 1, 6, 9, wt, cout, 1, 3, 3, null, s2, pad,
                    new int[] {0, 1, 0}, one, 1);
            float[] yt = new float[expectT.length];
            java.util.Arrays.fill(yt, Float.NaN);
            ConvKernels.convTranspose3dInto(x, 2, 4, 1, 6, 9, wt, cout, 1, 3, 3, null, s2, pad, new int[] {0, 1, 0},
                    one, 1, yt, 2);
            assertArrayEquals(expectT, yt);
            assertThrows(IllegalArgumentException.class, () -> ConvKernels.conv3dInto(x, 2, 4, 1, 6, 9, w, cout, 1,
                    3, 3, null, s2, pad, one, 1, new float[expect.length + 1], 1));
        }
    }

    @Example
    void outputSizesFollowPyTorch() {
        assertEquals(5, ConvKernels.convOutSize(5, 3, 1, 1, 1));
        assertEquals(3, ConvKernels.convOutSize(5, 3, 2, 1, 1));
        assertEquals(1, ConvKernels.convOutSize(5, 3, 1, 0, 2));
        assertEquals(2, ConvKernels.convOutSize(6, 3, 3, 0, 1));
        assertEquals(11, ConvKernels.convTransposeOutSize(5, 3, 2, 0, 0, 1));
        assertEquals(10, ConvKernels.convTransposeOutSize(5, 3, 2, 1, 1, 1));
        assertEquals(9, ConvKernels.convTransposeOutSize(5, 3, 1, 0, 0, 2));
    }

    @Example
    void rejectsBadArguments() {
        int[] one = {1, 1, 1};
        int[] zero = {0, 0, 0};
        float[] x = new float[1 * 2 * 1 * 1 * 4];
        // kernel larger than the input
        assertThrows(IllegalArgumentException.class, () -> ConvKernels.conv3d(x, 1, 2, 1, 1, 4, new float[2 * 2 * 5],
                2, 1, 1, 5, null, one, zero, one, 1));
        // groups not dividing channels
        assertThrows(IllegalArgumentException.class, () -> ConvKernels.conv3d(x, 1, 2, 1, 1, 4, new float[3],
                3, 1, 1, 1, null, one, zero, one, 2));
        // weight of the wrong size
        assertThrows(IllegalArgumentException.class, () -> ConvKernels.conv3d(x, 1, 2, 1, 1, 4, new float[3],
                2, 1, 1, 1, null, one, zero, one, 1));
        // output padding not below stride or dilation
        assertThrows(IllegalArgumentException.class, () -> ConvKernels.convTranspose3d(x, 1, 2, 1, 1, 4,
                new float[2 * 2 * 3], 2, 1, 1, 3, null, one, zero, new int[] {0, 0, 1}, one, 1));
        // stride 0
        assertThrows(IllegalArgumentException.class, () -> ConvKernels.conv3d(x, 1, 2, 1, 1, 4, new float[4],
                2, 1, 1, 1, null, new int[] {1, 1, 0}, zero, one, 1));
    }
}
