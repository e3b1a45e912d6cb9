package fuse3d.nn.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.GradMode;
import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.List;
import java.util.function.Function;

/**
 * A float64 central-difference gradient check: compares the backward pass of L = sum(r * f(inputs)), with
 * fixed random r (so every output element's Jacobian row counts), against (L(x + eps) - L(x - eps)) / 2 eps
 * for each element of each input.
 */
final class GradCheck {
    private GradCheck() {}

    /** A float64 leaf of the given shape, uniform in [-1, 1). */
    static Var leaf(Generator g, int... shape) { return Var.leaf(g.uniform(DType.FLOAT64, -1, 1, shape)); }

    /** A float64 leaf copy of any tensor (for example a float32 parameter). */
    static Var leaf(Tensor t) { return Var.leaf(t.to(DType.FLOAT64).copy()); }

    static void check(String what, Function<List<Var>, Var> f, List<Var> inputs) { check(what, f, inputs, 1e-6, 1e-7, 1e-5); }

    static void check(String what, Function<List<Var>, Var> f, List<Var> inputs, double eps, double atol, double rtol) {
        for (Var x : inputs) {
            assertEquals(DType.FLOAT64, x.dtype(), what + ": gradcheck inputs must be float64");
            assertTrue(x.data().isContiguous() && x.isLeaf(), what + ": gradcheck inputs must be contiguous leaves");
            x.zeroGrad();
        }
        Var out = f.apply(inputs);
        Tensor r = new Generator(12345).uniform(DType.FLOAT64, -1, 1, out.shape());
        out.mul(r).sum().backward();
        int checked = 0;
        for (int i = 0; i < inputs.size(); i++) {
            Tensor data = inputs.get(i).data();
            Tensor grad = inputs.get(i).grad();
            double[] analytic = grad == null ? null : grad.contiguous().toDoubleArray();
            for (int j = 0; j < data.numel(); j++) {
                int at = data.offset() + j;
                double x0 = data.storage().getDouble(at);
                data.storage().setDouble(at, x0 + eps);
                double up = loss(f, inputs, r);
                data.storage().setDouble(at, x0 - eps);
                double down = loss(f, inputs, r);
                data.storage().setDouble(at, x0);
                double numeric = (up - down) / (2 * eps);
                double a = analytic == null ? 0.0 : analytic[j];
                double tol = atol + rtol * Math.max(Math.abs(a), Math.abs(numeric));
                if (!(Math.abs(a - numeric) <= tol))
                    throw new AssertionError(what + ": input " + i + " element " + j + ": analytic " + a + " vs numeric " + numeric);
                checked++;
            }
        }
        assertTrue(checked > 0, what + ": nothing was checked");
    }

    private static double loss(Function<List<Var>, Var> f, List<Var> inputs, Tensor r) {
        try (GradMode.Scope _ = GradMode.noGrad()) {
            return f.apply(inputs).data().mul(r).sum().item();
        }
    }
}
