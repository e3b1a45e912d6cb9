package fuse3d.sparse.voxel;

import fuse3d.autograd.Var;
import fuse3d.tensor.Tensor;

/**
 * What a dynamic VFE hands on: one feature row per non-empty voxel and its coordinate.
 *
 * @param features [M, C]
 * @param coords   int32 [M, 4] (batch, z, y, x)
 */
public record VoxelFeatures(Var features, Tensor coords) {
    public int count() { return coords.size(0); }
}
