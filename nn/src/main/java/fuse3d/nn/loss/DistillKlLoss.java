package fuse3d.nn.loss;

import fuse3d.autograd.Var;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;

/**
 * Response distillation with a temperature (Hinton, Vinyals and Dean, "Distilling the Knowledge in a Neural
 * Network", 2015): {@code KL(softmax(t / T) || softmax(s / T)) * T^2}, the teacher's softened distribution
 * against the student's. The twin of {@code F.kl_div(F.log_softmax(s / T, dim), F.softmax(t / T, dim),
 * reduction='batchmean') * T * T}; the T^2 keeps the gradient's scale independent of T (soft-target gradients
 * shrink as 1/T^2).
 *
 * <p>'batchmean' divides by the size of dim 0: for logits [N, C] that is the mean KL per sample; for dense
 * logits [N, C, H, W] (class dim 1) it is the per-image sum over pixels. The teacher is a constant.
 */
public final class DistillKlLoss {
    private DistillKlLoss() {}

    /** Class dim 1, reduction 'batchmean'. */
    public static Var distillKl(Var studentLogits, Tensor teacherLogits, double temperature) {
        return distillKl(studentLogits, teacherLogits, temperature, 1, Reduction.BATCHMEAN);
    }

    public static Var distillKl(Var studentLogits, Tensor teacherLogits, double temperature, int classDim, Reduction reduction) {
        String loss = "distill_kl";
        LossChecks.requireFloating(loss, "student logits", studentLogits);
        LossChecks.requireFloating(loss, "teacher logits", teacherLogits);
        LossChecks.requireSameShape(loss, "student logits", studentLogits.shape(), "teacher logits", teacherLogits.shape());
        if (!(temperature > 0)) throw new IllegalArgumentException(loss + ": temperature must be > 0, got " + temperature);
        if (studentLogits.dim() == 0)
            throw new IllegalArgumentException(loss + ": logits need a class dim, got shape " + Shape.str(studentLogits.shape()));
        Tensor temp = Tensor.scalar(temperature, studentLogits.dtype());
        Var studentLogProbs = studentLogits.div(temp).logSoftmax(classDim);
        Tensor teacherProbs = LossChecks.as(teacherLogits, studentLogits.dtype()).div(temp).softmax(classDim);
        return KlDivLoss.klDiv(studentLogProbs, teacherProbs, reduction, false).mul(temperature * temperature);
    }
}
