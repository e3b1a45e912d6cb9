package fuse3d.sparse.conv;

import fuse3d.tensor.Generator;

/**
 * spconv's SparseInverseConv2d: undoes the SparseConv2d cached under the same indice key, mapping its output
 * sites back onto its input sites through the same rulebook with inputs and outputs swapped (dense
 * equivalent: conv_transpose2d read at the original sites). The kernel size must match that convolution's.
 */
public final class SparseInverseConv2d extends SparseConvolution {
    public SparseInverseConv2d(int inChannels, int outChannels, int[] kernelSize, boolean bias, String indiceKey, Generator g) {
        super(2, Type.INVERSE, inChannels, outChannels, kernelSize, fill(2, 1), fill(2, 0), fill(2, 1), bias, indiceKey, g);
    }

    public SparseInverseConv2d(int inChannels, int outChannels, int kernelSize, boolean bias, String indiceKey, Generator g) {
        this(inChannels, outChannels, fill(2, kernelSize), bias, indiceKey, g);
    }
}
