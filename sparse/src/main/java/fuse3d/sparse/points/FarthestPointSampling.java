package fuse3d.sparse.points;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.cpu.Parallel;

/**
 * Farthest point sampling (pointnet2_utils.furthest_point_sample) and the gather of features at the sampled
 * indices (gather_operation).
 */
public final class FarthestPointSampling {
    private FarthestPointSampling() {}

    /** The reference seeds every point's distance with this, so a point never compared yet counts as far away. */
    static final float FAR = 1e10f;

    /**
     * Iterative farthest point sampling: starts at index 0, then repeatedly takes the point whose squared distance to
     * the selected set is largest (the first such index on ties). Once every distinct point is taken all distances
     * are 0 and the reference keeps returning index 0; so does this.
     *
     * @param xyz    [B, N, 3] coordinates (non-finite coordinates are rejected: they make "farthest" meaningless)
     * @param npoint how many points to pick per batch element (may exceed N; see above)
     * @return int32 [B, npoint] indices into N
     */
    public static Tensor sample(Tensor xyz, int npoint) {
        String op = "furthest_point_sample";
        Checks.rank(op, "xyz", xyz, 3, 3);
        Checks.floating(op, "xyz", xyz);
        if (npoint < 0) throw new IllegalArgumentException(op + ": npoint must be >= 0, got " + npoint);
        int b = xyz.size(0), n = xyz.size(1);
        if (n == 0 && npoint > 0)
            throw new IllegalArgumentException(op + ": cannot sample " + npoint + " points from an empty cloud, xyz " + Shape.str(xyz.shape()));
        float[] p = xyz.toFloatArray();
        for (int i = 0; i < p.length; i++)
            if (!Float.isFinite(p[i]))
                throw new IllegalArgumentException(op + ": xyz " + Shape.str(xyz.shape()) + " has a non-finite coordinate at point "
                        + (i / 3 % Math.max(n, 1)) + " of batch " + (i / 3 / Math.max(n, 1)));
        int[] out = new int[b * npoint];
        Parallel.forWork(b, (long) b * n * npoint, (lo, hi) -> {
            float[] temp = new float[n];
            for (int bi = lo; bi < hi; bi++) sampleOne(p, bi * n * 3, n, npoint, temp, out, bi * npoint);
        });
        return Tensor.ofInts(out, b, npoint);
    }

    private static void sampleOne(float[] p, int base, int n, int m, float[] temp, int[] out, int outBase) {
        if (m == 0) return;
        java.util.Arrays.fill(temp, FAR);
        int old = 0;
        out[outBase] = 0;
        for (int j = 1; j < m; j++) {
            float x1 = p[base + old * 3], y1 = p[base + old * 3 + 1], z1 = p[base + old * 3 + 2];
            int besti = 0;
            float best = -1;
            for (int k = 0; k < n; k++) {
                float dx = p[base + k * 3] - x1, dy = p[base + k * 3 + 1] - y1, dz = p[base + k * 3 + 2] - z1;
                float d = dx * dx + dy * dy + dz * dz;
                float d2 = Math.min(d, temp[k]);
                temp[k] = d2;
                if (d2 > best) {
                    best = d2;
                    besti = k;
                }
            }
            old = besti;
            out[outBase + j] = old;
        }
    }

    /**
     * gather_operation: out[b, c, m] = features[b, c, idx[b, m]]; the gradient is added back at the gathered points.
     *
     * @param features [B, C, N]
     * @param idx      integer [B, M], each in [0, N)
     * @return [B, C, M] in the features' dtype
     */
    public static Var gather(Var features, Tensor idx) {
        String op = "gather_operation";
        Checks.rank(op, "features", features.data(), 3, -1);
        Checks.rank(op, "idx", idx, 2, -1);
        Checks.integral(op, "idx", idx);
        Checks.sameDim(op, "features", features.data(), 0, "idx", idx, 0);
        int n = features.size(2);
        Checks.indicesInRange(op, "idx", idx.toIntArray(), n, idx);
        int b = idx.size(0), m = idx.size(1), c = features.size(1);
        // the gather along N with the index broadcast over channels; autograd's gather scatters the gradient back
        Tensor index = idx.to(DType.INT64).reshape(b, 1, m).expand(b, c, m).contiguous();
        return features.gather(2, index);
    }
}
