package fuse3d.models.roi;

import fuse3d.autograd.Var;
import fuse3d.sparse.points.RoiGridPool;
import fuse3d.tensor.Tensor;

/**
 * A scene transform one refinement stage pools under (TED / CMF-IoU's X_TRANS): RoIs and the stream's voxels are
 * moved into the transformed scene before pooling, and the boxes the stage predicts are moved back.
 *
 * <p>Implementations are registered by name in {@link SceneTransforms}. A transform that cannot be applied to voxel
 * coordinates on the grid (a rotation) throws from {@link #voxels}; the caller then hands the head voxel sets already
 * computed in the transformed scene (see {@link RoiHead}), and only the box maps are used.
 */
public interface SceneTransform {
    /** The registered name. */
    String name();

    /** Boxes [..., 7+] (x, y, z, dx, dy, dz, heading, ...) into the transformed scene; a new tensor. */
    Tensor boxes(Tensor boxes);

    /** Predicted boxes [N, 7] from the transformed scene back to the original one, differentiably. */
    Var undoBoxes(Var boxes);

    /**
     * A voxel set of the original scene in the transformed scene (same features, moved coordinates).
     *
     * @param voxelSize       (vx, vy, vz) of the input voxel grid
     * @param pointCloudRange (x0, y0, z0, x1, y1, z1)
     */
    RoiGridPool.VoxelSet voxels(RoiGridPool.VoxelSet set, double[] voxelSize, double[] pointCloudRange);
}
