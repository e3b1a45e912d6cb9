package fuse3d.nn;

import fuse3d.autograd.Convolution;
import fuse3d.autograd.Var;
import fuse3d.tensor.Generator;

/**
 * torch.nn.ConvTranspose3d over [N, C, D, H, W] (or unbatched [C, D, H, W]): weight [in, out/groups, kd, kh, kw] (PyTorch's transposed layout),
 * bias [out]; output size (in - 1) stride - 2 padding + dilation (k - 1) + output_padding + 1 per dim.
 */
public final class ConvTranspose3d extends ConvNd {
    /** The full form, in PyTorch's argument order; a one-entry array applies to every spatial dim. */
    public ConvTranspose3d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] outputPadding, int groups,
                           boolean bias, int[] dilation, Generator g) {
        super(3, true, inChannels, outChannels, kernelSize, stride, padding, outputPadding, dilation, groups, bias, g);
    }

    /** A cubic kernel with equal stride and padding in every dim, no output padding. */
    public ConvTranspose3d(int inChannels, int outChannels, int kernelSize, int stride, int padding, boolean bias, Generator g) {
        this(inChannels, outChannels, one(kernelSize), one(stride), one(padding), one(0), 1, bias, one(1), g);
    }

    /** Stride 1, no padding, with bias (PyTorch's defaults). */
    public ConvTranspose3d(int inChannels, int outChannels, int kernelSize, Generator g) { this(inChannels, outChannels, kernelSize, 1, 0, true, g); }

    @Override
    Var convolve(Var x, Var w, Var b, int[] stride, int[] padding, int[] dilation, int[] outputPadding, int groups) {
        return Convolution.convTranspose3d(x, w, b, stride, padding, outputPadding, groups, dilation);
    }
}
