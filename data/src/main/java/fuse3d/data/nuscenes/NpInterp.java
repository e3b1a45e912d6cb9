package fuse3d.data.nuscenes;

/**
 * numpy's {@code np.interp} exactly as its C implementation evaluates it, including on sample points with repeated
 * x values (recall and confidence curves have plateaus): for each query the segment is the last {@code j} with
 * {@code xp[j] <= x}, an exact hit returns {@code fp[j]}, queries below the first point return {@code left} and above
 * the last {@code right}.
 */
final class NpInterp {
    private NpInterp() {}

    static double[] interp(double[] x, double[] xp, double[] fp, double left, double right) {
        int n = xp.length;
        if (n == 0 || fp.length != n) throw new IllegalArgumentException("interp: xp and fp must be non-empty and of equal length");
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            if (v > xp[n - 1]) {
                out[i] = right;
                continue;
            }
            if (v < xp[0]) {
                out[i] = left;
                continue;
            }
            int j = lastAtMost(xp, v);
            if (j == n - 1 || xp[j] == v) {
                out[i] = fp[j];
                continue;
            }
            double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
            double r = slope * (v - xp[j]) + fp[j];
            if (Double.isNaN(r)) {
                r = slope * (v - xp[j + 1]) + fp[j + 1];
                if (Double.isNaN(r) && fp[j] == fp[j + 1]) r = fp[j];
            }
            out[i] = r;
        }
        return out;
    }

    /** The last index j with a[j] <= v, for non-decreasing a and a[0] <= v. */
    private static int lastAtMost(double[] a, double v) {
        int lo = 0, hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (v >= a[mid]) lo = mid + 1;
            else hi = mid;
        }
        return lo - 1;
    }
}
