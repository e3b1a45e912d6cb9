package fuse3d.sparse.voxel;

import fuse3d.autograd.Var;
import fuse3d.nn.Module;
import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;

/**
 * OpenPCDet's PointPillarScatter (map_to_bev): writes each pillar's feature vector into a dense bird's-eye-view
 * map at its (y, x) cell, zeros elsewhere: [M, C] pillar features and (batch, z, y, x) coordinates to
 * [B, C, ny, nx]. Differentiable in the features; the backward gathers the map's gradient at the pillar cells.
 *
 * <p>OpenPCDet's grid must have one z cell, so z must be 0. Coordinates outside the map, a batch index outside
 * [0, B), or two pillars on one cell (OpenPCDet would keep an unspecified one) are rejected with an error.
 */
public final class PointPillarScatter extends Module {
    private final int numBevFeatures, nx, ny;

    /** @param numBevFeatures NUM_BEV_FEATURES, the pillar feature width C */
    public PointPillarScatter(int numBevFeatures, int nx, int ny) {
        if (numBevFeatures < 1 || nx < 1 || ny < 1)
            throw new IllegalArgumentException("PointPillarScatter: needs positive features and grid, got C " + numBevFeatures + ", nx " + nx + ", ny " + ny);
        this.numBevFeatures = numBevFeatures;
        this.nx = nx;
        this.ny = ny;
    }

    /** For a pillar grid (nz must be 1, as OpenPCDet asserts). */
    public PointPillarScatter(int numBevFeatures, VoxelGrid grid) {
        this(numBevFeatures, grid.nx(), grid.ny());
        if (grid.nz() != 1) throw new IllegalArgumentException("PointPillarScatter: the pillar grid must have one z cell, got " + grid);
    }

    public int numBevFeatures() { return numBevFeatures; }

    /**
     * @param pillarFeatures [M, C]
     * @param coords         int [M, 4] (batch, z, y, x)
     * @param batchSize      B (OpenPCDet's batch_size; a trailing cloud without pillars still gets its zero map)
     * @return spatial features [B, C, ny, nx]
     */
    public Var forward(Var pillarFeatures, Tensor coords, int batchSize) {
        String op = "PointPillarScatter";
        int[] fs = pillarFeatures.shape();
        if (fs.length != 2 || fs[1] != numBevFeatures || coords.dim() != 2 || coords.size(1) != 4 || coords.size(0) != fs[0])
            throw new IllegalArgumentException(op + ": expects pillar features [M, " + numBevFeatures + "] and coords [M, 4], got "
                    + Shape.str(fs) + " and " + Shape.str(coords.shape()));
        if (batchSize < 1) throw new IllegalArgumentException(op + ": batch size must be >= 1, got " + batchSize);
        DType dt = pillarFeatures.dtype();
        if (dt != DType.FLOAT32 && dt != DType.FLOAT64)
            throw new IllegalArgumentException(op + ": expects float32 or float64 features, got " + dt.torchName() + " " + Shape.str(fs));
        int m = fs[0], c = numBevFeatures, plane = nx * ny;
        if ((long) batchSize * c * plane > Integer.MAX_VALUE)
            throw new IllegalArgumentException(op + ": a map of [" + batchSize + ", " + c + ", " + ny + ", " + nx + "] exceeds 2^31 elements");
        int[] co = coords.to(DType.INT32).toIntArray();
        // cell[i]: pillar i's flat (batch, y, x) position; filled guards against two pillars on one cell
        int[] cell = new int[m];
        boolean[] filled = new boolean[batchSize * plane];
        for (int i = 0; i < m; i++) {
            int b = co[i * 4], z = co[i * 4 + 1], y = co[i * 4 + 2], x = co[i * 4 + 3];
            if (b < 0 || b >= batchSize || z != 0 || y < 0 || y >= ny || x < 0 || x >= nx)
                throw new IllegalArgumentException(op + ": pillar " + i + " at (batch, z, y, x) = (" + b + ", " + z + ", " + y + ", " + x
                        + ") is outside batch size " + batchSize + " and grid (nz 1, ny " + ny + ", nx " + nx + "); coords " + Shape.str(coords.shape()));
            int at = b * plane + y * nx + x;
            if (filled[at]) throw new IllegalArgumentException(op + ": two pillars at (batch, y, x) = (" + b + ", " + y + ", " + x + "); coords " + Shape.str(coords.shape()));
            filled[at] = true;
            cell[i] = at;
        }
        Tensor out = dt == DType.FLOAT64 ? scatterDouble(pillarFeatures.data().toDoubleArray(), cell, m, c, batchSize, plane)
                : scatterFloat(pillarFeatures.data().toFloatArray(), cell, m, c, batchSize, plane);
        return Var.record("point_pillar_scatter", out, (g, needs) -> new Tensor[] {
                g.dtype() == DType.FLOAT64 ? gatherDouble(g.toDoubleArray(), cell, m, c, plane) : gatherFloat(g.toFloatArray(), cell, m, c, plane)},
                pillarFeatures);
    }

    // map [B, C, ny*nx]: pillar i's channel k lands at (b * C + k) * plane + (y * nx + x), with cell = b * plane + yx
    private Tensor scatterFloat(float[] f, int[] cell, int m, int c, int b, int plane) {
        float[] map = new float[b * c * plane];
        for (int i = 0; i < m; i++) {
            int base = (cell[i] / plane) * c * plane + cell[i] % plane;
            for (int k = 0; k < c; k++) map[base + k * plane] = f[i * c + k];
        }
        return Tensor.of(map, b, c, ny, nx);
    }

    private Tensor scatterDouble(double[] f, int[] cell, int m, int c, int b, int plane) {
        double[] map = new double[b * c * plane];
        for (int i = 0; i < m; i++) {
            int base = (cell[i] / plane) * c * plane + cell[i] % plane;
            for (int k = 0; k < c; k++) map[base + k * plane] = f[i * c + k];
        }
        return Tensor.of(map, b, c, ny, nx);
    }

    private static Tensor gatherFloat(float[] g, int[] cell, int m, int c, int plane) {
        float[] out = new float[m * c];
        for (int i = 0; i < m; i++) {
            int base = (cell[i] / plane) * c * plane + cell[i] % plane;
            for (int k = 0; k < c; k++) out[i * c + k] = g[base + k * plane];
        }
        return Tensor.of(out, m, c);
    }

    private static Tensor gatherDouble(double[] g, int[] cell, int m, int c, int plane) {
        double[] out = new double[m * c];
        for (int i = 0; i < m; i++) {
            int base = (cell[i] / plane) * c * plane + cell[i] % plane;
            for (int k = 0; k < c; k++) out[i * c + k] = g[base + k * plane];
        }
        return Tensor.of(out, m, c);
    }

    @Override
    protected String extraRepr() { return "num_bev_features=" + numBevFeatures + ", nx=" + nx + ", ny=" + ny; }
}
