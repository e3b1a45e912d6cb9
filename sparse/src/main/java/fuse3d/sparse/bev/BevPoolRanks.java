package fuse3d.sparse.bev;

import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.Arrays;

/**
 * The precomputed gather plan of BEVPoolv2 (BEVDet's voxel_pooling_prepare_v2): which frustum points fall into
 * the grid, sorted by the cell they fall into, cut into one interval per occupied cell.
 *
 * <p>For kept point i (in cell order): {@code ranksDepth[i]} indexes the depth tensor [B*N, D, H, W] (flat),
 * {@code ranksFeat[i]} the feature pixels [B*N, H, W] (flat), and {@code ranksBev[i]} the output cells
 * [B, Z, Y, X] (flat: {@code ((b * Z + z) * Y + y) * X + x}). Interval k covers points
 * {@code [intervalStarts[k], intervalStarts[k] + intervalLengths[k])}, all with the same cell. The plan depends only
 * on the geometry, so a rig with fixed cameras computes it once (BEVDet's accelerate mode).
 *
 * <p>For the backward pass the plan also holds the reverse grouping: the kept points of each feature pixel
 * (a CSR over pixels), so the feature gradient is a race-free sum per pixel.
 */
public final class BevPoolRanks {
    private final int cams, depthBins, height, width, batch, nz, ny, nx;
    private final int[] ranksDepth, ranksFeat, ranksBev, intervalStarts, intervalLengths;
    // backward plan: pointInterval[i] is the interval of kept point i; the points of pixel p are
    // featPoints[featPtr[p] .. featPtr[p + 1])
    private final int[] pointInterval, featPtr, featPoints;
    // the same grouping flattened for the feature-gradient kernel: entry j of pixel p's run reads
    // depth[featDepth[j]] and the gradient row of interval featInterval[j]
    private final int[] featDepth, featInterval;

    private BevPoolRanks(int cams, int depthBins, int height, int width, int batch, int nz, int ny, int nx,
                         int[] ranksDepth, int[] ranksFeat, int[] ranksBev, int[] intervalStarts, int[] intervalLengths) {
        this.cams = cams;
        this.depthBins = depthBins;
        this.height = height;
        this.width = width;
        this.batch = batch;
        this.nz = nz;
        this.ny = ny;
        this.nx = nx;
        this.ranksDepth = ranksDepth;
        this.ranksFeat = ranksFeat;
        this.ranksBev = ranksBev;
        this.intervalStarts = intervalStarts;
        this.intervalLengths = intervalLengths;
        int n = ranksDepth.length;
        pointInterval = new int[n];
        for (int k = 0; k < intervalStarts.length; k++) Arrays.fill(pointInterval, intervalStarts[k], intervalStarts[k] + intervalLengths[k], k);
        int pixels = cams * height * width;
        featPtr = new int[pixels + 1];
        for (int i = 0; i < n; i++) featPtr[ranksFeat[i] + 1]++;
        for (int p = 0; p < pixels; p++) featPtr[p + 1] += featPtr[p];
        featPoints = new int[n];
        int[] fill = Arrays.copyOf(featPtr, pixels);
        for (int i = 0; i < n; i++) featPoints[fill[ranksFeat[i]]++] = i;
        featDepth = new int[n];
        featInterval = new int[n];
        for (int j = 0; j < n; j++) {
            featDepth[j] = ranksDepth[featPoints[j]];
            featInterval[j] = pointInterval[featPoints[j]];
        }
    }

    /**
     * Voxelises frustum points [B, N, D, H, W, 3] (LiDAR/ego x, y, z, float32 or float64) into {@code grid}, as
     * BEVDet: the cell index is {@code (coordinate - lower) / interval} converted to an integer by truncation
     * toward zero (so the slab just below the lower bound, (-interval, 0) after the shift, lands in cell 0 as it
     * does in BEVDet), computed in the coordinates' own precision; points outside the grid and points with a NaN
     * or infinite coordinate are dropped. Points of a cell keep their frustum order (a stable sort).
     */
    public static BevPoolRanks prepare(Tensor coords, BevGrid grid) {
        int[] s = coords.shape();
        if (s.length != 6 || s[5] != 3 || !coords.dtype().isFloating())
            throw new IllegalArgumentException("BevPoolRanks.prepare: expected floating frustum points [B, N, D, H, W, 3], got "
                    + coords.dtype().torchName() + " " + Shape.str(s));
        int b = s[0], n = s[1], d = s[2], h = s[3], w = s[4];
        int nx = grid.nx(), ny = grid.ny(), nz = grid.nz();
        long cells = (long) b * nz * ny * nx;
        long points = (long) b * n * d * h * w;
        if (cells > Integer.MAX_VALUE || points > Integer.MAX_VALUE)
            throw new IllegalArgumentException("BevPoolRanks.prepare: " + points + " points into " + cells + " cells (grid " + grid + ", frustum "
                    + Shape.str(s) + ") overflows int32 ranks");
        int total = (int) points;
        int[] cellOf = new int[total];
        int kept = 0;
        if (coords.dtype() == DType.FLOAT32) {
            float[] c = coords.contiguous().toFloatArray();
            float lx = (float) grid.xMin(), ly = (float) grid.yMin(), lz = (float) grid.zMin();
            float sx = (float) grid.xStep(), sy = (float) grid.yStep(), sz = (float) grid.zStep();
            for (int p = 0; p < total; p++) {
                // float32 subtraction then division, exactly as (coor - lower) / interval in a float32 tensor
                float fx = (c[3 * p] - lx) / sx, fy = (c[3 * p + 1] - ly) / sy, fz = (c[3 * p + 2] - lz) / sz;
                int cell = cell(fx, fy, fz, nx, ny, nz);
                if (cell >= 0) {
                    cellOf[p] = (p / (total / b)) * nz * ny * nx + cell;
                    kept++;
                } else cellOf[p] = -1;
            }
        } else {
            double[] c = coords.contiguous().toDoubleArray();
            for (int p = 0; p < total; p++) {
                double fx = (c[3 * p] - grid.xMin()) / grid.xStep(), fy = (c[3 * p + 1] - grid.yMin()) / grid.yStep(), fz = (c[3 * p + 2] - grid.zMin()) / grid.zStep();
                int cell = cell(fx, fy, fz, nx, ny, nz);
                if (cell >= 0) {
                    cellOf[p] = (p / (total / b)) * nz * ny * nx + cell;
                    kept++;
                } else cellOf[p] = -1;
            }
        }
        // stable counting sort of the kept points by cell when the cell count is moderate, else a sort of packed keys
        int[] order = new int[kept];
        if (cells <= 4L * total + (1 << 20)) {
            int[] start = new int[(int) cells + 1];
            for (int p = 0; p < total; p++) if (cellOf[p] >= 0) start[cellOf[p] + 1]++;
            for (int q = 0; q < cells; q++) start[q + 1] += start[q];
            for (int p = 0; p < total; p++) if (cellOf[p] >= 0) order[start[cellOf[p]]++] = p;
        } else {
            long[] keys = new long[kept];
            int k = 0;
            for (int p = 0; p < total; p++) if (cellOf[p] >= 0) keys[k++] = ((long) cellOf[p] << 32) | p;
            Arrays.parallelSort(keys);
            for (int i = 0; i < kept; i++) order[i] = (int) keys[i];
        }
        int[] rd = new int[kept], rf = new int[kept], rb = new int[kept];
        int dhw = d * h * w, hw = h * w;
        int intervals = 0;
        for (int i = 0; i < kept; i++) {
            int p = order[i];
            rd[i] = p;
            rf[i] = (p / dhw) * hw + p % hw;
            rb[i] = cellOf[p];
            if (i == 0 || rb[i] != rb[i - 1]) intervals++;
        }
        int[] starts = new int[intervals], lengths = new int[intervals];
        int k = -1;
        for (int i = 0; i < kept; i++) {
            if (i == 0 || rb[i] != rb[i - 1]) starts[++k] = i;
            lengths[k]++;
        }
        return new BevPoolRanks(b * n, d, h, w, b, nz, ny, nx, rd, rf, rb, starts, lengths);
    }

    /** The flat cell (z * ny + y) * nx + x of a shifted, scaled coordinate, or -1 outside (NaN compares false: outside). */
    private static int cell(double fx, double fy, double fz, int nx, int ny, int nz) {
        // truncation toward zero puts (-1, 0) into cell 0: keep t > -1 and t < n
        if (!(fx > -1 && fx < nx && fy > -1 && fy < ny && fz > -1 && fz < nz)) return -1;
        return ((int) fz * ny + (int) fy) * nx + (int) fx;
    }

    /**
     * A plan from explicit ranks, as BEVDet's bev_pool_v2 takes them (for plans computed elsewhere): the sizes of
     * the depth [cams, D, H, W] and of the output [batch, Z, Y, X] bound the ranks; intervals must tile
     * {@code [0, n)} in order, each with one cell, and no cell may appear in two intervals.
     */
    public static BevPoolRanks of(int cams, int depthBins, int height, int width, int batch, int nz, int ny, int nx,
                                  int[] ranksDepth, int[] ranksFeat, int[] ranksBev, int[] intervalStarts, int[] intervalLengths) {
        String op = "BevPoolRanks.of";
        if (cams < 1 || depthBins < 1 || height < 1 || width < 1 || batch < 1 || nz < 1 || ny < 1 || nx < 1)
            throw new IllegalArgumentException(op + ": sizes must be positive: depth [" + cams + ", " + depthBins + ", " + height + ", " + width + "], bev ["
                    + batch + ", " + nz + ", " + ny + ", " + nx + "]");
        int n = ranksDepth.length;
        if (ranksFeat.length != n || ranksBev.length != n)
            throw new IllegalArgumentException(op + ": ranks_depth, ranks_feat, ranks_bev lengths differ: " + n + ", " + ranksFeat.length + ", " + ranksBev.length);
        if (intervalStarts.length != intervalLengths.length)
            throw new IllegalArgumentException(op + ": interval_starts [" + intervalStarts.length + "] and interval_lengths [" + intervalLengths.length + "] differ");
        long depthSize = (long) cams * depthBins * height * width, pixels = (long) cams * height * width, cells = (long) batch * nz * ny * nx;
        if (depthSize > Integer.MAX_VALUE || cells > Integer.MAX_VALUE)
            throw new IllegalArgumentException(op + ": depth of " + depthSize + " or " + cells + " cells overflows int32 ranks");
        boolean[] seenDepth = new boolean[(int) depthSize];
        for (int i = 0; i < n; i++) {
            if (ranksDepth[i] < 0 || ranksDepth[i] >= depthSize || ranksFeat[i] < 0 || ranksFeat[i] >= pixels || ranksBev[i] < 0 || ranksBev[i] >= cells)
                throw new IllegalArgumentException(op + ": point " + i + " has ranks (depth " + ranksDepth[i] + ", feat " + ranksFeat[i] + ", bev " + ranksBev[i]
                        + ") outside depth " + depthSize + ", feature pixels " + pixels + ", cells " + cells);
            // BEVPoolv2's backward writes each depth gradient once, so a depth entry may feed one point only
            if (seenDepth[ranksDepth[i]]) throw new IllegalArgumentException(op + ": ranks_depth " + ranksDepth[i] + " appears twice (point " + i + ")");
            seenDepth[ranksDepth[i]] = true;
        }
        int next = 0;
        java.util.BitSet usedCells = new java.util.BitSet((int) cells);
        for (int k = 0; k < intervalStarts.length; k++) {
            int s = intervalStarts[k], len = intervalLengths[k];
            if (s != next || len < 1)
                throw new IllegalArgumentException(op + ": interval " + k + " (start " + s + ", length " + len + ") does not continue at point " + next
                        + " with a positive length");
            for (int i = s + 1; i < s + len; i++)
                if (ranksBev[i] != ranksBev[s]) throw new IllegalArgumentException(op + ": interval " + k + " mixes cells " + ranksBev[s] + " and " + ranksBev[i]);
            if (usedCells.get(ranksBev[s])) throw new IllegalArgumentException(op + ": cell " + ranksBev[s] + " appears in two intervals (the second is " + k + ")");
            usedCells.set(ranksBev[s]);
            next = s + len;
        }
        if (next != n) throw new IllegalArgumentException(op + ": intervals cover " + next + " of " + n + " points");
        return new BevPoolRanks(cams, depthBins, height, width, batch, nz, ny, nx, ranksDepth.clone(), ranksFeat.clone(), ranksBev.clone(),
                intervalStarts.clone(), intervalLengths.clone());
    }

    /** Number of kept points. */
    public int points() { return ranksDepth.length; }

    /** Number of intervals (occupied cells). */
    public int intervals() { return intervalStarts.length; }

    /** B * N: the leading dimension of depth and features. */
    public int cams() { return cams; }

    public int depthBins() { return depthBins; }

    public int height() { return height; }

    public int width() { return width; }

    public int batch() { return batch; }

    public int nz() { return nz; }

    public int ny() { return ny; }

    public int nx() { return nx; }

    /** ranks_depth as an int32 tensor [n]. */
    public Tensor ranksDepth() { return ints(ranksDepth); }

    /** ranks_feat as an int32 tensor [n]. */
    public Tensor ranksFeat() { return ints(ranksFeat); }

    /** ranks_bev as an int32 tensor [n]. */
    public Tensor ranksBev() { return ints(ranksBev); }

    /** interval_starts as an int32 tensor. */
    public Tensor intervalStarts() { return ints(intervalStarts); }

    /** interval_lengths as an int32 tensor. */
    public Tensor intervalLengths() { return ints(intervalLengths); }

    private static Tensor ints(int[] a) { return Tensor.ofInts(a.clone(), a.length); }

    // package-private views for the kernels (never modified)
    int[] rd() { return ranksDepth; }

    int[] rf() { return ranksFeat; }

    int[] rb() { return ranksBev; }

    int[] starts() { return intervalStarts; }

    int[] lengths() { return intervalLengths; }

    int[] pointInterval() { return pointInterval; }

    int[] featPtr() { return featPtr; }

    int[] featPoints() { return featPoints; }

    int[] featDepth() { return featDepth; }

    int[] featInterval() { return featInterval; }

    @Override
    public String toString() {
        return "BevPoolRanks[" + points() + " points in " + intervals() + " cells; depth [" + cams + ", " + depthBins + ", " + height + ", " + width + "] -> bev ["
                + batch + ", " + nz + ", " + ny + ", " + nx + "]]";
    }
}
