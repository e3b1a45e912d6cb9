package fuse3d.nn.loss;

import fuse3d.autograd.Var;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;

/**
 * Binary cross-entropy on logits: the twin of {@code torch.nn.functional.binary_cross_entropy_with_logits(input,
 * target, weight, reduction, pos_weight)}.
 *
 * <p>Per element, with {@code lw = 1 + (pos_weight - 1) * target}:
 * {@code loss = (1 - target) * x + lw * softplus(-x)} and {@code softplus(-x) = log(1 + e^-x)} evaluated as
 * {@code m + log(e^-m + e^(-x-m))} with {@code m = max(-x, 0)}, PyTorch's formulation, which never overflows.
 * The derivative is one fused rule, {@code lw * sigmoid(x) - pos_weight * target}: composing it from relu,
 * abs and log1p would put a kink at x = 0 where the true slope is smooth. {@code weight} then scales each
 * element. The target must have the input's shape; weight and pos_weight (typically [C] against an [N, C]
 * input) must broadcast to it. The target is a constant here (no gradient flows to it).
 */
public final class BceWithLogitsLoss {
    private BceWithLogitsLoss() {}

    public static Var binaryCrossEntropyWithLogits(Var input, Tensor target) {
        return binaryCrossEntropyWithLogits(input, target, null, null, Reduction.MEAN);
    }

    /**
     * @param weight    per-element rescaling broadcast to the input, or null
     * @param posWeight weight of the positive term, broadcast to the input (per class along the last dim), or null
     */
    public static Var binaryCrossEntropyWithLogits(Var input, Tensor target, Tensor weight, Tensor posWeight, Reduction reduction) {
        String loss = "binary_cross_entropy_with_logits";
        LossChecks.requireFloating(loss, "input", input);
        LossChecks.requireFloating(loss, "target", target);
        if (!java.util.Arrays.equals(target.shape(), input.shape()))
            throw new IllegalArgumentException(loss + ": target size " + Shape.str(target.shape()) + " must be the same as input size "
                    + Shape.str(input.shape()));
        Var perElement = elementwise(input, target, posWeight);
        if (weight != null) {
            LossChecks.requireFloating(loss, "weight", weight);
            LossChecks.requireBroadcastsTo(loss, "weight", weight, "input", input.shape());
            perElement = perElement.mul(LossChecks.as(weight, input.dtype()));
        }
        return reduction.apply(perElement, loss);
    }

    /** The unreduced, unweighted loss with its fused derivative (shared with {@link SigmoidFocalLoss}). */
    static Var elementwise(Var input, Tensor target, Tensor posWeight) {
        String loss = "binary_cross_entropy_with_logits";
        Tensor x = input.data();
        Tensor t = LossChecks.as(target, x.dtype());
        Tensor pw = null;
        if (posWeight != null) {
            LossChecks.requireFloating(loss, "pos_weight", posWeight);
            LossChecks.requireBroadcastsTo(loss, "pos_weight", posWeight, "input", x.shape());
            pw = LossChecks.as(posWeight, x.dtype());
        }
        Tensor m = x.neg().clampMin(0.0);
        Tensor softplusNeg = m.neg().exp().add(x.neg().sub(m).exp()).log().add(m); // log(1 + e^-x), overflow-free
        Tensor logWeight = pw == null ? null : pw.sub(1.0).mul(t).add(1.0);
        Tensor out = t.neg().add(1.0).mul(x).add(logWeight == null ? softplusNeg : logWeight.mul(softplusNeg));
        Tensor lw = logWeight, p = pw;
        return Var.record(loss, out, (g, needs) -> {
            Tensor s = x.sigmoid();
            Tensor d = lw == null ? s.sub(t) : lw.mul(s).sub(p.mul(t));
            return new Tensor[] {g.mul(d)};
        }, input);
    }
}
