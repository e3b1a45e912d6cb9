package fuse3d.cuda.backend;

import static fuse3d.tensor.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.cuda.runtime.CudaContext;
import fuse3d.cuda.sparse.CudaSparse;
import fuse3d.cuda.sparse.GpuRulebook;
import fuse3d.sparse.box.Nms;
import fuse3d.sparse.voxel.VoxelGrid;
import fuse3d.sparse.voxel.Voxelizer;
import fuse3d.tensor.Backend;
import fuse3d.tensor.Backends;
import fuse3d.tensor.BinaryOp;
import fuse3d.tensor.DType;
import fuse3d.tensor.Device;
import fuse3d.tensor.Generator;
import fuse3d.tensor.ReduceOp;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.UnaryOp;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every launch site of the backend and the sparse ops, driven through a dry-run context (host memory, launches checked
 * against the catalogue and recorded, nothing run): a wrong argument list, kind or launch shape fails here without a
 * GPU. Copies are real, so transfers and the CPU fallbacks are checked for values too.
 */
class DryRunLaunchTest {
    static final int ORDINAL = 9;
    static final Device DEV = Device.cuda(ORDINAL);
    static CudaContext ctx;
    static Backend cuda;
    int mark;

    @BeforeAll
    static void install() {
        ctx = CudaContext.installDryRun(ORDINAL, 90);
        cuda = Backends.forDevice(DEV);
    }

    @AfterAll
    static void uninstall() { ctx.close(); }

    @BeforeEach
    void markLaunches() { mark = ctx.launches().size(); }

    private List<String> launched() {
        List<String> all = ctx.launches();
        return all.subList(mark, all.size()).stream().map(s -> s.substring(0, s.indexOf(' '))).toList();
    }

    private void assertLaunched(String... kernels) {
        List<String> l = launched();
        for (String k : kernels) assertTrue(l.contains(k), "expected a launch of " + k + ", got " + l);
    }

    @Test
    void transfersRoundTripEveryDtype() {
        Generator g = new Generator(1);
        Tensor f = g.uniform(-1, 1, 3, 4);
        assertClose(f.to(DEV).to(Device.CPU), f, 0, 0, false, "float32");
        assertClose(f.t().to(DEV).to(Device.CPU), f.t(), 0, 0, false, "float32 view");
        Tensor d = f.toDouble(), l = Tensor.ofLongs(new long[] {1, -2, 1L << 40}, 3), i = Tensor.ofInts(new int[] {7, -7}, 2);
        Tensor b = Tensor.ofBools(new boolean[] {true, false, true}, 3);
        assertArrayEquals(d.toDoubleArray(), d.to(DEV).to(Device.CPU).toDoubleArray());
        assertArrayEquals(l.toLongArray(), l.to(DEV).to(Device.CPU).toLongArray());
        assertArrayEquals(i.toIntArray(), i.to(DEV).to(Device.CPU).toIntArray());
        assertArrayEquals(b.toBoolArray(), b.to(DEV).to(Device.CPU).toBoolArray());
        assertEquals(DEV, f.to(DEV).device());
        // host accessors of a device tensor read through a copy
        assertArrayEquals(f.toFloatArray(), f.to(DEV).toFloatArray());
        assertEquals(2.5, Tensor.scalar(2.5).to(DEV).item());
        assertTrue(f.to(DEV).toString().contains("device=cuda:9"), f.to(DEV).toString());
    }

    @Test
    void fallbacksComputeOnTheHostAndComeBack() {
        Tensor x = Tensor.of(new float[] {3, 1, 2, 5, 4, 0}, 2, 3);
        Tensor[] sorted = cuda.sortLastDim(x.to(DEV), false, true);
        assertArrayEquals(new float[] {1, 2, 3, 0, 4, 5}, sorted[0].to(Device.CPU).toFloatArray());
        assertArrayEquals(new long[] {1, 2, 0, 2, 1, 0}, sorted[1].to(Device.CPU).toLongArray());
        assertEquals(DEV, sorted[0].device());
        // an integer op falls back too, and an in-place fill of int64 writes back to the device storage
        Tensor l = Tensor.ofLongs(new long[] {1, 2, 3}, 3).to(DEV);
        cuda.fill(l.narrow(0, 1, 2), 9);
        assertArrayEquals(new long[] {1, 9, 9}, l.to(Device.CPU).toLongArray());
        assertArrayEquals(new long[] {2, 18, 18}, cuda.binary(BinaryOp.ADD, l, l, DType.INT64, DType.INT64).to(Device.CPU).toLongArray());
        assertTrue(launched().isEmpty(), "fallbacks launch nothing: " + launched());
    }

    @Test
    void elementwiseLaunchSites() {
        Generator g = new Generator(2);
        Tensor a = g.uniform(-1, 1, 4, 5).to(DEV), b = g.uniform(-1, 1, 1, 5).to(DEV);
        for (UnaryOp op : new UnaryOp[] {UnaryOp.EXP, UnaryOp.RELU, UnaryOp.CLAMP}) cuda.unary(op, a, 0, 1, DType.FLOAT32);
        cuda.unary(UnaryOp.TANH, a.t(), 0, 0, DType.FLOAT32);
        cuda.binary(BinaryOp.MUL, a, b.expand(4, 5), DType.FLOAT32, DType.FLOAT32);
        cuda.binary(BinaryOp.LT, a, b.expand(4, 5), DType.FLOAT32, DType.BOOL);
        Tensor cond = cuda.binary(BinaryOp.GT, a, b.expand(4, 5), DType.FLOAT32, DType.BOOL);
        cuda.where(cond, a, b.expand(4, 5));
        cuda.copy(a.t(), DType.FLOAT32);
        cuda.copyInto(a.narrow(1, 0, 2), b.expand(4, 5).narrow(1, 0, 2));
        cuda.fill(a.narrow(0, 1, 2), 3);
        CudaBackend.zeros(ORDINAL, new int[] {3, 3}, DType.BOOL);
        // the front end's scalar (a 0-d host tensor) joins a device tensor
        a.add(2.0);
        assertLaunched("ew_unary_contig_f32", "ew_unary_f32", "ew_binary_f32", "ew_compare_f32", "ew_where_f32", "ew_copy_strided_f32",
                "ew_scatter_strided_f32", "ew_fill_strided_f32", "ew_fill_i32");
    }

    @Test
    void reductionSoftmaxAndMatmulLaunchSites() {
        Generator g = new Generator(3);
        Tensor x = g.uniform(-1, 1, 3, 4, 5).to(DEV);
        for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.AMAX, ReduceOp.LOGSUMEXP, ReduceOp.NORM})
            assertArrayEquals(new int[] {3, 5}, cuda.reduce(op, x, new int[] {1}, false, 2, DType.FLOAT32).shape());
        assertArrayEquals(new int[] {1, 4, 1}, cuda.reduce(ReduceOp.SUM, x, new int[] {0, 2}, true, 0, DType.FLOAT32).shape());
        Tensor[] mx = cuda.extremeWithIndex(true, x, 2, false);
        assertEquals(DType.INT64, mx[1].dtype());
        assertArrayEquals(new int[] {3, 4, 5}, cuda.softmax(x, 1, true).shape());
        cuda.softmaxBackward(x, x, 0, false);
        cuda.cumsum(x, 2, DType.FLOAT32);
        Tensor m = cuda.bmm(x, x.transpose(1, 2));
        assertArrayEquals(new int[] {3, 4, 4}, m.shape());
        assertLaunched("reduce_rows_f32", "reduce_rows_argext_f32", "softmax_rows_f32", "softmax_backward_rows_f32", "cumsum_rows_f32", "sgemm_tiled");
        // row-major operands with rows of a multiple of 4 floats take the float4-load kernel
        mark = ctx.launches().size();
        cuda.bmm(g.uniform(-1, 1, 2, 8, 12).to(DEV), g.uniform(-1, 1, 2, 12, 16).to(DEV));
        assertEquals(List.of("sgemm_tiled_vec4"), launched());
    }

    @Test
    void convolutionAndIndexingLaunchSites() {
        Generator g = new Generator(4);
        Tensor x = g.uniform(-1, 1, 2, 4, 3, 6, 5).to(DEV), w = g.uniform(-1, 1, 6, 2, 3, 3, 3).to(DEV), bias = g.uniform(-1, 1, 6).to(DEV);
        int[] s = {1, 2, 1}, p = {1, 1, 1}, d = {1, 1, 2};
        Tensor y = cuda.conv(x, w, bias, s, p, d, 2);
        Tensor e = Backends.cpu().conv(x.to(Device.CPU), w.to(Device.CPU), bias.to(Device.CPU), s, p, d, 2);
        assertArrayEquals(e.shape(), y.shape());
        Tensor[] gr = cuda.convBackward(y, x, w, s, p, d, 2);
        assertArrayEquals(x.shape(), gr[0].shape());
        assertArrayEquals(w.shape(), gr[1].shape());
        assertArrayEquals(new int[] {6}, gr[2].shape());
        Tensor src = g.uniform(-1, 1, 3, 5).to(DEV), tgt = g.uniform(-1, 1, 4, 5).to(DEV), idx = g.randint(0, 4, 3, 5).to(DEV);
        cuda.gather(tgt, 0, idx);
        cuda.scatterReduce(tgt, 0, idx, src, "amax", true);
        cuda.indexPut(tgt, new Tensor[] {Tensor.ofLongs(new long[] {0, -1}, 2).to(DEV)}, g.uniform(-1, 1, 2, 5).to(DEV), true);
        assertLaunched("conv_implicit_gemm_f32", "conv_backward_data_f32", "conv_backward_weight_f32", "gather_f32", "scatter_reduce_f32", "index_put_f32");
    }

    @Test
    void sparseLaunchSites() {
        Generator g = new Generator(5);
        Tensor pts = g.uniform(0, 10, 50, 4);
        CudaSparse.voxelize(new Voxelizer(VoxelGrid.kitti(), 5, 100), pts, ORDINAL);
        Tensor ind = Tensor.ofInts(new int[] {0, 1, 1, 1, 0, 1, 1, 2, 0, 2, 2, 2}, 3, 4);
        int[] shape = {5, 5, 5}, k3 = {3, 3, 3}, one = {1, 1, 1};
        CudaSparse.submanifold(ind, shape, k3, one, ORDINAL);
        CudaSparse.regular(ind, shape, k3, new int[] {2, 2, 2}, one, one, ORDINAL);
        // a hand-made rulebook with pairs at every offset drives both conv paths (fused and gather-GEMM-scatter)
        int[] starts = new int[28];
        for (int k = 0; k <= 27; k++) starts[k] = Math.min(k, 3) + Math.max(0, k - 3) * 0;
        Tensor pin = Tensor.ofInts(new int[] {0, 1, 2}, 3).to(DEV), pout = Tensor.ofInts(new int[] {0, 1, 2}, 3).to(DEV);
        GpuRulebook rb = new GpuRulebook(true, k3, starts, pin, pout, 3, 3, ind.to(DEV), shape);
        for (int cin : new int[] {8, 32}) {
            Tensor f = g.uniform(-1, 1, 3, cin), w = g.uniform(-1, 1, 16, 3, 3, 3, cin);
            Tensor y = CudaSparse.convForward(f, w, g.uniform(-1, 1, 16), rb);
            assertArrayEquals(new int[] {3, 16}, y.shape());
            Tensor[] gr = CudaSparse.convBackward(y, f, w, rb);
            assertArrayEquals(w.shape(), gr[1].shape());
        }
        Tensor boxes = g.uniform(1, 5, 70, 7);
        CudaSparse.iouMatrix(boxes, boxes, 1, ORDINAL);
        assertEquals(70, CudaSparse.nms(boxes, g.uniform(0, 1, 70), 0.5, Nms.Type.NMS_GPU, 100, 100, ORDINAL).numel(),
                "an all-zero (dry-run) mask suppresses nothing");
        CudaSparse.boxIndexOfPoints(g.uniform(0, 5, 2, 30, 3), g.uniform(1, 5, 2, 4, 7), 1e-5f, ORDINAL);
        assertLaunched("vox_point_keys", "vox_hash_insert", "vox_mark_first", "scan_block_i32", "rb_build_table", "rb_subm_map", "rb_regular_map",
                "rb_insert_keys", "rb_flag_keys", "rb_compact_keys", "rb_rank_keys", "rb_lookup_keys", "spconv_fused_fwd_f32", "spconv_gather_f32",
                "sgemm_tiled", "spconv_scatter_add_f32", "spconv_fused_bwd_input_f32", "spconv_bwd_weight_f32", "box_iou_matrix_f32", "nms_mask_f32",
                "points_in_boxes_f32");
    }

    @Test
    void badLaunchShapesAndArgumentsFailAtTheDoor() {
        var e = assertThrows(IllegalArgumentException.class, () -> ctx.launch("ew_fill_f32", 1, 1, 1, 2048, 1, 1, 0, null, 1L, 1f));
        assertTrue(e.getMessage().contains("ew_fill_f32") && e.getMessage().contains("limits"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ctx.launch("ew_fill_f32", 1, 70000, 1, 256, 1, 1, 0, null, 1L, 1f));
        assertThrows(IllegalArgumentException.class, () -> ctx.launch1d("ew_fill_f32", 10, null, 10, 1f));
    }
}
