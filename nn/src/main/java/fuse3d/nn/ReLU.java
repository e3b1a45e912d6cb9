package fuse3d.nn;

import fuse3d.autograd.Var;

/** torch.nn.ReLU: max(x, 0). */
public final class ReLU extends Layer {
    @Override
    protected Var forward(Var x) { return x.relu(); }
}
