package fuse3d.nn.loss;

import fuse3d.autograd.Var;
import fuse3d.tensor.Tensor;

/**
 * mmdet's {@code weight_reduce_loss(loss, weight, reduction, avg_factor)}, which its focal losses share: scale
 * by an optional element weight, then reduce; with an {@code avg_factor} (e.g. CenterPoint's
 * {@code max(num_pos, 1)}), 'mean' becomes {@code sum / (avg_factor + eps)} with eps the float32 machine
 * epsilon (mmdet >= 2.19 adds it so that a zero avg_factor gives 0, not NaN), and 'sum' is refused.
 */
final class WeightReduce {
    private WeightReduce() {}

    /** float32 machine epsilon, torch.finfo(torch.float32).eps. */
    static final double FLOAT32_EPS = Math.ulp(1.0f);

    static Var apply(String loss, Var perElement, Tensor weight, Reduction reduction, Double avgFactor) {
        Var l = perElement;
        if (weight != null) {
            LossChecks.requireFloating(loss, "weight", weight);
            LossChecks.requireBroadcastsTo(loss, "weight", weight, "loss", perElement.shape());
            l = l.mul(LossChecks.as(weight, perElement.dtype()));
        }
        if (avgFactor == null) return reduction.apply(l, loss);
        return switch (reduction) {
            case MEAN -> l.sum().div(Tensor.scalar(avgFactor + FLOAT32_EPS, l.dtype()));
            case NONE -> l;
            default -> throw new IllegalArgumentException(loss + ": avg_factor can only be used with reduction 'mean' or 'none', got '"
                    + reduction.torchName() + "'");
        };
    }
}
