package fuse3d.nn;

import fuse3d.autograd.Var;

/** torch.nn.Tanh. */
public final class Tanh extends Layer {
    @Override
    protected Var forward(Var x) { return x.tanh(); }
}
