package fuse3d.nn.loss;

import fuse3d.autograd.Var;
import fuse3d.tensor.Tensor;

/**
 * Absolute error, {@code |input - target|}, reduced: the twin of
 * {@code torch.nn.functional.l1_loss(input, target, reduction)}. The gradient at a zero difference is 0
 * (sign(0)), as PyTorch's. Input and target must have the same shape.
 */
public final class L1Loss {
    private L1Loss() {}

    public static Var l1Loss(Var input, Tensor target) { return l1Loss(input, target, Reduction.MEAN); }

    public static Var l1Loss(Var input, Tensor target, Reduction reduction) {
        LossChecks.requireFloating("l1_loss", "target", target);
        return l1Loss(input, Var.of(LossChecks.as(target, input.dtype())), reduction);
    }

    public static Var l1Loss(Var input, Var target, Reduction reduction) {
        LossChecks.requireFloating("l1_loss", "input", input);
        LossChecks.requireFloating("l1_loss", "target", target);
        LossChecks.requireSameShape("l1_loss", "input", input.shape(), "target", target.shape());
        return reduction.apply(input.sub(target).abs(), "l1_loss");
    }
}
