package fuse3d.nn;

import fuse3d.autograd.Var;

/** torch.nn.LeakyReLU: x for x >= 0, negative_slope x below. */
public final class LeakyReLU extends Layer {
    private final double negativeSlope;

    public LeakyReLU(double negativeSlope) { this.negativeSlope = negativeSlope; }

    /** negative_slope 0.01, PyTorch's default. */
    public LeakyReLU() { this(0.01); }

    public double negativeSlope() { return negativeSlope; }

    @Override
    protected Var forward(Var x) { return x.leakyRelu(negativeSlope); }

    @Override
    protected String extraRepr() { return "negative_slope=" + negativeSlope; }
}
