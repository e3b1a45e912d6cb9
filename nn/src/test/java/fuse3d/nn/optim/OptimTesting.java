package fuse3d.nn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import fuse3d.autograd.Var;
import fuse3d.tensor.Tensor;

/** Small helpers shared by the optimizer tests. */
final class OptimTesting {
    private OptimTesting() {}

    static Var param(float... values) { return Var.leaf(Tensor.vector(values.clone())); }

    static void grad(Var p, float... values) { p.setGrad(Tensor.vector(values.clone())); }

    static float[] values(Var p) { return p.data().toFloatArray(); }

    /** Elementwise |a - e| <= rtol * |e| + atol, naming the element that fails. */
    static void assertClose(float[] expected, float[] actual, double rtol, double atol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) actual[i] - expected[i]);
            if (!(d <= rtol * Math.abs(expected[i]) + atol))
                fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i] + " (diff " + d + ")");
        }
    }

    /** Bit-for-bit equality of two float arrays, naming the first difference. */
    static void assertBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++)
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i]))
                fail(what + ": element " + i + " is " + actual[i] + ", expected exactly " + expected[i]);
    }
}
