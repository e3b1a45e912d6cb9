package fuse3d.nn;

import fuse3d.autograd.Var;
import fuse3d.tensor.Generator;

/** torch.nn.Linear: weight [out, in], bias [out]; PyTorch's default initialisation. */
public final class Linear extends Layer {
    public final int inFeatures, outFeatures;

    public Linear(int inFeatures, int outFeatures, boolean bias, Generator g) {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new IllegalArgumentException("Linear: features must be positive, got in " + inFeatures + ", out " + outFeatures);
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        registerParameter("weight", Init.defaultWeight(g, outFeatures, inFeatures));
        if (bias) registerParameter("bias", Init.defaultBias(g, inFeatures, outFeatures));
    }

    public Linear(int inFeatures, int outFeatures, Generator g) { this(inFeatures, outFeatures, true, g); }

    public Var weight() { return parameter("weight"); }

    public Var bias() { return parameter("bias"); }

    @Override
    protected Var forward(Var x) { return Functional.linear(x, weight(), bias()); }

    @Override
    protected String extraRepr() { return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + (bias() != null); }
}
