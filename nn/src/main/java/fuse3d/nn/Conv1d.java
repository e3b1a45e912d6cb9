package fuse3d.nn;

import fuse3d.autograd.Convolution;
import fuse3d.autograd.Var;
import fuse3d.tensor.Generator;

/** torch.nn.Conv1d over [N, C, L] (or unbatched [C, L]): weight [out, in/groups, k], bias [out]. */
public final class Conv1d extends ConvNd {
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int dilation, int groups, boolean bias, Generator g) {
        super(1, false, inChannels, outChannels, one(kernelSize), one(stride), one(padding), null, one(dilation), groups, bias, g);
    }

    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding, boolean bias, Generator g) {
        this(inChannels, outChannels, kernelSize, stride, padding, 1, 1, bias, g);
    }

    public Conv1d(int inChannels, int outChannels, int kernelSize, Generator g) { this(inChannels, outChannels, kernelSize, 1, 0, 1, 1, true, g); }

    @Override
    Var convolve(Var x, Var w, Var b, int[] stride, int[] padding, int[] dilation, int[] outputPadding, int groups) {
        return Convolution.conv1d(x, w, b, stride[0], padding[0], dilation[0], groups);
    }
}
