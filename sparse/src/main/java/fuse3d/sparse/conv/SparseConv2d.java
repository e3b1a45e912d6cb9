package fuse3d.sparse.conv;

import fuse3d.tensor.Generator;

/**
 * spconv's SparseConv2d: a regular sparse convolution (usually strided, to downsample); its output sites are
 * every site of the output grid whose receptive field holds an active input.
 */
public final class SparseConv2d extends SparseConvolution {
    public SparseConv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean bias,
                        String indiceKey, Generator g) {
        super(2, Type.REGULAR, inChannels, outChannels, kernelSize, stride == null ? fill(2, 1) : stride,
                padding == null ? fill(2, 0) : padding, dilation == null ? fill(2, 1) : dilation, bias, indiceKey, g);
    }

    public SparseConv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding, boolean bias, String indiceKey,
                        Generator g) {
        this(inChannels, outChannels, fill(2, kernelSize), fill(2, stride), fill(2, padding), null, bias, indiceKey, g);
    }
}
