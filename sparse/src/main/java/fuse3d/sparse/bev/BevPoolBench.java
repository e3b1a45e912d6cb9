package fuse3d.sparse.bev;

import fuse3d.autograd.Var;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.cpu.Parallel;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * Micro-benchmark of the camera-to-BEV path at BEVDet-R50 sizes, printed as {@code bench} lines: six cameras of a
 * synthetic surround rig (256x704 input, downsample 16 -> 16x44 features), 59 depth bins [1, 60) m, 80 channels,
 * a 200x200x1 BEV over +-51.2 m. Reports the frustum-to-LiDAR geometry, the rank precomputation, BEVPoolv2 forward,
 * its backward (depth and feature gradients), and the naive per-point scatter-add for comparison; median of the
 * timed runs after warm-up. Run: {@code java ... fuse3d.sparse.bev.BevPoolBench [--quick]}.
 */
public final class BevPoolBench {
    private BevPoolBench() {}

    public static void main(String[] args) {
        run(System.out, Arrays.asList(args).contains("--quick"));
    }

    public static void run(PrintStream out, boolean quick) {
        int cams = 6, depthBins = 59, channels = 80, h = 256, w = 704, ds = 16;
        int warm = quick ? 3 : 15, runs = quick ? 5 : 20;
        Frustum frustum = Frustum.create(h, w, ds, 1, 60, 1);
        CameraView[][] rig = new CameraView[1][cams];
        double[] yaws = {0, -55, 55, 180, -110, 110};
        for (int i = 0; i < cams; i++) {
            // camera axes (x right, y down, z forward) to LiDAR (x forward, y left, z up), turned by the camera's yaw
            Pose axes = Pose.ofRowMajor(0, 0, 1, 0, -1, 0, 0, 0, 0, -1, 0, 0);
            Pose mount = axes.then(Pose.rotationZ(Math.toRadians(yaws[i]))).then(Pose.translation(
                    Math.cos(Math.toRadians(yaws[i])), Math.sin(Math.toRadians(yaws[i])), 1.6));
            rig[0][i] = CameraView.of(mount, CameraIntrinsics.of(560, 560, 352, 128));
        }
        BevGrid grid = new BevGrid(-51.2, 51.2, 0.512, -51.2, 51.2, 0.512, -5, 3, 8);
        int threads = Parallel.threads();
        String shape = "cams=" + cams + " feat=" + frustum.height() + "x" + frustum.width() + " D=" + depthBins + " C=" + channels + " bev=" + grid.nx() + "x"
                + grid.ny() + "x" + grid.nz();
        out.printf("bench env jdk=%s threads=%d%n", System.getProperty("java.version"), threads);

        Tensor[] coords = new Tensor[1];
        double geomMs = time(warm, runs, () -> coords[0] = frustum.toLidar(rig, null));
        out.printf("bench bev_geometry %s ms=%.2f threads=%d%n", shape, geomMs, threads);
        BevPoolRanks[] plan = new BevPoolRanks[1];
        double prepMs = time(warm, runs, () -> plan[0] = BevPoolRanks.prepare(coords[0], grid));
        BevPoolRanks r = plan[0];
        out.printf("bench bev_pool_prepare %s points=%d kept=%d cells=%d ms=%.2f threads=%d%n", shape,
                cams * depthBins * frustum.height() * frustum.width(), r.points(), r.intervals(), prepMs, threads);

        Generator g = new Generator(0);
        Tensor depth = g.uniform(0, 1, cams, depthBins, frustum.height(), frustum.width()).softmax(1);
        Tensor feat = g.normal(0, 1, cams, channels, frustum.height(), frustum.width());
        double fwdMs = time(warm, runs, () -> BevPool.pool(depth, feat, r));
        double gflop = 2.0 * r.points() * channels / 1e9;
        out.printf("bench bev_pool %s ms=%.2f gflops=%.2f threads=%d%n", shape, fwdMs, gflop / fwdMs * 1e3, threads);

        Tensor gradOut = g.normal(0, 1, 1, channels, grid.nz(), grid.ny(), grid.nx());
        double fwdBwdMs = time(warm, runs, () -> {
            Var vd = Var.leaf(depth), vf = Var.leaf(feat);
            BevPool.pool(vd, vf, r).backward(gradOut);
        });
        out.printf("bench bev_pool_fwd_bwd %s ms=%.2f backward_ms=%.2f threads=%d%n", shape, fwdBwdMs, fwdBwdMs - fwdMs, threads);

        double naiveMs = time(1, quick ? 1 : 3, () -> BevPool.naiveScatterAdd(depth, feat, r));
        out.printf("bench bev_pool_naive_scatter %s ms=%.2f ratio=%.1f threads=1%n", shape, naiveMs, naiveMs / fwdMs);
    }

    private static double time(int warm, int runs, Runnable body) {
        for (int i = 0; i < warm; i++) body.run();
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            body.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[runs / 2];
    }

}
