package fuse3d.nn;

import fuse3d.autograd.GradMode;
import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.List;
import java.util.function.Supplier;

/**
 * A float64 central-difference gradient check: the gradient of sum(f() * r) (r fixed random weights, so every
 * output element matters with its own weight) from backward against (L(v + h) - L(v - h)) / 2h for every
 * element of every leaf. Leaves are perturbed in place, so module parameters can be checked as they are.
 */
public final class GradCheck {
    private GradCheck() {}

    public static void check(String what, Supplier<Var> f, List<Var> leaves) { check(what, f, leaves, 1e-6, 1e-6, 1e-5); }

    public static void check(String what, Supplier<Var> f, List<Var> leaves, double h, double atol, double rtol) {
        for (Var v : leaves) {
            if (v.dtype() != DType.FLOAT64) throw new IllegalArgumentException(what + ": gradcheck needs float64 leaves, got " + v);
            if (!v.data().isContiguous()) throw new IllegalArgumentException(what + ": gradcheck perturbs contiguous leaves only");
            v.zeroGrad();
        }
        Var y = f.get();
        Tensor r = new Generator(7).uniform(DType.FLOAT64, 0.5, 1.5, y.shape());
        y.mul(r).sum().backward();
        for (int li = 0; li < leaves.size(); li++) {
            Var leaf = leaves.get(li);
            Tensor analytic = leaf.grad() == null ? Tensor.zeros(DType.FLOAT64, leaf.shape()) : leaf.grad();
            double[] a = analytic.contiguous().toDoubleArray();
            Tensor flat = leaf.data().reshape(-1);
            for (int i = 0; i < flat.numel(); i++) {
                double v = flat.getDouble(i);
                flat.set(v + h, i);
                double plus = loss(f, r);
                flat.set(v - h, i);
                double minus = loss(f, r);
                flat.set(v, i);
                double numeric = (plus - minus) / (2 * h);
                if (Math.abs(numeric - a[i]) > atol + rtol * Math.abs(numeric))
                    throw new AssertionError(what + ": leaf " + li + " " + Shape.str(leaf.shape()) + " element " + i + ": analytic " + a[i]
                            + ", numeric " + numeric);
            }
        }
    }

    private static double loss(Supplier<Var> f, Tensor r) {
        try (GradMode.Scope _ = GradMode.noGrad()) {
            return f.get().data().mul(r).sum().item();
        }
    }

    /** A float64 leaf of N(0, 1) values. */
    public static Var input(long seed, int... shape) { return Var.leaf(new Generator(seed).normal(DType.FLOAT64, 0, 1, shape)); }
}
