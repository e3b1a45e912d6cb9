package fuse3d.sparse.points;

import fuse3d.autograd.Var;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Voxel R-CNN's RoI-grid pooling (VoxelRCNNHead.roi_grid_pool): grid points in every RoI, their voxel
 * coordinates at each source's stride, and one {@link NeighborVoxelSAModuleMSG} per source feature volume; the
 * per-source features are concatenated per grid point.
 */
public final class RoiGridPool {
    private RoiGridPool() {}

    /**
     * One sparse feature volume of the 3D backbone (x_conv3, x_conv4, ...) as plain tensors.
     *
     * @param coords       integer [N, 4] (batch, z, y, x)
     * @param features     [N, C]
     * @param spatialShape (Z, Y, X) at this stride
     * @param stride       downsampling relative to the input voxel grid (multi_scale_3d_strides)
     */
    public record VoxelSet(Tensor coords, Var features, int[] spatialShape, int batchSize, int stride) {
        public VoxelSet {
            if (coords.dim() != 2 || features.dim() != 2 || coords.size(0) != features.size(0))
                throw new IllegalArgumentException("RoiGridPool: voxel coords " + Shape.str(coords.shape()) + " and features "
                        + Shape.str(features.shape()) + " must be [N, 4] and [N, C]");
        }
    }

    /**
     * @param rois       [B, R, 7+] (padding RoIs are pooled too, as in the reference)
     * @param gridSize   GRID_SIZE (6 in Voxel R-CNN)
     * @param voxelSize  (vx, vy, vz) of the input voxel grid
     * @param pointCloudRange (x0, y0, z0, x1, y1, z1)
     * @param sources    the feature volumes, in FEATURES_SOURCE order
     * @param layers     one pooling layer per source
     * @return [B · R, g³, Σ C] pooled features
     */
    public static Var pool(Tensor rois, int gridSize, double[] voxelSize, double[] pointCloudRange, List<VoxelSet> sources,
                           List<NeighborVoxelSAModuleMSG> layers) {
        String op = "roi_grid_pool";
        Checks.atLeastColumns(op, "rois", rois, 3, 7);
        if (sources.size() != layers.size() || sources.isEmpty())
            throw new IllegalArgumentException(op + ": need one pooling layer per source, got " + sources.size() + " sources and " + layers.size() + " layers");
        int b = rois.size(0), r = rois.size(1), g3 = gridSize * gridSize * gridSize;
        Tensor gridXyz = RoiGridPoints.global(rois.reshape(b * r, rois.size(2)), gridSize).reshape(b * r * g3, 3);
        int[] batch = new int[b * r * g3];
        for (int i = 0; i < batch.length; i++) batch[i] = i / (r * g3);
        List<Var> pooled = new ArrayList<>();
        for (int k = 0; k < sources.size(); k++) {
            VoxelSet s = sources.get(k);
            if (s.batchSize() != b)
                throw new IllegalArgumentException(op + ": source " + k + " has batch size " + s.batchSize() + ", rois " + Shape.str(rois.shape()) + " have " + b);
            Tensor centers = VoxelQuery.voxelCenters(s.coords(), voxelSize, pointCloudRange, s.stride());
            VoxelQuery.VoxelIndex index = new VoxelQuery.VoxelIndex(s.coords(), s.spatialShape(), s.batchSize());
            Tensor coords = VoxelQuery.gridCoords(gridXyz, batch, voxelSize, pointCloudRange, s.stride());
            Var f = layers.get(k).forward(centers, s.features(), gridXyz, coords, index);
            pooled.add(f.reshape(b * r, g3, f.size(1)));
        }
        return pooled.size() == 1 ? pooled.get(0) : Var.cat(2, pooled);
    }
}
