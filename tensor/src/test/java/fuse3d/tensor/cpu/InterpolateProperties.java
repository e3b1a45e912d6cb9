package fuse3d.tensor.cpu;

import static fuse3d.tensor.cpu.ResampleTestSupport.assertClose;
import static fuse3d.tensor.cpu.ResampleTestSupport.combine;
import static fuse3d.tensor.cpu.ResampleTestSupport.dot;
import static fuse3d.tensor.cpu.ResampleTestSupport.floatValues;
import static fuse3d.tensor.cpu.ResampleTestSupport.gaussian;
import static fuse3d.tensor.cpu.ResampleTestSupport.maxAbs;
import static fuse3d.tensor.cpu.ResampleTestSupport.numericGradient;
import static fuse3d.tensor.cpu.ResampleTestSupport.product;
import static fuse3d.tensor.cpu.ResampleTestSupport.toDouble;
import static fuse3d.tensor.cpu.ResampleTestSupport.toFloat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** Properties and hand-computed cases of {@link Interpolate}. */
class InterpolateProperties {

    /** One random call: small shapes so hundreds of tries stay fast. */
    record Case(int n, int c, int[] in, int[] out, InterpMode mode, boolean align, double[] scales) {
        int inCount() {
            return n * c * product(in);
        }

        int outCount() {
            return n * c * product(out);
        }

        double[] forward(double[] x) {
            return Interpolate.interpolate(x, n, c, in, out, mode, align, scales);
        }

        float[] forward(float[] x) {
            return Interpolate.interpolate(x, n, c, in, out, mode, align, scales);
        }

        double[] backward(double[] g) {
            return Interpolate.interpolateBackward(g, n, c, in, out, mode, align, scales);
        }

        float[] backward(float[] g) {
            return Interpolate.interpolateBackward(g, n, c, in, out, mode, align, scales);
        }

        @Override
        public String toString() {
            return "Case[n=" + n + ", c=" + c + ", in=" + Arrays.toString(in) + ", out=" + Arrays.toString(out)
                    + ", " + mode + ", align=" + align + ", scales=" + Arrays.toString(scales) + "]";
        }
    }

    private static final double[] SCALES = {0.5, 0.6, 0.75, 1.0, 1.05, 1.3, 1.7, 2.0, 2.05, 2.5, 3.0};

    static Case randomCase(long seed, InterpMode mode) {
        Random r = new Random(seed);
        int rank = 1 + r.nextInt(3);
        int maxSize = rank == 3 ? 4 : 6;
        int[] in = new int[rank];
        int[] out = new int[rank];
        double[] scales = r.nextInt(3) == 0 ? new double[rank] : null;
        for (int a = 0; a < rank; a++) {
            in[a] = 1 + r.nextInt(maxSize);
            if (scales != null) {
                do {
                    scales[a] = r.nextBoolean() ? SCALES[r.nextInt(SCALES.length)] : 0.3 + 2.7 * r.nextDouble();
                } while (Math.floor(in[a] * scales[a]) < 1);
                out[a] = (int) Math.floor(in[a] * scales[a]);
            } else {
                out[a] = 1 + r.nextInt(maxSize + 2);
            }
        }
        return new Case(1 + r.nextInt(2), 1 + r.nextInt(2), in, out, mode, r.nextBoolean(), scales);
    }

    // ------------------------------------------------------------------------------------------ properties

    @Property
    void sameSizeIsIdentity(@ForAll long seed, @ForAll InterpMode mode, @ForAll boolean align,
                            @ForAll boolean unitScales) {
        Case shape = randomCase(seed, mode);
        double[] scales = unitScales ? filled(shape.in.length, 1.0) : null;
        Case c = new Case(shape.n, shape.c, shape.in, shape.in, mode, align, scales);
        double[] x = gaussian(new Random(seed + 1), c.inCount());
        assertArrayEquals(x, c.forward(x), 0.0, c::toString);
        float[] xf = toFloat(x);
        assertArrayEquals(xf, c.forward(xf), 0f, c::toString);
    }

    @Property
    void floatAgreesWithDouble(@ForAll long seed) {
        Case c = randomCase(seed, InterpMode.LINEAR);
        double[] x = floatValues(gaussian(new Random(seed + 1), c.inCount()));
        assertClose(c + " forward", c.forward(x), toDouble(c.forward(toFloat(x))), 1e-5, 1e-6);
        double[] g = floatValues(gaussian(new Random(seed + 2), c.outCount()));
        assertClose(c + " backward", c.backward(g), toDouble(c.backward(toFloat(g))), 1e-5, 1e-5);
    }

    @Property
    void constantInputGivesConstantOutput(@ForAll long seed, @ForAll InterpMode mode) {
        Case c = randomCase(seed, mode);
        int inPlane = product(c.in);
        int outPlane = product(c.out);
        double[] x = new double[c.inCount()];
        double[] level = gaussian(new Random(seed + 1), c.n * c.c);
        for (int i = 0; i < x.length; i++) {
            x[i] = level[i / inPlane];
        }
        double[] y = c.forward(x);
        float[] yf = c.forward(toFloat(x));
        for (int i = 0; i < y.length; i++) {
            double k = level[i / outPlane];
            assertEquals(k, y[i], 1e-12 * (1 + Math.abs(k)), c::toString);
            assertEquals((float) k, yf[i], 1e-6f * (1 + Math.abs(k)), c::toString);
        }
    }

    @Property
    void forwardAndBackwardAreLinear(@ForAll long seed, @ForAll InterpMode mode) {
        Case c = randomCase(seed, mode);
        Random r = new Random(seed + 1);
        double a = r.nextGaussian();
        double b = r.nextGaussian();
        double[] x = gaussian(r, c.inCount());
        double[] z = gaussian(r, c.inCount());
        assertClose(c.toString(), combine(a, c.forward(x), b, c.forward(z)), c.forward(combine(a, x, b, z)),
                1e-12, 1e-12);
        double[] g = gaussian(r, c.outCount());
        double[] h = gaussian(r, c.outCount());
        assertClose(c.toString(), combine(a, c.backward(g), b, c.backward(h)), c.backward(combine(a, g, b, h)),
                1e-12, 1e-12);
    }

    @Property
    void nearestOutputsAreInputsOfTheSamePlane(@ForAll long seed, @ForAll boolean exact) {
        Case c = randomCase(seed, exact ? InterpMode.NEAREST_EXACT : InterpMode.NEAREST);
        float[] x = toFloat(gaussian(new Random(seed + 1), c.inCount()));
        float[] y = c.forward(x);
        int inPlane = product(c.in);
        int outPlane = product(c.out);
        for (int p = 0; p < c.n * c.c; p++) {
            Set<Float> values = new HashSet<>();
            for (int i = 0; i < inPlane; i++) {
                values.add(x[p * inPlane + i]);
            }
            for (int o = 0; o < outPlane; o++) {
                assertTrue(values.contains(y[p * outPlane + o]), c::toString);
            }
        }
    }

    @Property
    void backwardIsTheAdjoint(@ForAll long seed, @ForAll InterpMode mode) {
        Case c = randomCase(seed, mode);
        Random r = new Random(seed + 1);
        double[] x = gaussian(r, c.inCount());
        double[] g = gaussian(r, c.outCount());
        double lhs = dot(c.forward(x), g);
        double rhs = dot(x, c.backward(g));
        assertEquals(lhs, rhs, 1e-10 * (1 + Math.abs(lhs)), c::toString);
    }

    /** The gradient check: backward equals central differences of L(x) = <forward(x), g> in double. */
    @Property(tries = 60)
    void backwardMatchesFiniteDifferences(@ForAll long seed, @ForAll InterpMode mode) {
        Case c = randomCase(seed, mode);
        Random r = new Random(seed + 1);
        double[] x = gaussian(r, c.inCount());
        double[] g = gaussian(r, c.outCount());
        double[] numeric = numericGradient(x, 1e-3, v -> dot(c.forward(v), g));
        assertClose(c.toString(), numeric, c.backward(g), 1e-7, 1e-8 * (1 + maxAbs(numeric)));
    }

    /** Nearest in float picks floor(dst * (float) (in / out)) computed in float arithmetic. */
    @Property
    void nearestFloatIndicesFollowFloatArithmetic(@ForAll long seed) {
        Random r = new Random(seed);
        int in = 1 + r.nextInt(40);
        int out = 1 + r.nextInt(120);
        float[] x = new float[in];
        for (int i = 0; i < in; i++) {
            x[i] = i;
        }
        float[] y = Interpolate.interpolate(x, 1, 1, new int[] {in}, new int[] {out}, InterpMode.NEAREST, false,
                null);
        float scale = (float) in / (float) out;
        for (int o = 0; o < out; o++) {
            float expected = Math.min((int) Math.floor(o * scale), in - 1);
            assertEquals(expected, y[o], "in=" + in + " out=" + out + " o=" + o);
        }
    }

    // ------------------------------------------------------------------------------ hand-computed examples

    @Example
    void linearHalfPixel() {
        double[] y = Interpolate.interpolate(new double[] {1, 2, 3, 4}, 1, 1, new int[] {4}, new int[] {8},
                InterpMode.LINEAR, false, null);
        assertArrayEquals(new double[] {1, 1.25, 1.75, 2.25, 2.75, 3.25, 3.75, 4}, y, 1e-15);
    }

    @Example
    void linearAlignCorners() {
        double[] y = Interpolate.interpolate(new double[] {0, 1, 2}, 1, 1, new int[] {3}, new int[] {5},
                InterpMode.LINEAR, true, null);
        assertArrayEquals(new double[] {0, 0.5, 1, 1.5, 2}, y, 1e-15);
        // One output pixel with align_corners: scale 0, so it is the first input pixel.
        double[] one = Interpolate.interpolate(new double[] {7, 1, 2}, 1, 1, new int[] {3}, new int[] {1},
                InterpMode.LINEAR, true, null);
        assertArrayEquals(new double[] {7}, one, 0);
    }

    @Example
    void scaleFactorChangesTheMapping() {
        double[] x = {0, 1, 2, 3};
        // PyTorch 1.13: scale_factor=1.6 maps with 1/1.6 = 0.625, size=6 with 4/6.
        double[] bySf = Interpolate.interpolate(x, 1, 1, new int[] {4}, new int[] {6}, InterpMode.LINEAR, false,
                new double[] {1.6});
        assertArrayEquals(new double[] {0, 0.4375, 1.0625, 1.6875, 2.3125, 2.9375}, bySf, 1e-12);
        double[] bySize = Interpolate.interpolate(x, 1, 1, new int[] {4}, new int[] {6}, InterpMode.LINEAR, false,
                null);
        assertArrayEquals(new double[] {0, 0.5, 7.0 / 6, 11.0 / 6, 2.5, 3}, bySize, 1e-12);
        // An axis that keeps its size is copied, whatever the factor (10 * 1.05 -> 10).
        double[] ten = gaussian(new Random(3), 10);
        assertArrayEquals(ten, Interpolate.interpolate(ten, 1, 1, new int[] {10}, new int[] {10},
                InterpMode.LINEAR, false, new double[] {1.05}), 0);
        // Nearest has no such shortcut: floor(o / 1.05).
        double[] near = Interpolate.interpolate(ten, 1, 1, new int[] {10}, new int[] {10}, InterpMode.NEAREST,
                false, new double[] {1.05});
        assertEquals(ten[8], near[9]);
    }

    @Example
    void nearestAndNearestExact() {
        double[] x = {10, 20, 30};
        assertArrayEquals(new double[] {10, 10, 20, 20, 30}, Interpolate.interpolate(x, 1, 1, new int[] {3},
                new int[] {5}, InterpMode.NEAREST, false, null), 0);
        assertArrayEquals(new double[] {10, 10, 20, 30, 30}, Interpolate.interpolate(x, 1, 1, new int[] {3},
                new int[] {5}, InterpMode.NEAREST_EXACT, false, null), 0);
        // torch 1.13, scale_factor=1.7 on 10 pixels.
        double[] ten = new double[10];
        Arrays.setAll(ten, i -> i);
        assertArrayEquals(new double[] {0, 0, 1, 1, 2, 2, 3, 4, 4, 5, 5, 6, 7, 7, 8, 8, 9},
                Interpolate.interpolate(ten, 1, 1, new int[] {10}, new int[] {17}, InterpMode.NEAREST, false,
                        new double[] {1.7}), 0);
    }

    @Example
    void nearestFloatAndDoubleDifferLikePyTorch() {
        // 2 -> 82 pixels: at o = 41, float32 gives 41 * (2f / 82f) = 0.99999994 -> pixel 0, while float64
        // computes in double then PyTorch's floorf rounds to 1.0f -> pixel 1 (torch 1.13 output).
        float[] yf = Interpolate.interpolate(new float[] {0, 1}, 1, 1, new int[] {2}, new int[] {82},
                InterpMode.NEAREST, false, null);
        double[] yd = Interpolate.interpolate(new double[] {0, 1}, 1, 1, new int[] {2}, new int[] {82},
                InterpMode.NEAREST, false, null);
        assertEquals(0f, yf[41]);
        assertEquals(1.0, yd[41]);
    }

    @Example
    void bilinearAndTrilinearCentres() {
        double[] y = Interpolate.interpolate(new double[] {1, 2, 3, 4}, 1, 1, new int[] {2, 2}, new int[] {3, 3},
                InterpMode.LINEAR, true, null);
        assertArrayEquals(new double[] {1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4}, y, 1e-15);
        double[] cube = {0, 1, 2, 3, 4, 5, 6, 7};
        double[] t = Interpolate.interpolate(cube, 1, 1, new int[] {2, 2, 2}, new int[] {3, 3, 3},
                InterpMode.LINEAR, true, null);
        assertEquals(3.5, t[13], 1e-15);
        assertEquals(7, t[26], 0);
    }

    @Example
    void nearestBackwardSumsDuplicates() {
        double[] g = Interpolate.interpolateBackward(new double[] {1, 2, 3, 4, 5}, 1, 1, new int[] {3},
                new int[] {5}, InterpMode.NEAREST, false, null);
        assertArrayEquals(new double[] {3, 7, 5}, g, 0);
    }

    @Example
    void resultsDoNotDependOnHowWorkIsSplit() {
        int[] in = {20, 24};
        int[] out = {45, 50};
        int n = 6;
        double[] x = gaussian(new Random(11), n * product(in));
        float[] xf = toFloat(x);
        float[] all = Interpolate.interpolate(xf, n, 1, in, out, InterpMode.LINEAR, false, null);
        float[] gAll = Interpolate.interpolateBackward(all, n, 1, in, out, InterpMode.LINEAR, false, null);
        int ip = product(in);
        int op = product(out);
        for (int b = 0; b < n; b++) {
            float[] one = Interpolate.interpolate(Arrays.copyOfRange(xf, b * ip, (b + 1) * ip), 1, 1, in, out,
                    InterpMode.LINEAR, false, null);
            assertArrayEquals(Arrays.copyOfRange(all, b * op, (b + 1) * op), one, 0f);
            float[] gOne = Interpolate.interpolateBackward(one, 1, 1, in, out, InterpMode.LINEAR, false, null);
            assertArrayEquals(Arrays.copyOfRange(gAll, b * ip, (b + 1) * ip), gOne, 0f);
        }
    }

    @Example
    void outputSizeFloorsLikePyTorch() {
        assertArrayEquals(new int[] {17, 2, 20}, Interpolate.outputSize(new int[] {10, 5, 10},
                new double[] {1.7, 0.45, 2.05}));
        assertThrows(IllegalArgumentException.class, () -> Interpolate.outputSize(new int[] {2},
                new double[] {0.4}));
    }

    @Example
    void badArgumentsAreRejected() {
        float[] x = new float[12];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Interpolate.interpolate(
                x, 1, 2, new int[] {2, 4}, new int[] {3, 3}, InterpMode.LINEAR, false, null));
        assertTrue(e.getMessage().contains("interpolate") && e.getMessage().contains("[1, 2, 2, 4]"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Interpolate.interpolate(x, 1, 3, new int[] {2, 2},
                new int[] {3}, InterpMode.LINEAR, false, null));
        assertThrows(IllegalArgumentException.class, () -> Interpolate.interpolate(x, 1, 3, new int[] {4, 0},
                new int[] {3, 3}, InterpMode.LINEAR, false, null));
        assertThrows(IllegalArgumentException.class, () -> Interpolate.interpolate(x, 0, 3, new int[] {2, 2},
                new int[] {3, 3}, InterpMode.LINEAR, false, null));
        assertThrows(IllegalArgumentException.class, () -> Interpolate.interpolate(x, 1, 1, new int[] {1, 1, 1, 12},
                new int[] {1, 1, 1, 12}, InterpMode.LINEAR, false, null));
        assertThrows(IllegalArgumentException.class, () -> Interpolate.interpolate(x, 1, 3, new int[] {2, 2},
                new int[] {4, 4}, InterpMode.LINEAR, false, new double[] {2.0, 1.5}));
        assertThrows(IllegalArgumentException.class, () -> Interpolate.interpolate(x, 1, 3, new int[] {2, 2},
                new int[] {4, 4}, InterpMode.LINEAR, false, new double[] {2.0}));
        assertThrows(IllegalArgumentException.class, () -> Interpolate.interpolate(x, 1, 3, new int[] {2, 2},
                new int[] {4, 4}, InterpMode.LINEAR, false, new double[] {2.0, Double.NaN}));
        assertThrows(IllegalArgumentException.class, () -> Interpolate.interpolate((float[]) null, 1, 3,
                new int[] {2, 2}, new int[] {4, 4}, InterpMode.LINEAR, false, null));
        assertThrows(IllegalArgumentException.class, () -> Interpolate.interpolateBackward(new double[5], 1, 3,
                new int[] {2, 2}, new int[] {4, 4}, InterpMode.NEAREST, false, null));
        assertThrows(IllegalArgumentException.class, () -> InterpMode.fromTorch("bicubic"));
        assertEquals(InterpMode.LINEAR, InterpMode.fromTorch("trilinear"));
        assertEquals(InterpMode.NEAREST_EXACT, InterpMode.fromTorch("nearest-exact"));
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }
}
