package fuse3d.nn.loss;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.Arrays;

/**
 * Negative log-likelihood of class indices under log-probabilities: the twin of
 * {@code torch.nn.functional.nll_loss(input, target, weight, ignore_index=-100, reduction)}.
 *
 * <p>Shapes, with the class dim 1 (dim 0 for a single sample): input [C] with a 0-d target, [N, C] with target
 * [N], or [N, C, d1, ..., dk] with target [N, d1, ..., dk]. Element i's loss is {@code -weight[t_i] *
 * input[i, t_i]}, 0 where {@code t_i == ignore_index}; 'mean' divides the sum by the total weight of the targets
 * that are not ignored, {@code sum_i weight[t_i]} (the count when there are no weights), so it is NaN when every
 * target is ignored, as in PyTorch 1.13.
 *
 * <p>Picking {@code input[i, t_i]} needs no gather: the loss is {@code -(input * coef).sum(classDim)} with a
 * constant {@code coef} that is {@code weight[t_i]} at the target class of every kept element and 0 elsewhere,
 * so the gradient, {@code -coef} times the output gradient, comes from the Var product and sum.
 */
public final class NllLoss {
    private NllLoss() {}

    /** PyTorch's default ignore_index. */
    public static final int DEFAULT_IGNORE_INDEX = -100;

    public static Var nllLoss(Var input, Tensor target) { return nllLoss(input, target, null, DEFAULT_IGNORE_INDEX, Reduction.MEAN); }

    public static Var nllLoss(Var input, Tensor target, Tensor weight, int ignoreIndex, Reduction reduction) {
        return nllLoss("nll_loss", input, target, weight, ignoreIndex, reduction);
    }

    /** The same, with errors naming {@code loss} (cross_entropy reaches its NLL term through here). */
    static Var nllLoss(String loss, Var input, Tensor target, Tensor weight, int ignoreIndex, Reduction reduction) {
        LossChecks.requireFloating(loss, "input", input);
        int classDim = classDim(loss, input.shape());
        checkIndexTarget(loss, input.shape(), target, classDim);
        checkWeight(loss, weight, input.size(classDim));
        Tensor coef = targetCoefficients(input.shape(), input.dtype(), target, classDim, weight, ignoreIndex, loss);
        Var perElement = input.mul(coef).sum(new int[] {classDim}, false).neg();
        return switch (reduction) {
            case NONE -> perElement;
            case SUM -> perElement.sum();
            case MEAN -> perElement.sum().div(keptTargetWeight(target, weight, ignoreIndex, input.dtype())); // 0 -> NaN, as torch
            case BATCHMEAN -> Reduction.BATCHMEAN.apply(perElement, loss);
        };
    }

    // ------------------------------------------------------------------ shared with CrossEntropyLoss

    /** The class dim of an input: 0 for a single sample [C], else 1. */
    static int classDim(String loss, int[] inputShape) {
        if (inputShape.length == 0)
            throw new IllegalArgumentException(loss + ": input must have a class dim ([C], [N, C] or [N, C, d1, ...]), got a 0-d input");
        return inputShape.length == 1 ? 0 : 1;
    }

    /** The target shape for class indices: the input's shape without the class dim. */
    static int[] indexTargetShape(int[] inputShape, int classDim) {
        int[] s = new int[inputShape.length - 1];
        for (int i = 0, j = 0; i < inputShape.length; i++) if (i != classDim) s[j++] = inputShape[i];
        return s;
    }

    static void checkIndexTarget(String loss, int[] inputShape, Tensor target, int classDim) {
        LossChecks.requireIndices(loss, "target", target);
        int[] expected = indexTargetShape(inputShape, classDim);
        if (!Arrays.equals(target.shape(), expected))
            throw new IllegalArgumentException(loss + ": input of shape " + Shape.str(inputShape) + " needs a target of shape "
                    + Shape.str(expected) + " (the input without its class dim " + classDim + "), got " + Shape.str(target.shape()));
    }

    static void checkWeight(String loss, Tensor weight, int classes) {
        if (weight == null) return;
        LossChecks.requireFloating(loss, "weight", weight);
        if (weight.dim() != 1 || weight.size(0) != classes)
            throw new IllegalArgumentException(loss + ": weight of shape " + Shape.str(weight.shape()) + " must be 1-d with one entry per class ("
                    + classes + ")");
    }

    /** weight viewed so that it broadcasts along the class dim of an input of the given rank. */
    static Tensor classWeightView(Tensor weight, int rank, int classDim, DType dtype) {
        int[] s = new int[rank];
        Arrays.fill(s, 1);
        s[classDim] = weight.size(0);
        return LossChecks.as(weight, dtype).reshape(s);
    }

    /** target != ignoreIndex, shaped as the target. */
    static Tensor keptMask(Tensor target, int ignoreIndex) { return target.ne((double) ignoreIndex); }

    /** 'mean''s divisor: {@code sum_i weight[t_i]} over the kept targets (their count without weights), 0-d. */
    static Tensor keptTargetWeight(Tensor target, Tensor weight, int ignoreIndex, DType dtype) {
        Tensor kept = keptMask(target, ignoreIndex).reshape(-1);
        if (weight == null) return kept.to(dtype).sum();
        Tensor safe = Tensor.where(kept, target.to(DType.INT64).reshape(-1), Tensor.scalar(0, DType.INT64));
        return LossChecks.as(weight, dtype).indexSelect(0, safe).mul(kept.to(dtype)).sum();
    }

    /**
     * A constant shaped as the input: {@code weight[t]} (1 without weights) at the target class of every element
     * whose target is kept, 0 elsewhere (it also checks that the kept targets lie in [0, C)).
     */
    static Tensor targetCoefficients(int[] inputShape, DType dtype, Tensor target, int classDim, Tensor weight, int ignoreIndex, String loss) {
        int classes = inputShape[classDim];
        Tensor t = target.to(DType.INT64);
        Tensor kept = keptMask(t, ignoreIndex);
        Tensor safe = Tensor.where(kept, t, Tensor.scalar(0, DType.INT64)); // ignored targets may lie outside [0, C)
        if (safe.numel() > 0) {
            long lo = (long) safe.amin(null, false).item(), hi = (long) safe.amax(null, false).item();
            if (lo < 0 || hi >= classes) {
                long bad = lo < 0 ? lo : hi;
                throw new IndexOutOfBoundsException(loss + ": target " + bad + " is out of bounds for " + classes + " classes (input of shape "
                        + Shape.str(inputShape) + ", ignore_index " + ignoreIndex + ")");
            }
        }
        Tensor oneHot = Tensor.zeros(dtype, inputShape).scatter(classDim, safe.unsqueeze(classDim), 1.0);
        Tensor coef = oneHot.mul(kept.unsqueeze(classDim).to(dtype));
        if (weight != null) coef = coef.mul(classWeightView(weight, inputShape.length, classDim, dtype));
        return coef;
    }
}
