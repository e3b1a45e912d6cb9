package fuse3d.nn.loss;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;

/**
 * Feature imitation restricted to (or weighted by) a mask: {@code L = sum(w * (s - t)^2) / sum(w)} where {@code
 * w} is the mask broadcast to the feature shape, i.e. the w-weighted mean squared error. For a 0/1 mask it is
 * {@code F.mse_loss(s[m], t[m])} over the masked elements; for a [B, 1, H, W] mask on [B, C, H, W] features it is
 * {@code (1/C) * sum_p m_p ||s_p - t_p||^2 / sum_p m_p}.
 *
 * <p>Where it is used: IMKD's LiDAR-to-radar and LiDAR-to-fused feature distillation (docs/models.md section 3.2,
 * an inference while IMKD's code is unreleased) is {@code L = sum I ||A(F) - F_L||^2 / sum I} with an intensity
 * map I from the LiDAR teacher ({@link TeacherAttention#intensity}) or I times a ground-truth box mask; that is
 * this loss times C, a constant the loss weight absorbs. CRKD's {@code Mask_Feat_Loss} (0.5 (s - t)^2 inside the
 * GT boxes, normalised by the box-cell count, then divided by the batch size) is this loss times 0.5 / B.
 *
 * <p><b>Empty masks:</b> when {@code sum(w) == 0} there is nothing to imitate and 'mean' returns 0 with a zero
 * gradient (CRKD would give 0/0 = NaN and poison the step). Weights must be non-negative. 'sum' gives
 * {@code sum(w (s - t)^2)} and 'none' the weighted elements {@code w (s - t)^2}.
 */
public final class MaskedMseLoss {
    private MaskedMseLoss() {}

    /** Weighted mean against a constant teacher feature. */
    public static Var maskedMse(Var student, Tensor teacher, Tensor mask) { return maskedMse(student, teacher, mask, Reduction.MEAN); }

    public static Var maskedMse(Var student, Tensor teacher, Tensor mask, Reduction reduction) {
        LossChecks.requireFloating("masked_mse", "teacher", teacher);
        return maskedMse(student, Var.of(LossChecks.as(teacher, student.dtype())), mask, reduction);
    }

    /** The teacher may be a Var too (e.g. an adapted feature that is trained as well). */
    public static Var maskedMse(Var student, Var teacher, Tensor mask, Reduction reduction) {
        return weighted("masked_mse", student, teacher, mask, reduction);
    }

    /** The shared weighted-mean rule of {@link MaskedMseLoss} and {@link AttentionMseLoss}. */
    static Var weighted(String loss, Var student, Var teacher, Tensor mask, Reduction reduction) {
        LossChecks.requireFloating(loss, "student", student);
        LossChecks.requireFloating(loss, "teacher", teacher);
        LossChecks.requireSameShape(loss, "student", student.shape(), "teacher", teacher.shape());
        if (mask.dtype() != DType.BOOL) LossChecks.requireFloating(loss, "mask", mask);
        LossChecks.requireBroadcastsTo(loss, "mask", mask, "feature", student.shape());
        Tensor w = mask.to(student.dtype()).expand(student.shape());
        if (w.numel() > 0 && !(w.amin(null, false).item() >= 0))
            throw new IllegalArgumentException(loss + ": mask of shape " + Shape.str(mask.shape()) + " has a negative (or NaN) weight "
                    + w.amin(null, false).item());
        Var perElement = student.sub(teacher).square().mul(w);
        return switch (reduction) {
            case NONE -> perElement;
            case SUM -> perElement.sum();
            case MEAN -> {
                double total = w.sum().item();
                // an empty mask: the numerator is an exact 0 (every term is multiplied by 0), so dividing by 1 gives 0
                yield perElement.sum().div(Tensor.scalar(total == 0 ? 1.0 : total, student.dtype()));
            }
            case BATCHMEAN -> Reduction.BATCHMEAN.apply(perElement, loss);
        };
    }
}
