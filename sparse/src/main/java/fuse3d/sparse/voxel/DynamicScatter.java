package fuse3d.sparse.voxel;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;

/**
 * Groups point features by voxel coordinate and reduces each group to one voxel feature, as mmcv's
 * {@code dynamic_point_to_voxel} (mmdet3d's {@code DynamicScatter}) and torch_scatter's scatter_mean / scatter_max
 * in OpenPCDet's dynamic VFEs. Built on the engine's unique and scatter ops, so the result is differentiable in the
 * point features (mean: each point gets 1/count of its voxel's gradient; max: the voxel's argmax point gets it).
 *
 * <p>Points whose coordinate has a negative entry (outside the grid, see {@link DynamicVoxelizer}) are dropped.
 * Voxels come out sorted by their coordinate rows, lexicographically, as torch.unique(coors, dim=0) orders them;
 * so permuting the points leaves the voxels and their order unchanged.
 */
public final class DynamicScatter {
    private DynamicScatter() {}

    /** How a voxel's points become one feature. */
    public enum Reduce { MEAN, MAX }

    /**
     * @param features    [M, C] one row per voxel
     * @param coords      int32 [M, D], the voxels' coordinate rows, sorted
     * @param pointVoxel  int64 [N], each point's voxel row, -1 for a dropped point
     * @param counts      int64 [M], points per voxel
     */
    public record Result(Var features, Tensor coords, Tensor pointVoxel, Tensor counts) {}

    /**
     * @param features [N, C] point features (float32 or float64)
     * @param coords   int32/int64 [N, D] voxel coordinate of each point, e.g. (z, y, x) or (batch, z, y, x)
     */
    public static Result scatter(Var features, Tensor coords, Reduce reduce) {
        String op = "dynamic_scatter";
        if (features.dim() != 2 || coords.dim() != 2 || coords.size(0) != features.size(0) || coords.size(1) < 1)
            throw new IllegalArgumentException(op + ": expects features [N, C] and coords [N, D] with the same N, got "
                    + Shape.str(features.shape()) + " and " + Shape.str(coords.shape()));
        if (coords.dtype() != DType.INT32 && coords.dtype() != DType.INT64)
            throw new IllegalArgumentException(op + ": coords must be int32 or int64, got " + coords.dtype().torchName() + " " + Shape.str(coords.shape()));
        int n = coords.size(0), d = coords.size(1), c = features.size(1);
        long[] co = coords.toLongArray();
        // mixed-radix keys over the coordinate columns keep the lexicographic order of the rows
        long[] radix = new long[d];
        for (int j = 0; j < d; j++) radix[j] = 1;
        boolean[] keep = new boolean[n];
        int kept = 0;
        for (int i = 0; i < n; i++) {
            boolean ok = true;
            for (int j = 0; j < d; j++) ok &= co[i * d + j] >= 0;
            keep[i] = ok;
            if (!ok) continue;
            kept++;
            for (int j = 0; j < d; j++) radix[j] = Math.max(radix[j], co[i * d + j] + 1);
        }
        double span = 1;
        for (long r : radix) span *= r;
        if (span >= 0x1p62) throw new IllegalArgumentException(op + ": coordinates of " + Shape.str(coords.shape()) + " span too large a grid to key");
        long[] keys = new long[kept];
        long[] keptIdx = new long[kept];
        for (int i = 0, k = 0; i < n; i++) {
            if (!keep[i]) continue;
            long key = 0;
            for (int j = 0; j < d; j++) key = key * radix[j] + co[i * d + j];
            keys[k] = key;
            keptIdx[k++] = i;
        }
        Tensor.UniqueResult u = Tensor.ofLongs(keys, kept).unique();
        long[] uniq = u.values().toLongArray();
        int m = uniq.length;
        int[] vc = new int[m * d];
        for (int v = 0; v < m; v++) {
            long key = uniq[v];
            for (int j = d - 1; j >= 0; j--) {
                vc[v * d + j] = (int) (key % radix[j]);
                key /= radix[j];
            }
        }
        long[] inv = u.inverse().toLongArray();
        long[] pointVoxel = new long[n];
        java.util.Arrays.fill(pointVoxel, -1);
        for (int k = 0; k < kept; k++) pointVoxel[(int) keptIdx[k]] = inv[k];

        Var src = kept == n ? features : features.indexSelect(0, Tensor.ofLongs(keptIdx, kept));
        Tensor index = Tensor.ofLongs(inv, kept, 1).expand(kept, c).contiguous();
        Var out = switch (reduce) {
            case MEAN -> Var.of(Tensor.zeros(features.dtype(), m, c)).scatterReduce(0, index, src, "mean", false);
            case MAX -> Var.scatterMax(src, 0, index, m).values();
        };
        return new Result(out, Tensor.ofInts(vc, m, d), Tensor.ofLongs(pointVoxel, n), u.counts().to(DType.INT64));
    }
}
