package fuse3d.sparse.voxel;

import fuse3d.tensor.Tensor;

/**
 * Dynamic voxelization (mmcv's {@code dynamic_voxelize}, used by mmdet3d's and OpenPCDet's dynamic VFEs): every
 * point gets its voxel coordinate, no point is dropped for capacity. The voxels themselves come from
 * {@link DynamicScatter}, which groups the points by coordinate.
 */
public final class DynamicVoxelizer {
    private final VoxelGrid grid;

    public DynamicVoxelizer(VoxelGrid grid) { this.grid = grid; }

    public VoxelGrid grid() { return grid; }

    /**
     * The voxel of each point.
     *
     * @param points float32 or float64 [N, F], F >= 3 (x, y, z first)
     * @return int32 [N, 3] (z, y, x); a point outside the grid (or with a NaN coordinate) gets (-1, -1, -1)
     */
    public Tensor pointCoords(Tensor points) {
        Voxelizer.checkPoints("dynamic_voxelize", points);
        int n = points.size(0), f = points.size(1);
        // the cell is computed from float32 coordinates, as for hard voxelization, so both agree on every point
        float[] xyz = points.narrow(1, 0, 3).toFloatArray();
        int[] out = new int[n * 3];
        for (int i = 0; i < n; i++) {
            int cx = grid.cell(xyz[i * 3], 0), cy = grid.cell(xyz[i * 3 + 1], 1), cz = grid.cell(xyz[i * 3 + 2], 2);
            boolean in = cx >= 0 && cy >= 0 && cz >= 0;
            out[i * 3] = in ? cz : -1;
            out[i * 3 + 1] = in ? cy : -1;
            out[i * 3 + 2] = in ? cx : -1;
        }
        return Tensor.ofInts(out, n, 3);
    }

    /** The voxel of each point with OpenPCDet's batch column: points [N, 1 + F] (batch, x, y, z, ...) to int32 [N, 4] (batch, z, y, x). */
    public Tensor batchedPointCoords(Tensor points) {
        if (points.dim() != 2 || points.size(1) < 4)
            throw new IllegalArgumentException("dynamic_voxelize: expects batched points [N, 1 + F] (batch, x, y, z, ...), got "
                    + fuse3d.tensor.Shape.str(points.shape()));
        Tensor zyx = pointCoords(points.narrow(1, 1, points.size(1) - 1));
        int n = points.size(0);
        double[] b = points.select(1, 0).toDoubleArray();
        int[] c = zyx.toIntArray(), out = new int[n * 4];
        for (int i = 0; i < n; i++) {
            if (!(b[i] >= 0) || b[i] >= Integer.MAX_VALUE)
                throw new IllegalArgumentException("dynamic_voxelize: point " + i + " has batch index " + b[i] + " (points " + fuse3d.tensor.Shape.str(points.shape()) + ")");
            boolean in = c[i * 3] >= 0;
            // OpenPCDet's points[:, 0].int(): truncation
            out[i * 4] = in ? (int) b[i] : -1;
            System.arraycopy(c, i * 3, out, i * 4 + 1, 3);
        }
        return Tensor.ofInts(out, n, 4);
    }
}
