package fuse3d.sparse.points;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Storage;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.cpu.Parallel;

/**
 * PointNet++ feature propagation: three nearest neighbours (three_nn), inverse-distance weights and the
 * weighted sum of their features (three_interpolate), as PointnetFPModule combines them.
 */
public final class ThreeInterpolation {
    private ThreeInterpolation() {}

    /** The reference adds this to each distance before taking its reciprocal, so a coincident neighbour stays finite. */
    public static final double EPS = 1e-8;

    /**
     * Distances and indices of the three nearest known points.
     *
     * @param dist float32 [B, N, 3] Euclidean distances, ascending
     * @param idx  int32 [B, N, 3]
     */
    public record Result(Tensor dist, Tensor idx) {}

    /**
     * three_nn(unknown, known): for each unknown point the three known points of smallest squared distance (float32,
     * first index on ties). With fewer than three known points the missing neighbours are index 0 at infinite
     * distance (the reference's 1e40 sentinel, which is +inf in float32), so their interpolation weight is 0. A NaN
     * distance is never "smaller", so NaN known points are never picked.
     *
     * @param unknown [B, N, 3]
     * @param known   [B, M, 3] with M >= 1
     */
    public static Result threeNN(Tensor unknown, Tensor known) {
        String op = "three_nn";
        Checks.rank(op, "unknown", unknown, 3, 3);
        Checks.rank(op, "known", known, 3, 3);
        Checks.floating(op, "unknown", unknown);
        Checks.floating(op, "known", known);
        Checks.sameDim(op, "unknown", unknown, 0, "known", known, 0);
        int b = unknown.size(0), n = unknown.size(1), m = known.size(1);
        if (m == 0 && n > 0)
            throw new IllegalArgumentException(op + ": no known points to interpolate from, known " + Shape.str(known.shape())
                    + ", unknown " + Shape.str(unknown.shape()));
        float[] u = unknown.toFloatArray(), k = known.toFloatArray();
        float[] dist = new float[b * n * 3];
        int[] idx = new int[b * n * 3];
        Parallel.forWork(b * n, (long) b * n * m, (lo, hi) -> {
            for (int bn = lo; bn < hi; bn++) {
                int kb = bn / n * m * 3;
                float ux = u[bn * 3], uy = u[bn * 3 + 1], uz = u[bn * 3 + 2];
                double best1 = 1e40, best2 = 1e40, best3 = 1e40;
                int i1 = 0, i2 = 0, i3 = 0;
                for (int j = 0; j < m; j++) {
                    float dx = ux - k[kb + j * 3], dy = uy - k[kb + j * 3 + 1], dz = uz - k[kb + j * 3 + 2];
                    float d = dx * dx + dy * dy + dz * dz;
                    if (d < best1) {
                        best3 = best2; i3 = i2;
                        best2 = best1; i2 = i1;
                        best1 = d; i1 = j;
                    } else if (d < best2) {
                        best3 = best2; i3 = i2;
                        best2 = d; i2 = j;
                    } else if (d < best3) {
                        best3 = d; i3 = j;
                    }
                }
                // the reference stores the double bests into float32 (1e40 becomes +inf) and takes the float sqrt
                dist[bn * 3] = (float) Math.sqrt((float) best1);
                dist[bn * 3 + 1] = (float) Math.sqrt((float) best2);
                dist[bn * 3 + 2] = (float) Math.sqrt((float) best3);
                idx[bn * 3] = i1;
                idx[bn * 3 + 1] = i2;
                idx[bn * 3 + 2] = i3;
            }
        });
        return new Result(Tensor.ofFloats(dist, b, n, 3), Tensor.ofInts(idx, b, n, 3));
    }

    /**
     * PointnetFPModule's weights: 1 / (dist + 1e-8), normalised over the three neighbours so they sum to 1.
     *
     * @param dist [B, N, 3] distances from {@link #threeNN}
     * @return [B, N, 3] in dist's dtype
     */
    public static Tensor inverseDistanceWeights(Tensor dist) {
        Checks.rank("three_interpolate weights", "dist", dist, 3, 3);
        Checks.floating("three_interpolate weights", "dist", dist);
        Tensor recip = dist.add(EPS).reciprocal();
        return recip.div(recip.sum(new int[] {2}, true));
    }

    /**
     * three_interpolate: out[b, c, n] = Σ_k weight[b, n, k] · features[b, c, idx[b, n, k]]. The gradient flows to the
     * features (scattered back with the weights); idx and weight are constants, as in the reference.
     *
     * @param features [B, C, M]
     * @param idx      integer [B, N, 3] in [0, M)
     * @param weight   floating [B, N, 3]
     * @return [B, C, N] in the features' dtype
     */
    public static Var interpolate(Var features, Tensor idx, Tensor weight) {
        String op = "three_interpolate";
        Tensor f = features.data();
        Checks.rank(op, "features", f, 3, -1);
        Checks.rank(op, "idx", idx, 3, 3);
        Checks.rank(op, "weight", weight, 3, 3);
        Checks.integral(op, "idx", idx);
        Checks.floating(op, "weight", weight);
        Checks.sameDim(op, "features", f, 0, "idx", idx, 0);
        if (!java.util.Arrays.equals(idx.shape(), weight.shape()))
            throw new IllegalArgumentException(op + ": idx " + Shape.str(idx.shape()) + " and weight " + Shape.str(weight.shape()) + " must have the same shape");
        Checks.floating(op, "features", f);
        int b = f.size(0), c = f.size(1), m = f.size(2), n = idx.size(1);
        int[] ii = idx.toIntArray();
        if (m == 0 && ii.length > 0)
            throw new IllegalArgumentException(op + ": cannot interpolate from empty features " + Shape.str(f.shape()));
        Checks.indicesInRange(op, "idx", ii, m, idx);
        double[] w = weight.toDoubleArray();
        double[] fv = f.toDoubleArray();
        double[] out = new double[b * c * n];
        Parallel.forWork(b * c, (long) b * c * n * 3, (lo, hi) -> {
            for (int bc = lo; bc < hi; bc++) {
                int bi = bc / c, fb = bc * m, ob = bc * n, ib = bi * n * 3;
                for (int j = 0; j < n; j++) {
                    int t = ib + j * 3;
                    out[ob + j] = w[t] * fv[fb + ii[t]] + w[t + 1] * fv[fb + ii[t + 1]] + w[t + 2] * fv[fb + ii[t + 2]];
                }
            }
        });
        DType dt = f.dtype();
        return Var.record("three_interpolate", tensor(out, dt, b, c, n), (g, needs) -> {
            double[] gv = g.toDoubleArray();
            double[] gf = new double[b * c * m];
            // channels are independent, so splitting by (batch, channel) never has two threads add to one element
            Parallel.forWork(b * c, (long) b * c * n * 3, (lo, hi) -> {
                for (int bc = lo; bc < hi; bc++) {
                    int bi = bc / c, fb = bc * m, ob = bc * n, ib = bi * n * 3;
                    for (int j = 0; j < n; j++) {
                        int t = ib + j * 3;
                        double gj = gv[ob + j];
                        gf[fb + ii[t]] += gj * w[t];
                        gf[fb + ii[t + 1]] += gj * w[t + 1];
                        gf[fb + ii[t + 2]] += gj * w[t + 2];
                    }
                }
            });
            return new Tensor[] {tensor(gf, g.dtype(), b, c, m)};
        }, features);
    }

    /**
     * PointnetFPModule's interpolation without its MLP: three_nn of unknown in known, inverse-distance weights, and
     * three_interpolate of the known features.
     *
     * @param unknown    [B, N, 3]
     * @param known      [B, M, 3]
     * @param knownFeats [B, C, M]
     * @return [B, C, N]
     */
    public static Var propagate(Tensor unknown, Tensor known, Var knownFeats) {
        Result r = threeNN(unknown, known);
        Tensor weight = inverseDistanceWeights(r.dist()).to(knownFeats.dtype());
        return interpolate(knownFeats, r.idx(), weight);
    }

    static Tensor tensor(double[] v, DType dt, int... shape) {
        if (dt == DType.FLOAT64) return new Tensor(Storage.wrap(v), shape);
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return new Tensor(Storage.wrap(f), shape);
    }
}
