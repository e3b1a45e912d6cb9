package fuse3d.sparse.points;

import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.cpu.Parallel;
import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;

/**
 * Voxel R-CNN's voxel query (pointnet2_stack voxel_query_wrapper): the neighbours of a query point are the
 * non-empty voxels in a box of ±range voxels around the query's own voxel, visited z, then y, then x ascending,
 * whose centres lie within the radius; the first nsample are kept. Also the voxel geometry it needs: voxel
 * centres, the voxel coordinates of query points, and a hash from coordinates to rows in place of the
 * reference's dense (B, Z, Y, X) index volume.
 */
public final class VoxelQuery {
    private VoxelQuery() {}

    /**
     * Rows of a voxel set by coordinate: a fastutil open hash from packed (batch, z, y, x) to the row, in place of
     * generate_voxel2pinds' dense volume (which would be B·41·1600·1408 ints for KITTI at stride 1).
     */
    public static final class VoxelIndex {
        /** Grids up to this many cells (B·Z·Y·X) get a dense table, as the reference's volume: 32 MiB at most. */
        private static final long DENSE_LIMIT = 1L << 23;
        private final Long2IntOpenHashMap rows;
        /** row + 1 per cell (0 = empty) for small grids, where a lookup is one array read; null otherwise. */
        private final int[] dense;
        private final int batchSize, sz, sy, sx;

        /**
         * @param coords       integer [N, 4] (batch, z, y, x), each inside [0, batchSize) × spatialShape
         * @param spatialShape (Z, Y, X) of this voxel set
         */
        public VoxelIndex(Tensor coords, int[] spatialShape, int batchSize) {
            String op = "voxel_query";
            Checks.rank(op, "voxel coords", coords, 2, 4);
            Checks.integral(op, "voxel coords", coords);
            if (spatialShape == null || spatialShape.length != 3 || spatialShape[0] <= 0 || spatialShape[1] <= 0 || spatialShape[2] <= 0)
                throw new IllegalArgumentException(op + ": spatial shape must be three positive sizes (Z, Y, X), got " + java.util.Arrays.toString(spatialShape));
            Checks.positive(op, "batch size", batchSize);
            this.batchSize = batchSize;
            sz = spatialShape[0];
            sy = spatialShape[1];
            sx = spatialShape[2];
            int[] c = coords.toIntArray();
            int n = coords.size(0);
            boolean small = (long) batchSize * sz * sy * sx <= DENSE_LIMIT;
            dense = small ? new int[batchSize * sz * sy * sx] : null;
            rows = small ? null : new Long2IntOpenHashMap(Math.max(16, n));
            if (rows != null) rows.defaultReturnValue(-1);
            for (int i = 0; i < n; i++) {
                int b = c[i * 4], z = c[i * 4 + 1], y = c[i * 4 + 2], x = c[i * 4 + 3];
                if (b < 0 || b >= batchSize || z < 0 || z >= sz || y < 0 || y >= sy || x < 0 || x >= sx)
                    throw new IllegalArgumentException(op + ": voxel " + i + " of coords " + Shape.str(coords.shape()) + " is (" + b + ", " + z + ", "
                            + y + ", " + x + "), outside batch " + batchSize + " x spatial shape (" + sz + ", " + sy + ", " + sx + ")");
                // a duplicated coordinate keeps its last row, as the reference's index_put into the dense volume on the CPU
                if (dense != null) dense[(int) key(b, z, y, x)] = i + 1;
                else rows.put(key(b, z, y, x), i);
            }
        }

        /** The row at a packed key of a cell inside the grid, or −1. */
        private int rowAtKey(long key) { return dense != null ? dense[(int) key] - 1 : rows.get(key); }

        private long key(int b, int z, int y, int x) { return (((long) b * sz + z) * sy + y) * sx + x; }

        /** The row at (b, z, y, x), or −1 when that voxel is empty or outside the grid. */
        public int row(int b, int z, int y, int x) {
            if (b < 0 || b >= batchSize || z < 0 || z >= sz || y < 0 || y >= sy || x < 0 || x >= sx) return -1;
            return rowAtKey(key(b, z, y, x));
        }

        public int batchSize() { return batchSize; }

        /** (Z, Y, X). */
        public int[] spatialShape() { return new int[] {sz, sy, sx}; }
    }

    /**
     * common_utils.get_voxel_centers: (x + 0.5) · voxel_size · stride + range_min per axis, in float32.
     *
     * @param coords         integer [N, 4] (batch, z, y, x)
     * @param voxelSize      (vx, vy, vz) of the input grid
     * @param pointCloudRange (x0, y0, z0, x1, y1, z1)
     * @param stride         the downsampling of this voxel set (1, 2, 4, 8)
     * @return float32 [N, 3] (x, y, z)
     */
    public static Tensor voxelCenters(Tensor coords, double[] voxelSize, double[] pointCloudRange, int stride) {
        String op = "get_voxel_centers";
        Checks.rank(op, "coords", coords, 2, 4);
        Checks.integral(op, "coords", coords);
        checkGrid(op, voxelSize, pointCloudRange, stride);
        int n = coords.size(0);
        int[] c = coords.toIntArray();
        float[] out = new float[n * 3];
        float[] vs = new float[3];
        for (int a = 0; a < 3; a++) vs[a] = (float) voxelSize[a] * stride;
        for (int i = 0; i < n; i++)
            for (int a = 0; a < 3; a++) out[i * 3 + a] = (c[i * 4 + 3 - a] + 0.5f) * vs[a] + (float) pointCloudRange[a];
        return Tensor.ofFloats(out, n, 3);
    }

    /**
     * The voxel coordinates of query points at a stride, as VoxelRCNNHead.roi_grid_pool computes them:
     * ((xyz − range_min) // voxel_size) // stride with PyTorch's float floor division, then truncated to int.
     *
     * @param xyz   [M, 3] query points
     * @param batch int [M] batch index of each point (or null for all 0)
     * @return int32 [M, 4] (batch, z, y, x)
     */
    public static Tensor gridCoords(Tensor xyz, int[] batch, double[] voxelSize, double[] pointCloudRange, int stride) {
        String op = "roi_grid_coords";
        Checks.rank(op, "xyz", xyz, 2, 3);
        Checks.floating(op, "xyz", xyz);
        checkGrid(op, voxelSize, pointCloudRange, stride);
        int m = xyz.size(0);
        if (batch != null && batch.length != m)
            throw new IllegalArgumentException(op + ": " + batch.length + " batch indices for xyz " + Shape.str(xyz.shape()));
        float[] p = xyz.toFloatArray();
        int[] out = new int[m * 4];
        for (int i = 0; i < m; i++) {
            out[i * 4] = batch == null ? 0 : batch[i];
            for (int a = 0; a < 3; a++) {
                float v = floorDivide(floorDivide(p[i * 3 + a] - (float) pointCloudRange[a], (float) voxelSize[a]), stride);
                out[i * 4 + 3 - a] = (int) v;
            }
        }
        return Tensor.ofInts(out, m, 4);
    }

    /** PyTorch's floor division of floats (Python's float //, computed through fmod so that it agrees bit for bit). */
    static float floorDivide(float a, float b) {
        if (b == 0) return a / b;
        float mod = a % b; // Java's float % is C's fmod: the sign of the dividend
        float div = (a - mod) / b;
        if (mod != 0 && (b < 0) != (mod < 0)) div -= 1;
        if (div == 0) return Math.copySign(0f, a / b);
        float fl = (float) Math.floor(div);
        if (div - fl > 0.5f) fl += 1;
        return fl;
    }

    private static void checkGrid(String op, double[] voxelSize, double[] range, int stride) {
        if (voxelSize == null || voxelSize.length != 3 || !(voxelSize[0] > 0) || !(voxelSize[1] > 0) || !(voxelSize[2] > 0))
            throw new IllegalArgumentException(op + ": voxel size must be three positive sizes (x, y, z), got " + java.util.Arrays.toString(voxelSize));
        if (range == null || range.length != 6)
            throw new IllegalArgumentException(op + ": point cloud range must be (x0, y0, z0, x1, y1, z1), got " + java.util.Arrays.toString(range));
        Checks.positive(op, "stride", stride);
    }

    /**
     * voxel_query(max_range, radius, nsample, xyz, new_xyz, new_coords, point_indices).
     *
     * @param range     (z, y, x) half extents of the searched box, in voxels (QUERY_RANGES)
     * @param radius    neighbours have squared centre distance ≤ radius² (float32)
     * @param voxelXyz  [N, 3] voxel centres, rows as in the index
     * @param newXyz    [M, 3] query points
     * @param newCoords integer [M, 4] (batch, z, y, x) voxel of each query point (it may lie outside the grid; only the
     *                  neighbours inside it are visited)
     * @return idx int32 [M, nsample] rows of the voxel set (the first found repeated to fill, 0 for an empty query) and
     *         the empty mask [M]; a NaN query point gets an empty query (the reference's "dist2 > radius2" test would
     *         let every voxel of the box in)
     */
    public static BallQuery.Result query(int[] range, double radius, int nsample, Tensor voxelXyz, Tensor newXyz, Tensor newCoords, VoxelIndex index) {
        String op = "voxel_query";
        if (range == null || range.length != 3 || range[0] < 0 || range[1] < 0 || range[2] < 0)
            throw new IllegalArgumentException(op + ": query range must be three non-negative voxel counts (z, y, x), got " + java.util.Arrays.toString(range));
        Checks.positive(op, "nsample", nsample);
        if (!(radius >= 0)) throw new IllegalArgumentException(op + ": radius must be >= 0, got " + radius);
        Checks.rank(op, "xyz", voxelXyz, 2, 3);
        Checks.rank(op, "new_xyz", newXyz, 2, 3);
        Checks.rank(op, "new_coords", newCoords, 2, 4);
        Checks.integral(op, "new_coords", newCoords);
        Checks.sameDim(op, "new_xyz", newXyz, 0, "new_coords", newCoords, 0);
        int m = newXyz.size(0), n = voxelXyz.size(0);
        float[] v = voxelXyz.toFloatArray(), q = newXyz.toFloatArray();
        int[] qc = newCoords.toIntArray();
        for (int i = 0; i < m; i++)
            if (qc[i * 4] < 0 || qc[i * 4] >= index.batchSize())
                throw new IllegalArgumentException(op + ": new_coords " + Shape.str(newCoords.shape()) + " row " + i + " has batch index " + qc[i * 4]
                        + ", outside [0, " + index.batchSize() + ")");
        float r2 = (float) radius * (float) radius;
        int rz = range[0], ry = range[1], rx = range[2];
        int[] idx = new int[m * nsample];
        boolean[] empty = new boolean[m];
        long work = (long) m * (2 * rz + 1) * (2 * ry + 1) * (2 * rx + 1);
        Parallel.forWork(m, work * 4, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                int b = qc[i * 4], cz = qc[i * 4 + 1], cy = qc[i * 4 + 2], cx = qc[i * 4 + 3], out = i * nsample;
                float x = q[i * 3], y = q[i * 3 + 1], z = q[i * 3 + 2];
                int cnt = 0;
                // the box clipped to the grid (cells outside it are empty), still visited z, then y, then x ascending
                int z0 = Math.max(cz - rz, 0), z1 = Math.min(cz + rz, index.sz - 1);
                int y0 = Math.max(cy - ry, 0), y1 = Math.min(cy + ry, index.sy - 1);
                int x0 = Math.max(cx - rx, 0), x1 = Math.min(cx + rx, index.sx - 1);
                search:
                for (int zz = z0; zz <= z1; zz++)
                    for (int yy = y0; yy <= y1; yy++) {
                        long rowKey = index.key(b, zz, yy, 0);
                        for (int xx = x0; xx <= x1; xx++) {
                            int row = index.rowAtKey(rowKey + xx);
                            if (row < 0) continue;
                            if (row >= n)
                                throw new IllegalArgumentException(op + ": the voxel index names row " + row + " but xyz " + Shape.str(voxelXyz.shape()) + " has " + n);
                            float ex = v[row * 3] - x, ey = v[row * 3 + 1] - y, ez = v[row * 3 + 2] - z;
                            float d2 = ex * ex + ey * ey + ez * ez;
                            if (!(d2 <= r2)) continue;
                            if (cnt == 0) java.util.Arrays.fill(idx, out, out + nsample, row);
                            idx[out + cnt++] = row;
                            if (cnt >= nsample) break search;
                        }
                    }
                empty[i] = cnt == 0;
            }
        });
        return new BallQuery.Result(Tensor.ofInts(idx, m, nsample), Tensor.ofBools(empty, m));
    }
}
