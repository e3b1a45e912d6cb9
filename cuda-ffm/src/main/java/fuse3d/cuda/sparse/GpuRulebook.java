package fuse3d.cuda.sparse;

import fuse3d.cuda.backend.CudaTensors;
import fuse3d.tensor.Tensor;

/**
 * A sparse-convolution rulebook built on the GPU ({@link CudaSparse#submanifold}, {@link CudaSparse#regular}): the
 * pairs of offset k are {@code [pairStart[k], pairStart[k + 1])} of pairIn / pairOut (device int32), in the same order
 * as fuse3d.sparse.conv.Rulebook; outIndices [numOut, 1 + nd] (device int32) are the output sites.
 */
public record GpuRulebook(boolean submanifold, int[] kernelSize, int[] pairStart, Tensor pairIn, Tensor pairOut, int numIn, int numOut,
                          Tensor outIndices, int[] outSpatialShape) {
    public int kernelVolume() { return pairStart.length - 1; }

    public int pairCount(int k) { return pairStart[k + 1] - pairStart[k]; }

    /** The pairs of offset k on the host, {in[], out[]}, as Rulebook.pairs(k) gives them. */
    public int[][] pairs(int k) {
        int[] in = CudaTensors.download(pairIn).contiguous().toIntArray(), out = CudaTensors.download(pairOut).contiguous().toIntArray();
        return new int[][] {java.util.Arrays.copyOfRange(in, pairStart[k], pairStart[k + 1]),
                java.util.Arrays.copyOfRange(out, pairStart[k], pairStart[k + 1])};
    }
}
