package fuse3d.nn.loss;

import fuse3d.autograd.Var;
import fuse3d.tensor.Tensor;

/**
 * Squared error, {@code (input - target)^2}, reduced: the twin of
 * {@code torch.nn.functional.mse_loss(input, target, reduction)}.
 *
 * <p>Unlike PyTorch, which broadcasts a differently shaped target with a warning, input and target must have the
 * same shape: a silent broadcast there is almost always a bug.
 */
public final class MseLoss {
    private MseLoss() {}

    /** Mean squared error over every element. */
    public static Var mseLoss(Var input, Tensor target) { return mseLoss(input, target, Reduction.MEAN); }

    /** Squared error against a constant target (converted to the input's dtype). */
    public static Var mseLoss(Var input, Tensor target, Reduction reduction) {
        LossChecks.requireFloating("mse_loss", "target", target);
        return mseLoss(input, Var.of(LossChecks.as(target, input.dtype())), reduction);
    }

    /** Squared error where the target may require a gradient too (d/dtarget = -d/dinput). */
    public static Var mseLoss(Var input, Var target, Reduction reduction) {
        LossChecks.requireFloating("mse_loss", "input", input);
        LossChecks.requireFloating("mse_loss", "target", target);
        LossChecks.requireSameShape("mse_loss", "input", input.shape(), "target", target.shape());
        return reduction.apply(input.sub(target).square(), "mse_loss");
    }
}
