package fuse3d.models.roi;

import fuse3d.autograd.Var;
import fuse3d.models.detect.Rois;
import fuse3d.sparse.points.RoiGridPool;
import fuse3d.tensor.DType;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** A small two-frame scene for head tests: range [0, 8] x [-4, 4] x [-2, 2] at 0.25 m, GT cars, proposals, voxel sets. */
final class TestScene {
    static final double[] VOXEL = {0.25, 0.25, 0.25};
    static final double[] RANGE = {0, -4, -2, 8, 4, 2};
    /** Base grid (Z, Y, X). */
    static final int[] GRID = {16, 32, 32};

    private TestScene() {}

    /** GT [2, 2, 8]: two cars in frame 0, one and a padding row in frame 1. */
    static Tensor gt() {
        return Tensor.ofFloats(new float[] {
            3, 0, 0, 2.0f, 1.0f, 1.0f, 0.3f, 1,
            5.5f, -2, 0, 1.6f, 0.8f, 0.9f, -1.0f, 1,
            4, 1.5f, -0.2f, 2.2f, 1.0f, 1.2f, 2.5f, 1,
            0, 0, 0, 0, 0, 0, 0, 0}, 2, 2, 8);
    }

    /** Proposals [2, n, 7]: jittered GT (foreground), random boxes, and two zero padding slots per frame. */
    static Rois rois(int n, long seed) {
        Random r = new Random(seed);
        float[] g = gt().toFloatArray();
        float[] boxes = new float[2 * n * 7], scores = new float[2 * n];
        int[] labels = new int[2 * n];
        for (int f = 0; f < 2; f++) {
            int ngt = f == 0 ? 2 : 1;
            for (int i = 0; i < n - 2; i++) {
                int o = (f * n + i) * 7;
                if (i < n / 2) {
                    int k = (f * 2 + i % ngt) * 8;
                    double s = i < 2 ? 0.05 : 0.3;
                    for (int d = 0; d < 3; d++) boxes[o + d] = (float) (g[k + d] + r.nextGaussian() * s);
                    for (int d = 3; d < 6; d++) boxes[o + d] = (float) (g[k + d] * (1 + r.nextGaussian() * s * 0.3));
                    boxes[o + 6] = (float) (g[k + 6] + r.nextGaussian() * s);
                } else {
                    boxes[o] = (float) (1 + 6 * r.nextDouble());
                    boxes[o + 1] = (float) (-3 + 6 * r.nextDouble());
                    boxes[o + 2] = (float) (-0.5 + r.nextDouble());
                    boxes[o + 3] = 2;
                    boxes[o + 4] = 1;
                    boxes[o + 5] = 1;
                    boxes[o + 6] = (float) (Math.PI * (2 * r.nextDouble() - 1));
                }
                scores[f * n + i] = (float) r.nextDouble();
                labels[f * n + i] = 1;
            }
        }
        return new Rois(Tensor.ofFloats(boxes, 2, n, 7), Tensor.ofFloats(scores, 2, n), Tensor.ofInts(labels, 2, n));
    }

    /** A random voxel set at a stride: about a third of the cells occupied (by default) in both frames, features uniform in [-1, 1]. */
    static RoiGridPool.VoxelSet voxels(int stride, int channels, long seed, DType dtype) { return voxels(stride, channels, seed, dtype, 0.35); }

    /** A random voxel set with a given fraction of the cells occupied. */
    static RoiGridPool.VoxelSet voxels(int stride, int channels, long seed, DType dtype, double occupancy) {
        Random r = new Random(seed);
        int z = GRID[0] / stride, y = GRID[1] / stride, x = GRID[2] / stride;
        List<int[]> cells = new ArrayList<>();
        for (int b = 0; b < 2; b++)
            for (int k = 0; k < z; k++)
                for (int j = 0; j < y; j++)
                    for (int i = 0; i < x; i++)
                        if (r.nextDouble() < occupancy) cells.add(new int[] {b, k, j, i});
        int n = cells.size();
        int[] c = new int[n * 4];
        for (int i = 0; i < n; i++) System.arraycopy(cells.get(i), 0, c, i * 4, 4);
        double[] f = new double[n * channels];
        for (int i = 0; i < f.length; i++) f[i] = 2 * r.nextDouble() - 1;
        Tensor ft = Tensor.of(f, n, channels);
        return new RoiGridPool.VoxelSet(Tensor.ofInts(c, n, 4), Var.leaf(dtype == DType.FLOAT64 ? ft : ft.to(dtype)), new int[] {z, y, x}, 2, stride);
    }

    /** Stream name -> source -> voxel set. */
    static Map<String, Map<String, RoiGridPool.VoxelSet>> streams(Map<String, Map<String, RoiGridPool.VoxelSet>> m) { return new LinkedHashMap<>(m); }

    /** A pool layer of one scale: MLP [mid, out], query range 1, radius, 4 samples, max pooling. */
    static RoiHeadConfig.PoolLayerConfig layer(int mid, int out, double radius) {
        return new RoiHeadConfig.PoolLayerConfig(List.of(List.of(mid, out)), List.of(List.of(1, 1, 1)), List.of(radius), List.of(4), "max_pool");
    }

    /** Voxel R-CNN's config with small FCs and 8 RoIs per frame. */
    static RoiHeadConfig small(List<RoiHeadConfig.StreamConfig> streams, RoiHeadConfig.StagesConfig stages, RoiHeadConfig.AttentionConfig att, boolean iou,
                               double dp) {
        RoiHeadConfig base = RoiHeadConfig.voxelRcnnCar();
        RoiHeadConfig.TargetConfig t = base.targetConfig();
        return base.withFc(List.of(8), List.of(6), List.of(6), dp).withLayout(streams, stages, att, iou)
                .withTargetConfig(new RoiHeadConfig.TargetConfig(8, t.fgRatio(), t.sampleRoiByEachClass(), t.clsScoreType(), t.clsFgThresh(), t.clsBgThresh(),
                        t.clsBgThreshLo(), t.hardBgRatio(), t.regFgThresh()));
    }
}
