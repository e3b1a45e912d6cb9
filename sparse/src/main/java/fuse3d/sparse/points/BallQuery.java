package fuse3d.sparse.points;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.cpu.Parallel;

/**
 * PointNet++ ball query, grouping and query-and-group (pointnet2_batch's ball_query, grouping_operation and
 * QueryAndGroup).
 */
public final class BallQuery {
    private BallQuery() {}

    /**
     * The ball query's neighbour indices and which balls came back empty.
     *
     * @param idx   int32 [B, M, nsample]: the first nsample points (in index order) strictly inside the ball; when
     *              fewer are found the rest repeat the first one found; an empty ball is all 0, as the batch
     *              reference leaves its zero-initialised output
     * @param empty bool [B, M]: true where no point was inside (the stack reference's empty_ball_mask), so that a
     *              caller can zero those groups rather than read point 0
     */
    public record Result(Tensor idx, Tensor empty) {}

    /**
     * ball_query(radius, nsample, xyz, new_xyz): for each centre, the points with squared distance strictly below
     * radius² (float32, as the kernel). A NaN coordinate is never inside any ball, so a NaN point is never picked
     * and a NaN centre gets an empty ball.
     *
     * @param xyz    [B, N, 3] points
     * @param newXyz [B, M, 3] ball centres
     */
    public static Result query(double radius, int nsample, Tensor xyz, Tensor newXyz) {
        String op = "ball_query";
        Checks.rank(op, "xyz", xyz, 3, 3);
        Checks.rank(op, "new_xyz", newXyz, 3, 3);
        Checks.floating(op, "xyz", xyz);
        Checks.floating(op, "new_xyz", newXyz);
        Checks.sameDim(op, "xyz", xyz, 0, "new_xyz", newXyz, 0);
        Checks.positive(op, "nsample", nsample);
        if (!(radius >= 0)) throw new IllegalArgumentException(op + ": radius must be >= 0, got " + radius);
        int b = xyz.size(0), n = xyz.size(1), m = newXyz.size(1);
        float[] p = xyz.toFloatArray(), q = newXyz.toFloatArray();
        float r2 = (float) radius * (float) radius;
        int[] idx = new int[b * m * nsample];
        boolean[] empty = new boolean[b * m];
        Parallel.forWork(b * m, (long) b * m * n, (lo, hi) -> {
            for (int bm = lo; bm < hi; bm++) {
                int bi = bm / Math.max(m, 1);
                int pb = bi * n * 3, out = bm * nsample;
                float cx = q[bm * 3], cy = q[bm * 3 + 1], cz = q[bm * 3 + 2];
                int cnt = 0;
                for (int k = 0; k < n && cnt < nsample; k++) {
                    float dx = cx - p[pb + k * 3], dy = cy - p[pb + k * 3 + 1], dz = cz - p[pb + k * 3 + 2];
                    float d2 = dx * dx + dy * dy + dz * dz;
                    if (d2 < r2) {
                        if (cnt == 0) java.util.Arrays.fill(idx, out, out + nsample, k);
                        idx[out + cnt++] = k;
                    }
                }
                empty[bm] = cnt == 0;
            }
        });
        return new Result(Tensor.ofInts(idx, b, m, nsample), Tensor.ofBools(empty, b, m));
    }

    /**
     * grouping_operation: out[b, c, m, k] = features[b, c, idx[b, m, k]]; the gradient is added back at every
     * picked point (a point picked twice gets both).
     *
     * @param features [B, C, N]
     * @param idx      integer [B, M, K], each in [0, N)
     * @return [B, C, M, K] in the features' dtype
     */
    public static Var group(Var features, Tensor idx) {
        String op = "grouping_operation";
        Checks.rank(op, "features", features.data(), 3, -1);
        Checks.rank(op, "idx", idx, 3, -1);
        Checks.integral(op, "idx", idx);
        Checks.sameDim(op, "features", features.data(), 0, "idx", idx, 0);
        int b = idx.size(0), m = idx.size(1), k = idx.size(2), c = features.size(1), n = features.size(2);
        int[] ii = idx.toIntArray();
        if (n == 0 && ii.length > 0)
            throw new IllegalArgumentException(op + ": cannot group from empty features " + Shape.str(features.shape()) + " with idx " + Shape.str(idx.shape()));
        Checks.indicesInRange(op, "idx", ii, n, idx);
        Tensor index = Tensor.ofInts(ii, b, 1, m * k).to(DType.INT64).expand(b, c, m * k).contiguous();
        return features.gather(2, index).reshape(b, c, m, k);
    }

    /**
     * QueryAndGroup: ball query, then the grouped coordinates relative to their centre, followed (when given) by
     * the grouped features.
     *
     * @param xyz      [B, N, 3]
     * @param newXyz   [B, M, 3]
     * @param features [B, C, N] or null
     * @param useXyz   put the 3 relative coordinates first; must be true when features is null
     * @return [B, 3 + C, M, nsample] (or [B, C, M, nsample] without xyz)
     */
    public static Var queryAndGroup(double radius, int nsample, Tensor xyz, Tensor newXyz, Var features, boolean useXyz) {
        if (features == null && !useXyz)
            throw new IllegalArgumentException("QueryAndGroup: without features the relative coordinates are the only output, so use_xyz must be true");
        Result r = query(radius, nsample, xyz, newXyz);
        DType dt = features != null ? features.dtype() : xyz.dtype();
        Var xyzT = Var.of(xyz.to(dt).transpose(1, 2).contiguous());
        Var groupedXyz = group(xyzT, r.idx()).sub(newXyz.to(dt).transpose(1, 2).unsqueeze(3));
        if (features == null) return groupedXyz;
        Var groupedFeatures = group(features, r.idx());
        return useXyz ? Var.cat(1, groupedXyz, groupedFeatures) : groupedFeatures;
    }
}
