package fuse3d.nn.loss;

import fuse3d.autograd.Var;
import fuse3d.tensor.Tensor;

/**
 * CenterNet/CenterPoint's penalty-reduced focal loss on Gaussian heatmaps: the twin of mmdet's
 * {@code GaussianFocalLoss(alpha=2.0, gamma=4.0, reduction='mean')}, i.e. {@code gaussian_focal_loss(pred,
 * gaussian_target, alpha, gamma)} followed by {@code weight_reduce_loss(loss, weight, reduction, avg_factor)}.
 *
 * <p>{@code pred} holds probabilities (the heads apply a sigmoid clamped to [1e-4, 1 - 1e-4] first). Per element,
 * with {@code eps = 1e-12}: positives are exactly the peaks {@code target == 1}, costing {@code -log(pred + eps) *
 * (1 - pred)^alpha}; every element also costs {@code -log(1 - pred + eps) * pred^alpha * (1 - target)^gamma}, a
 * negative term that vanishes at the peaks and is damped near them. CenterPoint calls it with
 * {@code avg_factor = max(num_pos, 1)}.
 */
public final class GaussianFocalLoss {
    private GaussianFocalLoss() {}

    /** The log's guard against log(0), as mmdet's. */
    public static final double EPS = 1e-12;

    /** Defaults alpha 2, gamma 4, 'mean' over all elements. */
    public static Var gaussianFocalLoss(Var pred, Tensor target) { return gaussianFocalLoss(pred, target, 2.0, 4.0, null, Reduction.MEAN, null); }

    /** With CenterPoint's normaliser: sum / (avgFactor + float32 eps). */
    public static Var gaussianFocalLoss(Var pred, Tensor target, double avgFactor) {
        return gaussianFocalLoss(pred, target, 2.0, 4.0, null, Reduction.MEAN, avgFactor);
    }

    /**
     * @param weight    element weights broadcast to pred, or null
     * @param avgFactor replaces the element count of 'mean' (null: plain reduction)
     */
    public static Var gaussianFocalLoss(Var pred, Tensor target, double alpha, double gamma, Tensor weight, Reduction reduction, Double avgFactor) {
        String loss = "gaussian_focal_loss";
        LossChecks.requireFloating(loss, "pred", pred);
        LossChecks.requireFloating(loss, "target", target);
        LossChecks.requireSameShape(loss, "pred", pred.shape(), "target", target.shape());
        Tensor t = LossChecks.as(target, pred.dtype());
        Tensor posWeights = t.eq(1.0).to(pred.dtype());
        Tensor negWeights = t.neg().add(1.0).pow(gamma);
        Var oneMinusPred = pred.neg().add(1.0);
        Var posLoss = pred.add(EPS).log().neg().mul(oneMinusPred.pow(alpha)).mul(posWeights);
        Var negLoss = oneMinusPred.add(EPS).log().neg().mul(pred.pow(alpha)).mul(negWeights);
        return WeightReduce.apply(loss, posLoss.add(negLoss), weight, reduction, avgFactor);
    }
}
