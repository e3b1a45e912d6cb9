package fuse3d.examples.bench;

import fuse3d.sparse.bev.BevPoolBench;
import fuse3d.sparse.box.Nms;
import fuse3d.sparse.conv.SparseConvBench;
import fuse3d.sparse.voxel.SyntheticScan;
import fuse3d.sparse.voxel.VoxelGrid;
import fuse3d.sparse.voxel.Voxelizer;
import fuse3d.sparse.voxel.Voxels;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.cpu.Parallel;
import java.io.PrintStream;

/**
 * The sparse world's figures as {@code bench} lines, on a KITTI-sized scan drawn as a LiDAR would see it
 * (ground, buildings, cars and pedestrians from {@link SyntheticScan}, about 120k points) with the KITTI
 * config (range [0, -40, -3, 70.4, 40, 1], voxel 0.05 x 0.05 x 0.1 m): voxelization, the rulebooks and
 * VoxelBackBone8x ({@link SparseConvBench}), rotated NMS of 4k boxes, and BEV pooling at BEVDet's sizes.
 */
public final class SparseBench {
    private SparseBench() {}

    public static void run(PrintStream out, boolean quick) {
        int threads = Parallel.threads();
        out.printf("bench env jdk=%s threads=%d%n", System.getProperty("java.version"), threads);
        SyntheticScan.Scan scan = SyntheticScan.generate(7);
        Tensor points = scan.points();
        Voxelizer voxelizer = new Voxelizer(VoxelGrid.kitti(), 5, 40000);
        Voxels[] v = new Voxels[1];
        double voxMs = TensorBench.time(() -> v[0] = voxelizer.voxelize(points), quick) / 1e6;
        out.printf("bench voxelize points=%d voxels=%d max_points=5 max_voxels=40000 ms=%.2f threads=%d%n",
                points.size(0), v[0].count(), voxMs, threads);
        out.flush();

        // the backbone sees every occupied voxel of the scan (OpenPCDet's test-time cap, 40000, is about that)
        SparseConvBench.run(out, SparseConvBench.occupiedVoxels(points), "synthetic", points.size(0), quick ? 3 : 7);
        out.flush();

        // 4k candidate boxes clustered round 200 objects (centres within ~0.3 m, headings within ~0.1 rad), as a
        // detector's pre-NMS proposals are
        Generator g = new Generator(3);
        int n = 4000, objects = 200;
        Tensor centres = g.uniform(-40, 40, objects, 2), headings = g.uniform(0, Math.PI, objects);
        float[] b = new float[n * 7];
        for (int i = 0; i < n; i++) {
            int o = (int) g.nextLong(objects);
            b[i * 7] = (float) (centres.getDouble(o, 0) + 0.3 * g.nextGaussian());
            b[i * 7 + 1] = (float) (centres.getDouble(o, 1) + 0.3 * g.nextGaussian());
            b[i * 7 + 2] = (float) (-1 + 0.1 * g.nextGaussian());
            b[i * 7 + 3] = (float) (3.9 + 0.2 * g.nextGaussian());
            b[i * 7 + 4] = (float) (1.6 + 0.1 * g.nextGaussian());
            b[i * 7 + 5] = 1.56f;
            b[i * 7 + 6] = (float) (headings.getDouble(o) + 0.1 * g.nextGaussian());
        }
        Tensor boxes = Tensor.ofFloats(b, n, 7), scores = g.uniform(0, 1, n);
        Tensor[] kept = new Tensor[1];
        double nmsMs = TensorBench.time(() -> kept[0] = Nms.nms(boxes, scores, 0.7), quick) / 1e6;
        out.printf("bench rotated_nms boxes=%d objects=%d iou=0.7 kept=%d ms=%.2f threads=%d%n", n, objects, kept[0].numel(), nmsMs, threads);
        out.flush();

        BevPoolBench.run(out, quick);
    }
}
