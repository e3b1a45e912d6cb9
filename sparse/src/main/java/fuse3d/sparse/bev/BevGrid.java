package fuse3d.sparse.bev;

/**
 * The BEV (or voxel) grid a Lift-Splat-Shoot view transform pools into, as BEVDet's grid_config: for each of
 * x, y, z a (lower bound, upper bound, interval) in metres of the LiDAR/ego frame. Cell counts are
 * {@code (upper - lower) / interval}, which must be a whole number (within 1e-6 relative: 102.4 / 0.8 in
 * floating point is not exactly 128). A BEV grid has one z cell.
 */
public record BevGrid(double xMin, double xMax, double xStep, double yMin, double yMax, double yStep, double zMin, double zMax, double zStep) {
    public BevGrid {
        count("x", xMin, xMax, xStep);
        count("y", yMin, yMax, yStep);
        count("z", zMin, zMax, zStep);
    }

    /** From BEVDet's config triples {@code x = [lower, upper, interval]} and likewise y, z. */
    public static BevGrid of(double[] x, double[] y, double[] z) {
        if (x.length != 3 || y.length != 3 || z.length != 3)
            throw new IllegalArgumentException("BevGrid.of: each axis needs [lower, upper, interval], got " + x.length + ", " + y.length + ", " + z.length + " entries");
        return new BevGrid(x[0], x[1], x[2], y[0], y[1], y[2], z[0], z[1], z[2]);
    }

    /** Cells along x. */
    public int nx() { return count("x", xMin, xMax, xStep); }

    /** Cells along y. */
    public int ny() { return count("y", yMin, yMax, yStep); }

    /** Cells along z (1 for a BEV map). */
    public int nz() { return count("z", zMin, zMax, zStep); }

    /** nz * ny * nx: the cells of one sample. */
    public long cells() { return (long) nx() * ny() * nz(); }

    private static int count(String axis, double lo, double hi, double step) {
        if (!(Double.isFinite(lo) && Double.isFinite(hi) && Double.isFinite(step)) || !(step > 0) || !(hi > lo))
            throw new IllegalArgumentException("BevGrid: axis " + axis + " needs finite lower < upper and interval > 0, got [" + lo + ", " + hi + ", " + step + "]");
        double n = (hi - lo) / step;
        long r = Math.round(n);
        if (Math.abs(n - r) > 1e-6 * Math.max(1, n) || r < 1 || r > Integer.MAX_VALUE)
            throw new IllegalArgumentException("BevGrid: axis " + axis + " range [" + lo + ", " + hi + ") is not a whole number of " + step + " m cells ("
                    + n + ")");
        return (int) r;
    }

    @Override
    public String toString() {
        return "BevGrid[x " + xMin + ".." + xMax + " @" + xStep + " (" + nx() + "), y " + yMin + ".." + yMax + " @" + yStep + " (" + ny() + "), z " + zMin + ".."
                + zMax + " @" + zStep + " (" + nz() + ")]";
    }
}
