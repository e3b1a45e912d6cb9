package fuse3d.nn.loss;

import fuse3d.autograd.Gradcheck;
import fuse3d.autograd.Var;
import fuse3d.tensor.Tensor;
import java.util.List;
import java.util.function.Function;

/** The loss tests' one-input form of the autograd module's {@link Gradcheck} (torch.autograd.gradcheck's defaults). */
final class GradCheck {
    private GradCheck() {}

    /** Checks d f / d x at x (float64) against central differences. */
    static void check(String what, Function<Var, Var> f, Tensor x) {
        Gradcheck.assertGradients(what, in -> List.of(f.apply(in.get(0))), List.of(x));
    }
}
