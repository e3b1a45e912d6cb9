package fuse3d.nn;

import fuse3d.autograd.Var;

/** torch.nn.Softmax along one dim; the dim is required, as PyTorch's implicit choice is deprecated. */
public final class Softmax extends Layer {
    private final int dim;

    public Softmax(int dim) { this.dim = dim; }

    public int dim() { return dim; }

    @Override
    protected Var forward(Var x) { return x.softmax(dim); }

    @Override
    protected String extraRepr() { return "dim=" + dim; }
}
