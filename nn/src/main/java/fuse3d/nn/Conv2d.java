package fuse3d.nn;

import fuse3d.autograd.Convolution;
import fuse3d.autograd.Var;
import fuse3d.tensor.Generator;

/** torch.nn.Conv2d over [N, C, H, W] (or unbatched [C, H, W]): weight [out, in/groups, kh, kw], bias [out]. */
public final class Conv2d extends ConvNd {
    /** The full form; a one-entry array applies to every spatial dim. */
    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation, int groups, boolean bias,
                  Generator g) {
        super(2, false, inChannels, outChannels, kernelSize, stride, padding, null, dilation, groups, bias, g);
    }

    /** A square kernel with equal stride and padding in every dim. */
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding, boolean bias, Generator g) {
        this(inChannels, outChannels, one(kernelSize), one(stride), one(padding), one(1), 1, bias, g);
    }

    /** Stride 1, no padding, with bias (PyTorch's defaults). */
    public Conv2d(int inChannels, int outChannels, int kernelSize, Generator g) { this(inChannels, outChannels, kernelSize, 1, 0, true, g); }

    @Override
    Var convolve(Var x, Var w, Var b, int[] stride, int[] padding, int[] dilation, int[] outputPadding, int groups) {
        return Convolution.conv2d(x, w, b, stride, padding, dilation, groups);
    }
}
