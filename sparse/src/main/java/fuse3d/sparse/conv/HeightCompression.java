package fuse3d.sparse.conv;

import fuse3d.autograd.Var;
import java.util.Arrays;

/**
 * OpenPCDet's HeightCompression (map_to_bev): the encoded sparse tensor made dense, [B, C, D, H, W], with the
 * height folded into the channels, [B, C * D, H, W] (channel c * D + z), the BEV map of the 2D backbone.
 */
public final class HeightCompression {
    private final int numBevFeatures;

    /** @param numBevFeatures the config's NUM_BEV_FEATURES, C * D (256 for VoxelBackBone8x on KITTI: 128 x 2) */
    public HeightCompression(int numBevFeatures) {
        if (numBevFeatures <= 0) throw new IllegalArgumentException("HeightCompression: NUM_BEV_FEATURES must be positive, got " + numBevFeatures);
        this.numBevFeatures = numBevFeatures;
    }

    public int numBevFeatures() { return numBevFeatures; }

    /** spatial_features [B, C * D, H, W], differentiable in the sparse features. */
    public Var apply(SparseTensor encoded) {
        if (encoded.ndim() != 3)
            throw new IllegalArgumentException("HeightCompression: expects a 3-d sparse tensor, got " + encoded);
        int[] s = encoded.spatialShape();
        int c = encoded.channels();
        if (c * s[0] != numBevFeatures)
            throw new IllegalArgumentException("HeightCompression: " + c + " channels x height " + s[0] + " (spatial " + Arrays.toString(s)
                    + ") give " + c * s[0] + " BEV features, NUM_BEV_FEATURES is " + numBevFeatures);
        return encoded.dense().reshape(encoded.batchSize(), c * s[0], s[1], s[2]);
    }
}
