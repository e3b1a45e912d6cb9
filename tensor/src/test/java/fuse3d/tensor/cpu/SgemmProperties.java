package fuse3d.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** Sgemm, SgemmReference and Dgemm against a float64 triple loop, over shapes, strides and thread counts. */
class SgemmProperties {

    /** How an operand is laid out: row-major, column-major (a transposed view) or both strides non-unit. */
    enum Layout { ROW, COL, STRIDED, NEGATIVE }

    /** One GEMM problem; the data comes from {@code seed}, so a failing case is reproducible. */
    record Case(int m, int n, int k, Layout la, Layout lb, int padC, boolean accumulate, boolean dyadic,
                int threads, long seed) {}

    /** An operand laid out in a flat array: element (r, q) is at {@code off + r*rs + q*cs}. */
    record Operand(float[] data, int off, int rs, int cs) {
        float get(int r, int q) {
            return data[off + r * rs + q * cs];
        }
    }

    static Operand operand(int rows, int cols, Layout layout, Random rnd, boolean dyadic) {
        int off = rnd.nextInt(3);
        int pad = rnd.nextInt(3);
        int rs;
        int cs;
        int size;
        switch (layout) {
            case ROW -> { rs = cols + pad; cs = 1; size = off + rows * rs; }
            case COL -> { cs = rows + pad; rs = 1; size = off + cols * cs; }
            case STRIDED -> { cs = 2; rs = 2 * cols + 1 + pad; size = off + rows * rs; }
            default -> {
                // Both strides negative (a flipped view): the first element sits at the end.
                rs = -(cols + pad); cs = -1;
                size = off + rows * (cols + pad);
                off = size - 1;
            }
        }
        float[] data = new float[Math.max(size, 1)];
        for (int i = 0; i < data.length; i++) {
            data[i] = value(rnd, dyadic);
        }
        return new Operand(data, off, rs, cs);
    }

    /** Dyadic values k/8 with |k| <= 16 keep every partial sum exact in float for k < 2^16. */
    static float value(Random rnd, boolean dyadic) {
        return dyadic ? (rnd.nextInt(33) - 16) / 8f : (float) (rnd.nextDouble() * 4 - 2);
    }

    @Provide
    Arbitrary<Integer> dims() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(1, 8)),
                Tuple.of(5, Arbitraries.integers().between(1, 70)),
                Tuple.of(1, Arbitraries.integers().between(70, 300)));
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Integer> d = dims();
        Arbitrary<Layout> layouts = Arbitraries.of(Layout.class);
        return Combinators.combine(
                Combinators.combine(d, d, d).as((m, n, k) -> new int[] {m, n, k}),
                layouts, layouts, Arbitraries.integers().between(0, 5), Arbitraries.of(true, false),
                Arbitraries.of(true, false), Arbitraries.of(1, 2), Arbitraries.longs())
            .as((mnk, la, lb, padC, acc, dy, th, seed) ->
                new Case(mnk[0], mnk[1], mnk[2], la, lb, padC, acc, dy, th, seed));
    }

    /** The operands and the initial C of a case, plus the float64 expectation and per-element bound. */
    static final class Problem {
        final Case g;
        final Operand a;
        final Operand b;
        final int ldc;
        final float[] c0;
        final double[] expected;
        final double[] bound;

        Problem(Case g) {
            this.g = g;
            Random rnd = new Random(g.seed());
            a = operand(g.m(), g.k(), g.la(), rnd, g.dyadic());
            b = operand(g.k(), g.n(), g.lb(), rnd, g.dyadic());
            ldc = g.n() + g.padC();
            c0 = new float[g.m() * ldc + 1];
            for (int i = 0; i < c0.length; i++) {
                // Without accumulate, C's old contents must be ignored: make them poison.
                c0[i] = g.accumulate() ? value(rnd, g.dyadic()) : Float.NaN;
            }
            expected = new double[g.m() * g.n()];
            bound = new double[g.m() * g.n()];
            double u = Math.ulp(1f) / 2; // float unit roundoff 2^-24
            for (int i = 0; i < g.m(); i++) {
                for (int j = 0; j < g.n(); j++) {
                    double s = 0;
                    double abs = 0;
                    for (int p = 0; p < g.k(); p++) {
                        double t = (double) a.get(i, p) * b.get(p, j);
                        s += t;
                        abs += Math.abs(t);
                    }
                    double old = g.accumulate() ? c0[i * ldc + j] : 0;
                    expected[i * g.n() + j] = old + s;
                    // Any summation order: |error| <= (k+1) u (sum|a b| + |c|) to first order; doubled.
                    bound[i * g.n() + j] = 2 * (g.k() + 1) * u * (abs + Math.abs(old)) + Float.MIN_NORMAL;
                }
            }
        }

        float[] freshC() {
            return c0.clone();
        }

        void check(float[] c, String what) {
            for (int i = 0; i < g.m(); i++) {
                for (int j = 0; j < g.n(); j++) {
                    double e = expected[i * g.n() + j];
                    float got = c[i * ldc + j];
                    double tol = g.dyadic() ? 0 : bound[i * g.n() + j];
                    if (!(Math.abs(got - e) <= tol)) {
                        throw new AssertionError(what + " C(" + i + "," + j + ")=" + got + " expected " + e
                                + " tol " + tol + " for " + g);
                    }
                }
            }
            // Padding columns and the slack element after C are never written.
            for (int i = 0; i < g.m(); i++) {
                for (int j = g.n(); j < ldc; j++) {
                    assertEquals(Float.floatToRawIntBits(c0[i * ldc + j]), Float.floatToRawIntBits(c[i * ldc + j]),
                            what + " wrote padding column " + j + " of row " + i);
                }
            }
            assertEquals(Float.floatToRawIntBits(c0[c0.length - 1]), Float.floatToRawIntBits(c[c.length - 1]));
        }

        float[] runSgemm(int threads) {
            float[] c = freshC();
            Sgemm.multiply(g.m(), g.n(), g.k(), a.data(), a.off(), a.rs(), a.cs(), b.data(), b.off(), b.rs(), b.cs(),
                    c, 0, ldc, g.accumulate(), threads);
            return c;
        }

        float[] runReference() {
            float[] c = freshC();
            SgemmReference.multiply(g.m(), g.n(), g.k(), a.data(), a.off(), a.rs(), a.cs(), b.data(), b.off(), b.rs(),
                    b.cs(), c, 0, ldc, g.accumulate());
            return c;
        }
    }

    @Property(tries = 300)
    void sgemmMatchesFloat64(@ForAll("cases") Case g) {
        Problem pr = new Problem(g);
        pr.check(pr.runSgemm(g.threads()), "Sgemm");
    }

    @Property(tries = 150)
    void referenceMatchesFloat64(@ForAll("cases") Case g) {
        Problem pr = new Problem(g);
        pr.check(pr.runReference(), "SgemmReference");
    }

    @Property(tries = 150)
    void threadCountDoesNotChangeBits(@ForAll("cases") Case g) {
        Problem pr = new Problem(g);
        float[] one = pr.runSgemm(1);
        float[] two = pr.runSgemm(2);
        float[] three = pr.runSgemm(3);
        assertArrayEquals(one, two, "1 vs 2 threads " + g);
        assertArrayEquals(one, three, "1 vs 3 threads " + g);
    }

    @Property(tries = 150)
    void simdMatchesScalarTwin(@ForAll("cases") Case g) {
        Problem pr = new Problem(g);
        float[] simd = pr.runSgemm(g.threads());
        float[] scalar = pr.runReference();
        for (int i = 0; i < g.m(); i++) {
            for (int j = 0; j < g.n(); j++) {
                int at = i * pr.ldc + j;
                // Each is within bound of the exact value, so they are within twice the bound of each other.
                double tol = g.dyadic() ? 0 : 2 * pr.bound[i * g.n() + j];
                assertTrue(Math.abs(simd[at] - scalar[at]) <= tol,
                        () -> "SIMD " + simd[at] + " vs scalar " + scalar[at] + " at " + at + " " + g);
            }
        }
    }

    @Property(tries = 100)
    void dgemmMatchesNaive(@ForAll("cases") Case g) {
        Problem pr = new Problem(g);
        double[] a = toDouble(pr.a.data());
        double[] b = toDouble(pr.b.data());
        double[] c = toDouble(pr.c0);
        Dgemm.multiply(g.m(), g.n(), g.k(), a, pr.a.off(), pr.a.rs(), pr.a.cs(), b, pr.b.off(), pr.b.rs(), pr.b.cs(),
                c, 0, pr.ldc, g.accumulate(), g.threads());
        for (int i = 0; i < g.m(); i++) {
            for (int j = 0; j < g.n(); j++) {
                double e = pr.expected[i * g.n() + j];
                double got = c[i * pr.ldc + j];
                // float64 sums of products of floats: error ~ k * 2^-53 * sum|ab|, far below the float bound.
                assertTrue(Math.abs(got - e) <= pr.bound[i * g.n() + j] * 1e-7 + 1e-300,
                        () -> "Dgemm " + got + " vs " + e + " " + g);
            }
        }
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    // ---------------------------------------------------------------------------------------------
    // Shapes the random draw rarely reaches

    static void checkCase(int m, int n, int k, Layout la, Layout lb, boolean acc, boolean dyadic, int threads) {
        Problem pr = new Problem(new Case(m, n, k, la, lb, 3, acc, dyadic, threads, 42L + m + 31L * n + 977L * k));
        pr.check(pr.runSgemm(threads), "Sgemm");
    }

    @Example
    void severalColumnBlocksOfB() {
        // n beyond NC makes the jc loop run more than once.
        checkCase(7, Sgemm.NC + Sgemm.NR + 5, 3, Layout.ROW, Layout.ROW, true, true, 2);
        checkCase(13, Sgemm.NC + 1, 9, Layout.COL, Layout.COL, false, false, 1);
    }

    @Example
    void severalDepthAndRowBlocks() {
        // k beyond KC (accumulation across packed depth blocks) and m beyond MC (several A blocks).
        checkCase(Sgemm.MC + 7, 37, 2 * Sgemm.KC + 3, Layout.ROW, Layout.ROW, false, true, 2);
        checkCase(Sgemm.MC * 2 + 1, 50, Sgemm.KC + 1, Layout.COL, Layout.STRIDED, true, false, 2);
    }

    @Example
    void skinnyShapes() {
        for (int[] s : new int[][] {{1, 1000, 300}, {2, 700, 100}, {1000, 1, 64}, {300, 3, 200}, {500, 2, 1},
                {1, 1, 5000}, {3, 5000, 2}, {64, 64, 1}}) {
            for (Layout la : Layout.values()) {
                for (Layout lb : Layout.values()) {
                    checkCase(s[0], s[1], s[2], la, lb, s[0] % 2 == 0, true, 2);
                }
            }
        }
    }

    @Example
    void zeroSizes() {
        float[] c = {5f, 6f, 7f, 8f};
        Sgemm.multiply(2, 2, 0, new float[0], 0, 0, 1, new float[0], 0, 2, 1, c, 0, 2, true);
        assertArrayEquals(new float[] {5f, 6f, 7f, 8f}, c, "k=0 with accumulate leaves C");
        Sgemm.multiply(2, 2, 0, new float[0], 0, 0, 1, new float[0], 0, 2, 1, c, 0, 2, false);
        assertArrayEquals(new float[4], c, "k=0 without accumulate zeroes C");
        float[] d = {1f};
        Sgemm.multiply(0, 5, 3, new float[0], 0, 3, 1, new float[15], 0, 5, 1, d, 0, 5, false);
        Sgemm.multiply(4, 0, 3, new float[12], 0, 3, 1, new float[0], 0, 0, 1, d, 0, 0, false);
        assertArrayEquals(new float[] {1f}, d, "empty C is not touched");
    }

    @Example
    void infAndNanPropagate() {
        // 2x2 times 2x2 with one NaN and one Inf in A: the rows they touch become NaN / Inf as in IEEE.
        float[] a = {Float.NaN, 0f, 1f, Float.POSITIVE_INFINITY};
        float[] b = {1f, 2f, 0f, 3f};
        float[] c = new float[4];
        Sgemm.multiply(2, 2, 2, a, 0, 2, 1, b, 0, 2, 1, c, 0, 2, false);
        assertTrue(Float.isNaN(c[0]) && Float.isNaN(c[1]));
        assertTrue(Float.isNaN(c[2]), "1*1 + inf*0 is NaN");
        assertEquals(Float.POSITIVE_INFINITY, c[3]);
    }

    @Example
    void rejectsOutOfRangeViews() {
        float[] a = new float[6];
        float[] b = new float[6];
        float[] c = new float[4];
        assertThrows(IndexOutOfBoundsException.class,
                () -> Sgemm.multiply(2, 2, 3, a, 1, 3, 1, b, 0, 2, 1, c, 0, 2, false));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Sgemm.multiply(2, 2, 3, a, 0, 3, 1, b, 0, 2, 1, c, 1, 2, false));
        assertThrows(IllegalArgumentException.class,
                () -> Sgemm.multiply(2, 2, 3, a, 0, 3, 1, b, 0, 2, 1, c, 0, 1, false));
        assertThrows(IllegalArgumentException.class,
                () -> Sgemm.multiply(-1, 2, 3, a, 0, 3, 1, b, 0, 2, 1, c, 0, 2, false));
        // Nothing was written by the rejected calls.
        assertArrayEquals(new float[4], c);
    }
}
