package fuse3d.nn;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;

/**
 * Stateless layer functions (torch.nn.functional's counterparts) that the modules call; each is composed
 * from autograd ops, so its derivative comes by composition.
 */
public final class Functional {
    private Functional() {}

    /** y = x W^T + b for x [..., in], W [out, in], b [out] or null. */
    public static Var linear(Var x, Var weight, Var bias) {
        int in = weight.size(1);
        if (x.dim() == 0 || x.size(-1) != in)
            throw new IllegalArgumentException("linear: input " + Shape.str(x.shape()) + " does not end in the weight's in_features " + in
                    + " (weight " + Shape.str(weight.shape()) + ")");
        Var y = x.matmul(weight.t());
        return bias == null ? y : y.add(bias);
    }

    /**
     * Layer normalisation over the trailing dims {@code normalizedShape} with biased variance, as
     * torch.nn.functional.layer_norm; weight and bias (shaped as normalizedShape) may be null.
     */
    public static Var layerNorm(Var x, int[] normalizedShape, Var weight, Var bias, double eps) {
        int k = normalizedShape.length;
        int[] s = x.shape();
        if (k > s.length) throw new IllegalArgumentException("layer_norm: normalized_shape " + Shape.str(normalizedShape) + " longer than input " + Shape.str(s));
        for (int i = 0; i < k; i++)
            if (s[s.length - k + i] != normalizedShape[i])
                throw new IllegalArgumentException("layer_norm: input " + Shape.str(s) + " does not end in normalized_shape " + Shape.str(normalizedShape));
        int[] dims = new int[k];
        for (int i = 0; i < k; i++) dims[i] = s.length - k + i;
        Var centred = x.sub(x.mean(dims, true));
        Var variance = centred.square().mean(dims, true);
        Var y = centred.mul(variance.add(eps).rsqrt());
        if (weight != null) y = y.mul(weight);
        if (bias != null) y = y.add(bias);
        return y;
    }

    /**
     * Inverted dropout: in training, zeroes each element with probability p and scales the rest by 1/(1-p);
     * otherwise (or p == 0) returns x unchanged.
     */
    public static Var dropout(Var x, double p, boolean training, Generator g) {
        if (p < 0 || p > 1) throw new IllegalArgumentException("dropout: probability must be in [0, 1], got " + p);
        if (!training || p == 0) return x;
        if (p == 1) return x.mul(0.0);
        Tensor keep = g.bernoulli(1 - p, x.shape()).to(x.dtype() == DType.FLOAT64 ? DType.FLOAT64 : DType.FLOAT32);
        return x.mul(keep.mul(1.0 / (1 - p)));
    }
}
