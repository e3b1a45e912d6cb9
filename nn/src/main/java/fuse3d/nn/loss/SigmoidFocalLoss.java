package fuse3d.nn.loss;

import fuse3d.autograd.Var;
import fuse3d.tensor.Tensor;

/**
 * Sigmoid focal loss of Lin et al. (RetinaNet): with {@code p = sigmoid(x)} and {@code p_t = p * t + (1 - p) *
 * (1 - t)}, {@code loss = alpha_t * (1 - p_t)^gamma * bce_with_logits(x, t)} where {@code alpha_t = alpha * t +
 * (1 - alpha) * (1 - t)}; a negative alpha switches the alpha term off. The twin of
 * {@code torchvision.ops.sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2, reduction)}, also the formula
 * of mmdet's {@code py_sigmoid_focal_loss} (with one-hot targets) and OpenPCDet's
 * {@code SigmoidFocalClassificationLoss} (alpha 0.25, gamma 2, per-anchor weights, no reduction).
 *
 * <p>The BCE factor is {@link BceWithLogitsLoss}'s stable form; p_t and its power are composed from Var ops so
 * the gradient includes the modulating factor's derivative, as in the references. Targets may be soft (in [0, 1]).
 * With gamma = 0 and a negative alpha the loss is exactly binary_cross_entropy_with_logits.
 */
public final class SigmoidFocalLoss {
    private SigmoidFocalLoss() {}

    /** torchvision's defaults: alpha 0.25, gamma 2, reduction 'none'. */
    public static Var sigmoidFocalLoss(Var inputs, Tensor targets) { return sigmoidFocalLoss(inputs, targets, 0.25, 2.0, Reduction.NONE); }

    /** torchvision.ops.sigmoid_focal_loss(inputs, targets, alpha, gamma, reduction). */
    public static Var sigmoidFocalLoss(Var inputs, Tensor targets, double alpha, double gamma, Reduction reduction) {
        return sigmoidFocalLoss(inputs, targets, alpha, gamma, null, reduction, null);
    }

    /**
     * mmdet's form: the element loss times an optional {@code weight} (broadcast to the input), reduced as
     * mmdet's {@code weight_reduce_loss}; {@code avgFactor} (null for none) replaces the element count of 'mean'.
     */
    public static Var sigmoidFocalLoss(Var inputs, Tensor targets, double alpha, double gamma, Tensor weight, Reduction reduction, Double avgFactor) {
        String loss = "sigmoid_focal_loss";
        LossChecks.requireFloating(loss, "inputs", inputs);
        LossChecks.requireFloating(loss, "targets", targets);
        LossChecks.requireSameShape(loss, "inputs", inputs.shape(), "targets", targets.shape());
        LossChecks.requireNonNegative(loss, "gamma", gamma);
        if (alpha > 1) throw new IllegalArgumentException(loss + ": alpha must be <= 1 (negative switches it off), got " + alpha);
        Tensor t = LossChecks.as(targets, inputs.dtype());
        Var p = inputs.sigmoid();
        Var ce = BceWithLogitsLoss.elementwise(inputs, t, null);
        Tensor oneMinusT = t.neg().add(1.0);
        Var pT = p.mul(t).add(p.neg().add(1.0).mul(oneMinusT));
        Var l = ce.mul(pT.neg().add(1.0).pow(gamma));
        if (alpha >= 0) l = l.mul(t.mul(alpha).add(oneMinusT.mul(1 - alpha)));
        if (avgFactor == null && weight == null) return reduction.apply(l, loss);
        return WeightReduce.apply(loss, l, weight, reduction, avgFactor);
    }
}
