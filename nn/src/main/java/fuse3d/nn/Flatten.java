package fuse3d.nn;

import fuse3d.autograd.Var;

/** torch.nn.Flatten: merges dims startDim..endDim into one (by default all but the batch dim). */
public final class Flatten extends Layer {
    private final int startDim, endDim;

    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    /** start_dim 1, end_dim -1: [N, ...] to [N, prod(...)]. */
    public Flatten() { this(1, -1); }

    @Override
    protected Var forward(Var x) { return x.flatten(startDim, endDim); }

    @Override
    protected String extraRepr() { return "start_dim=" + startDim + ", end_dim=" + endDim; }
}
