package fuse3d.cuda.bench;

import fuse3d.cuda.CudaException;
import fuse3d.cuda.backend.CudaBackend;
import fuse3d.cuda.backend.CudaTensors;
import fuse3d.cuda.driver.CudaDriver;
import fuse3d.cuda.runtime.CudaContext;
import fuse3d.cuda.sparse.CudaSparse;
import fuse3d.cuda.sparse.GpuRulebook;
import fuse3d.sparse.box.Nms;
import fuse3d.sparse.voxel.SyntheticScan;
import fuse3d.sparse.voxel.VoxelGrid;
import fuse3d.sparse.voxel.Voxelizer;
import fuse3d.sparse.voxel.Voxels;
import fuse3d.tensor.DType;
import fuse3d.tensor.Device;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.UnaryOp;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * The CUDA figures of {@code ./fuse3d bench tensor|sparse --device cuda}: one {@code bench <name> key=value ...} line
 * per figure, as the CPU benches print them, timed with CUDA events after a warm-up. On a machine without CUDA it
 * prints one clear error line and returns 2. The lead's CLI calls {@link #run}; {@link #main} runs it alone.
 */
public final class CudaBench {
    private CudaBench() {}

    /** {@code tensor|sparse [--device cuda[:N]] [--quick]}. */
    public static void main(String[] args) {
        String which = args.length > 0 ? args[0] : "tensor", device = "cuda";
        boolean quick = false;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--device") && i + 1 < args.length) device = args[++i];
            else if (args[i].equals("--quick")) quick = true;
        }
        System.exit(run(which, device, quick, System.out, System.err));
    }

    /** Runs the "tensor" or "sparse" figures on {@code device}; 0 on success, 2 when CUDA is unavailable, 1 on bad arguments. */
    public static int run(String which, String device, boolean quick, PrintStream out, PrintStream err) {
        Device d;
        try {
            d = Device.parse(device);
        } catch (IllegalArgumentException e) {
            err.println("bench " + which + ": " + e.getMessage());
            return 1;
        }
        if (!d.type().equals("cuda") || !(which.equals("tensor") || which.equals("sparse"))) {
            err.println("bench " + which + " --device " + device + ": CudaBench runs 'tensor' or 'sparse' on a cuda device");
            return 1;
        }
        CudaContext c;
        try {
            c = CudaContext.get(d.index());
        } catch (CudaException e) {
            err.println("bench " + which + " --device " + d + ": " + e.getMessage());
            return 2;
        }
        out.printf(Locale.ROOT, "bench env device=%s name=%s cc=%d mem_mib=%d driver=%s tf32_default=%s%n", d, c.name().replace(' ', '_'),
                c.computeCapability(), c.totalMemory() >> 20, c.driver().path(), Boolean.getBoolean("fuse3d.cuda.tf32"));
        if (which.equals("tensor")) tensor(c, quick, out);
        else sparse(c, quick, out);
        return 0;
    }

    /** Milliseconds per run of body, timed with CUDA events over enough runs to pass ~200 ms, after warm-up. */
    static double timeMs(CudaContext c, Runnable body) {
        CudaDriver drv = c.driver();
        c.makeCurrent();
        for (int i = 0; i < 3; i++) body.run();
        c.synchronize();
        MemorySegment start = drv.eventCreate(0), end = drv.eventCreate(0);
        try {
            int reps = 1;
            while (true) {
                drv.eventRecord(start, MemorySegment.NULL);
                for (int i = 0; i < reps; i++) body.run();
                drv.eventRecord(end, MemorySegment.NULL);
                drv.eventSynchronize(end);
                double ms = drv.eventElapsedTime(start, end);
                if (ms > 200 || reps >= 1 << 12) return ms / reps;
                reps *= 2;
            }
        } finally {
            drv.eventDestroy(start);
            drv.eventDestroy(end);
        }
    }

    private static void tensor(CudaContext c, boolean quick, PrintStream out) {
        Generator g = new Generator(7);
        for (int n : quick ? new int[] {1024, 2048} : new int[] {1024, 2048, 4096}) {
            Tensor a = CudaTensors.upload(c, g.uniform(-1, 1, n, n)), b = CudaTensors.upload(c, g.uniform(-1, 1, n, n));
            Tensor o = CudaTensors.empty(c, DType.FLOAT32, new int[] {n, n});
            for (boolean tf32 : c.computeCapability() >= 80 ? new boolean[] {false, true} : new boolean[] {false}) {
                double ms = timeMs(c, () -> CudaBackend.gemm(c, CudaTensors.ptr(a), CudaTensors.ptr(b), CudaTensors.ptr(o), 1, n, n, n, n, 1, 0, n, 1, 0, n, 0,
                        1f, 0f, tf32));
                out.printf(Locale.ROOT, "bench cuda_sgemm n=%d kernel=%s ms=%.3f gflops=%.1f%n", n, tf32 ? "tf32_mma" : "fp32_tiled", ms,
                        2.0 * n * n * n / (ms * 1e6));
            }
        }
        Tensor x = CudaTensors.upload(c, g.uniform(-1, 1, 8, 64, 1, 56, 56)), w = CudaTensors.upload(c, g.uniform(-1, 1, 64, 64, 1, 3, 3));
        CudaBackend be = new CudaBackend();
        double conv = timeMs(c, () -> be.conv(x, w, null, new int[] {1, 1, 1}, new int[] {0, 1, 1}, new int[] {1, 1, 1}, 1));
        out.printf(Locale.ROOT, "bench cuda_conv2d shape=8x64x56x56 kernel=3x3 cin=64 cout=64 ms=%.3f gflops=%.1f%n", conv,
                2.0 * 8 * 64 * 64 * 9 * 56 * 56 / (conv * 1e6));
        Tensor s = CudaTensors.upload(c, g.uniform(-4, 4, 4096, 1024));
        double sm = timeMs(c, () -> be.softmax(s, 1, false));
        out.printf(Locale.ROOT, "bench cuda_softmax shape=4096x1024 ms=%.3f gbps=%.1f%n", sm, 2.0 * 4 * 4096 * 1024 / (sm * 1e6));
        double red = timeMs(c, () -> be.reduce(fuse3d.tensor.ReduceOp.SUM, s, new int[] {1}, false, 0, DType.FLOAT32));
        out.printf(Locale.ROOT, "bench cuda_sum shape=4096x1024 dim=1 ms=%.3f gbps=%.1f%n", red, 4.0 * 4096 * 1024 / (red * 1e6));
        double relu = timeMs(c, () -> be.unary(UnaryOp.RELU, s, 0, 0, DType.FLOAT32));
        out.printf(Locale.ROOT, "bench cuda_relu shape=4096x1024 ms=%.3f gbps=%.1f%n", relu, 8.0 * 4096 * 1024 / (relu * 1e6));
    }

    private static void sparse(CudaContext c, boolean quick, PrintStream out) {
        SyntheticScan.Scan scan = SyntheticScan.generate(1);
        Voxelizer vz = new Voxelizer(VoxelGrid.kitti(), 5, 16000);
        Tensor pts = CudaTensors.upload(c, scan.points());
        double vms = timeMs(c, () -> CudaSparse.voxelize(vz, pts, c.ordinal()));
        Voxels v = CudaSparse.voxelize(vz, pts, c.ordinal());
        int m = v.count();
        out.printf(Locale.ROOT, "bench cuda_voxelize points=%d voxels=%d ms=%.3f%n", scan.size(), m, vms);
        // indices (batch 0, z, y, x) and mean features, as MeanVFE would give
        int[] zyx = CudaTensors.download(v.coords()).contiguous().toIntArray(), ind = new int[m * 4];
        for (int i = 0; i < m; i++) System.arraycopy(zyx, 3 * i, ind, 4 * i + 1, 3);
        Tensor indices = CudaTensors.upload(c, Tensor.ofInts(ind, m, 4));
        Generator g = new Generator(3);
        Tensor feat = CudaTensors.upload(c, g.uniform(-1, 1, m, 4));
        int[] shape = {41, 1600, 1408};
        double rms = timeMs(c, () -> CudaSparse.submanifold(indices, shape, new int[] {3, 3, 3}, new int[] {1, 1, 1}, c.ordinal()));
        out.printf(Locale.ROOT, "bench cuda_rulebook_subm voxels=%d ms=%.3f%n", m, rms);
        int[][] chans = {{4, 16}, {16, 16}, {16, 32}, {32, 32}, {32, 32}, {32, 64}, {64, 64}, {64, 64}, {64, 64}, {64, 64}, {64, 64}, {64, 128}};
        Tensor[] weights = new Tensor[chans.length];
        for (int i = 0; i < chans.length; i++) {
            int[] k = i == chans.length - 1 ? new int[] {3, 1, 1} : new int[] {3, 3, 3};
            weights[i] = CudaTensors.upload(c, g.uniform(-0.1, 0.1, chans[i][1], k[0], k[1], k[2], chans[i][0]));
        }
        double bb = timeMs(c, () -> backbone(c, feat, indices, shape, weights));
        out.printf(Locale.ROOT, "bench cuda_voxel_backbone8x_forward voxels=%d ms=%.3f note=convs+relu_rulebooks_included_bn_folded%n", m, bb);
        int nb = quick ? 1024 : 4096;
        Tensor boxes = g.uniform(0, 60, nb, 7), scores = g.uniform(0, 1, nb);
        double nms = timeMs(c, () -> CudaSparse.nms(boxes, scores, 0.7, Nms.Type.NMS_GPU, Integer.MAX_VALUE, Integer.MAX_VALUE, c.ordinal()));
        out.printf(Locale.ROOT, "bench cuda_nms boxes=%d ms=%.3f%n", nb, nms);
    }

    /** VoxelBackBone8x's convolutions (BatchNorm folded away) with ReLU, rulebooks built as the forward builds them. */
    private static Tensor backbone(CudaContext c, Tensor feat, Tensor indices, int[] shape, Tensor[] w) {
        CudaBackend be = new CudaBackend();
        int[] k3 = {3, 3, 3}, one = {1, 1, 1}, two = {2, 2, 2};
        Tensor x = feat, ind = indices;
        int[] sh = shape;
        GpuRulebook subm = CudaSparse.submanifold(ind, sh, k3, one, c.ordinal());
        int li = 0;
        x = relu(be, CudaSparse.convForward(x, w[li++], null, subm));
        x = relu(be, CudaSparse.convForward(x, w[li++], null, subm));
        int[][] pads = {{1, 1, 1}, {1, 1, 1}, {0, 1, 1}};
        for (int stage = 0; stage < 3; stage++) {
            GpuRulebook down = CudaSparse.regular(ind, sh, k3, two, pads[stage], one, c.ordinal());
            x = relu(be, CudaSparse.convForward(x, w[li++], null, down));
            ind = down.outIndices();
            sh = down.outSpatialShape();
            GpuRulebook s = CudaSparse.submanifold(ind, sh, k3, one, c.ordinal());
            x = relu(be, CudaSparse.convForward(x, w[li++], null, s));
            x = relu(be, CudaSparse.convForward(x, w[li++], null, s));
        }
        GpuRulebook out = CudaSparse.regular(ind, sh, new int[] {3, 1, 1}, new int[] {2, 1, 1}, new int[] {0, 0, 0}, one, c.ordinal());
        return relu(be, CudaSparse.convForward(x, w[li], null, out));
    }

    private static Tensor relu(CudaBackend be, Tensor x) { return be.unary(UnaryOp.RELU, x, 0, 0, DType.FLOAT32); }
}
