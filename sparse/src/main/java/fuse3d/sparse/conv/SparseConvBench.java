package fuse3d.sparse.conv;

import fuse3d.autograd.GradMode;
import fuse3d.autograd.Var;
import fuse3d.sparse.voxel.SyntheticScan;
import fuse3d.sparse.voxel.VoxelGrid;
import fuse3d.sparse.voxel.Voxelizer;
import fuse3d.sparse.voxel.Voxels;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.cpu.Parallel;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * Micro-benchmark of the sparse path on a KITTI-sized scan: rulebook builds and VoxelBackBone8x forward and
 * forward+backward, printing {@code bench <name> key=value} lines. The scan is {@link SyntheticScan}'s (a 64-beam
 * LiDAR over ground, buildings, cars and pedestrians) or a real KITTI velodyne file, voxelized by OpenPCDet's KITTI
 * grid (range [0, -40, -3, 70.4, 40, 1], voxel 0.05 x 0.05 x 0.1 m, 41 x 1600 x 1408), one voxel per occupied cell.
 * {@code ./fuse3d bench sparse} runs it; alone: {@code java ... fuse3d.sparse.conv.SparseConvBench [seed | scan.bin] [reps]}.
 */
public final class SparseConvBench {
    private SparseConvBench() {}

    public static void main(String[] args) {
        boolean file = args.length > 0 && args[0].endsWith(".bin");
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Tensor points;
        String source;
        if (file) {
            float[] pts = readVelodyne(java.nio.file.Path.of(args[0]));
            points = Tensor.ofFloats(pts, pts.length / 4, 4);
            source = java.nio.file.Path.of(args[0]).getFileName().toString();
        } else {
            points = SyntheticScan.generate(args.length > 0 ? Long.parseLong(args[0]) : 7).points();
            source = "synthetic";
        }
        run(System.out, occupiedVoxels(points), source, points.size(0), reps);
    }

    /** Occupied voxels [N, 4] (batch 0, z, y, x) of a point cloud on OpenPCDet's KITTI grid, first come first kept. */
    public static Tensor occupiedVoxels(Tensor points) {
        Voxels v = new Voxelizer(VoxelGrid.kitti(), 1, Integer.MAX_VALUE).voxelize(points);
        return Voxels.collate(List.of(v)).coords();
    }

    /**
     * The figures for one voxel set: coords [N, 4] (batch 0, z, y, x) on the KITTI grid, {@code reps} timed runs
     * after warm-up, median printed.
     */
    public static void run(PrintStream out, Tensor coords, String source, int points, int reps) {
        Generator g = new Generator(2026);
        int n = coords.size(0);
        out.println("bench sparse_scan source=" + source + " points=" + points + " voxels=" + n + " threads=" + Parallel.threads());
        Tensor feats = g.uniform(-1, 1, n, 4);
        VoxelBackBone8x net = new VoxelBackBone8x(4, VoxelGrid.kitti().gridSize(), g);
        int[] shape = net.sparseShape();

        // rulebook builds alone (the submanifold one at full resolution, the first downsampling one)
        double[] subm = new double[reps], down = new double[reps];
        // warm, as the backbone's figures are: inside the backbone the builders run compiled
        // (a fixed 20 runs: two quick runs in a row can agree before C2 has compiled both builders)
        for (int r = 0; r < 20; r++) {
            SparseTensor x = SparseTensor.of(feats, coords, shape, 1);
            Rulebook.submanifold(x, new int[] {3, 3, 3}, new int[] {1, 1, 1});
            Rulebook.regular(x, new int[] {3, 3, 3}, new int[] {2, 2, 2}, new int[] {1, 1, 1}, new int[] {1, 1, 1});
        }
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
                out.println("bench sparse_rulebook_pairs subm1=" + rb.totalPairs() + " spconv2=" + rd.totalPairs() + " spconv2_out=" + rd.numOut());
        }
        out.println("bench sparse_rulebook_subm_k3 ms=" + fmt(median(subm)) + " voxels=" + n);
        out.println("bench sparse_rulebook_spconv_k3s2 ms=" + fmt(median(down)) + " voxels=" + n);

        // C2 compiles the Vector API loops only after they have run a while (before that they run boxed and tens
        // of times slower): warm the whole forward and backward up until two runs in a row agree within 5 %
        warmUp(() -> {
            net.eval();
            try (GradMode.Scope _ = GradMode.noGrad()) {
                net.forward(Var.of(feats), coords, 1);
            }
        });
        warmUp(() -> {
            net.train();
            net.forward(Var.of(feats), coords, 1).encodedSpconvTensor().features().sum().backward();
            net.zeroGrad();
        });
        net.eval();
        double[] fwd = new double[reps];
        SparseBackboneOutput result = null;
        SparseConvolution.RULEBOOK_NANOS.reset();
        SparseConvolution.CONV_NANOS.reset();
        for (int r = 0; r < reps + 2; r++) {
            long t0 = System.nanoTime();
            try (GradMode.Scope _ = GradMode.noGrad()) {
                result = net.forward(Var.of(feats), coords, 1);
            }
            if (r >= 2) fwd[r - 2] = (System.nanoTime() - t0) / 1e6;
        }
        double f = median(fwd);
        if (SparseConvolution.PROFILE)
            out.println("bench voxel_backbone8x_forward_split rulebook_ms=" + fmt(SparseConvolution.RULEBOOK_NANOS.sum() / 1e6 / (reps + 2))
                    + " conv_ms=" + fmt(SparseConvolution.CONV_NANOS.sum() / 1e6 / (reps + 2)) + " (means over the timed runs)");
        out.println("bench voxel_backbone8x_forward ms=" + fmt(f) + " voxels=" + n + " voxels_per_s=" + (long) (n / (f / 1e3))
                + " out_voxels=" + result.encodedSpconvTensor().numActive());
        pairsPerLayer(out, result);
        stages(out, net, feats, coords, reps);
        denseEquivalent(out, result.multiScale3dFeatures().get("x_conv4"), g);

        net.train();
        double[] fb = new double[reps];
        for (int r = 0; r < reps + 1; r++) {
            long t0 = System.nanoTime();
            SparseBackboneOutput o = net.forward(Var.of(feats), coords, 1);
            o.encodedSpconvTensor().features().sum().backward();
            if (r >= 1) fb[r - 1] = (System.nanoTime() - t0) / 1e6;
            net.zeroGrad();
        }
        out.println("bench voxel_backbone8x_forward_backward ms=" + fmt(median(fb)) + " voxels=" + n);
    }

    /** Runs {@code body} until two consecutive runs agree within 5 % (at least 3, at most 30 runs). */
    private static void warmUp(Runnable body) {
        double prev = Double.MAX_VALUE;
        for (int i = 0; i < 30; i++) {
            long t0 = System.nanoTime();
            body.run();
            double ms = (System.nanoTime() - t0) / 1e6;
            if (i >= 2 && Math.abs(ms - prev) <= 0.05 * prev) return;
            prev = ms;
        }
    }

    /** Forward time of each stage (conv_input, conv1..conv4, conv_out), rulebook builds included. */
    private static void stages(PrintStream out, VoxelBackBone8x net, Tensor feats, Tensor coords, int reps) {
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
        out.println(sb);
    }

    /**
     * One subm4 layer (64 -> 64, 3x3x3) sparse, against the engine's dense conv3d of the same layer on the full
     * x_conv4 grid (5 x 200 x 176), the work a dense network would do there.
     */
    private static void denseEquivalent(PrintStream out, SparseTensor x4, Generator g) {
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
            out.println("bench sparse_vs_dense_subm4 sparse_ms=" + fmt(median(sp)) + " dense_conv3d_ms=" + fmt(Math.min(dn[0], dn[1]))
                    + " sites=" + x4.numActive() + " grid=" + Arrays.toString(x4.spatialShape()));
        }
    }

    /** GEMM rows per indice key and the forward FLOPs they imply, for the figures' arithmetic. */
    private static void pairsPerLayer(PrintStream out, SparseBackboneOutput result) {
        RulebookCache c = result.encodedSpconvTensor().rulebooks();
        StringBuilder sb = new StringBuilder("bench voxel_backbone8x_pairs");
        for (String k : c.keys()) sb.append(' ').append(k).append('=').append(c.get(k).totalPairs());
        out.println(sb);
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

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static String fmt(double v) { return String.format("%.2f", v); }
}
