package fuse3d.nn;

import fuse3d.autograd.Convolution;
import fuse3d.autograd.Var;
import fuse3d.tensor.Generator;

/** torch.nn.Conv3d over [N, C, D, H, W] (or unbatched [C, D, H, W]): weight [out, in/groups, kd, kh, kw], bias [out]. */
public final class Conv3d extends ConvNd {
    /** The full form; a one-entry array applies to every spatial dim. */
    public Conv3d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation, int groups, boolean bias,
                  Generator g) {
        super(3, false, inChannels, outChannels, kernelSize, stride, padding, null, dilation, groups, bias, g);
    }

    /** A cubic kernel with equal stride and padding in every dim. */
    public Conv3d(int inChannels, int outChannels, int kernelSize, int stride, int padding, boolean bias, Generator g) {
        this(inChannels, outChannels, one(kernelSize), one(stride), one(padding), one(1), 1, bias, g);
    }

    /** Stride 1, no padding, with bias (PyTorch's defaults). */
    public Conv3d(int inChannels, int outChannels, int kernelSize, Generator g) { this(inChannels, outChannels, kernelSize, 1, 0, true, g); }

    @Override
    Var convolve(Var x, Var w, Var b, int[] stride, int[] padding, int[] dilation, int[] outputPadding, int groups) {
        return Convolution.conv3d(x, w, b, stride, padding, dilation, groups);
    }
}
