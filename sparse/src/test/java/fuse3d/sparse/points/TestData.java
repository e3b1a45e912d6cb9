package fuse3d.sparse.points;

import fuse3d.tensor.Tensor;
import java.util.Random;

/** Seeded random clouds and boxes for the point-op properties. */
final class TestData {
    private TestData() {}

    static Tensor uniform(Random r, double lo, double hi, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return Tensor.ofFloats(v, shape);
    }

    static Tensor uniform64(Random r, double lo, double hi, int... shape) { return uniform(r, lo, hi, shape).toDouble(); }

    /** [n, 7] boxes with centres in [lo, hi]³, sizes in [0.5, 2.5], headings in [−π, π]. */
    static Tensor boxes(Random r, int n, double lo, double hi) {
        float[] v = new float[n * 7];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < 3; a++) v[i * 7 + a] = (float) (lo + (hi - lo) * r.nextDouble());
            for (int a = 3; a < 6; a++) v[i * 7 + a] = (float) (0.5 + 2 * r.nextDouble());
            v[i * 7 + 6] = (float) ((r.nextDouble() * 2 - 1) * Math.PI);
        }
        return Tensor.ofFloats(v, n, 7);
    }

    /**
     * An independent inside test in double, from the box's corner frame: the signed distance of the point to the
     * box's faces (positive inside). Properties compare only points farther than a tolerance from every face.
     */
    static double signedDepth(double[] p, double[] b) {
        double c = Math.cos(b[6]), s = Math.sin(b[6]);
        double ox = p[0] - b[0], oy = p[1] - b[1];
        // the box's own axes are (c, s) and (−s, c)
        double along = ox * c + oy * s, across = -ox * s + oy * c;
        double dx = b[3] / 2 - Math.abs(along), dy = b[4] / 2 - Math.abs(across), dz = b[5] / 2 - Math.abs(p[2] - b[2]);
        return Math.min(dx, Math.min(dy, dz));
    }

    static double[] row(Tensor t, int i) {
        int c = t.size(1);
        double[] all = t.toDoubleArray();
        return java.util.Arrays.copyOfRange(all, i * c, i * c + c);
    }
}
