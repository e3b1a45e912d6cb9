package fuse3d.tensor.cpu;

import static fuse3d.tensor.cpu.ResampleTestSupport.assertClose;
import static fuse3d.tensor.cpu.ResampleTestSupport.combine;
import static fuse3d.tensor.cpu.ResampleTestSupport.dot;
import static fuse3d.tensor.cpu.ResampleTestSupport.floatValues;
import static fuse3d.tensor.cpu.ResampleTestSupport.gaussian;
import static fuse3d.tensor.cpu.ResampleTestSupport.identityGrid;
import static fuse3d.tensor.cpu.ResampleTestSupport.maxAbs;
import static fuse3d.tensor.cpu.ResampleTestSupport.numericGradient;
import static fuse3d.tensor.cpu.ResampleTestSupport.product;
import static fuse3d.tensor.cpu.ResampleTestSupport.toDouble;
import static fuse3d.tensor.cpu.ResampleTestSupport.toFloat;
import static fuse3d.tensor.cpu.ResampleTestSupport.uniform;
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

/** Properties and hand-computed cases of {@link GridSample}. */
class GridSampleProperties {

    /** One random call with its grid; shapes stay tiny so finite differences are cheap. */
    record Case(int n, int c, int[] in, int[] out, SampleMode mode, PaddingMode padding, boolean align) {
        int rank() {
            return in.length;
        }

        int inCount() {
            return n * c * product(in);
        }

        int outCount() {
            return n * c * product(out);
        }

        int gridCount() {
            return n * product(out) * rank();
        }

        double[] forward(double[] x, double[] grid) {
            return GridSample.gridSample(x, n, c, in, grid, out, mode, padding, align);
        }

        float[] forward(float[] x, float[] grid) {
            return GridSample.gridSample(x, n, c, in, grid, out, mode, padding, align);
        }

        double[][] backward(double[] g, double[] x, double[] grid) {
            return GridSample.gridSampleBackward(g, x, grid, n, c, in, out, mode, padding, align);
        }

        float[][] backward(float[] g, float[] x, float[] grid) {
            return GridSample.gridSampleBackward(g, x, grid, n, c, in, out, mode, padding, align);
        }

        @Override
        public String toString() {
            return "Case[n=" + n + ", c=" + c + ", in=" + Arrays.toString(in) + ", out=" + Arrays.toString(out)
                    + ", " + mode + ", " + padding + ", align=" + align + "]";
        }
    }

    static Case randomCase(long seed, SampleMode mode, PaddingMode padding, boolean align) {
        Random r = new Random(seed);
        int rank = 2 + r.nextInt(2);
        int[] in = new int[rank];
        int[] out = new int[rank];
        for (int a = 0; a < rank; a++) {
            in[a] = 1 + r.nextInt(rank == 3 ? 4 : 6);
            out[a] = 1 + r.nextInt(rank == 3 ? 3 : 4);
        }
        return new Case(1 + r.nextInt(2), 1 + r.nextInt(2), in, out, mode, padding, align);
    }

    // ------------------------------------------------------------------------------------------ properties

    @Property
    void identityGridWithAlignCornersReproducesTheInput(@ForAll long seed, @ForAll SampleMode mode,
                                                        @ForAll PaddingMode padding) {
        Case shape = randomCase(seed, mode, padding, true);
        Case c = new Case(shape.n, shape.c, shape.in, shape.in, mode, padding, true);
        double[] x = gaussian(new Random(seed + 1), c.inCount());
        double[] grid = identityGrid(c.n, c.in, true);
        assertClose(c + " double", x, c.forward(x, grid), 1e-12, 1e-12);
        float[] xf = toFloat(x);
        assertClose(c + " float", toDouble(xf), toDouble(c.forward(xf, toFloat(grid))), 1e-5, 1e-5);
    }

    @Property
    void identityGridWithoutAlignCornersReproducesTheInput(@ForAll long seed, @ForAll SampleMode mode,
                                                           @ForAll PaddingMode padding) {
        Case shape = randomCase(seed, mode, padding, false);
        Case c = new Case(shape.n, shape.c, shape.in, shape.in, mode, padding, false);
        double[] x = gaussian(new Random(seed + 1), c.inCount());
        assertClose(c.toString(), x, c.forward(x, identityGrid(c.n, c.in, false)), 1e-12, 1e-12);
    }

    @Property
    void floatAgreesWithDouble(@ForAll long seed, @ForAll PaddingMode padding, @ForAll boolean align) {
        Case c = randomCase(seed, SampleMode.BILINEAR, padding, align);
        Random r = new Random(seed + 1);
        double[] x = floatValues(gaussian(r, c.inCount()));
        double[] grid = floatValues(uniform(r, c.gridCount(), -1.6, 1.6));
        double[] g = floatValues(gaussian(r, c.outCount()));
        assertClose(c + " forward", c.forward(x, grid), toDouble(c.forward(toFloat(x), toFloat(grid))), 1e-5,
                1e-5);
        double[][] d = c.backward(g, x, grid);
        float[][] f = c.backward(toFloat(g), toFloat(x), toFloat(grid));
        assertClose(c + " grad input", d[0], toDouble(f[0]), 1e-5, 1e-5);
        assertClose(c + " grad grid", d[1], toDouble(f[1]), 1e-4, 1e-4 * (1 + maxAbs(d[1])));
    }

    @Property
    void constantInputGivesConstantOutputInside(@ForAll long seed, @ForAll SampleMode mode,
                                                @ForAll PaddingMode padding, @ForAll boolean align) {
        // Zero padding leaks zeros in near the border unless corners are aligned and |g| <= 1.
        boolean zeros = padding == PaddingMode.ZEROS;
        Case c = randomCase(seed, mode, padding, zeros || align);
        Random r = new Random(seed + 1);
        double[] level = gaussian(r, c.n * c.c);
        int inPlane = product(c.in);
        int outPlane = product(c.out);
        double[] x = new double[c.inCount()];
        for (int i = 0; i < x.length; i++) {
            x[i] = level[i / inPlane];
        }
        double reach = zeros ? 1 : 3.5;
        double[] grid = uniform(r, c.gridCount(), -reach, reach);
        double[] y = c.forward(x, grid);
        float[] yf = c.forward(toFloat(x), toFloat(grid));
        for (int i = 0; i < y.length; i++) {
            double k = level[i / outPlane];
            assertEquals(k, y[i], 1e-12 * (1 + Math.abs(k)), c::toString);
            assertEquals((float) k, yf[i], 1e-5f * (1 + Math.abs(k)), c::toString);
        }
    }

    @Property
    void linearInInputAndInGradient(@ForAll long seed, @ForAll SampleMode mode, @ForAll PaddingMode padding,
                                    @ForAll boolean align) {
        Case c = randomCase(seed, mode, padding, align);
        Random r = new Random(seed + 1);
        double a = r.nextGaussian();
        double b = r.nextGaussian();
        double[] grid = uniform(r, c.gridCount(), -1.5, 1.5);
        double[] x = gaussian(r, c.inCount());
        double[] z = gaussian(r, c.inCount());
        assertClose(c.toString(), combine(a, c.forward(x, grid), b, c.forward(z, grid)),
                c.forward(combine(a, x, b, z), grid), 1e-12, 1e-12);
        double[] g = gaussian(r, c.outCount());
        double[] h = gaussian(r, c.outCount());
        double[][] bg = c.backward(g, x, grid);
        double[][] bh = c.backward(h, x, grid);
        double[][] both = c.backward(combine(a, g, b, h), x, grid);
        assertClose(c + " grad input", combine(a, bg[0], b, bh[0]), both[0], 1e-12, 1e-12);
        assertClose(c + " grad grid", combine(a, bg[1], b, bh[1]), both[1], 1e-12, 1e-12);
    }

    @Property
    void nearestOutputsAreInputsOrZero(@ForAll long seed, @ForAll PaddingMode padding, @ForAll boolean align) {
        Case c = randomCase(seed, SampleMode.NEAREST, padding, align);
        Random r = new Random(seed + 1);
        float[] x = toFloat(gaussian(r, c.inCount()));
        float[] y = c.forward(x, toFloat(uniform(r, c.gridCount(), -2, 2)));
        int inPlane = product(c.in);
        int outPlane = product(c.out);
        for (int p = 0; p < c.n * c.c; p++) {
            Set<Float> values = new HashSet<>();
            for (int i = 0; i < inPlane; i++) {
                values.add(x[p * inPlane + i]);
            }
            if (padding == PaddingMode.ZEROS) {
                values.add(0f);
            }
            for (int o = 0; o < outPlane; o++) {
                assertTrue(values.contains(y[p * outPlane + o]), c::toString);
            }
        }
    }

    @Property
    void gradInputIsTheAdjoint(@ForAll long seed, @ForAll SampleMode mode, @ForAll PaddingMode padding,
                               @ForAll boolean align) {
        Case c = randomCase(seed, mode, padding, align);
        Random r = new Random(seed + 1);
        double[] grid = uniform(r, c.gridCount(), -1.5, 1.5);
        double[] x = gaussian(r, c.inCount());
        double[] g = gaussian(r, c.outCount());
        double lhs = dot(c.forward(x, grid), g);
        double rhs = dot(x, c.backward(g, x, grid)[0]);
        assertEquals(lhs, rhs, 1e-10 * (1 + Math.abs(lhs)), c::toString);
    }

    /**
     * The gradient check in double: both gradients equal central differences of L = <forward(x, grid), g>.
     * The loss is piecewise polynomial in the grid, so a coordinate sitting on a kink (a pixel boundary, a
     * border, a reflection point, a nearest tie) is skipped when its one-sided slopes disagree; random grids
     * hit kinks rarely, and the test insists that most coordinates were checked.
     */
    @Property(tries = 80)
    void backwardMatchesFiniteDifferences(@ForAll long seed, @ForAll SampleMode mode, @ForAll PaddingMode padding,
                                          @ForAll boolean align) {
        Case c = randomCase(seed, mode, padding, align);
        Random r = new Random(seed + 1);
        double[] grid = uniform(r, c.gridCount(), -1.8, 1.8);
        double[] x = gaussian(r, c.inCount());
        double[] g = gaussian(r, c.outCount());
        double[][] analytic = c.backward(g, x, grid);

        double[] numericX = numericGradient(x, 1e-3, v -> dot(c.forward(v, grid), g));
        assertClose(c + " grad input", numericX, analytic[0], 1e-7, 1e-8 * (1 + maxAbs(numericX)));

        double h = 1e-6;
        double[] probe = grid.clone();
        int checked = 0;
        for (int i = 0; i < grid.length; i++) {
            double mid = dot(c.forward(x, probe), g);
            probe[i] = grid[i] + h;
            double up = dot(c.forward(x, probe), g);
            probe[i] = grid[i] - h;
            double down = dot(c.forward(x, probe), g);
            probe[i] = grid[i];
            double right = (up - mid) / h;
            double left = (mid - down) / h;
            double scale = 1 + Math.abs(right) + Math.abs(left);
            if (Math.abs(right - left) > 1e-4 * scale) {
                continue; // on a kink
            }
            checked++;
            double central = (up - down) / (2 * h);
            int at = i;
            assertEquals(central, analytic[1][i], 1e-5 * scale, () -> c + " grad grid[" + at + "]");
        }
        assertTrue(checked >= grid.length / 2, c + ": only " + checked + " of " + grid.length + " checked");
    }

    // ------------------------------------------------------------------------------ hand-computed examples

    private static double sample2d(double[] x, int h, int w, double gx, double gy, SampleMode mode,
                                   PaddingMode padding, boolean align) {
        return GridSample.gridSample(x, 1, 1, new int[] {h, w}, new double[] {gx, gy}, new int[] {1, 1}, mode,
                padding, align)[0];
    }

    @Example
    void bilinearHandValues() {
        double[] x = {1, 2, 3, 4}; // [[1, 2], [3, 4]]
        assertEquals(2.5, sample2d(x, 2, 2, 0, 0, SampleMode.BILINEAR, PaddingMode.ZEROS, true), 1e-15);
        assertEquals(1, sample2d(x, 2, 2, -1, -1, SampleMode.BILINEAR, PaddingMode.ZEROS, true), 1e-15);
        assertEquals(2, sample2d(x, 2, 2, 1, -1, SampleMode.BILINEAR, PaddingMode.ZEROS, true), 1e-15);
        // Without aligned corners (-1, -1) is the outer corner of pixel (0, 0): a quarter of it, rest zeros.
        assertEquals(0.25, sample2d(x, 2, 2, -1, -1, SampleMode.BILINEAR, PaddingMode.ZEROS, false), 1e-15);
        assertEquals(1, sample2d(x, 2, 2, -1, -1, SampleMode.BILINEAR, PaddingMode.BORDER, false), 1e-15);
        assertEquals(1, sample2d(x, 2, 2, -1, -1, SampleMode.BILINEAR, PaddingMode.REFLECTION, false), 1e-15);
        // Reflection (align false, W = 2): x = -1.5 -> -1.0 -> reflected about -0.5 to 0.0; x = 2 -> 2.5 -> 0.5.
        assertEquals(1, sample2d(x, 2, 2, -1.5, -0.5, SampleMode.BILINEAR, PaddingMode.REFLECTION, false), 1e-15);
        assertEquals(1.5, sample2d(x, 2, 2, 2, -0.5, SampleMode.BILINEAR, PaddingMode.REFLECTION, false), 1e-15);
        // Far outside with zeros is zero.
        assertEquals(0, sample2d(x, 2, 2, 3, 0, SampleMode.BILINEAR, PaddingMode.ZEROS, true), 0);
    }

    @Example
    void trilinearCubeCentre() {
        double[] cube = {0, 1, 2, 3, 4, 5, 6, 7};
        double[] y = GridSample.gridSample(cube, 1, 1, new int[] {2, 2, 2}, new double[] {0, 0, 0, 1, -1, 1},
                new int[] {1, 1, 2}, SampleMode.BILINEAR, PaddingMode.ZEROS, true);
        assertEquals(3.5, y[0], 1e-15);
        assertEquals(5, y[1], 1e-15); // x = 1, y = 0, z = 1 -> index 4 + 1
    }

    @Example
    void nearestTiesRoundHalfEvenIn2dButAwayFromZeroIn3d() {
        double[] row = {0, 1, 2, 3, 4, 5};
        // W = 6 without aligned corners: g = 0 -> 2.5 exactly.
        assertEquals(2, sample2d(row, 1, 6, 0, 0, SampleMode.NEAREST, PaddingMode.ZEROS, false), 0);
        float[] y3 = GridSample.gridSample(toFloat(row), 1, 1, new int[] {1, 1, 6}, new float[] {0, 0, 0},
                new int[] {1, 1, 1}, SampleMode.NEAREST, PaddingMode.ZEROS, false);
        assertEquals(3f, y3[0]);
        // g = -1 without aligned corners -> -0.5: 2-D rounds to -0 (pixel 0), 3-D to -1 (outside: zero).
        assertEquals(7, sample2d(new double[] {7, 8}, 1, 2, -1, 0, SampleMode.NEAREST, PaddingMode.ZEROS, false), 0);
        double[] y3b = GridSample.gridSample(new double[] {7, 8}, 1, 1, new int[] {1, 1, 2},
                new double[] {-1, 0, 0}, new int[] {1, 1, 1}, SampleMode.NEAREST, PaddingMode.ZEROS, false);
        assertEquals(0, y3b[0], 0);
        assertEquals(-3.0, GridSample.roundHalfAway(-2.5));
        assertEquals(2.0, GridSample.roundHalfAway(2.4999999999999996));
    }

    @Example
    void borderGradientIsZeroAtAndBeyondTheBorder() {
        double[] x = {1, 2, 3, 4};
        double[][] gr = GridSample.gridSampleBackward(new double[] {1, 1, 1}, x,
                new double[] {-1, 0, 1.5, 0, 0.2, 0}, 1, 1, new int[] {2, 2}, new int[] {1, 3},
                SampleMode.BILINEAR, PaddingMode.BORDER, true);
        assertEquals(0, gr[1][0], 0); // exactly on the border
        assertEquals(0, gr[1][2], 0); // clamped
        assertEquals(0.5, gr[1][4], 1e-15); // inside: d/dgx = (x1 - x0) * (W - 1) / 2 on row mean
    }

    @Example
    void resultsDoNotDependOnHowWorkIsSplit() {
        int n = 4;
        int c = 3;
        int[] in = {9, 10, 11};
        int[] out = {8, 9, 10};
        Random r = new Random(5);
        float[] x = toFloat(gaussian(r, n * c * product(in)));
        float[] grid = toFloat(uniform(r, n * product(out) * 3, -1.2, 1.2));
        float[] g = toFloat(gaussian(r, n * c * product(out)));
        float[] y = GridSample.gridSample(x, n, c, in, grid, out, SampleMode.BILINEAR, PaddingMode.REFLECTION, false);
        float[][] grads = GridSample.gridSampleBackward(g, x, grid, n, c, in, out, SampleMode.BILINEAR,
                PaddingMode.REFLECTION, false);
        int xs = c * product(in);
        int ys = c * product(out);
        int gs = product(out) * 3;
        for (int b = 0; b < n; b++) {
            float[] xb = Arrays.copyOfRange(x, b * xs, (b + 1) * xs);
            float[] gridB = Arrays.copyOfRange(grid, b * gs, (b + 1) * gs);
            float[] gb = Arrays.copyOfRange(g, b * ys, (b + 1) * ys);
            assertArrayEquals(Arrays.copyOfRange(y, b * ys, (b + 1) * ys), GridSample.gridSample(xb, 1, c, in,
                    gridB, out, SampleMode.BILINEAR, PaddingMode.REFLECTION, false), 0f);
            float[][] one = GridSample.gridSampleBackward(gb, xb, gridB, 1, c, in, out, SampleMode.BILINEAR,
                    PaddingMode.REFLECTION, false);
            assertArrayEquals(Arrays.copyOfRange(grads[0], b * xs, (b + 1) * xs), one[0], 0f);
            assertArrayEquals(Arrays.copyOfRange(grads[1], b * gs, (b + 1) * gs), one[1], 0f);
        }
    }

    @Example
    void badArgumentsAreRejected() {
        float[] x = new float[2 * 3 * 4 * 5];
        float[] grid = new float[2 * 6 * 7 * 2];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GridSample.gridSample(x,
                2, 3, new int[] {4, 5}, new float[grid.length - 1], new int[] {6, 7}, SampleMode.BILINEAR,
                PaddingMode.ZEROS, true));
        assertTrue(e.getMessage().contains("grid_sample") && e.getMessage().contains("[2, 6, 7, 2]"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GridSample.gridSample(x, 2, 3, new int[] {120},
                grid, new int[] {6, 7}, SampleMode.BILINEAR, PaddingMode.ZEROS, true));
        assertThrows(IllegalArgumentException.class, () -> GridSample.gridSample(x, 2, 3, new int[] {4, 5},
                grid, new int[] {6, 7, 1}, SampleMode.BILINEAR, PaddingMode.ZEROS, true));
        assertThrows(IllegalArgumentException.class, () -> GridSample.gridSample(x, 2, 3, new int[] {4, -5},
                grid, new int[] {6, 7}, SampleMode.BILINEAR, PaddingMode.ZEROS, true));
        assertThrows(IllegalArgumentException.class, () -> GridSample.gridSample(x, 2, 3, new int[] {4, 5},
                grid, new int[] {6, 7}, null, PaddingMode.ZEROS, true));
        IllegalArgumentException b = assertThrows(IllegalArgumentException.class,
                () -> GridSample.gridSampleBackward(new float[3], x, grid, 2, 3, new int[] {4, 5}, new int[] {6, 7},
                        SampleMode.BILINEAR, PaddingMode.ZEROS, true));
        assertTrue(b.getMessage().contains("grid_sample_backward"), b.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PaddingMode.fromTorch("circular"));
        assertThrows(IllegalArgumentException.class, () -> SampleMode.fromTorch("bicubic"));
    }
}
