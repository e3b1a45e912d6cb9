package fuse3d.cuda.sparse;

import static fuse3d.tensor.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fuse3d.autograd.Var;
import fuse3d.cuda.backend.CudaTensors;
import fuse3d.sparse.bev.BevPool;
import fuse3d.sparse.bev.BevPoolRanks;
import fuse3d.sparse.box.Nms;
import fuse3d.sparse.box.RotatedIoU;
import fuse3d.sparse.conv.Rulebook;
import fuse3d.sparse.conv.SparseConvFunction;
import fuse3d.sparse.conv.SparseTensor;
import fuse3d.sparse.points.PointsInBoxes;
import fuse3d.sparse.voxel.SyntheticScan;
import fuse3d.sparse.voxel.VoxelGrid;
import fuse3d.sparse.voxel.Voxelizer;
import fuse3d.sparse.voxel.Voxels;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sparse kernels against their CPU references in fuse3d.sparse: voxelization and rulebooks exactly (same voxels,
 * same pairs in the same order), sparse convolution, IoU, NMS, points-in-boxes and BEV pooling within float32
 * tolerances. SparseParityTest runs them on a real GPU, EmulatedSparseParityTest on the CPU emulator (fewer points).
 */
abstract class SparseParityCases {
    /** The device ordinal the cases run on. */
    abstract int ordinal();

    /** Why the device is not there (the skip message), or null. */
    abstract String unavailable();

    /** How many points of the synthetic scan to use (all of them on a GPU). */
    abstract int points();

    @BeforeEach
    void needsDevice() {
        String why = unavailable();
        assumeTrue(why == null, why);
    }

    static Tensor down(Tensor t) { return CudaTensors.download(t).contiguous(); }

    private Voxels voxelsOfScan(boolean gpu) {
        Tensor pts = SyntheticScan.generate(11).points();
        pts = pts.narrow(0, 0, Math.min(points(), pts.size(0))).contiguous();
        Voxelizer vz = new Voxelizer(VoxelGrid.kitti(), 5, Math.max(100, points() / 12));
        return gpu ? CudaSparse.voxelize(vz, pts, ordinal()) : vz.voxelize(pts);
    }

    @Test
    void voxelizationIsExact() {
        Voxels cpu = voxelsOfScan(false), gpu = voxelsOfScan(true);
        assertEquals(cpu.count(), gpu.count());
        assertArrayEquals(cpu.coords().toIntArray(), down(gpu.coords()).toIntArray(), "coords (voxel order)");
        assertArrayEquals(cpu.numPoints().toIntArray(), down(gpu.numPoints()).toIntArray(), "num_points");
        assertArrayEquals(cpu.voxels().toFloatArray(), down(gpu.voxels()).toFloatArray(), "voxel points (slot order)");
    }

    private static Tensor indices(Voxels v) {
        int m = v.count();
        int[] zyx = v.coords().toIntArray(), ind = new int[4 * m];
        for (int i = 0; i < m; i++) System.arraycopy(zyx, 3 * i, ind, 4 * i + 1, 3);
        return Tensor.ofInts(ind, m, 4);
    }

    @Test
    void rulebooksAndSparseConvMatchTheCpu() {
        Voxels v = voxelsOfScan(false);
        Tensor ind = indices(v);
        int[] shape = {41, 1600, 1408}, k3 = {3, 3, 3}, one = {1, 1, 1};
        Generator g = new Generator(12);
        Tensor feat = g.uniform(-1, 1, v.count(), 16);
        SparseTensor x = SparseTensor.of(feat, ind, shape, 1);
        Rulebook subm = Rulebook.submanifold(x, k3, one);
        GpuRulebook gsubm = CudaSparse.submanifold(ind, shape, k3, one, ordinal());
        for (int k = 0; k < 27; k++) assertPairs(subm.pairs(k), gsubm.pairs(k), "subm offset " + k);
        Rulebook reg = Rulebook.regular(x, k3, new int[] {2, 2, 2}, one, one);
        GpuRulebook greg = CudaSparse.regular(ind, shape, k3, new int[] {2, 2, 2}, one, one, ordinal());
        assertEquals(reg.numOut(), greg.numOut());
        assertArrayEquals(reg.outIndices(), down(greg.outIndices()).toIntArray(), "regular output sites (sorted)");
        for (int k = 0; k < 27; k++) assertPairs(reg.pairs(k), greg.pairs(k), "regular offset " + k);
        for (int cout : new int[] {8, 32}) {
            for (Rulebook[] pair : new Rulebook[][] {{subm}}) {
                Tensor w = g.uniform(-0.2, 0.2, cout, 3, 3, 3, 16), b = g.uniform(-1, 1, cout);
                Var fv = Var.leaf(feat), wv = Var.leaf(w), bv = Var.leaf(b);
                Var y = SparseConvFunction.apply("SubMConv3d", fv, wv, bv, pair[0]);
                Tensor gy = g.uniform(-1, 1, y.shape());
                y.backward(gy);
                assertClose(down(CudaSparse.convForward(feat, w, b, gsubm)), y.data(), 1e-4, 1e-4, false, "subm conv forward cout " + cout);
                Tensor[] grads = CudaSparse.convBackward(gy, feat, w, gsubm);
                assertClose(down(grads[0]), fv.grad(), 1e-4, 1e-4, false, "subm conv grad features");
                assertClose(down(grads[1]), wv.grad(), 1e-3, 1e-3, false, "subm conv grad weight");
                assertClose(down(grads[2]), bv.grad(), 1e-3, 1e-3, false, "subm conv grad bias");
            }
        }
        // a wide layer runs the gather-GEMM-scatter path, forward and backward
        Tensor wide = g.uniform(-1, 1, v.count(), 32), w = g.uniform(-0.1, 0.1, 48, 3, 3, 3, 32);
        Var xv = Var.leaf(wide), wv = Var.leaf(w);
        Var y = SparseConvFunction.apply("SparseConv3d", xv, wv, null, reg);
        Tensor gy = g.uniform(-1, 1, y.shape());
        y.backward(gy);
        assertClose(down(CudaSparse.convForward(wide, w, null, greg)), y.data(), 1e-4, 1e-4, false, "strided conv forward, 32 -> 48 channels");
        Tensor[] grads = CudaSparse.convBackward(gy, wide, w, greg);
        assertClose(down(grads[0]), xv.grad(), 1e-4, 1e-4, false, "strided conv grad features (GEMM path)");
        assertClose(down(grads[1]), wv.grad(), 1e-3, 1e-3, false, "strided conv grad weight (GEMM path)");
    }

    @Test
    void twoDimensionalBatchedRulebooks() {
        // two samples on a 2-d grid with dilation 2 and an odd padding: the kernels are generic in the rank
        Generator g = new Generator(15);
        int n = 300;
        java.util.TreeSet<Long> seen = new java.util.TreeSet<>();
        int[] ind = new int[3 * n];
        int m = 0;
        while (m < n) {
            int b = (int) g.nextLong(2), y = (int) g.nextLong(40), x = (int) g.nextLong(50);
            if (!seen.add(((long) b * 40 + y) * 50 + x)) continue;
            ind[3 * m] = b;
            ind[3 * m + 1] = y;
            ind[3 * m + 2] = x;
            m++;
        }
        Tensor indices = Tensor.ofInts(ind, n, 3);
        int[] shape = {40, 50}, k = {3, 5}, dil = {2, 1};
        SparseTensor x = SparseTensor.of(g.uniform(-1, 1, n, 4), indices, shape, 2);
        Rulebook subm = Rulebook.submanifold(x, k, dil);
        GpuRulebook gsubm = CudaSparse.submanifold(indices, shape, k, dil, ordinal());
        for (int o = 0; o < 15; o++) assertPairs(subm.pairs(o), gsubm.pairs(o), "2-d subm offset " + o);
        int[] stride = {2, 3}, pad = {1, 2};
        Rulebook reg = Rulebook.regular(x, k, stride, pad, dil);
        GpuRulebook greg = CudaSparse.regular(indices, shape, k, stride, pad, dil, ordinal());
        assertArrayEquals(reg.outSpatialShape(), greg.outSpatialShape());
        assertArrayEquals(reg.outIndices(), down(greg.outIndices()).toIntArray(), "2-d regular output sites");
        for (int o = 0; o < 15; o++) assertPairs(reg.pairs(o), greg.pairs(o), "2-d regular offset " + o);
    }

    /**
     * The same pairs for one offset. Their order within an offset is free (each output row occurs once per offset, so
     * the sums do not depend on it) and differs between the CPU's key-ordered walk and the GPU's row-ordered compaction.
     */
    private static void assertPairs(int[][] cpu, int[][] gpu, String what) {
        assertArrayEquals(sortedPairs(cpu), sortedPairs(gpu), what);
    }

    private static long[] sortedPairs(int[][] p) {
        long[] r = new long[p[0].length];
        for (int i = 0; i < r.length; i++) r[i] = ((long) p[1][i] << 32) | p[0][i];
        java.util.Arrays.sort(r);
        return r;
    }

    @Test
    void boxesNmsAndPointsInBoxes() {
        Generator g = new Generator(13);
        int n = 300;
        float[] b = new float[n * 7];
        for (int i = 0; i < n; i++) {
            b[7 * i] = (float) (g.nextDouble() * 30);
            b[7 * i + 1] = (float) (g.nextDouble() * 30);
            b[7 * i + 2] = (float) g.nextDouble();
            b[7 * i + 3] = (float) (1 + g.nextDouble() * 4);
            b[7 * i + 4] = (float) (1 + g.nextDouble() * 2);
            b[7 * i + 5] = (float) (1 + g.nextDouble());
            b[7 * i + 6] = (float) ((g.nextDouble() - 0.5) * 6.2);
        }
        Tensor boxes = Tensor.of(b, n, 7), scores = g.uniform(0, 1, n);
        assertClose(down(CudaSparse.iouMatrix(boxes, boxes, 1, ordinal())), RotatedIoU.iouBev(boxes, boxes), 1e-6, 1e-6, false, "iou bev");
        assertClose(down(CudaSparse.iouMatrix(boxes, boxes, 2, ordinal())), RotatedIoU.iou3d(boxes, boxes), 1e-6, 1e-6, false, "iou 3d");
        for (Nms.Type t : Nms.Type.values())
            assertArrayEquals(Nms.nms(boxes, scores, 0.1, t, 200, 50).toLongArray(),
                    CudaSparse.nms(boxes, scores, 0.1, t, 200, 50, ordinal()).toLongArray(), "nms " + t);
        Tensor pts = g.uniform(0, 30, 1, 5000, 3);
        assertArrayEquals(PointsInBoxes.boxIndexOfPoints(pts, boxes.unsqueeze(0)).toIntArray(),
                down(CudaSparse.boxIndexOfPoints(pts, boxes.unsqueeze(0), PointsInBoxes.MARGIN_GPU, ordinal())).toIntArray(), "points in boxes");
    }

    @Test
    void bevPoolForwardAndBackward() {
        // 1 camera, 3 depth bins, 2 x 3 pixels, a 1 x 2 x 2 BEV grid: every frustum point lands in cell (d + h + w) % 4
        int d = 3, h = 2, w = 3, n = d * h * w;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Integer.compare(cell(a, h, w), cell(b, h, w)));
        int[] rd = new int[n], rf = new int[n], rb = new int[n];
        for (int i = 0; i < n; i++) {
            int p = order[i];
            rd[i] = p;
            rf[i] = p % (h * w);
            rb[i] = cell(p, h, w);
        }
        int[] starts = {0, 0, 0, 0}, lengths = new int[4];
        for (int i = 0; i < n; i++) lengths[rb[i]]++;
        for (int c = 1; c < 4; c++) starts[c] = starts[c - 1] + lengths[c - 1];
        BevPoolRanks r = BevPoolRanks.of(1, d, h, w, 1, 1, 2, 2, rd, rf, rb, starts, lengths);
        Generator g = new Generator(14);
        Tensor depth = g.uniform(0, 1, 1, d, h, w), feat = g.uniform(-1, 1, 1, 5, h, w);
        Var dv = Var.leaf(depth), fv = Var.leaf(feat);
        Var out = BevPool.pool(dv, fv, r);
        Tensor gy = g.uniform(-1, 1, out.shape());
        out.backward(gy);
        assertClose(down(CudaSparse.bevPool(depth, feat, r, ordinal())), out.data(), 1e-5, 1e-5, false, "bev pool forward");
        Tensor[] grads = CudaSparse.bevPoolBackward(gy, depth, feat, r, ordinal());
        assertClose(down(grads[0]), dv.grad(), 1e-5, 1e-5, false, "bev pool grad depth");
        assertClose(down(grads[1]), fv.grad(), 1e-5, 1e-5, false, "bev pool grad feat");
    }

    private static int cell(int p, int h, int w) { return (p / (h * w) + (p / w) % h + p % w) % 4; }
}
