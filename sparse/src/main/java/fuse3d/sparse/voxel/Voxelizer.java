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
        // pass 1 assigns each point its voxel and slot (or -1); pass 2 copies into an output of the exact size, so
        // memory follows the voxels found, not the caps
        int[] voxelOfPoint = new int[n], slotOfPoint = new int[n];
        int[] coords = new int[3 * Math.max(16, Math.min(n, maxVoxels) / 8)];
        int[] num = new int[coords.length / 3];
        Long2IntOpenHashMap voxelOf = new Long2IntOpenHashMap(Math.max(16, Math.min(n, maxVoxels) / 4));
        voxelOf.defaultReturnValue(-1);
        int m = 0;
        for (int i = 0; i < n; i++) {
            voxelOfPoint[i] = -1;
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
                    num = Arrays.copyOf(num, (int) Math.min(maxVoxels, 2L * num.length));
                    coords = Arrays.copyOf(coords, num.length * 3);
                }
                coords[v * 3] = cz;
                coords[v * 3 + 1] = cy;
                coords[v * 3 + 2] = cx;
            }
            int k = num[v];
            if (k >= p) continue;
            num[v] = k + 1;
            voxelOfPoint[i] = v;
            slotOfPoint[i] = k;
        }
        long size = (long) m * p * f;
        if (size > Integer.MAX_VALUE)
            throw new IllegalArgumentException("voxelize: " + m + " voxels x " + p + " points x " + f + " features exceed 2^31 elements (points "
                    + Shape.str(points.shape()) + ")");
        Tensor vox;
        if (f64) {
            double[] out = new double[(int) size];
            for (int i = 0; i < n; i++) if (voxelOfPoint[i] >= 0) System.arraycopy(ptsD, i * f, out, (voxelOfPoint[i] * p + slotOfPoint[i]) * f, f);
            vox = Tensor.of(out, m, p, f);
        } else {
            float[] out = new float[(int) size];
            for (int i = 0; i < n; i++) if (voxelOfPoint[i] >= 0) System.arraycopy(ptsF, i * f, out, (voxelOfPoint[i] * p + slotOfPoint[i]) * f, f);
            vox = Tensor.of(out, m, p, f);
        }
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
