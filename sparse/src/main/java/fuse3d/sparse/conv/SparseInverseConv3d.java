package fuse3d.sparse.conv;

import fuse3d.tensor.Generator;

/**
 * spconv's SparseInverseConv3d: undoes the SparseConv3d cached under the same indice key, mapping its output
 * sites back onto its input sites through the same rulebook with inputs and outputs swapped (dense
 * equivalent: conv_transpose3d read at the original sites). The kernel size must match that convolution's.
 */
public final class SparseInverseConv3d extends SparseConvolution {
    public SparseInverseConv3d(int inChannels, int outChannels, int[] kernelSize, boolean bias, String indiceKey, Generator g) {
        super(3, Type.INVERSE, inChannels, outChannels, kernelSize, fill(3, 1), fill(3, 0), fill(3, 1), bias, indiceKey, g);
    }

    public SparseInverseConv3d(int inChannels, int outChannels, int kernelSize, boolean bias, String indiceKey, Generator g) {
        this(inChannels, outChannels, fill(3, kernelSize), bias, indiceKey, g);
    }
}
