package fuse3d.nn.loss;

import fuse3d.autograd.Var;
import fuse3d.tensor.Tensor;

/**
 * Huber-like smooth L1: with {@code d = input - target}, {@code 0.5 d^2 / beta} where {@code |d| < beta},
 * else {@code |d| - 0.5 beta}; the twin of {@code torch.nn.functional.smooth_l1_loss(input, target, reduction,
 * beta)}. {@code beta = 0} is exactly {@link L1Loss} (PyTorch switches to l1_loss there, which also avoids the
 * division by zero); a negative beta is an error. OpenPCDet's anchor head uses beta = 1/9, its RoI head beta = 1.
 */
public final class SmoothL1Loss {
    private SmoothL1Loss() {}

    public static Var smoothL1Loss(Var input, Tensor target) { return smoothL1Loss(input, target, Reduction.MEAN, 1.0); }

    public static Var smoothL1Loss(Var input, Tensor target, Reduction reduction, double beta) {
        LossChecks.requireFloating("smooth_l1_loss", "target", target);
        return smoothL1Loss(input, Var.of(LossChecks.as(target, input.dtype())), reduction, beta);
    }

    public static Var smoothL1Loss(Var input, Var target, Reduction reduction, double beta) {
        if (beta < 0 || Double.isNaN(beta))
            throw new IllegalArgumentException("smooth_l1_loss: beta must be >= 0 (smooth_l1_loss does not support negative values for beta), got " + beta);
        if (beta == 0) return L1Loss.l1Loss(input, target, reduction);
        LossChecks.requireFloating("smooth_l1_loss", "input", input);
        LossChecks.requireFloating("smooth_l1_loss", "target", target);
        LossChecks.requireSameShape("smooth_l1_loss", "input", input.shape(), "target", target.shape());
        Var d = input.sub(target);
        Var ad = d.abs();
        // at |d| = beta both pieces have the value beta/2 and the slope sign(d), so which side the strict '<'
        // picks there changes neither the loss nor its gradient
        Var quadratic = d.square().mul(0.5 / beta);
        Var linear = ad.sub(0.5 * beta);
        return reduction.apply(Var.where(ad.data().lt(beta), quadratic, linear), "smooth_l1_loss");
    }
}
