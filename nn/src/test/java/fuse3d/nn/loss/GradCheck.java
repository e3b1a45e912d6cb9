package fuse3d.nn.loss;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.function.Function;

/**
 * A float64 gradient check for the loss tests (torch.autograd.gradcheck's recipe): the analytic
 * vector-Jacobian product {@code go^T J} from backward against central differences {@code (f(x + eps e_i) - f(x -
 * eps e_i)) . go / (2 eps)} with eps = 1e-6, compared as {@code |a - n| <= atol + rtol |n|} with atol 1e-5, rtol 1e-3.
 */
final class GradCheck {
    private GradCheck() {}

    static final double EPS = 1e-6, ATOL = 1e-5, RTOL = 1e-3;

    /** Checks d f / d x at x (float64) for a fixed random output gradient. */
    static void check(String what, Function<Var, Var> f, Tensor x) {
        if (x.dtype() != DType.FLOAT64) throw new IllegalArgumentException("gradcheck runs in float64, got " + x.dtype().torchName());
        Var leaf = Var.leaf(x.copy());
        Var out = f.apply(leaf);
        Tensor go = new Generator(17).normal(DType.FLOAT64, 0, 1, out.shape());
        out.backward(go);
        double[] analytic = leaf.grad() == null ? new double[x.numel()] : leaf.grad().toDoubleArray();
        double[] base = x.contiguous().toDoubleArray();
        int[] shape = x.shape();
        for (int i = 0; i < base.length; i++) {
            double[] plus = base.clone(), minus = base.clone();
            plus[i] += EPS;
            minus[i] -= EPS;
            double fp = dot(f.apply(Var.of(Tensor.of(plus, shape))).data(), go);
            double fm = dot(f.apply(Var.of(Tensor.of(minus, shape))).data(), go);
            double numeric = (fp - fm) / (2 * EPS);
            if (!(Math.abs(analytic[i] - numeric) <= ATOL + RTOL * Math.abs(numeric)))
                throw new AssertionError(what + ": d/dx at element " + i + " of " + Shape.str(shape) + ": analytic " + analytic[i]
                        + " vs numeric " + numeric);
        }
    }

    private static double dot(Tensor a, Tensor b) { return a.mul(b).sum().item(); }
}
