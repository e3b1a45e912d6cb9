package fuse3d.sparse.voxel;

import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import java.util.Arrays;

/**
 * Hard voxelization as OpenPCDet does it with spconv's {@code Point2VoxelCPU3d}: at most
 * {@code maxPointsPerVoxel} points per voxel and {@code maxVoxels} voxels, first come first served.
 *
 * <p>Points are visited in order. A point outside the grid (see {@link VoxelGrid}: {@code min <= p < max} per
 * axis in float32, NaN coordinates outside) is dropped. A point in a voxel not seen before opens the next voxel,
 * unless {@code maxVoxels} are open already, in which case the point is dropped; later points of the open voxels
 * are still taken. A point beyond its voxel's {@code maxPointsPerVoxel} is dropped. So voxels are numbered in the
 * order of their first point, and each voxel keeps its first points in input order. Every feature column of the
 * point is copied (x, y, z first); padding rows are zero.
 */
public final class Voxelizer {
    private final VoxelGrid grid;
    private final int maxPointsPerVoxel, maxVoxels;

    public Voxelizer(VoxelGrid grid, int maxPointsPerVoxel, int maxVoxels) {
        if (maxPointsPerVoxel < 1 || maxVoxels < 1)
            throw new IllegalArgumentException("Voxelizer: max_points_per_voxel and max_voxels must be >= 1, got " + maxPointsPerVoxel + " and " + maxVoxels);
        this.grid = grid;
        this.maxPointsPerVoxel = maxPointsPerVoxel;
        this.maxVoxels = maxVoxels;
    }

    public VoxelGrid grid() { return grid; }

    public int maxPointsPerVoxel() { return maxPointsPerVoxel; }

    public int maxVoxels() { return maxVoxels; }

    /**
     * Voxelizes one point cloud.
     *
     * @param points float32 or float64 [N, F], F >= 3, columns x, y, z then any features
     * @return voxels [M, maxPointsPerVoxel, F] of the points' dtype, coords int32 [M, 3] (z, y, x), num_points int32 [M]
     */
    public Voxels voxelize(Tensor points) {
        checkPoints("voxelize", points);
        int n = points.size(0), f = points.size(1), p = maxPointsPerVoxel;
        boolean f64 = points.dtype() == DType.FLOAT64;
        double[] ptsD = f64 ? points.toDoubleArray() : null;
        float[] ptsF = f64 ? null : points.toFloatArray();
        // outputs grow with the voxels found; the caps bound them
        int cap = Math.max(16, Math.min(maxVoxels, n));
        int[] coords = new int[cap * 3];
        int[] num = new int[cap];
        float[] voxF = f64 ? null : new float[cap * p * f];
        double[] voxD = f64 ? new double[cap * p * f] : null;
        Long2IntOpenHashMap voxelOf = new Long2IntOpenHashMap(Math.max(16, Math.min(n, maxVoxels)));
        voxelOf.defaultReturnValue(-1);
        int m = 0;
        for (int i = 0; i < n; i++) {
            int base = i * f;
            // the cell is computed from the float32 coordinate, as spconv reads a float cloud
            float x = f64 ? (float) ptsD[base] : ptsF[base];
            float y = f64 ? (float) ptsD[base + 1] : ptsF[base + 1];
            float z = f64 ? (float) ptsD[base + 2] : ptsF[base + 2];
            int cx = grid.cell(x, 0), cy = grid.cell(y, 1), cz = grid.cell(z, 2);
            if (cx < 0 || cy < 0 || cz < 0) continue;
            long key = grid.key(cz, cy, cx);
            int v = voxelOf.get(key);
            if (v < 0) {
                if (m >= maxVoxels) continue;
                v = m++;
                voxelOf.put(key, v);
                if (v >= num.length) {
                    int grown = (int) Math.min(maxVoxels, Math.max(2L * num.length, 16));
                    coords = Arrays.copyOf(coords, grown * 3);
                    num = Arrays.copyOf(num, grown);
                    if (f64) voxD = Arrays.copyOf(voxD, grown * p * f);
                    else voxF = Arrays.copyOf(voxF, grown * p * f);
                }
                coords[v * 3] = cz;
                coords[v * 3 + 1] = cy;
                coords[v * 3 + 2] = cx;
            }
            int k = num[v];
            if (k >= p) continue;
            int dst = (v * p + k) * f;
            if (f64) System.arraycopy(ptsD, base, voxD, dst, f);
            else System.arraycopy(ptsF, base, voxF, dst, f);
            num[v] = k + 1;
        }
        Tensor vox = f64 ? Tensor.of(Arrays.copyOf(voxD, m * p * f), m, p, f) : Tensor.of(Arrays.copyOf(voxF, m * p * f), m, p, f);
        return new Voxels(vox, Tensor.ofInts(Arrays.copyOf(coords, m * 3), m, 3), Tensor.ofInts(Arrays.copyOf(num, m), m), 1);
    }

    static void checkPoints(String op, Tensor points) {
        if (points.dim() != 2 || points.size(1) < 3)
            throw new IllegalArgumentException(op + ": expects points [N, F] with F >= 3 (x, y, z, ...), got " + Shape.str(points.shape()));
        if (points.dtype() != DType.FLOAT32 && points.dtype() != DType.FLOAT64)
            throw new IllegalArgumentException(op + ": expects float32 or float64 points, got " + points.dtype().torchName() + " " + Shape.str(points.shape()));
    }

    @Override
    public String toString() {
        return "Voxelizer(" + grid + ", max_points_per_voxel " + maxPointsPerVoxel + ", max_voxels " + maxVoxels + ")";
    }
}
