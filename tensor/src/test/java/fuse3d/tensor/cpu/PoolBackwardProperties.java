package fuse3d.tensor.cpu;

import static fuse3d.tensor.cpu.ConvBackwardProperties.abs;
import static fuse3d.tensor.cpu.ConvBackwardProperties.assertAdjoint;
import static fuse3d.tensor.cpu.ConvBackwardProperties.assertFloatMatches;
import static fuse3d.tensor.cpu.ConvBackwardProperties.checkFiniteDifferences;
import static fuse3d.tensor.cpu.ConvBackwardProperties.dot;
import static fuse3d.tensor.cpu.ConvBackwardProperties.randoms;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
 * Pooling gradients: float64 versions against central finite differences of the float64 forward (and
 * the adjoint identity for the linear average poolings), float versions against float64, and planes
 * computed alone against the whole batch.
 */
class PoolBackwardProperties {

    /** One small random pooling: rank 2 or 3, geometry per dim, data from the seed. */
    record Case(int rank, int n, int c, int[] k, int[] s, int[] p, int[] dil, int[] extra, boolean ceil,
                boolean includePad, int divisor, int[] adaptiveOut, long seed) {
        /** Input sizes of at least the dilated kernel, so every max window holds an input element. */
        int[] in() {
            int[] in = new int[3];
            for (int i = 0; i < 3; i++) {
                in[i] = dil[i] * (k[i] - 1) + 1 + extra[i];
            }
            return in;
        }

        int inVol() {
            int[] in = in();
            return in[0] * in[1] * in[2];
        }

        int kvol() {
            return k[0] * k[1] * k[2];
        }

        @Override
        public String toString() {
            return "Case[rank=" + rank + " n=" + n + " c=" + c + " in=" + Arrays.toString(in())
                    + " k=" + Arrays.toString(k) + " s=" + Arrays.toString(s) + " p=" + Arrays.toString(p)
                    + " dil=" + Arrays.toString(dil) + " ceil=" + ceil + " includePad=" + includePad
                    + " divisor=" + divisor + " adaptiveOut=" + Arrays.toString(adaptiveOut) + " seed=" + seed + "]";
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<int[]> k = Arbitraries.integers().between(1, 3).array(int[].class).ofSize(3);
        Arbitrary<int[]> s = Arbitraries.integers().between(1, 3).array(int[].class).ofSize(3);
        Arbitrary<int[]> p = Arbitraries.integers().between(0, 1).array(int[].class).ofSize(3);
        Arbitrary<int[]> dil = Arbitraries.integers().between(1, 2).array(int[].class).ofSize(3);
        Arbitrary<int[]> extra = Arbitraries.integers().between(0, 3).array(int[].class).ofSize(3);
        Arbitrary<int[]> adaptive = Arbitraries.integers().between(1, 6).array(int[].class).ofSize(3);
        Arbitrary<int[]> flags = Arbitraries.integers().between(0, 5).array(int[].class).ofSize(5);
        return Combinators.combine(Arbitraries.integers().between(2, 3), flags, k, s, p, dil, extra, adaptive)
                .as((rank, f, kk, ss, pp, dd, ex, ad) -> {
                    for (int i = 0; i < 3; i++) {
                        if (i < 3 - rank) {
                            kk[i] = 1; ss[i] = 1; pp[i] = 0; dd[i] = 1; ex[i] = 0; ad[i] = 1;
                        }
                        // PyTorch allows padding up to half the kernel.
                        pp[i] = Math.min(pp[i], kk[i] / 2);
                    }
                    return new Case(rank, 1 + f[0] % 2, 1 + f[1] % 2, kk, ss, pp, dd, ex, f[2] % 2 == 0,
                            f[3] % 2 == 0, f[4] < 3 ? 0 : f[4], ad, 0L);
                })
                .flatMap(c -> Arbitraries.longs().map(seed -> new Case(c.rank(), c.n(), c.c(), c.k(), c.s(), c.p(),
                        c.dil(), c.extra(), c.ceil(), c.includePad(), c.divisor(), c.adaptiveOut(), seed)));
    }

    /** Well-separated distinct values (gaps far above the finite-difference step), so argmaxes are stable. */
    static double[] distinct(int size, Random rnd) {
        int[] perm = new int[size];
        for (int i = 0; i < size; i++) {
            perm[i] = i;
        }
        for (int i = size - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        double[] d = new double[size];
        for (int i = 0; i < size; i++) {
            d[i] = perm[i] * 0.01 - size * 0.005 + rnd.nextDouble() * 1e-3;
        }
        return d;
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    static int vol(int[] o) {
        return o[0] * o[1] * o[2];
    }

    // ------------------------------------------------------------------------------------------------
    // Max pooling

    PoolKernels.PoolResultD maxPool(Case c, double[] x) {
        int[] in = c.in();
        return PoolKernels.maxPool3d(x, c.n(), c.c(), in[0], in[1], in[2], c.k(), c.s(), c.p(), c.dil(), c.ceil());
    }

    @Property(tries = 80)
    void maxPoolGradientMatchesFiniteDifferences(@ForAll("cases") Case c) {
        Random rnd = new Random(c.seed());
        double[] x = distinct(c.n() * c.c() * c.inVol(), rnd);
        PoolKernels.PoolResultD r = maxPool(c, x);
        double[] g = randoms(r.values().length, rnd);
        double[] grad = PoolBackwardKernels.maxPool3dBackward(g, r.indices(), c.n(), c.c(), c.inVol(),
                vol(r.outSpatial()));
        Supplier<Double> f = () -> dot(maxPool(c, x).values(), g);
        checkFiniteDifferences(x, grad, f, 40, rnd, c);
        float[] gf = PoolBackwardKernels.maxPool3dBackward(toFloat(g), r.indices(), c.n(), c.c(), c.inVol(),
                vol(r.outSpatial()));
        double[] gd = SgemmProperties.toDouble(toFloat(g));
        assertFloatMatches(gf, PoolBackwardKernels.maxPool3dBackward(gd, r.indices(), c.n(), c.c(), c.inVol(),
                vol(r.outSpatial())), PoolBackwardKernels.maxPool3dBackward(abs(gd), r.indices(), c.n(), c.c(),
                c.inVol(), vol(r.outSpatial())), c.kvol(), c);
    }

    @Property(tries = 80)
    void adaptiveMaxPoolGradientMatchesFiniteDifferences(@ForAll("cases") Case c) {
        int[] in = c.in();
        Random rnd = new Random(c.seed());
        double[] x = distinct(c.n() * c.c() * c.inVol(), rnd);
        Supplier<PoolKernels.PoolResultD> pool = () -> PoolKernels.adaptiveMaxPool3d(x, c.n(), c.c(), in[0], in[1],
                in[2], c.adaptiveOut());
        PoolKernels.PoolResultD r = pool.get();
        double[] g = randoms(r.values().length, rnd);
        double[] grad = PoolBackwardKernels.adaptiveMaxPool3dBackward(g, r.indices(), c.n(), c.c(), c.inVol(),
                vol(r.outSpatial()));
        checkFiniteDifferences(x, grad, () -> dot(pool.get().values(), g), 40, rnd, c);
        float[] gf = PoolBackwardKernels.adaptiveMaxPool3dBackward(toFloat(g), r.indices(), c.n(), c.c(), c.inVol(),
                vol(r.outSpatial()));
        assertArrayEquals(toFloat(PoolBackwardKernels.adaptiveMaxPool3dBackward(
                SgemmProperties.toDouble(toFloat(g)), r.indices(), c.n(), c.c(), c.inVol(), vol(r.outSpatial()))),
                gf, 1e-5f, "float vs float64 " + c);
    }

    /** Windows that pick the same input add their gradients there; bad indices are rejected. */
    @Example
    void maxPoolScatterAccumulatesDuplicates() {
        // 1-D x = [0 5 1], kernel 2, stride 1: both windows choose index 1.
        PoolKernels.PoolResult r = PoolKernels.maxPool3d(new float[] {0, 5, 1}, 1, 1, 1, 1, 3,
                new int[] {1, 1, 2}, new int[] {1, 1, 1}, new int[] {0, 0, 0}, new int[] {1, 1, 1}, false);
        assertArrayEquals(new long[] {1, 1}, r.indices());
        float[] gi = PoolBackwardKernels.maxPool3dBackward(new float[] {1, 2}, r.indices(), 1, 1, 3, 2);
        assertArrayEquals(new float[] {0, 3, 0}, gi);
        assertThrows(IndexOutOfBoundsException.class,
                () -> PoolBackwardKernels.maxPool3dBackward(new float[] {1, 2}, new long[] {1, 3}, 1, 1, 3, 2));
        assertThrows(IllegalArgumentException.class,
                () -> PoolBackwardKernels.maxPool3dBackward(new float[] {1, 2}, new long[] {1}, 1, 1, 3, 2));
    }

    // ------------------------------------------------------------------------------------------------
    // Average pooling

    double[] avgPool(Case c, double[] x) {
        int[] in = c.in();
        return PoolKernels.avgPool3d(x, c.n(), c.c(), in[0], in[1], in[2], c.k(), c.s(), c.p(), c.ceil(),
                c.includePad(), c.divisor()).values();
    }

    double[] avgGrad(Case c, double[] g) {
        int[] in = c.in();
        return PoolBackwardKernels.avgPool3dBackward(g, c.n(), c.c(), in[0], in[1], in[2], c.k(), c.s(), c.p(),
                c.ceil(), c.includePad(), c.divisor());
    }

    @Property(tries = 100)
    void avgPoolGradientMatchesFiniteDifferencesAndAdjoint(@ForAll("cases") Case c) {
        int[] in = c.in();
        Random rnd = new Random(c.seed());
        double[] x = randoms(c.n() * c.c() * c.inVol(), rnd);
        double[] y = avgPool(c, x);
        double[] g = randoms(y.length, rnd);
        double[] grad = avgGrad(c, g);
        checkFiniteDifferences(x, grad, () -> dot(avgPool(c, x), g), 40, rnd, c);
        assertAdjoint(dot(y, g), dot(x, grad), ConvBackwardProperties.absDot(avgPool(c, abs(x)), abs(g)), c);
        // Float against float64, and the whole batch against each plane alone (planes are independent).
        float[] gf = toFloat(g);
        double[] gd = SgemmProperties.toDouble(gf);
        float[] got = PoolBackwardKernels.avgPool3dBackward(gf, c.n(), c.c(), in[0], in[1], in[2], c.k(), c.s(),
                c.p(), c.ceil(), c.includePad(), c.divisor());
        assertFloatMatches(got, avgGrad(c, gd), avgGrad(c, abs(gd)), c.kvol(), c);
        int outVol = y.length / (c.n() * c.c());
        for (int pl = 0; pl < c.n() * c.c(); pl++) {
            float[] one = PoolBackwardKernels.avgPool3dBackward(Arrays.copyOfRange(gf, pl * outVol, (pl + 1) * outVol),
                    1, 1, in[0], in[1], in[2], c.k(), c.s(), c.p(), c.ceil(), c.includePad(), c.divisor());
            assertArrayEquals(Arrays.copyOfRange(got, pl * c.inVol(), (pl + 1) * c.inVol()), one, "plane " + pl);
        }
    }

    @Property(tries = 100)
    void adaptiveAvgPoolGradientMatchesFiniteDifferencesAndAdjoint(@ForAll("cases") Case c) {
        int[] in = c.in();
        Random rnd = new Random(c.seed());
        double[] x = randoms(c.n() * c.c() * c.inVol(), rnd);
        Supplier<double[]> pool = () -> PoolKernels.adaptiveAvgPool3d(x, c.n(), c.c(), in[0], in[1], in[2],
                c.adaptiveOut()).values();
        double[] y = pool.get();
        double[] g = randoms(y.length, rnd);
        double[] grad = PoolBackwardKernels.adaptiveAvgPool3dBackward(g, c.n(), c.c(), in[0], in[1], in[2],
                c.adaptiveOut());
        checkFiniteDifferences(x, grad, () -> dot(pool.get(), g), 40, rnd, c);
        double scale = ConvBackwardProperties.absDot(PoolKernels.adaptiveAvgPool3d(abs(x), c.n(), c.c(), in[0],
                in[1], in[2], c.adaptiveOut()).values(), abs(g));
        assertAdjoint(dot(y, g), dot(x, grad), scale, c);
        float[] gf = toFloat(g);
        double[] gd = SgemmProperties.toDouble(gf);
        float[] got = PoolBackwardKernels.adaptiveAvgPool3dBackward(gf, c.n(), c.c(), in[0], in[1], in[2],
                c.adaptiveOut());
        assertFloatMatches(got, PoolBackwardKernels.adaptiveAvgPool3dBackward(gd, c.n(), c.c(), in[0], in[1], in[2],
                c.adaptiveOut()), PoolBackwardKernels.adaptiveAvgPool3dBackward(abs(gd), c.n(), c.c(), in[0], in[1],
                in[2], c.adaptiveOut()), vol(c.adaptiveOut()), c);
    }

    /** Hand-computed average-pool gradient with padding excluded from and included in the divisor. */
    @Example
    void avgPoolHandCase() {
        // 1-D x of length 3, kernel 3, stride 2, padding 1: windows [-1, 2) and [1, 4) clipped to [0,2), [1,3).
        int[] k = {1, 1, 3};
        int[] s = {1, 1, 2};
        int[] p = {0, 0, 1};
        float[] g = {6, 12};
        // Excluding padding: divisors 2 and 2 -> [3, 3 + 6, 6].
        assertArrayEquals(new float[] {3, 9, 6},
                PoolBackwardKernels.avgPool3dBackward(g, 1, 1, 1, 1, 3, k, s, p, false, false, 0));
        // Including padding: divisors 3 and 3 -> [2, 2 + 4, 4].
        assertArrayEquals(new float[] {2, 6, 4},
                PoolBackwardKernels.avgPool3dBackward(g, 1, 1, 1, 1, 3, k, s, p, false, true, 0));
        // Divisor override 6 -> [1, 3, 2].
        assertArrayEquals(new double[] {1, 3, 2},
                PoolBackwardKernels.avgPool3dBackward(new double[] {6, 12}, 1, 1, 1, 1, 3, k, s, p, false, true, 6));
    }
}
