package fuse3d.sparse.conv;

import fuse3d.tensor.Generator;

/**
 * spconv's SparseConv3d: a regular sparse convolution (usually strided, to downsample); its output sites are
 * every site of the output grid whose receptive field holds an active input.
 */
public final class SparseConv3d extends SparseConvolution {
    public SparseConv3d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean bias,
                        String indiceKey, Generator g) {
        super(3, Type.REGULAR, inChannels, outChannels, kernelSize, stride == null ? fill(3, 1) : stride,
                padding == null ? fill(3, 0) : padding, dilation == null ? fill(3, 1) : dilation, bias, indiceKey, g);
    }

    public SparseConv3d(int inChannels, int outChannels, int kernelSize, int stride, int padding, boolean bias, String indiceKey,
                        Generator g) {
        this(inChannels, outChannels, fill(3, kernelSize), fill(3, stride), fill(3, padding), null, bias, indiceKey, g);
    }
}
