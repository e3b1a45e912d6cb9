package fuse3d.cuda.sparse;

import static fuse3d.cuda.backend.CudaTensors.empty;
import static fuse3d.cuda.backend.CudaTensors.onDevice;
import static fuse3d.cuda.backend.CudaTensors.ptr;

import fuse3d.cuda.backend.CudaBackend;
import fuse3d.cuda.backend.CudaTensors;
import fuse3d.cuda.kernels.DevicePtr;
import fuse3d.cuda.runtime.CudaContext;
import fuse3d.cuda.runtime.DeviceBuffer;
import fuse3d.sparse.bev.BevPoolRanks;
import fuse3d.sparse.box.Nms;
import fuse3d.sparse.voxel.VoxelGrid;
import fuse3d.sparse.voxel.Voxelizer;
import fuse3d.sparse.voxel.Voxels;
import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The sparse world on the GPU: hard voxelization, rulebooks with a GPU hash table, gather-GEMM-scatter sparse
 * convolution with its backward, rotated BEV IoU and NMS, points-in-boxes and BEVPoolv2 with its backward. Each method
 * has the semantics of its CPU reference in fuse3d.sparse (named in its comment) and takes host or device tensors
 * (hosts are uploaded to {@code cuda:ordinal}); results are device tensors unless stated.
 */
public final class CudaSparse {
    private CudaSparse() {}

    private static final int EMPTY_MIN = Integer.MAX_VALUE;

    private static int tableCapacity(long entries) {
        long c = Math.max(1024, Long.highestOneBit(Math.max(1, 2 * entries - 1)) << 1);
        if (c > (1 << 30)) throw new IllegalArgumentException("cuda hash table: " + entries + " entries exceed the 2^29 the table supports");
        return (int) c;
    }

    private static Tensor filledInts(CudaContext c, int n, int value) {
        Tensor t = empty(c, DType.INT32, new int[] {n});
        if (n > 0) c.launch1d("ew_fill_i32", n, ptr(t), (long) n, value);
        return t;
    }

    private static Tensor filledLongs(CudaContext c, int n, long value) {
        Tensor t = empty(c, DType.INT64, new int[] {n});
        if (n > 0) c.launch1d("ew_fill_i64", n, ptr(t), (long) n, value);
        return t;
    }

    private static Tensor zerosF(CudaContext c, int... shape) {
        Tensor t = empty(c, DType.FLOAT32, shape);
        long n = Shape.numel(shape);
        if (n > 0) c.launch1d("ew_fill_f32", n, ptr(t), n, 0f);
        return t;
    }

    private static Tensor host(Tensor t) { return t.storage().isHost() ? t : CudaTensors.download(t); }

    private static Tensor f32(CudaContext c, String op, Tensor t) {
        if (t.dtype() != DType.FLOAT32) throw new IllegalArgumentException(op + " (cuda): expects float32, got " + t.dtype().torchName() + " " + Shape.str(t.shape()));
        return onDevice(c, t);
    }

    // ------------------------------------------------------------------ voxelization

    /** fuse3d.sparse.voxel.Voxelizer#voxelize on the GPU: the same voxels, in the same order, with the same points. */
    public static Voxels voxelize(Voxelizer vz, Tensor points, int ordinal) {
        CudaContext c = CudaContext.get(ordinal);
        if (points.dim() != 2 || points.size(1) < 3)
            throw new IllegalArgumentException("voxelize (cuda): expects points [N, F] with F >= 3, got " + Shape.str(points.shape()));
        Tensor pts = f32(c, "voxelize", points);
        int n = pts.size(0), f = pts.size(1), p = vz.maxPointsPerVoxel();
        VoxelGrid g = vz.grid();
        int cap = tableCapacity(n);
        Tensor keys = empty(c, DType.INT64, new int[] {Math.max(n, 1)});
        Tensor tableKeys = filledLongs(c, cap, -1L), tableMin = filledInts(c, cap, EMPTY_MIN);
        Tensor flags = empty(c, DType.INT32, new int[] {Math.max(n, 1)}), rank = empty(c, DType.INT32, new int[] {Math.max(n, 1)});
        int first = 0;
        if (n > 0) {
            c.launch1d("vox_point_keys", n, ptr(pts), n, f, g.min(0), g.min(1), g.min(2), g.size(0), g.size(1), g.size(2), g.nx(), g.ny(), g.nz(), ptr(keys));
            c.launch1d("vox_hash_insert", n, ptr(keys), n, ptr(tableKeys), ptr(tableMin), cap);
            c.launch1d("vox_mark_first", n, ptr(keys), n, ptr(tableKeys), ptr(tableMin), cap, ptr(flags));
            first = DeviceScan.exclusive(c, ptr(flags), ptr(rank), n);
        }
        int m = Math.min(first, vz.maxVoxels());
        Tensor voxelOf = empty(c, DType.INT32, new int[] {Math.max(n, 1)});
        Tensor coords = empty(c, DType.INT32, new int[] {m, 3});
        Tensor counts = filledInts(c, Math.max(m, 1), 0), offsets = empty(c, DType.INT32, new int[] {Math.max(m, 1)});
        Tensor cursor = filledInts(c, Math.max(m, 1), 0);
        Tensor voxels = empty(c, DType.FLOAT32, new int[] {m, p, f}), num = empty(c, DType.INT32, new int[] {m});
        if (n > 0 && m > 0) {
            c.launch1d("vox_assign", n, ptr(keys), n, ptr(tableKeys), ptr(tableMin), cap, ptr(rank), vz.maxVoxels(), g.nx(), g.ny(), ptr(voxelOf), ptr(coords));
            c.launch1d("vox_count", n, ptr(voxelOf), n, ptr(counts));
            int total = DeviceScan.exclusive(c, ptr(counts), ptr(offsets), m);
            Tensor lists = empty(c, DType.INT32, new int[] {Math.max(total, 1)});
            c.launch1d("vox_fill_lists", n, ptr(voxelOf), n, ptr(offsets), ptr(cursor), ptr(lists));
            c.launch1d("vox_select_gather", m, ptr(lists), ptr(offsets), ptr(counts), m, p, ptr(pts), f, ptr(voxels), ptr(num));
        }
        return new Voxels(voxels, coords, num, 1);
    }

    // ------------------------------------------------------------------ rulebooks

    private static int[] geo(int nd, int[] in, int[] out, int[] k, int[] s, int[] p, int[] d) {
        int[] g = new int[1 + 6 * nd];
        g[0] = nd;
        for (int i = 0; i < nd; i++) {
            g[1 + i] = in[i];
            g[1 + nd + i] = out[i];
            g[1 + 2 * nd + i] = k[i];
            g[1 + 3 * nd + i] = s[i];
            g[1 + 4 * nd + i] = p[i];
            g[1 + 5 * nd + i] = d[i];
        }
        return g;
    }

    private static int volume(int[] k) {
        int v = 1;
        for (int x : k) v *= x;
        return v;
    }

    /** Per-offset starts of the compacted [K, n] map (host array of K + 1), from the scanned flags. */
    private static int[] starts(CudaContext c, Tensor pos, int vol, int n, int total) {
        int[] all = CudaTensors.download(pos).contiguous().toIntArray();
        int[] st = new int[vol + 1];
        for (int k = 0; k < vol; k++) st[k] = all[k * n];
        st[vol] = total;
        return st;
    }

    private static GpuRulebook compact(CudaContext c, Tensor map, int vol, int n, int mode, boolean subm, int[] kernel, int numOut, Tensor outIndices,
                                       int[] outShape) {
        long cells = (long) vol * n;
        if (cells > Integer.MAX_VALUE) throw new IllegalArgumentException("rulebook (cuda): " + vol + " offsets x " + n + " sites exceed 2^31");
        Tensor flags = empty(c, DType.INT32, new int[] {(int) Math.max(cells, 1)}), pos = empty(c, DType.INT32, new int[] {(int) Math.max(cells, 1)});
        int total = 0;
        if (cells > 0) {
            c.launch1d("rb_flag_rows", cells, ptr(map), cells, ptr(flags));
            total = DeviceScan.exclusive(c, ptr(flags), ptr(pos), (int) cells);
        }
        Tensor pin = empty(c, DType.INT32, new int[] {total}), pout = empty(c, DType.INT32, new int[] {total});
        if (total > 0) c.launch1d("rb_compact_pairs", cells, ptr(map), vol, n, mode, ptr(pos), ptr(pin), ptr(pout));
        int[] st = n == 0 ? new int[vol + 1] : starts(c, pos, vol, n, total);
        return new GpuRulebook(subm, kernel.clone(), st, pin, pout, n, numOut, outIndices, outShape.clone());
    }

    /** Rulebook.submanifold on the GPU; indices int32 [n, 1 + nd] (batch, spatial...). */
    public static GpuRulebook submanifold(Tensor indices, int[] spatialShape, int[] kernel, int[] dilation, int ordinal) {
        CudaContext c = CudaContext.get(ordinal);
        int nd = spatialShape.length, n = indices.size(0);
        for (int k : kernel) if (k % 2 == 0) throw new IllegalArgumentException("SubMConv (cuda): submanifold convolution needs odd kernel sizes, got " + Arrays.toString(kernel));
        Tensor ind = onDevice(c, indices);
        int vol = volume(kernel), cap = tableCapacity(n);
        int[] ones = new int[nd], zeros = new int[nd];
        Arrays.fill(ones, 1);
        Tensor tk = filledLongs(c, cap, -1L), tv = filledInts(c, cap, -1);
        Tensor map = empty(c, DType.INT32, new int[] {Math.max(vol * n, 1)});
        try (DeviceBuffer g = CudaTensors.metaInts(c, geo(nd, spatialShape, spatialShape, kernel, ones, zeros, dilation))) {
            if (n > 0) {
                c.launch1d("rb_build_table", n, ptr(ind), n, g.ptr(), ptr(tk), ptr(tv), cap);
                c.launch1d("rb_subm_map", (long) vol * n, ptr(ind), n, g.ptr(), ptr(tk), ptr(tv), cap, ptr(map));
            }
        }
        return compact(c, map, vol, n, 0, true, kernel, n, ind, spatialShape);
    }

    /** Rulebook.regular on the GPU: output sites sorted by (batch, spatial...), pairs per offset in input order. */
    public static GpuRulebook regular(Tensor indices, int[] spatialShape, int[] kernel, int[] stride, int[] padding, int[] dilation, int ordinal) {
        CudaContext c = CudaContext.get(ordinal);
        int nd = spatialShape.length, n = indices.size(0);
        int[] out = new int[nd];
        for (int i = 0; i < nd; i++) {
            int span = spatialShape[i] + 2 * padding[i] - dilation[i] * (kernel[i] - 1) - 1;
            out[i] = span < 0 ? 0 : span / stride[i] + 1;
            if (out[i] <= 0) throw new IllegalArgumentException("SparseConv (cuda): spatial shape " + Arrays.toString(spatialShape) + " gives an empty output grid");
        }
        Tensor ind = onDevice(c, indices);
        int vol = volume(kernel);
        long cells = (long) vol * n;
        int cap = tableCapacity(cells);
        Tensor outKeys = empty(c, DType.INT64, new int[] {(int) Math.max(cells, 1)});
        Tensor tk = filledLongs(c, cap, -1L), tv = filledInts(c, cap, -1);
        Tensor map = empty(c, DType.INT32, new int[] {(int) Math.max(cells, 1)});
        int m = 0;
        Tensor outIndices;
        try (DeviceBuffer g = CudaTensors.metaInts(c, geo(nd, spatialShape, out, kernel, stride, padding, dilation))) {
            if (cells > 0) {
                c.launch1d("rb_regular_map", cells, ptr(ind), n, g.ptr(), ptr(outKeys));
                c.launch1d("rb_insert_keys", cells, ptr(outKeys), cells, ptr(tk), cap);
                Tensor flags = empty(c, DType.INT32, new int[] {cap}), pos = empty(c, DType.INT32, new int[] {cap});
                c.launch1d("rb_flag_keys", cap, ptr(tk), (long) cap, ptr(flags));
                m = DeviceScan.exclusive(c, ptr(flags), ptr(pos), cap);
                int padded = Integer.highestOneBit(Math.max(1, m - 1)) << 1;
                if (m <= 1) padded = Math.max(m, 1);
                Tensor sorted = empty(c, DType.INT64, new int[] {padded});
                c.launch1d("rb_compact_keys", Math.max(cap, padded), ptr(tk), (long) cap, ptr(pos), ptr(sorted), m, padded);
                for (int k = 2; k <= padded; k <<= 1)
                    for (int j = k >> 1; j > 0; j >>= 1) c.launch1d("sort_bitonic_i64", padded, ptr(sorted), padded, j, k);
                c.launch1d("rb_rank_keys", m, ptr(sorted), m, ptr(tk), ptr(tv), cap);
                c.launch1d("rb_lookup_keys", cells, ptr(outKeys), cells, ptr(tk), ptr(tv), cap, ptr(map));
                outIndices = empty(c, DType.INT32, new int[] {m, nd + 1});
                if (m > 0) c.launch1d("rb_decode_keys", m, ptr(sorted), m, g.ptr(), ptr(outIndices));
            } else {
                outIndices = empty(c, DType.INT32, new int[] {0, nd + 1});
            }
        }
        return compact(c, map, vol, n, 1, false, kernel, m, outIndices, out);
    }

    // ------------------------------------------------------------------ sparse convolution

    /** Channels up to which the fused per-pair kernels beat gather + GEMM + scatter. */
    static final int FUSED_MAX_CIN = 16;

    /** SparseConvFunction's forward: out [numOut, Cout] = bias + sum over offsets of W_k applied along the pairs. */
    public static Tensor convForward(Tensor features, Tensor weight, Tensor bias, GpuRulebook rb) {
        CudaContext c = CudaTensors.context(rb.pairIn());
        Tensor x = f32(c, "sparse conv", features), w = f32(c, "sparse conv", weight), b = bias == null ? null : f32(c, "sparse conv", bias);
        int cin = x.size(1), cout = w.size(0), vol = rb.kernelVolume();
        if (w.dim() != rb.kernelSize().length + 2 || w.size(w.dim() - 1) != cin || x.size(0) != rb.numIn())
            throw new IllegalArgumentException("sparse conv (cuda): features " + Shape.str(x.shape()) + " and weight " + Shape.str(w.shape())
                    + " do not fit a rulebook of " + rb.numIn() + " inputs and kernel " + Arrays.toString(rb.kernelSize()));
        Tensor out = empty(c, DType.FLOAT32, new int[] {rb.numOut(), cout});
        if (out.numel() > 0) c.launch1d("spconv_init_bias_f32", out.numel(), ptr(out), b == null ? DevicePtr.NULL : ptr(b), rb.numOut(), cout);
        for (int k = 0; k < vol; k++) {
            int cnt = rb.pairCount(k);
            if (cnt == 0) continue;
            DevicePtr pin = ptr(rb.pairIn()).plus(4L * rb.pairStart()[k]), pout = ptr(rb.pairOut()).plus(4L * rb.pairStart()[k]);
            if (cin <= FUSED_MAX_CIN) {
                c.launch1d("spconv_fused_fwd_f32", (long) cnt * cout, ptr(x), ptr(w), pin, pout, cnt, cin, cout, vol, k, ptr(out));
                continue;
            }
            try (DeviceBuffer bin = c.allocate(4L * cnt * cin); DeviceBuffer bout = c.allocate(4L * cnt * cout)) {
                c.launch1d("spconv_gather_f32", (long) cnt * cin, ptr(x), pin, cnt, cin, bin.ptr());
                // bout [cnt, Cout] = bin [cnt, Cin] x W_k^T, W_k^T(ci, co) = w[co, k, ci]
                CudaBackend.gemm(c, bin.ptr(), ptr(w).plus(4L * k * cin), bout.ptr(), 1, cnt, cout, cin, cin, 1, 0, 1,
                        (long) vol * cin, 0, cout, 0, 1f, 0f, false);
                c.launch1d("spconv_scatter_add_f32", (long) cnt * cout, bout.ptr(), pout, cnt, cout, ptr(out));
            }
        }
        return out;
    }

    /** SparseConvFunction's backward: {gradFeatures [numIn, Cin], gradWeight (weight's shape), gradBias [Cout]}. */
    public static Tensor[] convBackward(Tensor gradOut, Tensor features, Tensor weight, GpuRulebook rb) {
        CudaContext c = CudaTensors.context(rb.pairIn());
        Tensor g = f32(c, "sparse conv backward", gradOut), x = f32(c, "sparse conv backward", features), w = f32(c, "sparse conv backward", weight);
        int cin = x.size(1), cout = w.size(0), vol = rb.kernelVolume();
        Tensor gx = zerosF(c, x.shape()), gw = zerosF(c, w.shape());
        for (int k = 0; k < vol; k++) {
            int cnt = rb.pairCount(k);
            if (cnt == 0) continue;
            DevicePtr pin = ptr(rb.pairIn()).plus(4L * rb.pairStart()[k]), pout = ptr(rb.pairOut()).plus(4L * rb.pairStart()[k]);
            if (cin <= FUSED_MAX_CIN) {
                c.launch1d("spconv_fused_bwd_input_f32", (long) cnt * cin, ptr(g), ptr(w), pin, pout, cnt, cin, cout, vol, k, ptr(gx));
                c.launch("spconv_bwd_weight_f32", (cin + 15) / 16, (cout + 15) / 16, 1, 16, 64, 1, 0, ptr(g), ptr(x), pin, pout, cnt, cin, cout, vol, k, ptr(gw));
                continue;
            }
            try (DeviceBuffer bg = c.allocate(4L * cnt * cout); DeviceBuffer bx = c.allocate(4L * cnt * cin); DeviceBuffer bgx = c.allocate(4L * cnt * cin)) {
                c.launch1d("spconv_gather_f32", (long) cnt * cout, ptr(g), pout, cnt, cout, bg.ptr());
                c.launch1d("spconv_gather_f32", (long) cnt * cin, ptr(x), pin, cnt, cin, bx.ptr());
                // bgx [cnt, Cin] = bg [cnt, Cout] x W_k, W_k(co, ci) = w[co, k, ci]
                CudaBackend.gemm(c, bg.ptr(), ptr(w).plus(4L * k * cin), bgx.ptr(), 1, cnt, cin, cout, cout, 1, 0, (long) vol * cin, 1, 0, cin, 0, 1f, 0f, false);
                c.launch1d("spconv_scatter_add_f32", (long) cnt * cin, bgx.ptr(), pin, cnt, cin, ptr(gx));
                // gw[:, k, :] [Cout, Cin] = bg^T x bx, written into the strided slice (ldc = K * Cin)
                CudaBackend.gemm(c, bg.ptr(), bx.ptr(), ptr(gw).plus(4L * k * cin), 1, cout, cin, cnt, 1, cout, 0, cin, 1, 0, (long) vol * cin, 0, 1f, 0f,
                        false);
            }
        }
        Tensor gb = g.sum(new int[] {0}, false);
        return new Tensor[] {gx, gw, gb};
    }

    // ------------------------------------------------------------------ boxes

    /** RotatedIoU.overlapBev (mode 0), iouBev (1) or iou3d (2) as a float32 [N, M] device matrix. */
    public static Tensor iouMatrix(Tensor boxesA, Tensor boxesB, int mode, int ordinal) {
        CudaContext c = CudaContext.get(ordinal);
        Tensor a = f32(c, "box iou", boxesA), b = f32(c, "box iou", boxesB);
        if (a.dim() != 2 || b.dim() != 2 || a.size(1) < 7 || b.size(1) < 7)
            throw new IllegalArgumentException("box iou (cuda): boxes must be [N, 7+] and [M, 7+], got " + Shape.str(a.shape()) + " and " + Shape.str(b.shape()));
        int n = a.size(0), m = b.size(0);
        Tensor out = empty(c, DType.FLOAT32, new int[] {n, m});
        if ((long) n * m > 0) c.launch1d("box_iou_matrix_f32", (long) n * m, ptr(a), n, a.size(1), ptr(b), m, b.size(1), mode, ptr(out));
        return out;
    }

    /**
     * Nms.nms on the GPU: the suppression bitmask from nms_mask_f32, walked on the host as OpenPCDet does. Returns host
     * int64 indices into the input by descending score (stable order among equal scores, as the CPU reference).
     */
    public static Tensor nms(Tensor boxes, Tensor scores, double thresh, Nms.Type type, int preMaxsize, int postMaxsize, int ordinal) {
        CudaContext c = CudaContext.get(ordinal);
        double[] s = host(scores).contiguous().toDoubleArray();
        Integer[] order = new Integer[s.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        // descending, NaN last, stable
        Arrays.sort(order, (x, y) -> {
            boolean nx = Double.isNaN(s[x]), ny = Double.isNaN(s[y]);
            if (nx || ny) return nx == ny ? 0 : nx ? 1 : -1;
            return Double.compare(s[y], s[x]);
        });
        int n = Math.min(order.length, preMaxsize);
        if (n == 0) return Tensor.ofLongs(new long[0], 0);
        Tensor hostBoxes = host(boxes).contiguous().toFloat();
        int cols = hostBoxes.size(1);
        float[] hb = hostBoxes.toFloatArray(), sorted = new float[n * cols];
        for (int i = 0; i < n; i++) System.arraycopy(hb, order[i] * cols, sorted, i * cols, cols);
        Tensor dev = CudaTensors.upload(c, Tensor.of(sorted, n, cols));
        int blocks = (n + 63) / 64;
        long[] mask = new long[n * blocks];
        try (DeviceBuffer mb = c.allocate(8L * n * blocks)) {
            c.launch("nms_mask_f32", blocks, blocks, 1, 64, 1, 1, 0, ptr(dev), n, cols, thresh, type == Nms.Type.NMS_GPU ? 0 : 1, mb.ptr());
            try (Arena a = Arena.ofConfined()) {
                MemorySegment m = a.allocate(8L * n * blocks, 8);
                c.download(m, mb.address(), m.byteSize());
                MemorySegment.copy(m, ValueLayout.JAVA_LONG, 0, mask, 0, mask.length);
            }
        }
        long[] removed = new long[blocks];
        List<Long> keep = new ArrayList<>();
        for (int i = 0; i < n && keep.size() < postMaxsize; i++) {
            if ((removed[i / 64] >>> (i % 64) & 1L) != 0) continue;
            keep.add((long) order[i]);
            for (int j = 0; j < blocks; j++) removed[j] |= mask[i * blocks + j];
        }
        long[] out = new long[keep.size()];
        for (int i = 0; i < out.length; i++) out[i] = keep.get(i);
        return Tensor.ofLongs(out, out.length);
    }

    /** PointsInBoxes.boxIndexOfPoints on the GPU: int32 [B, N], the first containing box or -1. */
    public static Tensor boxIndexOfPoints(Tensor points, Tensor boxes, float margin, int ordinal) {
        CudaContext c = CudaContext.get(ordinal);
        Tensor p = f32(c, "points_in_boxes", points), b = f32(c, "points_in_boxes", boxes);
        if (p.dim() != 3 || b.dim() != 3 || p.size(2) < 3 || b.size(2) < 7 || p.size(0) != b.size(0))
            throw new IllegalArgumentException("points_in_boxes (cuda): expects points [B, N, 3+] and boxes [B, T, 7+], got " + Shape.str(p.shape()) + " and "
                    + Shape.str(b.shape()));
        Tensor out = empty(c, DType.INT32, new int[] {p.size(0), p.size(1)});
        long total = (long) p.size(0) * p.size(1);
        if (total > 0) c.launch1d("points_in_boxes_f32", total, ptr(p), ptr(b), p.size(0), p.size(1), b.size(1), p.size(2), b.size(2), margin, ptr(out));
        return out;
    }

    // ------------------------------------------------------------------ BEV pooling

    private static Tensor ints(CudaContext c, Tensor hostInts) { return CudaTensors.upload(c, hostInts); }

    /** BevPool.pool (forward, no autograd) on the GPU: depth [B*N, D, H, W], feat [B*N, C, H, W] -> [B, C, Z, Y, X]. */
    public static Tensor bevPool(Tensor depth, Tensor feat, BevPoolRanks r, int ordinal) {
        CudaContext c = CudaContext.get(ordinal);
        Tensor d = f32(c, "bev_pool_v2", depth), f = f32(c, "bev_pool_v2", feat);
        int ch = f.size(1), cells = r.nz() * r.ny() * r.nx();
        Tensor featCl = f.permute(0, 2, 3, 1).contiguous();
        Tensor out = zerosF(c, r.batch(), ch, r.nz(), r.ny(), r.nx());
        if (r.intervals() > 0)
            c.launch1d("bev_pool_v2_f32", (long) r.intervals() * ch, ptr(d), ptr(featCl), ptr(ints(c, r.ranksDepth())), ptr(ints(c, r.ranksFeat())),
                    ptr(ints(c, r.ranksBev())), ptr(ints(c, r.intervalStarts())), ptr(ints(c, r.intervalLengths())), r.intervals(), ch, cells, ptr(out));
        return out;
    }

    /** The backward of {@link #bevPool}: {gradDepth [B*N, D, H, W], gradFeat [B*N, C, H, W]}. */
    public static Tensor[] bevPoolBackward(Tensor gradOut, Tensor depth, Tensor feat, BevPoolRanks r, int ordinal) {
        CudaContext c = CudaContext.get(ordinal);
        Tensor g = f32(c, "bev_pool_v2 backward", gradOut), d = f32(c, "bev_pool_v2 backward", depth), f = f32(c, "bev_pool_v2 backward", feat);
        int ch = f.size(1), cells = r.nz() * r.ny() * r.nx();
        Tensor featCl = f.permute(0, 2, 3, 1).contiguous();
        Tensor gd = zerosF(c, d.shape()), gfCl = zerosF(c, featCl.shape());
        if (r.points() > 0)
            c.launch1d("bev_pool_v2_backward_f32", r.points(), ptr(g), ptr(d), ptr(featCl), ptr(ints(c, r.ranksDepth())), ptr(ints(c, r.ranksFeat())),
                    ptr(ints(c, r.ranksBev())), r.points(), ch, cells, ptr(gd), ptr(gfCl));
        return new Tensor[] {gd, gfCl.permute(0, 3, 1, 2).contiguous()};
    }
}
