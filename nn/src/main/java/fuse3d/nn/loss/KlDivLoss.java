package fuse3d.nn.loss;

import fuse3d.autograd.Var;
import fuse3d.tensor.Tensor;

/**
 * Kullback-Leibler divergence with PyTorch's argument order: the twin of {@code torch.nn.functional.kl_div(input,
 * target, reduction, log_target)}, where {@code input} holds log-probabilities (e.g. log_softmax of the student)
 * and {@code target} probabilities, or log-probabilities when {@code logTarget}.
 *
 * <p>Per element: {@code xlogy(t, t) - t * input} (with {@code 0 log 0 = 0}), or {@code exp(t) * (t - input)} for
 * log targets; the gradient w.r.t. input is {@code -t} (resp. {@code -exp(t)}). Reductions: 'none', 'sum', 'mean'
 * (over all elements, which is not the KL divergence of the distributions: PyTorch warns), and 'batchmean' (the
 * sum divided by the size of dim 0, the true KL per sample; for a 0-d input it is 'mean' as in PyTorch). The
 * target is a constant and must have the input's shape.
 */
public final class KlDivLoss {
    private KlDivLoss() {}

    public static Var klDiv(Var input, Tensor target, Reduction reduction) { return klDiv(input, target, reduction, false); }

    public static Var klDiv(Var input, Tensor target, Reduction reduction, boolean logTarget) {
        String loss = "kl_div";
        LossChecks.requireFloating(loss, "input", input);
        LossChecks.requireFloating(loss, "target", target);
        LossChecks.requireSameShape(loss, "input", input.shape(), "target", target.shape());
        Tensor t = LossChecks.as(target, input.dtype());
        Var perElement;
        if (logTarget) {
            perElement = input.neg().add(t).mul(t.exp());
        } else {
            // xlogy(t, t): 0 where t == 0 (no mass, no cost); t log t elsewhere (NaN for a negative t, as torch)
            Tensor tLogT = Tensor.where(t.eq(0.0), Tensor.scalar(0.0, t.dtype()), t.mul(t.log()));
            perElement = input.mul(t).neg().add(tLogT);
        }
        return switch (reduction) {
            case BATCHMEAN -> input.dim() == 0 ? perElement.mean()
                    : perElement.sum().div(Tensor.scalar(input.size(0), input.dtype()));
            default -> reduction.apply(perElement, loss);
        };
    }
}
