package fuse3d.nn;

import fuse3d.autograd.Var;

/** torch.nn.GELU: x Phi(x) exactly (approximate "none") or with the tanh approximation (approximate "tanh"). */
public final class GELU extends Layer {
    private final String approximate;

    public GELU(String approximate) {
        if (!approximate.equals("none") && !approximate.equals("tanh"))
            throw new IllegalArgumentException("GELU: approximate must be 'none' or 'tanh', got '" + approximate + "'");
        this.approximate = approximate;
    }

    /** The exact form (approximate "none"), PyTorch's default. */
    public GELU() { this("none"); }

    public String approximate() { return approximate; }

    @Override
    protected Var forward(Var x) { return approximate.equals("tanh") ? x.geluTanh() : x.gelu(); }

    @Override
    protected String extraRepr() { return "approximate='" + approximate + "'"; }
}
