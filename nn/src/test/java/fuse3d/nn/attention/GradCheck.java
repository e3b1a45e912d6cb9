package fuse3d.nn.attention;

import fuse3d.autograd.Gradcheck;
import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.List;
import java.util.function.Function;

/**
 * The attention tests' form of the autograd module's {@link Gradcheck}: a function of several float64 inputs with
 * one output, checked by central differences (stricter tolerances than torch's defaults by default).
 */
final class GradCheck {
    private GradCheck() {}

    /** A float64 leaf of the given shape, uniform in [-1, 1). */
    static Var leaf(Generator g, int... shape) { return Var.leaf(g.uniform(DType.FLOAT64, -1, 1, shape)); }

    /** A float64 leaf copy of any tensor (for example a float32 parameter). */
    static Var leaf(Tensor t) { return Var.leaf(t.to(DType.FLOAT64).copy()); }

    static void check(String what, Function<List<Var>, Var> f, List<Var> inputs) { check(what, f, inputs, 1e-6, 1e-7, 1e-5); }

    /** f is called on fresh leaves holding the inputs' values, so it must read its inputs from its argument. */
    static void check(String what, Function<List<Var>, Var> f, List<Var> inputs, double eps, double atol, double rtol) {
        List<Tensor> values = inputs.stream().map(Var::data).toList();
        Gradcheck.assertGradients(what, in -> List.of(f.apply(in)), values, new Gradcheck.Options(eps, atol, rtol, 2, 12345));
    }
}
