package fuse3d.nn;

import fuse3d.autograd.Var;

/** torch.nn.SiLU (swish): x sigmoid(x). */
public final class SiLU extends Layer {
    @Override
    protected Var forward(Var x) { return x.silu(); }
}
