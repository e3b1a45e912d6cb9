package fuse3d.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Pooling kernels against naive per-tap loops, plus hand cases whose values came from PyTorch 1.13. */
class PoolProperties {

    /** A pooling problem: rank 2 or 3 (d = 1 for 2-D), geometry per dim, data drawn from seed. */
    record Case(int rank, int n, int c, int[] in, int[] k, int[] s, int[] p, int[] dil, boolean ceil,
                boolean countIncludePad, int divisor, int[] adaptiveOut, int valueKind, long seed) {
        @Override
        public String toString() {
            return "Case[n=" + n + " c=" + c + " in=" + Arrays.toString(in) + " k=" + Arrays.toString(k) + " s="
                    + Arrays.toString(s) + " p=" + Arrays.toString(p) + " dil=" + Arrays.toString(dil) + " ceil="
                    + ceil + " cip=" + countIncludePad + " div=" + divisor + " adaptiveOut="
                    + Arrays.toString(adaptiveOut) + " values=" + valueKind + " seed=" + seed + "]";
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<int[]> k = Arbitraries.integers().between(1, 4).array(int[].class).ofSize(3);
        Arbitrary<int[]> s = Arbitraries.integers().between(1, 3).array(int[].class).ofSize(3);
        Arbitrary<int[]> pSeed = Arbitraries.integers().between(0, 2).array(int[].class).ofSize(3);
        Arbitrary<int[]> dil = Arbitraries.integers().between(1, 2).array(int[].class).ofSize(3);
        Arbitrary<int[]> extra = Arbitraries.integers().between(0, 6).array(int[].class).ofSize(3);
        Arbitrary<int[]> aOut = Arbitraries.integers().between(1, 5).array(int[].class).ofSize(3);
        Arbitrary<int[]> misc = Arbitraries.integers().between(0, 3).array(int[].class).ofSize(5);
        return Combinators.combine(Arbitraries.integers().between(2, 3), k, s, pSeed, dil, extra, aOut, misc)
                .as((rank, kk, ss, pp, dd, ex, ao, m) -> {
                    int[] in = new int[3];
                    for (int i = 0; i < 3; i++) {
                        if (i == 0 && rank == 2) {
                            kk[i] = 1; ss[i] = 1; pp[i] = 0; dd[i] = 1; in[i] = 1; ao[i] = 1;
                            continue;
                        }
                        pp[i] = Math.min(pp[i], kk[i] / 2); // PyTorch: pad <= kernel / 2
                        in[i] = Math.max(1, dd[i] * (kk[i] - 1) + 1 - 2 * pp[i]) + ex[i];
                    }
                    return new Case(rank, 1 + m[0] % 2, 1 + m[1], in, kk, ss, pp, dd, (m[2] & 1) == 1,
                            (m[2] & 2) == 2, m[3] == 3 ? 3 : 0, ao, m[4], 0L);
                })
                .flatMap(c -> Arbitraries.longs().map(seed -> new Case(c.rank(), c.n(), c.c(), c.in(), c.k(), c.s(),
                        c.p(), c.dil(), c.ceil(), c.countIncludePad(), c.divisor(), c.adaptiveOut(), c.valueKind(),
                        seed)));
    }

    /** Values: 0 = small integers (many ties), 1 = reals, 2 = reals with NaN and -inf, 3 = dyadic. */
    static float[] data(Case c) {
        Random rnd = new Random(c.seed());
        float[] x = new float[c.n() * c.c() * c.in()[0] * c.in()[1] * c.in()[2]];
        for (int i = 0; i < x.length; i++) {
            x[i] = switch (c.valueKind()) {
                case 0 -> rnd.nextInt(4);
                case 1 -> (float) rnd.nextGaussian();
                case 2 -> switch (rnd.nextInt(8)) {
                    case 0 -> Float.NaN;
                    case 1 -> Float.NEGATIVE_INFINITY;
                    default -> (float) rnd.nextGaussian();
                };
                default -> SgemmProperties.value(rnd, true);
            };
        }
        return x;
    }

    /** Naive max over taps in iteration order: NaN wins (the last one), ties keep the first. */
    @Property(tries = 300)
    void maxPoolMatchesNaive(@ForAll("cases") Case c) {
        float[] x = data(c);
        int[] in = c.in();
        PoolKernels.PoolResult r = PoolKernels.maxPool3d(x, c.n(), c.c(), in[0], in[1], in[2], c.k(), c.s(), c.p(),
                c.dil(), c.ceil());
        int[] o = new int[3];
        for (int i = 0; i < 3; i++) {
            o[i] = PoolKernels.poolOutSize(in[i], c.k()[i], c.s()[i], c.p()[i], c.dil()[i], c.ceil());
        }
        assertArrayEquals(o, r.outSpatial());
        int at = 0;
        for (int plane = 0; plane < c.n() * c.c(); plane++) {
            for (int od = 0; od < o[0]; od++) {
                for (int oh = 0; oh < o[1]; oh++) {
                    for (int ow = 0; ow < o[2]; ow++, at++) {
                        float best = Float.NEGATIVE_INFINITY;
                        long bestIdx = -1;
                        for (int a = 0; a < c.k()[0]; a++) {
                            int z = od * c.s()[0] - c.p()[0] + a * c.dil()[0];
                            for (int b = 0; b < c.k()[1]; b++) {
                                int y = oh * c.s()[1] - c.p()[1] + b * c.dil()[1];
                                for (int e = 0; e < c.k()[2]; e++) {
                                    int xx = ow * c.s()[2] - c.p()[2] + e * c.dil()[2];
                                    if (z < 0 || z >= in[0] || y < 0 || y >= in[1] || xx < 0 || xx >= in[2]) {
                                        continue;
                                    }
                                    long idx = ((long) z * in[1] + y) * in[2] + xx;
                                    float v = x[plane * in[0] * in[1] * in[2] + (int) idx];
                                    if (bestIdx < 0) {
                                        bestIdx = idx;
                                    }
                                    if (v > best || Float.isNaN(v)) {
                                        best = v;
                                        bestIdx = idx;
                                    }
                                }
                            }
                        }
                        int here = at;
                        assertEquals(Float.floatToIntBits(best), Float.floatToIntBits(r.values()[here]),
                                () -> "value at " + here + " " + c);
                        if (bestIdx >= 0) {
                            assertEquals(bestIdx, r.indices()[here], () -> "index at " + here + " " + c);
                        }
                    }
                }
            }
        }
        // The float64 twin agrees exactly (values are floats, max involves no rounding).
        PoolKernels.PoolResultD rd = PoolKernels.maxPool3d(SgemmProperties.toDouble(x), c.n(), c.c(), in[0], in[1],
                in[2], c.k(), c.s(), c.p(), c.dil(), c.ceil());
        assertArrayEquals(r.indices(), rd.indices());
        for (int i = 0; i < r.values().length; i++) {
            assertEquals((double) r.values()[i], rd.values()[i]);
        }
    }

    @Property(tries = 300)
    void avgPoolMatchesNaive(@ForAll("cases") Case c) {
        float[] x = data(c);
        int[] in = c.in();
        PoolKernels.PoolResult r = PoolKernels.avgPool3d(x, c.n(), c.c(), in[0], in[1], in[2], c.k(), c.s(), c.p(),
                c.ceil(), c.countIncludePad(), c.divisor());
        assertNull(r.indices());
        PoolKernels.PoolResultD rd = PoolKernels.avgPool3d(SgemmProperties.toDouble(x), c.n(), c.c(), in[0], in[1],
                in[2], c.k(), c.s(), c.p(), c.ceil(), c.countIncludePad(), c.divisor());
        int[] o = new int[3];
        for (int i = 0; i < 3; i++) {
            o[i] = PoolKernels.poolOutSize(in[i], c.k()[i], c.s()[i], c.p()[i], 1, c.ceil());
        }
        int at = 0;
        for (int plane = 0; plane < c.n() * c.c(); plane++) {
            for (int od = 0; od < o[0]; od++) {
                for (int oh = 0; oh < o[1]; oh++) {
                    for (int ow = 0; ow < o[2]; ow++, at++) {
                        int[] oo = {od, oh, ow};
                        double sum = 0;
                        double sumAbs = 0;
                        int valid = 0;
                        int padded = 1;
                        for (int i = 0; i < 3; i++) {
                            int start = oo[i] * c.s()[i] - c.p()[i];
                            // taps up to the padded input's end count for count_include_pad
                            padded *= Math.min(start + c.k()[i], in[i] + c.p()[i]) - start;
                        }
                        for (int a = 0; a < c.k()[0]; a++) {
                            int z = od * c.s()[0] - c.p()[0] + a;
                            for (int b = 0; b < c.k()[1]; b++) {
                                int y = oh * c.s()[1] - c.p()[1] + b;
                                for (int e = 0; e < c.k()[2]; e++) {
                                    int xx = ow * c.s()[2] - c.p()[2] + e;
                                    if (z < 0 || z >= in[0] || y < 0 || y >= in[1] || xx < 0 || xx >= in[2]) {
                                        continue;
                                    }
                                    double v = x[plane * in[0] * in[1] * in[2] + (z * in[1] + y) * in[2] + xx];
                                    sum += v;
                                    sumAbs += Math.abs(v);
                                    valid++;
                                }
                            }
                        }
                        double div = c.divisor() != 0 ? c.divisor() : c.countIncludePad() ? padded : valid;
                        double e = valid == 0 ? 0 : sum / div;
                        int here = at;
                        double got = r.values()[here];
                        double tol = valid * 1.2e-7 * sumAbs / div + Math.abs(e) * 1.2e-7;
                        if (Double.isNaN(e)) {
                            assertTrue(Double.isNaN(got), () -> "NaN expected at " + here + " " + c);
                        } else if (Double.isInfinite(e)) {
                            assertEquals(e, got, () -> "at " + here + " " + c);
                        } else {
                            assertTrue(Math.abs(got - e) <= tol, () -> got + " vs " + e + " at " + here + " " + c);
                            assertTrue(Math.abs(rd.values()[here] - e) <= 1e-12 * (1 + sumAbs),
                                    () -> "double " + rd.values()[here] + " vs " + e + " " + c);
                        }
                    }
                }
            }
        }
    }

    @Property(tries = 200)
    void adaptivePoolsMatchNaive(@ForAll("cases") Case c) {
        float[] x = data(c);
        int[] in = c.in();
        int[] out = c.adaptiveOut();
        PoolKernels.PoolResult avg = PoolKernels.adaptiveAvgPool3d(x, c.n(), c.c(), in[0], in[1], in[2], out);
        PoolKernels.PoolResult max = PoolKernels.adaptiveMaxPool3d(x, c.n(), c.c(), in[0], in[1], in[2], out);
        PoolKernels.PoolResultD maxD = PoolKernels.adaptiveMaxPool3d(SgemmProperties.toDouble(x), c.n(), c.c(),
                in[0], in[1], in[2], out);
        PoolKernels.PoolResultD avgD = PoolKernels.adaptiveAvgPool3d(SgemmProperties.toDouble(x), c.n(), c.c(),
                in[0], in[1], in[2], out);
        assertArrayEquals(out, avg.outSpatial());
        assertArrayEquals(max.indices(), maxD.indices());
        int at = 0;
        for (int plane = 0; plane < c.n() * c.c(); plane++) {
            for (int od = 0; od < out[0]; od++) {
                for (int oh = 0; oh < out[1]; oh++) {
                    for (int ow = 0; ow < out[2]; ow++, at++) {
                        int[] oo = {od, oh, ow};
                        int[] lo = new int[3];
                        int[] hi = new int[3];
                        for (int i = 0; i < 3; i++) {
                            lo[i] = (int) Math.floor((double) oo[i] * in[i] / out[i]);
                            hi[i] = (int) Math.ceil((double) (oo[i] + 1) * in[i] / out[i]);
                        }
                        double sum = 0;
                        double sumAbs = 0;
                        float best = Float.NEGATIVE_INFINITY;
                        long bestIdx = -1;
                        for (int z = lo[0]; z < hi[0]; z++) {
                            for (int y = lo[1]; y < hi[1]; y++) {
                                for (int xx = lo[2]; xx < hi[2]; xx++) {
                                    int idx = (z * in[1] + y) * in[2] + xx;
                                    float v = x[plane * in[0] * in[1] * in[2] + idx];
                                    sum += v;
                                    sumAbs += Math.abs(v);
                                    if (bestIdx < 0) {
                                        bestIdx = idx;
                                    }
                                    if (v > best || Float.isNaN(v)) {
                                        best = v;
                                        bestIdx = idx;
                                    }
                                }
                            }
                        }
                        int count = (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]);
                        int here = at;
                        assertEquals(Float.floatToIntBits(best), Float.floatToIntBits(max.values()[here]),
                                () -> "max at " + here + " " + c);
                        assertEquals(bestIdx, max.indices()[here], () -> "argmax at " + here + " " + c);
                        assertEquals((double) best, maxD.values()[here]);
                        double e = sum / count;
                        double got = avg.values()[here];
                        if (Double.isNaN(e) || Double.isInfinite(e)) {
                            assertEquals(e, got, () -> "avg at " + here + " " + c);
                        } else {
                            double tol = count * 1.2e-7 * sumAbs / count + Math.abs(e) * 1.2e-7;
                            assertTrue(Math.abs(got - e) <= tol, () -> got + " vs " + e + " at " + here + " " + c);
                            assertTrue(Math.abs(avgD.values()[here] - e) <= 1e-12 * (1 + sumAbs));
                        }
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Hand cases: the expected numbers were printed by PyTorch 1.13 (torch.nn.functional).

    static final float[] X45 = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4};

    static PoolKernels.PoolResult max2d(int k, int s, int p, int dil, boolean ceil) {
        return PoolKernels.maxPool3d(X45, 1, 1, 1, 4, 5, new int[] {1, k, k}, new int[] {1, s, s},
                new int[] {0, p, p}, new int[] {1, dil, dil}, ceil);
    }

    @Example
    void maxPoolHandCases() {
        PoolKernels.PoolResult r = max2d(2, 2, 0, 1, true);
        assertArrayEquals(new float[] {9, 6, 5, 8, 9, 9}, r.values());
        assertArrayEquals(new long[] {5, 7, 4, 11, 12, 14}, r.indices());
        assertArrayEquals(new int[] {1, 2, 3}, r.outSpatial());
        r = max2d(3, 2, 1, 1, false);
        assertArrayEquals(new float[] {9, 6, 5, 9, 9, 9}, r.values());
        assertArrayEquals(new long[] {5, 7, 4, 5, 12, 14}, r.indices());
        r = max2d(2, 1, 0, 2, false);
        assertArrayEquals(new float[] {9, 8, 9, 9, 8, 6}, r.values());
        assertArrayEquals(new long[] {12, 11, 12, 5, 18, 7}, r.indices());
    }

    @Example
    void maxPoolNanAndInfinityRules() {
        float nan = Float.NaN;
        // max_pool2d([1, nan, 3, nan, 2, 0], kernel (1, 6)) -> nan at index 3 (the last NaN)
        PoolKernels.PoolResult r = PoolKernels.maxPool3d(new float[] {1, nan, 3, nan, 2, 0}, 1, 1, 1, 1, 6,
                new int[] {1, 1, 6}, null, new int[] {0, 0, 0}, new int[] {1, 1, 1}, false);
        assertTrue(Float.isNaN(r.values()[0]));
        assertEquals(3L, r.indices()[0]);
        PoolKernels.PoolResult a = PoolKernels.adaptiveMaxPool3d(new float[] {1, nan, 3, nan, 2, 0}, 1, 1, 1, 1, 6,
                new int[] {1, 1, 1});
        assertEquals(3L, a.indices()[0]);
        // all -inf, kernel 3, stride 1, padding 1 -> indices [0, 0, 1, 2] (first in-range tap)
        float ninf = Float.NEGATIVE_INFINITY;
        r = PoolKernels.maxPool3d(new float[] {ninf, ninf, ninf, ninf}, 1, 1, 1, 1, 4, new int[] {1, 1, 3},
                new int[] {1, 1, 1}, new int[] {0, 0, 1}, new int[] {1, 1, 1}, false);
        assertArrayEquals(new long[] {0, 0, 1, 2}, r.indices());
    }

    @Example
    void avgPoolHandCases() {
        int[] one = {1, 1, 1};
        PoolKernels.PoolResult r = PoolKernels.avgPool3d(X45, 1, 1, 1, 4, 5, new int[] {1, 2, 2}, new int[] {1, 2, 2},
                new int[] {0, 0, 0}, true, true, 0);
        assertArrayEquals(new float[] {3.75f, 4.0f, 4.0f, 4.5f, 6.75f, 6.5f}, r.values());
        r = PoolKernels.avgPool3d(X45, 1, 1, 1, 4, 5, new int[] {1, 3, 3}, new int[] {1, 2, 2}, new int[] {0, 1, 1},
                false, true, 0);
        assertArrayEquals(new float[] {1.6666666269302368f, 2.1111111640930176f, 1.5555555820465088f,
                3.222222328186035f, 5.55555534362793f, 4.0f}, r.values(), 1e-6f);
        r = PoolKernels.avgPool3d(X45, 1, 1, 1, 4, 5, new int[] {1, 3, 3}, new int[] {1, 2, 2}, new int[] {0, 1, 1},
                false, false, 0);
        assertArrayEquals(new float[] {3.75f, 3.1666667461395264f, 3.5f, 4.833333492279053f, 5.55555534362793f,
                6.0f}, r.values(), 1e-6f);
        r = PoolKernels.avgPool3d(X45, 1, 1, 1, 4, 5, new int[] {1, 3, 3}, new int[] {1, 2, 2}, new int[] {0, 1, 1},
                true, true, 2);
        assertArrayEquals(new float[] {7.5f, 9.5f, 7.0f, 14.5f, 25.0f, 18.0f, 2.5f, 6.5f, 6.0f}, r.values());
        // ceil mode, count_include_pad: the last window is clipped to the padded input (ones of length 6,
        // kernel 3, stride 2, padding 1 -> [2/3, 1, 1, 1/2])
        r = PoolKernels.avgPool3d(new float[] {1, 1, 1, 1, 1, 1}, 1, 1, 1, 1, 6, new int[] {1, 1, 3},
                new int[] {1, 1, 2}, new int[] {0, 0, 1}, true, true, 0);
        assertArrayEquals(new float[] {2 / 3f, 1f, 1f, 0.5f}, r.values(), 1e-7f);
        assertArrayEquals(one, new int[] {r.outSpatial()[0], r.outSpatial()[1], 1});
    }

    @Example
    void adaptiveHandCases() {
        PoolKernels.PoolResult a = PoolKernels.adaptiveAvgPool3d(X45, 1, 1, 1, 4, 5, new int[] {1, 3, 2});
        assertArrayEquals(new float[] {4.166666507720947f, 4.0f, 6.5f, 6.5f, 5.0f, 6.666666507720947f}, a.values(),
                1e-6f);
        PoolKernels.PoolResult m = PoolKernels.adaptiveMaxPool3d(X45, 1, 1, 1, 4, 5, new int[] {1, 3, 2});
        assertArrayEquals(new float[] {9, 6, 9, 9, 9, 9}, m.values());
        assertArrayEquals(new long[] {5, 7, 5, 12, 12, 12}, m.indices());
    }

    @Example
    void outputSizeRules() {
        // ceil mode adds a window only if it starts inside the input or left padding
        assertEquals(3, PoolKernels.poolOutSize(5, 2, 2, 0, 1, true));
        assertEquals(2, PoolKernels.poolOutSize(5, 2, 2, 0, 1, false));
        assertEquals(3, PoolKernels.poolOutSize(5, 2, 2, 1, 1, true));
        assertEquals(4, PoolKernels.poolOutSize(6, 3, 2, 1, 1, true));
        assertEquals(3, PoolKernels.poolOutSize(6, 3, 2, 1, 1, false));
        // the dropped window: in 4, k 2, s 2, p 1, ceil -> (4+2-2+1)/2+1 = 3, 2*2 >= 4+1 is false -> 3
        assertEquals(3, PoolKernels.poolOutSize(4, 2, 2, 1, 1, true));
        // in 3, k 1, s 2, p 0, ceil -> (3-1+1)/2+1 = 2, (2-1)*2 >= 3 false -> 2
        assertEquals(2, PoolKernels.poolOutSize(3, 1, 2, 0, 1, true));
        // in 2, k 1, s 2 ceil: (2-1+1)/2+1 = 2; (2-1)*2 >= 2 -> dropped -> 1
        assertEquals(1, PoolKernels.poolOutSize(2, 1, 2, 0, 1, true));
    }

    @Example
    void rejectsBadArguments() {
        float[] x = new float[16];
        int[] one = {1, 1, 1};
        assertThrows(IllegalArgumentException.class, () -> PoolKernels.maxPool3d(x, 1, 1, 1, 4, 4,
                new int[] {1, 2, 2}, null, new int[] {0, 2, 0}, one, false));
        assertThrows(IllegalArgumentException.class, () -> PoolKernels.maxPool3d(x, 1, 1, 1, 4, 4,
                new int[] {1, 5, 2}, null, new int[] {0, 0, 0}, one, false));
        assertThrows(IllegalArgumentException.class, () -> PoolKernels.avgPool3d(x, 1, 1, 1, 4, 5,
                new int[] {1, 2, 2}, null, new int[] {0, 0, 0}, false, true, 0));
        assertThrows(IllegalArgumentException.class, () -> PoolKernels.adaptiveAvgPool3d(x, 1, 1, 1, 4, 4,
                new int[] {1, 0, 2}));
    }
}
