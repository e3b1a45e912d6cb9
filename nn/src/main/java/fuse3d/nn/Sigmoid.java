package fuse3d.nn;

import fuse3d.autograd.Var;

/** torch.nn.Sigmoid: 1 / (1 + exp(-x)). */
public final class Sigmoid extends Layer {
    @Override
    protected Var forward(Var x) { return x.sigmoid(); }
}
