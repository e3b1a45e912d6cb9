package fuse3d.nn;

import fuse3d.autograd.Var;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;

/** torch.nn.GroupNorm: per-sample normalisation over groups of channels, then per-channel weight (ones) and bias (zeros). */
public final class GroupNorm extends Layer {
    public final int numGroups, numChannels;
    private final double eps;
    private final boolean affine;

    public GroupNorm(int numGroups, int numChannels, double eps, boolean affine) {
        if (numGroups <= 0 || numChannels <= 0 || numChannels % numGroups != 0)
            throw new IllegalArgumentException("GroupNorm: num_channels " + numChannels + " must be a positive multiple of num_groups " + numGroups);
        this.numGroups = numGroups;
        this.numChannels = numChannels;
        this.eps = eps;
        this.affine = affine;
        if (affine) {
            registerParameter("weight", Tensor.ones(numChannels));
            registerParameter("bias", Tensor.zeros(numChannels));
        }
    }

    /** eps 1e-5, affine (PyTorch's defaults). */
    public GroupNorm(int numGroups, int numChannels) { this(numGroups, numChannels, 1e-5, true); }

    public Var weight() { return parameter("weight"); }

    public Var bias() { return parameter("bias"); }

    @Override
    protected Var forward(Var x) {
        if (x.dim() < 2 || x.size(1) != numChannels)
            throw new IllegalArgumentException(this + ": expected an input [N, " + numChannels + ", ...], got " + Shape.str(x.shape()));
        return Functional.groupNorm(x, numGroups, parameter("weight"), parameter("bias"), eps);
    }

    @Override
    protected String extraRepr() { return numGroups + ", " + numChannels + ", eps=" + eps + ", affine=" + BatchNorm.py(affine); }
}
