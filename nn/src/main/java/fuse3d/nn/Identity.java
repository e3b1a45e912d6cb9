package fuse3d.nn;

import fuse3d.autograd.Var;

/** torch.nn.Identity: returns its input, as a placeholder where a layer is optional (a ResNet without its head). */
public final class Identity extends Layer {
    @Override
    protected Var forward(Var x) { return x; }
}
