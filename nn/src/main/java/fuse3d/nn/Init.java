package fuse3d.nn;

import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;

/** Parameter initialisers with PyTorch's formulas; every one draws from an explicit seeded generator. */
public final class Init {
    private Init() {}

    /** fan_in of a weight [out, in, k...] (Linear and Conv layout): in * prod(k). */
    public static int fanIn(int[] weightShape) {
        int f = weightShape.length > 1 ? weightShape[1] : 1;
        for (int i = 2; i < weightShape.length; i++) f *= weightShape[i];
        return f;
    }

    /** fan_out of a weight [out, in, k...]: out * prod(k). */
    public static int fanOut(int[] weightShape) {
        int f = weightShape[0];
        for (int i = 2; i < weightShape.length; i++) f *= weightShape[i];
        return f;
    }

    /** U(-bound, bound). */
    public static Tensor uniform(Generator g, double bound, int... shape) { return g.uniform(-bound, bound, shape); }

    /**
     * PyTorch's default for Linear and Conv weights, kaiming_uniform_(a = sqrt(5)): the gain sqrt(2 / (1 + a^2))
     * times sqrt(3 / fan_in) gives the bound 1 / sqrt(fan_in).
     */
    public static Tensor defaultWeight(Generator g, int... shape) { return uniform(g, 1.0 / Math.sqrt(fanIn(shape)), shape); }

    /** PyTorch's default bias: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with the weight's fan_in. */
    public static Tensor defaultBias(Generator g, int fanIn, int size) { return uniform(g, fanIn > 0 ? 1.0 / Math.sqrt(fanIn) : 0, size); }

    /** kaiming_normal_(mode = fan_out, nonlinearity = relu), torchvision's ResNet conv init: N(0, sqrt(2 / fan_out)). */
    public static Tensor kaimingNormalFanOut(Generator g, int... shape) { return g.normal(0, Math.sqrt(2.0 / fanOut(shape)), shape); }

    /** xavier_uniform_: U(-a, a) with a = gain sqrt(6 / (fan_in + fan_out)). */
    public static Tensor xavierUniform(Generator g, double gain, int... shape) {
        return uniform(g, gain * Math.sqrt(6.0 / (fanIn(shape) + fanOut(shape))), shape);
    }

    /** xavier_normal_: N(0, std) with std = gain sqrt(2 / (fan_in + fan_out)). */
    public static Tensor xavierNormal(Generator g, double gain, int... shape) {
        return g.normal(0, gain * Math.sqrt(2.0 / (fanIn(shape) + fanOut(shape))), shape);
    }
}
