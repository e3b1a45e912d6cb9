package fuse3d.sparse.conv;

import fuse3d.tensor.Generator;

/** spconv's SubMConv2d: a submanifold convolution, whose output sites are its input sites (the kernel centred on each). */
public final class SubMConv2d extends SparseConvolution {
    public SubMConv2d(int inChannels, int outChannels, int[] kernelSize, int[] dilation, boolean bias, String indiceKey, Generator g) {
        super(2, Type.SUBMANIFOLD, inChannels, outChannels, kernelSize, fill(2, 1), fill(2, 0),
                dilation == null ? fill(2, 1) : dilation, bias, indiceKey, g);
    }

    /** A cubic kernel, dilation 1 (spconv ignores padding for submanifold convolutions, so there is none to give). */
    public SubMConv2d(int inChannels, int outChannels, int kernelSize, boolean bias, String indiceKey, Generator g) {
        this(inChannels, outChannels, fill(2, kernelSize), null, bias, indiceKey, g);
    }
}
