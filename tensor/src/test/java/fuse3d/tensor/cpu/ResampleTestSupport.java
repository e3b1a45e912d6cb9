package fuse3d.tensor.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;

/** Helpers shared by the resampling tests: seeded data, identity grids, dot products and finite differences. */
final class ResampleTestSupport {
    private ResampleTestSupport() {}

    static int product(int[] a) {
        int p = 1;
        for (int v : a) {
            p *= v;
        }
        return p;
    }

    static double[] gaussian(Random rnd, int count) {
        double[] a = new double[count];
        for (int i = 0; i < count; i++) {
            a[i] = rnd.nextGaussian();
        }
        return a;
    }

    static double[] uniform(Random rnd, int count, double lo, double hi) {
        double[] a = new double[count];
        for (int i = 0; i < count; i++) {
            a[i] = lo + (hi - lo) * rnd.nextDouble();
        }
        return a;
    }

    /** Values rounded to float, so float and double kernels see the same numbers. */
    static double[] floatValues(double[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = (float) a[i];
        }
        return r;
    }

    static float[] toFloat(double[] a) {
        float[] r = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = (float) a[i];
        }
        return r;
    }

    static double[] toDouble(float[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i];
        }
        return r;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /** Fails with the first offending index unless |actual - expected| <= atol + rtol * |expected| everywhere. */
    static void assertClose(String what, double[] expected, double[] actual, double rtol, double atol) {
        if (expected.length != actual.length) {
            fail(what + ": length " + actual.length + ", expected " + expected.length);
        }
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            boolean ok = Double.isNaN(e) ? Double.isNaN(a) : Math.abs(a - e) <= atol + rtol * Math.abs(e);
            if (!ok) {
                fail(what + ": element " + i + " is " + a + ", expected " + e + " (rtol " + rtol + ", atol "
                        + atol + ")");
            }
        }
    }

    static void assertClose(String what, float[] expected, float[] actual, double rtol, double atol) {
        assertClose(what, toDouble(expected), toDouble(actual), rtol, atol);
    }

    /**
     * The identity sampling grid of torch.nn.functional.affine_grid for an output of the given spatial shape:
     * (x, y[, z]) per point, x varying fastest with the last spatial axis.
     */
    static double[] identityGrid(int n, int[] spatial, boolean alignCorners) {
        int rank = spatial.length;
        int points = product(spatial);
        double[] grid = new double[n * points * rank];
        int[] idx = new int[rank];
        for (int b = 0; b < n; b++) {
            Arrays.fill(idx, 0);
            for (int p = 0; p < points; p++) {
                for (int a = 0; a < rank; a++) {
                    int axis = rank - 1 - a; // grid component a indexes spatial axis rank-1-a
                    int size = spatial[axis];
                    double v;
                    if (alignCorners) {
                        v = size == 1 ? -1 : -1 + 2.0 * idx[axis] / (size - 1);
                    } else {
                        v = (2.0 * idx[axis] + 1) / size - 1;
                    }
                    grid[(b * points + p) * rank + a] = v;
                }
                for (int a = rank - 1; a >= 0; a--) {
                    if (++idx[a] < spatial[a]) {
                        break;
                    }
                    idx[a] = 0;
                }
            }
        }
        return grid;
    }

    /** Central-difference gradient of a scalar function of an array, one coordinate at a time. */
    static double[] numericGradient(double[] at, double h, java.util.function.ToDoubleFunction<double[]> f) {
        double[] g = new double[at.length];
        double[] probe = at.clone();
        for (int i = 0; i < at.length; i++) {
            probe[i] = at[i] + h;
            double up = f.applyAsDouble(probe);
            probe[i] = at[i] - h;
            double down = f.applyAsDouble(probe);
            probe[i] = at[i];
            g[i] = (up - down) / (2 * h);
        }
        return g;
    }

    /** a * x + b * y, elementwise. */
    static double[] combine(double a, double[] x, double b, double[] y) {
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            r[i] = a * x[i] + b * y[i];
        }
        return r;
    }
}
