package fuse3d.nn.loss;

import fuse3d.autograd.Var;
import java.util.Locale;

/**
 * How a loss turns its per-element values into the result: PyTorch's {@code reduction} argument.
 * {@link #BATCHMEAN} exists for {@code kl_div} only; every other loss refuses it.
 */
public enum Reduction {
    /** The per-element losses, unreduced. */
    NONE,
    /** Their mean (NaN for an empty input, as PyTorch). */
    MEAN,
    /** Their sum. */
    SUM,
    /** The sum divided by the size of dim 0 ({@code kl_div} only). */
    BATCHMEAN;

    /** PyTorch's spelling: "none", "mean", "sum" or "batchmean". */
    public static Reduction parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "none" -> NONE;
            case "mean" -> MEAN;
            case "sum" -> SUM;
            case "batchmean" -> BATCHMEAN;
            default -> throw new IllegalArgumentException("reduction: '" + s + "' is not a valid value; expected none, mean, sum or batchmean");
        };
    }

    /** PyTorch's spelling of this reduction. */
    public String torchName() { return name().toLowerCase(Locale.ROOT); }

    /**
     * Applies NONE / MEAN / SUM to per-element losses (PyTorch's {@code apply_loss_reduction}).
     *
     * @param loss the loss name, for the error when this is BATCHMEAN
     */
    Var apply(Var perElement, String loss) {
        return switch (this) {
            case NONE -> perElement;
            case MEAN -> perElement.mean();
            case SUM -> perElement.sum();
            case BATCHMEAN -> throw new IllegalArgumentException(loss + ": reduction 'batchmean' is only defined for kl_div; use none, mean or sum");
        };
    }
}
