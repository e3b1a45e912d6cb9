package fuse3d.tensor.testing;

import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.Arrays;

/**
 * torch.testing.assert_close for Fuse3D tensors: equal shapes, then |a - e| <= atol + rtol * |e| for every
 * element (NaN equal to NaN when asked); integer and bool tensors must match exactly.
 */
public final class Closeness {
    private Closeness() {}

    /** PyTorch's default tolerances for a dtype: {rtol, atol}. */
    public static double[] defaults(DType dt) {
        return switch (dt) {
            case FLOAT32 -> new double[] {1.3e-6, 1e-5};
            case FLOAT64 -> new double[] {1e-7, 1e-7};
            default -> new double[] {0, 0};
        };
    }

    public static void assertClose(Tensor actual, Tensor expected) {
        double[] d = defaults(expected.dtype());
        assertClose(actual, expected, d[0], d[1], true, "");
    }

    public static void assertClose(Tensor actual, Tensor expected, double rtol, double atol) {
        assertClose(actual, expected, rtol, atol, true, "");
    }

    /** Throws AssertionError naming the first and worst mismatches. */
    public static void assertClose(Tensor actual, Tensor expected, double rtol, double atol, boolean equalNan, String what) {
        String prefix = what.isEmpty() ? "" : what + ": ";
        if (!Arrays.equals(actual.shape(), expected.shape()))
            throw new AssertionError(prefix + "shape " + Shape.str(actual.shape()) + " != expected " + Shape.str(expected.shape()));
        int n = actual.numel();
        if (!expected.dtype().isFloating() || !actual.dtype().isFloating()) {
            long[] a = actual.toLongArray(), e = expected.toLongArray();
            for (int i = 0; i < n; i++)
                if (a[i] != e[i])
                    throw new AssertionError(prefix + "element " + i + " (of " + n + ", shape " + Shape.str(expected.shape()) + "): " + a[i] + " != expected " + e[i]);
            return;
        }
        double[] a = actual.toDoubleArray(), e = expected.toDoubleArray();
        int bad = 0, first = -1, worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < n; i++) {
            double ai = a[i], ei = e[i];
            if (Double.isNaN(ai) || Double.isNaN(ei)) {
                if (equalNan && Double.isNaN(ai) && Double.isNaN(ei)) continue;
            } else if (ai == ei) {
                continue;
            } else {
                double excess = Math.abs(ai - ei) - (atol + rtol * Math.abs(ei));
                if (excess <= 0) continue;
                if (excess > worstExcess) { worstExcess = excess; worst = i; }
            }
            bad++;
            if (first < 0) first = i;
        }
        if (bad > 0) {
            int w = worst >= 0 ? worst : first;
            throw new AssertionError(prefix + bad + " of " + n + " elements differ beyond rtol=" + rtol + " atol=" + atol
                    + " (shape " + Shape.str(expected.shape()) + "); first at " + first + ": " + a[first] + " vs expected " + e[first]
                    + "; worst at " + w + ": " + a[w] + " vs expected " + e[w]);
        }
    }
}
