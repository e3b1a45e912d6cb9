package fuse3d.nn;

import fuse3d.autograd.Gradcheck;
import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import java.util.List;
import java.util.function.Supplier;

/** The layer tests' shorthand for autograd's {@link Gradcheck#checkLeaves} (leaves perturbed in place, so parameters check as they are). */
public final class GradCheck {
    private GradCheck() {}

    public static void check(String what, Supplier<Var> f, List<Var> leaves) { check(what, f, leaves, 1e-6, 1e-6, 1e-5); }

    public static void check(String what, Supplier<Var> f, List<Var> leaves, double h, double atol, double rtol) {
        Gradcheck.assertLeafGradients(what, f, leaves, new Gradcheck.Options(h, atol, rtol, 1, 7));
    }

    /** A float64 leaf of N(0, 1) values. */
    public static Var input(long seed, int... shape) { return Var.leaf(new Generator(seed).normal(DType.FLOAT64, 0, 1, shape)); }
}
