package fuse3d.sparse.voxel;

import java.util.Arrays;

/**
 * The voxel grid of a point-cloud range and a voxel size, as OpenPCDet's configs give them
 * ({@code POINT_CLOUD_RANGE: [xmin, ymin, zmin, xmax, ymax, zmax]}, {@code VOXEL_SIZE: [vx, vy, vz]}).
 *
 * <p>Arithmetic is float32, as spconv's {@code Point2VoxelCPU} (which OpenPCDet's voxel generator wraps) does it:
 * the grid has {@code round((max - min) / size)} cells per axis, and a point's cell is
 * {@code floor((p - min) / size)}; the point is inside when every cell index lies in {@code [0, grid)}. In real
 * numbers that is {@code min <= p < max} (a point exactly on the upper bound is outside), up to float32 rounding of
 * the division next to a boundary. A NaN coordinate has no cell, so such a point is outside (spconv's cast of
 * floor(NaN) to int gives INT_MIN on x86, which also fails its range test).
 */
public final class VoxelGrid {
    private final float[] min = new float[3], max = new float[3], size = new float[3];
    private final int[] grid = new int[3];
    // the config's values as given (Python floats in OpenPCDet): the VFEs' centre offsets use these
    private final double[] minD = new double[3], sizeD = new double[3];

    /**
     * @param pointCloudRange {xmin, ymin, zmin, xmax, ymax, zmax} in metres
     * @param voxelSize       {vx, vy, vz} in metres
     */
    public VoxelGrid(double[] pointCloudRange, double[] voxelSize) {
        if (pointCloudRange == null || pointCloudRange.length != 6 || voxelSize == null || voxelSize.length != 3)
            throw new IllegalArgumentException("VoxelGrid: expects a point-cloud range of 6 values and a voxel size of 3, got "
                    + Arrays.toString(pointCloudRange) + " and " + Arrays.toString(voxelSize));
        long cells = 1;
        for (int a = 0; a < 3; a++) {
            minD[a] = pointCloudRange[a];
            sizeD[a] = voxelSize[a];
            min[a] = (float) pointCloudRange[a];
            max[a] = (float) pointCloudRange[a + 3];
            size[a] = (float) voxelSize[a];
            if (!Float.isFinite(min[a]) || !Float.isFinite(max[a]) || !(max[a] > min[a]) || !(size[a] > 0) || !Float.isFinite(size[a]))
                throw new IllegalArgumentException("VoxelGrid: range " + Arrays.toString(pointCloudRange) + " and voxel size "
                        + Arrays.toString(voxelSize) + ": every axis needs finite min < max and a finite size > 0");
            float cellsOnAxis = (max[a] - min[a]) / size[a];
            grid[a] = Math.round(cellsOnAxis);
            if (grid[a] < 1)
                throw new IllegalArgumentException("VoxelGrid: range " + Arrays.toString(pointCloudRange) + " and voxel size "
                        + Arrays.toString(voxelSize) + " give " + grid[a] + " cells on axis " + "xyz".charAt(a));
            cells *= grid[a];
        }
        if (cells > (1L << 62))
            throw new IllegalArgumentException("VoxelGrid: " + Arrays.toString(grid) + " cells do not fit a 62-bit voxel key");
    }

    /** OpenPCDet's KITTI SECOND / Voxel R-CNN grid: range [0, -40, -3, 70.4, 40, 1], voxel 0.05 x 0.05 x 0.1 m (1408 x 1600 x 40). */
    public static VoxelGrid kitti() {
        return new VoxelGrid(new double[] {0, -40, -3, 70.4, 40, 1}, new double[] {0.05, 0.05, 0.1});
    }

    /** Cells along x, y, z (OpenPCDet's grid_size, in that order). */
    public int[] gridSize() { return grid.clone(); }

    public int nx() { return grid[0]; }

    public int ny() { return grid[1]; }

    public int nz() { return grid[2]; }

    /** {xmin, ymin, zmin, xmax, ymax, zmax} as float32. */
    public float[] pointCloudRange() { return new float[] {min[0], min[1], min[2], max[0], max[1], max[2]}; }

    /** {vx, vy, vz} as float32. */
    public float[] voxelSize() { return size.clone(); }

    /** The lower bound of axis a (0 = x, 1 = y, 2 = z). */
    public float min(int a) { return min[a]; }

    public float size(int a) { return size[a]; }

    /** The cell of coordinate v along axis a, or -1 when it is outside the grid (NaN included). */
    public int cell(float v, int a) {
        float c = (float) Math.floor((v - min[a]) / size[a]);
        // c >= 0 is false for NaN, so a NaN coordinate falls out here
        return c >= 0 && c < grid[a] ? (int) c : -1;
    }

    /**
     * The centre of cell c along axis a, computed as OpenPCDet's VFEs do, c * size + (size / 2 + min), from the
     * config's double values.
     */
    public double centre(int c, int a) { return c * sizeD[a] + (sizeD[a] / 2 + minD[a]); }

    /** The config's voxel size along axis a, as given (double). */
    public double sizeExact(int a) { return sizeD[a]; }

    /** The config's lower bound along axis a, as given (double). */
    public double minExact(int a) { return minD[a]; }

    /** A key that orders voxels by (z, y, x), unique per cell. */
    public long key(int z, int y, int x) { return ((long) z * grid[1] + y) * grid[0] + x; }

    @Override
    public String toString() {
        return "VoxelGrid(range " + Arrays.toString(pointCloudRange()) + ", voxel " + Arrays.toString(size) + ", grid " + Arrays.toString(grid) + ")";
    }
}
