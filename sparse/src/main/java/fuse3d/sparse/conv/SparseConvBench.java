package fuse3d.sparse.conv;

import fuse3d.autograd.GradMode;
import fuse3d.autograd.Var;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.cpu.Parallel;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import java.util.Arrays;

/**
 * Micro-benchmark of the sparse path on a KITTI-sized scan: rulebook builds and VoxelBackBone8x forward and
 * forward+backward, printing {@code bench <name> key=value} lines. The scan is drawn as a LiDAR sees it (a
 * ground plane in 64 beams all around, of which the range keeps the front, plus box-shaped objects), voxelized at 0.05 x 0.05 x 0.1 m
 * in the range [0, -40, -3, 70.4, 40, 1] (grid 41 x 1600 x 1408), one voxel per occupied cell.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp ... fuse3d.sparse.conv.SparseConvBench [points | scan.bin] [reps]};
 * a KITTI velodyne .bin in place of the point count benchmarks that real scan instead.
 */
public final class SparseConvBench {
    private SparseConvBench() {}

    static final double[] RANGE = {0, -40, -3, 70.4, 40, 1};
    static final double[] VOXEL = {0.05, 0.05, 0.1};
    static final int[] GRID = {1408, 1600, 40};

    public static void main(String[] args) {
        boolean file = args.length > 0 && args[0].endsWith(".bin");
        int points = args.length > 0 && !file ? Integer.parseInt(args[0]) : 60_000;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Generator g = new Generator(2026);
        Tensor coords;
        if (file) {
            float[] pts = readVelodyne(java.nio.file.Path.of(args[0]));
            points = pts.length / 4;
            coords = voxelize(pts);
        } else coords = scan(g, points);
        int n = coords.size(0);
        System.out.println("bench sparse_scan source=" + (file ? java.nio.file.Path.of(args[0]).getFileName() : "synthetic") + " points=" + points
                + " voxels=" + n + " threads=" + Parallel.threads());
        Tensor feats = g.uniform(-1, 1, n, 4);
        VoxelBackBone8x net = new VoxelBackBone8x(4, GRID, g);
        int[] shape = net.sparseShape();

        // rulebook builds alone (the submanifold one at full resolution, the first downsampling one)
        double[] subm = new double[reps], down = new double[reps];
        for (int r = 0; r < reps + 2; r++) {
            SparseTensor x = SparseTensor.of(feats, coords, shape, 1);
            long t0 = System.nanoTime();
            Rulebook rb = Rulebook.submanifold(x, new int[] {3, 3, 3}, new int[] {1, 1, 1});
            long t1 = System.nanoTime();
            Rulebook rd = Rulebook.regular(x, new int[] {3, 3, 3}, new int[] {2, 2, 2}, new int[] {1, 1, 1}, new int[] {1, 1, 1});
            long t2 = System.nanoTime();
            if (r >= 2) {
                subm[r - 2] = (t1 - t0) / 1e6;
                down[r - 2] = (t2 - t1) / 1e6;
            }
            if (r == 0)
                System.out.println("bench sparse_rulebook_pairs subm1=" + rb.totalPairs() + " spconv2=" + rd.totalPairs() + " spconv2_out=" + rd.numOut());
        }
        System.out.println("bench sparse_rulebook_subm_k3 ms=" + fmt(median(subm)) + " voxels=" + n);
        System.out.println("bench sparse_rulebook_spconv_k3s2 ms=" + fmt(median(down)) + " voxels=" + n);

        net.eval();
        double[] fwd = new double[reps];
        SparseBackboneOutput out = null;
        for (int r = 0; r < reps + 2; r++) {
            long t0 = System.nanoTime();
            try (GradMode.Scope _ = GradMode.noGrad()) {
                out = net.forward(Var.of(feats), coords, 1);
            }
            if (r >= 2) fwd[r - 2] = (System.nanoTime() - t0) / 1e6;
        }
        double f = median(fwd);
        if (SparseConvolution.PROFILE)
            System.out.println("bench voxel_backbone8x_forward_split rulebook_ms=" + fmt(SparseConvolution.RULEBOOK_NANOS.sum() / 1e6 / (reps + 2))
                    + " conv_ms=" + fmt(SparseConvolution.CONV_NANOS.sum() / 1e6 / (reps + 2)));
        System.out.println("bench voxel_backbone8x_forward ms=" + fmt(f) + " voxels=" + n + " voxels_per_s=" + (long) (n / (f / 1e3))
                + " out_voxels=" + out.encodedSpconvTensor().numActive());
        pairsPerLayer(out);
        stages(net, feats, coords, reps);
        denseEquivalent(out.multiScale3dFeatures().get("x_conv4"), g);

        net.train();
        double[] fb = new double[reps];
        for (int r = 0; r < reps + 1; r++) {
            long t0 = System.nanoTime();
            SparseBackboneOutput o = net.forward(Var.of(feats), coords, 1);
            o.encodedSpconvTensor().features().sum().backward();
            if (r >= 1) fb[r - 1] = (System.nanoTime() - t0) / 1e6;
            net.zeroGrad();
        }
        System.out.println("bench voxel_backbone8x_forward_backward ms=" + fmt(median(fb)) + " voxels=" + n);
    }

    /** Forward time of each stage (conv_input, conv1..conv4, conv_out), rulebook builds included. */
    private static void stages(VoxelBackBone8x net, Tensor feats, Tensor coords, int reps) {
        java.util.Map<String, double[]> t = new java.util.LinkedHashMap<>();
        for (String name : net.namedChildren().keySet()) t.put(name, new double[reps]);
        for (int r = 0; r < reps; r++) {
            SparseTensor x = SparseTensor.of(feats, coords, net.sparseShape(), 1);
            try (GradMode.Scope _ = GradMode.noGrad()) {
                for (var e : net.namedChildren().entrySet()) {
                    long t0 = System.nanoTime();
                    x = ((SparseModule) e.getValue()).apply(x);
                    t.get(e.getKey())[r] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        StringBuilder sb = new StringBuilder("bench voxel_backbone8x_stage_ms");
        for (var e : t.entrySet()) sb.append(' ').append(e.getKey()).append('=').append(fmt(median(e.getValue())));
        System.out.println(sb);
    }

    /**
     * One subm4 layer (64 -> 64, 3x3x3) sparse, against the engine's dense conv3d of the same layer on the full
     * x_conv4 grid (5 x 200 x 176), the work a dense network would do there.
     */
    private static void denseEquivalent(SparseTensor x4, Generator g) {
        SubMConv3d layer = new SubMConv3d(64, 64, 3, false, null, g);
        double[] sp = new double[3];
        try (GradMode.Scope _ = GradMode.noGrad()) {
            for (int r = 0; r < 5; r++) {
                long t0 = System.nanoTime();
                layer.apply(x4);
                if (r >= 2) sp[r - 2] = (System.nanoTime() - t0) / 1e6;
            }
            Tensor dense = x4.dense().data();
            Tensor w = layer.weight().data().permute(0, 4, 1, 2, 3).contiguous();
            double[] dn = new double[2];
            for (int r = 0; r < 3; r++) {
                long t0 = System.nanoTime();
                fuse3d.tensor.F.conv3d(dense, w, null, new int[] {1, 1, 1}, new int[] {1, 1, 1}, new int[] {1, 1, 1}, 1);
                if (r >= 1) dn[r - 1] = (System.nanoTime() - t0) / 1e6;
            }
            System.out.println("bench sparse_vs_dense_subm4 sparse_ms=" + fmt(median(sp)) + " dense_conv3d_ms=" + fmt(Math.min(dn[0], dn[1]))
                    + " sites=" + x4.numActive() + " grid=" + Arrays.toString(x4.spatialShape()));
        }
    }

    /** GEMM rows per indice key and the forward FLOPs they imply, for the figures' arithmetic. */
    private static void pairsPerLayer(SparseBackboneOutput out) {
        RulebookCache c = out.encodedSpconvTensor().rulebooks();
        StringBuilder sb = new StringBuilder("bench voxel_backbone8x_pairs");
        for (String k : c.keys()) sb.append(' ').append(k).append('=').append(c.get(k).totalPairs());
        System.out.println(sb);
    }

    /** A KITTI velodyne .bin: float32 little-endian (x, y, z, reflectance) per point. */
    static float[] readVelodyne(java.nio.file.Path path) {
        try {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(java.nio.file.Files.readAllBytes(path)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            float[] v = new float[b.remaining() / 4];
            b.asFloatBuffer().get(v);
            return v;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("SparseConvBench: cannot read " + path, e);
        }
    }

    /** Occupied voxels [N, 4] (batch 0, z, y, x) of real points, first come first kept, points outside the range dropped. */
    static Tensor voxelize(float[] pts) {
        LongOpenHashSet seen = new LongOpenHashSet();
        int[] buf = new int[pts.length];
        int n = 0;
        for (int p = 0; p + 3 < pts.length; p += 4) {
            int ix = (int) Math.floor((pts[p] - RANGE[0]) / VOXEL[0]), iy = (int) Math.floor((pts[p + 1] - RANGE[1]) / VOXEL[1]);
            int iz = (int) Math.floor((pts[p + 2] - RANGE[2]) / VOXEL[2]);
            if (ix < 0 || ix >= GRID[0] || iy < 0 || iy >= GRID[1] || iz < 0 || iz >= GRID[2]) continue;
            if (!seen.add(((long) iz * GRID[1] + iy) * GRID[0] + ix)) continue;
            buf[n * 4 + 1] = iz;
            buf[n * 4 + 2] = iy;
            buf[n * 4 + 3] = ix;
            n++;
        }
        return Tensor.ofInts(Arrays.copyOf(buf, n * 4), n, 4);
    }

    /** Occupied voxel coordinates [N, 4] (batch 0, z, y, x) of a synthetic LiDAR scan. */
    static Tensor scan(Generator g, int points) {
        LongOpenHashSet seen = new LongOpenHashSet();
        int[] buf = new int[points * 4];
        int n = 0;
        // objects: boxes 3.9 x 1.6 x 1.5 m (cars) on the ground, their visible faces sampled
        int objects = 25;
        double[][] obj = new double[objects][];
        for (int i = 0; i < objects; i++) obj[i] = new double[] {5 + 60 * g.nextDouble(), -30 + 60 * g.nextDouble(), g.nextDouble() * Math.PI};
        for (int p = 0; p < points; p++) {
            double x, y, z;
            if (p % 5 == 0) { // a fifth of the returns hit objects
                double[] o = obj[(int) g.nextLong(objects)];
                double u = (g.nextDouble() - 0.5) * 3.9, v = (g.nextDouble() - 0.5) * 1.6;
                if (g.nextDouble() < 0.5) u = Math.signum(u) * 1.95; else v = Math.signum(v) * 0.8;
                x = o[0] + u * Math.cos(o[2]) - v * Math.sin(o[2]);
                y = o[1] + u * Math.sin(o[2]) + v * Math.cos(o[2]);
                z = -1.7 + 1.5 * g.nextDouble();
            } else { // ground: 64 beams all around, range grows with the beam's depression angle; the range keeps the front
                int beam = (int) g.nextLong(64);
                double r = 1.73 / Math.tan(Math.toRadians(2 + beam * 0.4)) * (1 + 0.02 * g.nextGaussian());
                double az = Math.toRadians(-180 + 360 * g.nextDouble());
                x = r * Math.cos(az);
                y = r * Math.sin(az);
                z = -1.73 + 0.05 * g.nextGaussian();
            }
            int ix = (int) Math.floor((x - RANGE[0]) / VOXEL[0]), iy = (int) Math.floor((y - RANGE[1]) / VOXEL[1]);
            int iz = (int) Math.floor((z - RANGE[2]) / VOXEL[2]);
            if (ix < 0 || ix >= GRID[0] || iy < 0 || iy >= GRID[1] || iz < 0 || iz >= GRID[2]) continue;
            long key = ((long) iz * GRID[1] + iy) * GRID[0] + ix;
            if (!seen.add(key)) continue;
            buf[n * 4] = 0;
            buf[n * 4 + 1] = iz;
            buf[n * 4 + 2] = iy;
            buf[n * 4 + 3] = ix;
            n++;
        }
        return Tensor.ofInts(Arrays.copyOf(buf, n * 4), n, 4);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static String fmt(double v) { return String.format("%.2f", v); }
}
