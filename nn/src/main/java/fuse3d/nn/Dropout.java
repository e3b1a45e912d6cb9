package fuse3d.nn;

import fuse3d.autograd.Var;
import fuse3d.tensor.Generator;

/** torch.nn.Dropout (inverted dropout, active in training mode only), drawing masks from its own seeded generator. */
public final class Dropout extends Layer {
    private final double p;
    private final Generator generator;

    public Dropout(double p, Generator g) {
        if (p < 0 || p > 1) throw new IllegalArgumentException("Dropout: probability must be in [0, 1], got " + p);
        this.p = p;
        this.generator = g;
    }

    public double p() { return p; }

    @Override
    protected Var forward(Var x) { return Functional.dropout(x, p, isTraining(), generator); }

    @Override
    protected String extraRepr() { return "p=" + p; }
}
