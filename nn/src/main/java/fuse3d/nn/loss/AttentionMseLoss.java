package fuse3d.nn.loss;

import fuse3d.autograd.Var;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;

/**
 * Attention-weighted feature imitation: {@link MaskedMseLoss}'s weighted mean with weights from the teacher,
 * {@code w = A_S [* A_C] [* mask]} where {@link TeacherAttention#spatial A_S} is the teacher's spatial attention
 * {@code S * softmax_positions(mean_c |F_t| / T)} and {@link TeacherAttention#channel A_C} its optional channel
 * attention; so {@code L = sum(w (s - t)^2) / sum(w)}.
 *
 * <p>The idea is attention-guided ("focal") feature distillation (Zhang and Ma, ICLR 2021; FGD, CVPR 2022):
 * imitate the teacher hardest where its activations are strong, which for a LiDAR BEV teacher are the cells
 * holding objects and structure, the "intensity-guided" weighting IMKD describes. Those papers sum {@code w (s -
 * t)^2} ('sum' here) and tune tiny loss weights; the default 'mean' normalises by {@code sum(w)} so the loss scale
 * does not depend on the map size, and with a uniform teacher (A_S = 1) it is exactly {@code mse_loss}. An
 * optional mask (e.g. ground-truth foreground, broadcast to the features) multiplies the weights, with
 * {@link MaskedMseLoss}'s rule for an empty mask (0).
 */
public final class AttentionMseLoss {
    private AttentionMseLoss() {}

    /** Spatial attention only, temperature {@value TeacherAttention#DEFAULT_TEMPERATURE}, weighted mean. */
    public static Var attentionMse(Var student, Tensor teacher) {
        return attentionMse(student, teacher, TeacherAttention.DEFAULT_TEMPERATURE, false, null, Reduction.MEAN);
    }

    /**
     * @param temperature      softmax temperature of the attention (smaller: sharper)
     * @param channelAttention also weight channels by the teacher's channel attention
     * @param mask             extra weights broadcast to the features, or null
     */
    public static Var attentionMse(Var student, Tensor teacher, double temperature, boolean channelAttention, Tensor mask, Reduction reduction) {
        String loss = "attention_mse";
        LossChecks.requireFloating(loss, "teacher", teacher);
        LossChecks.requireSameShape(loss, "student", student.shape(), "teacher", teacher.shape());
        if (teacher.dim() < 2)
            throw new IllegalArgumentException(loss + ": features must be [B, C, d1, ...], got shape " + Shape.str(teacher.shape()));
        Tensor t = LossChecks.as(teacher, student.dtype());
        Tensor w = TeacherAttention.spatial(t, temperature);
        if (channelAttention) w = w.mul(TeacherAttention.channel(t, temperature));
        if (mask != null) {
            LossChecks.requireBroadcastsTo(loss, "mask", mask, "feature", student.shape());
            w = w.mul(mask.to(student.dtype()));
        }
        return MaskedMseLoss.weighted(loss, student, Var.of(t), w, reduction);
    }
}
