package fuse3d.nn.loss;

import fuse3d.autograd.Var;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.Arrays;

/**
 * Softmax cross-entropy on logits: the twin of {@code torch.nn.functional.cross_entropy(input, target, weight,
 * ignore_index=-100, reduction, label_smoothing)} as in PyTorch 1.13, class dim 1 ([N, C] or [N, C, d1, ...]; dim
 * 0 for a single sample [C]).
 *
 * <p>Two kinds of target, told apart by shape as PyTorch does:
 * <ul>
 * <li><b>Class indices</b> (int64/int32, the input's shape without the class dim). With {@code label_smoothing
 *     = 0} this is {@link NllLoss} of {@code log_softmax(input, classDim)}. With smoothing {@code e > 0} it is
 *     {@code (1 - e) * nll + (e / C) * smooth}, where each element's {@code smooth = -sum_c weight[c] *
 *     logp[c]} (note: every class's weight, not the target's), 0 for ignored elements; under 'mean' both
 *     terms are divided by the same total weight {@code sum_i weight[t_i]} of the kept targets (their count
 *     without weights), so all-ignored gives NaN.</li>
 * <li><b>Class probabilities</b> (floating, the input's shape). The target is first smoothed to {@code (1 - e)
 *     * target + e / C}; the loss is {@code -sum_c weight[c] * target[c] * logp[c]} per element and 'mean'
 *     divides by the number of elements N*d1*...*dk, not by weights. ignore_index must stay negative (unused).</li>
 * </ul>
 * Out-of-range class indices are an error, as in PyTorch. A negative or above-1 label_smoothing is refused.
 */
public final class CrossEntropyLoss {
    private CrossEntropyLoss() {}

    public static Var crossEntropy(Var input, Tensor target) {
        return crossEntropy(input, target, null, NllLoss.DEFAULT_IGNORE_INDEX, Reduction.MEAN, 0.0);
    }

    public static Var crossEntropy(Var input, Tensor target, Tensor weight, int ignoreIndex, Reduction reduction, double labelSmoothing) {
        String loss = "cross_entropy";
        LossChecks.requireFloating(loss, "input", input);
        int classDim = NllLoss.classDim(loss, input.shape());
        int classes = input.size(classDim);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new IllegalArgumentException(loss + ": label_smoothing must be between 0.0 and 1.0, got " + labelSmoothing);
        if (reduction == Reduction.BATCHMEAN) Reduction.BATCHMEAN.apply(input, loss); // throws
        NllLoss.checkWeight(loss, weight, classes);
        Var logp = input.logSoftmax(classDim);
        if (target.dtype().isFloating() && Arrays.equals(target.shape(), input.shape()))
            return probabilityTarget(logp, target, weight, ignoreIndex, reduction, labelSmoothing, classDim);
        if (target.dtype().isFloating())
            throw new IllegalArgumentException(loss + ": a floating target holds class probabilities and must have the input's shape "
                    + Shape.str(input.shape()) + ", got " + Shape.str(target.shape()) + "; class indices must be int64 or int32");
        NllLoss.checkIndexTarget(loss, input.shape(), target, classDim);
        Var nll = NllLoss.nllLoss(loss, logp, target, weight, ignoreIndex, reduction);
        if (labelSmoothing == 0) return nll;

        // the smoothing term: -sum_c weight[c] logp[c] per element, zeroed where the target is ignored
        int[] classDims = {classDim};
        Var weighted = weight == null ? logp : logp.mul(NllLoss.classWeightView(weight, input.dim(), classDim, input.dtype()));
        Tensor ignored = NllLoss.keptMask(target, ignoreIndex).logicalNot();
        Var smooth = weighted.sum(classDims, false).neg().maskedFill(ignored, 0.0);
        Var smoothReduced = switch (reduction) {
            case NONE -> smooth;
            case SUM -> smooth.sum();
            // the same divisor as nll_loss's mean, so both terms are averages over the same weighted targets
            case MEAN -> smooth.sum().div(NllLoss.keptTargetWeight(target, weight, ignoreIndex, input.dtype()));
            case BATCHMEAN -> throw new AssertionError("refused above");
        };
        return nll.mul(1 - labelSmoothing).add(smoothReduced.mul(labelSmoothing / classes));
    }

    private static Var probabilityTarget(Var logp, Tensor target, Tensor weight, int ignoreIndex, Reduction reduction,
                                         double labelSmoothing, int classDim) {
        String loss = "cross_entropy";
        if (ignoreIndex >= 0)
            throw new IllegalArgumentException(loss + ": ignore_index is not supported for floating point target (class probabilities of shape "
                    + Shape.str(target.shape()) + "), got ignore_index " + ignoreIndex);
        int classes = logp.size(classDim);
        Tensor t = LossChecks.as(target, logp.dtype());
        if (labelSmoothing > 0) t = t.mul(1 - labelSmoothing).add(labelSmoothing / classes);
        Tensor coef = weight == null ? t : t.mul(NllLoss.classWeightView(weight, logp.dim(), classDim, logp.dtype()));
        Var product = logp.mul(coef);
        return switch (reduction) {
            case NONE -> product.sum(new int[] {classDim}, false).neg();
            case SUM -> product.sum().neg();
            // divided by the number of samples N*d1*...*dk (0/0 = NaN when empty, as torch)
            case MEAN -> product.sum().neg().div(Tensor.scalar(logp.numel() / Math.max(classes, 1), logp.dtype()));
            case BATCHMEAN -> throw new AssertionError("refused by the caller");
        };
    }
}
