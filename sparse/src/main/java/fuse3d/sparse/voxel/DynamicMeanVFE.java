package fuse3d.sparse.voxel;

import fuse3d.autograd.GradMode;
import fuse3d.autograd.Var;
import fuse3d.nn.Module;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.Arrays;

/**
 * OpenPCDet's DynamicMeanVFE: the mean of all points of each voxel (no per-voxel cap), from the raw point list
 * with its batch column. Points outside the grid on any axis, or with a NaN coordinate, are dropped. Voxels are
 * ordered as OpenPCDet's torch.unique of batch * nx*ny*nz + x * ny*nz + y * nz + z orders them (batch, x, y, z);
 * coordinates come out as (batch, z, y, x). Computed without gradient, as OpenPCDet's forward is
 * {@code @torch.no_grad}.
 */
public final class DynamicMeanVFE extends Module {
    private final int numPointFeatures;
    private final VoxelGrid grid;

    /** @param numPointFeatures the columns of a point without the batch column */
    public DynamicMeanVFE(int numPointFeatures, VoxelGrid grid) {
        if (numPointFeatures < 3)
            throw new IllegalArgumentException("DynamicMeanVFE: num_point_features must be >= 3 (x, y, z, ...), got " + numPointFeatures);
        this.numPointFeatures = numPointFeatures;
        this.grid = grid;
    }

    public int outputFeatureDim() { return numPointFeatures; }

    /**
     * @param points [N, 1 + F] (batch, x, y, z, ...)
     * @return voxel features [M, F] (point means) and coords int32 [M, 4] (batch, z, y, x)
     */
    public VoxelFeatures forward(Tensor points) {
        int[] s = points.shape();
        if (s.length != 2 || s[1] != numPointFeatures + 1)
            throw new IllegalArgumentException("DynamicMeanVFE: expects points [N, " + (numPointFeatures + 1) + "] (batch, x, y, z, ...), got " + Shape.str(s));
        Tensor zyx = new DynamicVoxelizer(grid).batchedPointCoords(points);
        int n = s[0];
        int[] c = zyx.toIntArray();
        int[] bxyz = new int[n * 4];
        for (int i = 0; i < n; i++) {
            bxyz[i * 4] = c[i * 4];
            bxyz[i * 4 + 1] = c[i * 4 + 3];
            bxyz[i * 4 + 2] = c[i * 4 + 2];
            bxyz[i * 4 + 3] = c[i * 4 + 1];
        }
        DynamicScatter.Result r;
        try (GradMode.Scope _ = GradMode.noGrad()) {
            r = DynamicScatter.scatter(Var.of(points.narrow(1, 1, numPointFeatures)), Tensor.ofInts(bxyz, n, 4), DynamicScatter.Reduce.MEAN);
        }
        int m = r.coords().size(0);
        int[] u = r.coords().toIntArray(), coords = new int[m * 4];
        for (int v = 0; v < m; v++) {
            coords[v * 4] = u[v * 4];
            coords[v * 4 + 1] = u[v * 4 + 3];
            coords[v * 4 + 2] = u[v * 4 + 2];
            coords[v * 4 + 3] = u[v * 4 + 1];
        }
        return new VoxelFeatures(r.features(), Tensor.ofInts(coords, m, 4));
    }

    @Override
    protected String extraRepr() { return "num_point_features=" + numPointFeatures + ", grid=" + Arrays.toString(grid.gridSize()); }
}
