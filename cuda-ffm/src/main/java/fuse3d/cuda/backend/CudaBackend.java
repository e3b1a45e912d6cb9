package fuse3d.cuda.backend;

import static fuse3d.cuda.backend.CudaTensors.context;
import static fuse3d.cuda.backend.CudaTensors.empty;
import static fuse3d.cuda.backend.CudaTensors.ptr;

import fuse3d.cuda.CudaException;
import fuse3d.cuda.kernels.DevicePtr;
import fuse3d.cuda.runtime.CudaContext;
import fuse3d.cuda.runtime.DeviceBuffer;
import fuse3d.tensor.Backend;
import fuse3d.tensor.Backends;
import fuse3d.tensor.BinaryOp;
import fuse3d.tensor.DType;
import fuse3d.tensor.Device;
import fuse3d.tensor.ReduceOp;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.UnaryOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The tensor {@link Backend} of {@code Device("cuda", i)}, found through ServiceLoader: float32 ops run as the CUDA
 * kernels of this module, everything else falls back to the CPU reference by copying the operands to the host and
 * the result back ({@link #FALLBACK} lists those ops; float32 ops with unusual arguments fall back too).
 *
 * <p>Constructing it touches no native code, so a machine without CUDA loads it harmlessly; the first use of a CUDA
 * tensor there fails with a {@link CudaException} that says why ("no CUDA: libcuda.so.1 not found ..."). Matrix
 * products use TF32 tensor cores only when {@code -Dfuse3d.cuda.tf32=true} and the device is sm_80 or newer (torch's
 * default keeps float32 matmuls in full float32 too).
 */
public final class CudaBackend implements Backend {
    /** Ops that always run on the CPU reference through a host round trip, in Backend's order. */
    public static final List<String> FALLBACK = List.of("scatterMax", "nonzero", "maskedSelect", "sortLastDim", "topkLastDim", "unique",
            "convTranspose", "maxPool", "avgPool", "adaptiveAvgPool", "adaptiveMaxPool", "interpolate", "gridSample",
            "convTransposeBackward", "maxPoolBackward", "avgPoolBackward", "adaptiveAvgPoolBackward", "interpolateBackward",
            "gridSampleBackward", "every op on float64, int32, int64 or bool data (no kernels for them yet)");

    static final boolean TF32 = Boolean.getBoolean("fuse3d.cuda.tf32");
    private static final Backend CPU = Backends.cpu();

    @Override
    public String name() { return "cuda"; }

    @Override
    public boolean supports(Device device) { return "cuda".equals(device.type()); }

    private static CudaContext ctx(Device d) { return CudaContext.get(d.index()); }

    // ------------------------------------------------------------------ transfers and fallback

    @Override
    public Tensor transfer(Tensor x, Device target) {
        if (target.equals(Device.CPU)) return CudaTensors.download(x).contiguous();
        if (!supports(target)) throw new IllegalArgumentException("cuda: cannot transfer " + x.device() + " tensors to " + target);
        Tensor host = x.device().equals(Device.CPU) ? x : CudaTensors.download(x);
        return CudaTensors.upload(ctx(target), host);
    }

    private static boolean onHost(Tensor t) { return t.storage().isHost(); }

    private static Tensor host(Tensor t) { return t == null ? null : onHost(t) ? t : CudaTensors.download(t); }

    /** A device operand on c: host tensors (0-d scalars the front end lets through) are uploaded. */
    private static Tensor dev(CudaContext c, Tensor t) { return onHost(t) ? CudaTensors.upload(c, t) : t; }

    private static Tensor up(CudaContext c, Tensor h) { return h == null ? null : CudaTensors.upload(c, h); }

    private static Tensor[] up(CudaContext c, Tensor[] hs) {
        Tensor[] out = new Tensor[hs.length];
        for (int i = 0; i < hs.length; i++) out[i] = up(c, hs[i]);
        return out;
    }

    /** The context of the first device tensor among ts. */
    private static CudaContext ctxOf(Tensor... ts) {
        for (Tensor t : ts) if (t != null && !onHost(t)) return context(t);
        throw new IllegalStateException("cuda: no CUDA tensor among the operands");
    }

    private static Tensor cpu(CudaContext c, Function<Backend, Tensor> op) { return up(c, op.apply(CPU)); }

    private static Tensor[] cpuN(CudaContext c, Function<Backend, Tensor[]> op) { return up(c, op.apply(CPU)); }

    private static boolean f32(Tensor... ts) {
        for (Tensor t : ts) if (t != null && t.dtype() != DType.FLOAT32) return false;
        return true;
    }

    // ------------------------------------------------------------------ meta arrays

    /** shape, then the strides of each view, as the elementwise kernels read them. */
    private static long[] meta(int[] shape, Tensor... views) {
        int nd = shape.length;
        long[] m = new long[nd * (1 + views.length)];
        for (int d = 0; d < nd; d++) m[d] = shape[d];
        for (int v = 0; v < views.length; v++) {
            int[] st = views[v].strides();
            for (int d = 0; d < nd; d++) m[(v + 1) * nd + d] = st[d];
        }
        return m;
    }

    /** A contiguous float32 copy of a device view (the strided copy kernel). */
    private static Tensor copyF32(CudaContext c, Tensor x) {
        Tensor out = empty(c, DType.FLOAT32, x.shape());
        long n = x.numel();
        if (n == 0) return out;
        try (DeviceBuffer m = CudaTensors.meta(c, meta(x.shape(), x))) {
            c.launch1d("ew_copy_strided_f32", n, ptr(x), ptr(out), m.ptr(), x.dim(), n);
        }
        return out;
    }

    private static Tensor contiguous(CudaContext c, Tensor x) {
        if (x.isContiguous()) return x;
        if (x.dtype() == DType.FLOAT32) return copyF32(c, x);
        return up(c, host(x).contiguous());
    }

    // ------------------------------------------------------------------ creation and copies

    /**
     * Without a device the SPI's zeros allocates on cuda:0; the front end passes the device ({@link #zeros(Device,
     * int[], DType)}), and so should any other caller on a machine with several GPUs.
     */
    @Override
    public Tensor zeros(int[] shape, DType dtype) { return zeros(0, shape, dtype); }

    @Override
    public Tensor zeros(Device device, int[] shape, DType dtype) { return zeros(device.index(), shape, dtype); }

    /** A zero-filled tensor on cuda:ordinal. */
    public static Tensor zeros(int ordinal, int[] shape, DType dtype) {
        CudaContext c = CudaContext.get(ordinal);
        Tensor t = empty(c, dtype, shape);
        long words = (Shape.numel(shape) * dtype.byteSize() + 3) / 4; // the block is rounded up to >= 512 bytes
        if (words > 0) c.launch1d("ew_fill_i32", words, ptr(t), words, 0);
        return t;
    }

    @Override
    public Tensor copy(Tensor x, DType dtype) {
        CudaContext c = ctxOf(x);
        if (f32(x) && dtype == DType.FLOAT32) return copyF32(c, x);
        return cpu(c, b -> b.copy(host(x), dtype));
    }

    @Override
    public void copyInto(Tensor dst, Tensor src) {
        CudaContext c = ctxOf(dst);
        if (f32(dst, src)) {
            Tensor s = contiguous(c, dev(c, src));
            long n = dst.numel();
            if (n == 0) return;
            try (DeviceBuffer m = CudaTensors.meta(c, meta(dst.shape(), dst))) {
                c.launch1d("ew_scatter_strided_f32", n, ptr(s), ptr(dst), m.ptr(), dst.dim(), n);
            }
            return;
        }
        Tensor h = host(dst);
        CPU.copyInto(h, host(src));
        CudaTensors.writeBack(h, dst);
    }

    @Override
    public void fill(Tensor dst, double value) {
        CudaContext c = ctxOf(dst);
        if (f32(dst)) {
            long n = dst.numel();
            if (n == 0) return;
            try (DeviceBuffer m = CudaTensors.meta(c, meta(dst.shape(), dst))) {
                c.launch1d("ew_fill_strided_f32", n, ptr(dst), m.ptr(), dst.dim(), n, (float) value);
            }
            return;
        }
        Tensor h = host(dst);
        CPU.fill(h, value);
        CudaTensors.writeBack(h, dst);
    }

    // ------------------------------------------------------------------ elementwise

    @Override
    public Tensor unary(UnaryOp op, Tensor x, double p0, double p1, DType outType) {
        CudaContext c = ctxOf(x);
        if (!f32(x) || outType != DType.FLOAT32) return cpu(c, b -> b.unary(op, host(x), p0, p1, outType));
        Tensor out = empty(c, DType.FLOAT32, x.shape());
        long n = x.numel();
        if (n == 0) return out;
        if (x.isContiguous()) {
            c.launch1d("ew_unary_contig_f32", n, ptr(x), ptr(out), n, op.ordinal(), (float) p0, (float) p1);
        } else {
            try (DeviceBuffer m = CudaTensors.meta(c, meta(x.shape(), x))) {
                c.launch1d("ew_unary_f32", n, ptr(x), ptr(out), m.ptr(), x.dim(), n, op.ordinal(), (float) p0, (float) p1);
            }
        }
        return out;
    }

    @Override
    public Tensor binary(BinaryOp op, Tensor a, Tensor b, DType computeType, DType outType) {
        CudaContext c = ctxOf(a, b);
        boolean kernel = f32(a, b) && computeType == DType.FLOAT32 && (outType == DType.FLOAT32 || outType == DType.BOOL);
        if (!kernel) return cpu(c, be -> be.binary(op, host(a), host(b), computeType, outType));
        Tensor da = dev(c, a), db = dev(c, b);
        int[] shape = a.shape();
        Tensor out = empty(c, outType, shape);
        long n = out.numel();
        if (n == 0) return out;
        try (DeviceBuffer m = CudaTensors.meta(c, meta(shape, da, db))) {
            c.launch1d(outType == DType.BOOL ? "ew_compare_f32" : "ew_binary_f32", n, ptr(da), ptr(db), ptr(out), m.ptr(), shape.length, n,
                    op.ordinal());
        }
        return out;
    }

    @Override
    public Tensor where(Tensor cond, Tensor a, Tensor b) {
        CudaContext c = ctxOf(cond, a, b);
        if (cond.dtype() != DType.BOOL || !f32(a, b)) return cpu(c, be -> be.where(host(cond), host(a), host(b)));
        Tensor dc = dev(c, cond), da = dev(c, a), db = dev(c, b);
        int[] shape = a.shape();
        Tensor out = empty(c, DType.FLOAT32, shape);
        long n = out.numel();
        if (n == 0) return out;
        try (DeviceBuffer m = CudaTensors.meta(c, meta(shape, dc, da, db))) {
            c.launch1d("ew_where_f32", n, ptr(dc), ptr(da), ptr(db), ptr(out), m.ptr(), shape.length, n);
        }
        return out;
    }

    // ------------------------------------------------------------------ reductions and softmax

    /** Threads per row block: a warp for short rows, up to 256 for long ones (no idle warps on short rows). */
    static int rowThreads(long cols) { return (int) Math.min(256, Math.max(32, (cols + 31) / 32 * 32)); }

    private static int rowBlocks(long rows) { return (int) Math.max(1, Math.min(rows, 65535L * 4)); }

    /** x with the dims of {@code last} moved to the end, made contiguous: a [rows, cols] matrix. */
    private static Tensor rowsLast(CudaContext c, Tensor x, int[] last) {
        int nd = x.dim();
        boolean[] isLast = new boolean[nd];
        for (int d : last) isLast[d] = true;
        int[] order = new int[nd];
        int k = 0;
        for (int d = 0; d < nd; d++) if (!isLast[d]) order[k++] = d;
        for (int d : last) order[k++] = d;
        return copyF32(c, x.permute(order));
    }

    private static int[] reducedShape(int[] shape, int[] dims, boolean keepdim) {
        boolean[] r = new boolean[shape.length];
        for (int d : dims) r[d] = true;
        int[] out = new int[keepdim ? shape.length : shape.length - dims.length];
        for (int d = 0, k = 0; d < shape.length; d++) {
            if (!r[d]) out[k++] = shape[d];
            else if (keepdim) out[k++] = 1;
        }
        return out;
    }

    @Override
    public Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepdim, double p, DType outType) {
        CudaContext c = ctxOf(x);
        boolean kernel = f32(x) && outType == DType.FLOAT32 && op != ReduceOp.ANY && op != ReduceOp.ALL && x.numel() > 0;
        if (!kernel) return cpu(c, b -> b.reduce(op, host(x), dims, keepdim, p, outType));
        long cols = 1;
        for (int d : dims) cols *= x.size(d);
        long rows = x.numel() / cols;
        Tensor mat = rowsLast(c, x, dims);
        Tensor out = empty(c, DType.FLOAT32, reducedShape(x.shape(), dims, keepdim));
        c.launch("reduce_rows_f32", rowBlocks(rows), 1, 1, rowThreads(cols), 1, 1, 0, ptr(mat), ptr(out), rows, cols, op.ordinal(), (float) p);
        return out;
    }

    @Override
    public Tensor[] extremeWithIndex(boolean max, Tensor x, int dim, boolean keepdim) {
        CudaContext c = ctxOf(x);
        if (!f32(x) || x.numel() == 0) return cpuN(c, b -> b.extremeWithIndex(max, host(x), dim, keepdim));
        long cols = x.size(dim), rows = x.numel() / cols;
        Tensor mat = rowsLast(c, x, new int[] {dim});
        int[] os = reducedShape(x.shape(), new int[] {dim}, keepdim);
        Tensor v = empty(c, DType.FLOAT32, os), i = empty(c, DType.INT64, os);
        c.launch("reduce_rows_argext_f32", rowBlocks(rows), 1, 1, rowThreads(cols), 1, 1, 0, ptr(mat), ptr(v), ptr(i), rows, cols,
                max ? 1 : 0);
        return new Tensor[] {v, i};
    }

    /** Runs a row kernel along dim: moves dim last, runs, and moves it back (contiguous). */
    private static Tensor alongDim(CudaContext c, Tensor x, int dim, java.util.function.BiConsumer<Tensor, Tensor> kernel) {
        Tensor mat = rowsLast(c, x, new int[] {dim});
        Tensor out = empty(c, DType.FLOAT32, mat.shape());
        kernel.accept(mat, out);
        return dim == x.dim() - 1 ? out : copyF32(c, out.movedim(x.dim() - 1, dim));
    }

    @Override
    public Tensor cumsum(Tensor x, int dim, DType outType) {
        CudaContext c = ctxOf(x);
        if (!f32(x) || outType != DType.FLOAT32 || x.numel() == 0) return cpu(c, b -> b.cumsum(host(x), dim, outType));
        long cols = x.size(dim), rows = x.numel() / cols;
        return alongDim(c, x, dim, (in, out) -> c.launch1d("cumsum_rows_f32", rows, ptr(in), ptr(out), rows, cols));
    }

    @Override
    public Tensor softmax(Tensor x, int dim, boolean log) {
        CudaContext c = ctxOf(x);
        if (!f32(x) || x.numel() == 0) return cpu(c, b -> b.softmax(host(x), dim, log));
        long cols = x.size(dim), rows = x.numel() / cols;
        return alongDim(c, x, dim, (in, out) -> c.launch("softmax_rows_f32", rowBlocks(rows), 1, 1, rowThreads(cols), 1, 1, 0, ptr(in), ptr(out),
                rows, cols, log ? 1 : 0));
    }

    @Override
    public Tensor softmaxBackward(Tensor y, Tensor g, int dim, boolean log) {
        CudaContext c = ctxOf(y, g);
        if (!f32(y, g) || y.numel() == 0 || !Arrays.equals(y.shape(), g.shape())) return Backend.super.softmaxBackward(y, g, dim, log);
        long cols = y.size(dim), rows = y.numel() / cols;
        Tensor gm = rowsLast(c, dev(c, g), new int[] {dim});
        return alongDim(c, y, dim, (ym, out) -> c.launch("softmax_backward_rows_f32", rowBlocks(rows), 1, 1, rowThreads(cols), 1, 1, 0, ptr(ym),
                ptr(gm), ptr(out), rows, cols, log ? 1 : 0));
    }

    // ------------------------------------------------------------------ matrix products

    /**
     * C[b] = A[b] x B[b] for strided views a [B, M, K], b [B, K, N] into a contiguous [B, M, N]: the tiled SGEMM (with
     * 16-byte loads when both are row-major with rows, batch strides and bases aligned to 4 floats), or the TF32
     * tensor-core kernel when enabled on sm_80+.
     */
    public static void gemm(CudaContext c, DevicePtr a, DevicePtr b, DevicePtr out, int batch, int m, int n, int k, long rsA, long csA, long bsA, long rsB,
                     long csB, long bsB, long ldc, long bsC, float alpha, float beta, boolean tf32) {
        boolean vec4 = csA == 1 && csB == 1 && rsA % 4 == 0 && rsB % 4 == 0 && bsA % 4 == 0 && bsB % 4 == 0 && a.address() % 16 == 0
                && b.address() % 16 == 0;
        String kernel = tf32 && c.computeCapability() >= 80 ? "sgemm_tf32" : vec4 ? "sgemm_tiled_vec4" : "sgemm_tiled";
        c.launch(kernel, (n + 127) / 128, (m + 127) / 128, batch, 256, 1, 1, 0, a, b, out, m, n, k, rsA, csA, rsB, csB, ldc, bsA, bsB, bsC, alpha, beta);
    }

    @Override
    public Tensor bmm(Tensor a, Tensor b) {
        CudaContext c = ctxOf(a, b);
        if (!f32(a, b)) return cpu(c, be -> be.bmm(host(a), host(b)));
        int batch = a.size(0), m = a.size(1), k = a.size(2), n = b.size(2);
        Tensor out = empty(c, DType.FLOAT32, new int[] {batch, m, n});
        if (out.numel() == 0) return out;
        if (k == 0) return zeros(c.ordinal(), out.shape(), DType.FLOAT32);
        Tensor da = dev(c, a), db = dev(c, b);
        gemm(c, ptr(da), ptr(db), ptr(out), batch, m, n, k, da.stride(1), da.stride(2), da.stride(0), db.stride(1), db.stride(2), db.stride(0), n,
                (long) m * n, 1f, 0f, TF32);
        return out;
    }

    // ------------------------------------------------------------------ indexing

    @Override
    public Tensor gather(Tensor x, int dim, Tensor index) {
        CudaContext c = ctxOf(x, index);
        if (!f32(x) || index.dtype() != DType.INT64) return cpu(c, b -> b.gather(host(x), dim, host(index)));
        Tensor idx = contiguous(c, dev(c, index));
        Tensor out = empty(c, DType.FLOAT32, index.shape());
        long n = out.numel();
        if (n == 0) return out;
        int nd = index.dim();
        long[] m = new long[2 * nd];
        for (int d = 0; d < nd; d++) {
            m[d] = index.size(d);
            m[nd + d] = x.stride(d);
        }
        try (DeviceBuffer mb = CudaTensors.meta(c, m)) {
            c.launch1d("gather_f32", n, ptr(x), ptr(idx), ptr(out), mb.ptr(), nd, dim, n);
        }
        return out;
    }

    @Override
    public Tensor scatterReduce(Tensor x, int dim, Tensor index, Tensor src, String reduce, boolean includeSelf) {
        CudaContext c = ctxOf(x, index, src);
        int op = switch (reduce) {
            case "sum" -> 0;
            case "amax" -> 1;
            case "amin" -> 2;
            case "none" -> 3;
            default -> -1;
        };
        if (!f32(x, src) || index.dtype() != DType.INT64 || op < 0 || (!includeSelf && op != 3))
            return cpu(c, b -> b.scatterReduce(host(x), dim, host(index), host(src), reduce, includeSelf));
        Tensor out = copyF32(c, x);
        Tensor idx = contiguous(c, dev(c, index)), s = dev(c, src);
        long n = index.numel();
        if (n == 0) return out;
        int nd = index.dim();
        long[] m = new long[3 * nd];
        for (int d = 0; d < nd; d++) {
            m[d] = index.size(d);
            m[nd + d] = out.stride(d);
            m[2 * nd + d] = s.stride(d);
        }
        try (DeviceBuffer mb = CudaTensors.meta(c, m)) {
            c.launch1d("scatter_reduce_f32", n, ptr(out), ptr(idx), ptr(s), mb.ptr(), nd, dim, n, op);
        }
        return out;
    }

    @Override
    public Tensor[] scatterMax(Tensor src, int dim, Tensor index, int dimSize) {
        return cpuN(ctxOf(src, index), b -> b.scatterMax(host(src), dim, host(index), dimSize));
    }

    @Override
    public Tensor indexPut(Tensor x, Tensor[] indices, Tensor values, boolean accumulate) {
        CudaContext c = ctxOf(x);
        boolean kernel = f32(x, values);
        for (Tensor t : indices) kernel &= t.dtype() == DType.INT64;
        if (!kernel) {
            Tensor[] hi = new Tensor[indices.length];
            for (int i = 0; i < hi.length; i++) hi[i] = host(indices[i]);
            return cpu(c, b -> b.indexPut(host(x), hi, host(values), accumulate));
        }
        Tensor out = copyF32(c, x);
        int k = indices.length;
        int[] ishape = indices[0].shape();
        int n = Shape.numel(ishape);
        if (n == 0) return out;
        // the (small) index tensors are stacked and wrapped on the host: [k, n] int64
        long[] stacked = new long[k * n];
        for (int j = 0; j < k; j++) {
            long[] v = host(indices[j]).contiguous().toLongArray();
            for (int i = 0; i < n; i++) stacked[j * n + i] = v[i] < 0 ? v[i] + x.size(j) : v[i];
        }
        long inner = out.numel() == 0 ? 0 : 1;
        for (int d = k; d < x.dim(); d++) inner *= x.size(d);
        long[] rowStrides = new long[k];
        for (int j = 0; j < k; j++) rowStrides[j] = out.stride(j);
        Tensor vals = copyF32(c, dev(c, values));
        try (DeviceBuffer idx = CudaTensors.meta(c, stacked); DeviceBuffer mb = CudaTensors.meta(c, rowStrides)) {
            c.launch1d("index_put_f32", n * inner, ptr(out), idx.ptr(), ptr(vals), mb.ptr(), k, (long) n, inner, accumulate ? 1 : 0);
        }
        return out;
    }

    @Override
    public Tensor nonzero(Tensor x) { return cpu(ctxOf(x), b -> b.nonzero(host(x))); }

    @Override
    public Tensor maskedSelect(Tensor x, Tensor mask) { return cpu(ctxOf(x, mask), b -> b.maskedSelect(host(x), host(mask))); }

    @Override
    public Tensor[] sortLastDim(Tensor x, boolean descending, boolean stable) { return cpuN(ctxOf(x), b -> b.sortLastDim(host(x), descending, stable)); }

    @Override
    public Tensor[] topkLastDim(Tensor x, int k, boolean largest, boolean sorted) { return cpuN(ctxOf(x), b -> b.topkLastDim(host(x), k, largest, sorted)); }

    @Override
    public Tensor[] unique(Tensor x) { return cpuN(ctxOf(x), b -> b.unique(host(x))); }

    // ------------------------------------------------------------------ convolution

    private static int[] geometry(Tensor x, Tensor w, int[] outSpatial, int[] stride, int[] padding, int[] dilation, int groups) {
        return new int[] {x.size(0), x.size(1), x.size(2), x.size(3), x.size(4), w.size(0), outSpatial[0], outSpatial[1], outSpatial[2], w.size(2),
                w.size(3), w.size(4), stride[0], stride[1], stride[2], padding[0], padding[1], padding[2], dilation[0], dilation[1], dilation[2], groups};
    }

    private static int[] convOut(Tensor x, Tensor w, int[] stride, int[] padding, int[] dilation) {
        int[] o = new int[3];
        for (int d = 0; d < 3; d++) o[d] = (x.size(2 + d) + 2 * padding[d] - dilation[d] * (w.size(2 + d) - 1) - 1) / stride[d] + 1;
        return o;
    }

    @Override
    public Tensor conv(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        CudaContext c = ctxOf(x, weight);
        if (!f32(x, weight, bias) || x.dim() != 5) return cpu(c, b -> b.conv(host(x), host(weight), host(bias), stride, padding, dilation, groups));
        Tensor dx = contiguous(c, x), dw = contiguous(c, dev(c, weight)), db = bias == null ? null : contiguous(c, dev(c, bias));
        int[] os = convOut(x, weight, stride, padding, dilation);
        Tensor out = empty(c, DType.FLOAT32, new int[] {x.size(0), weight.size(0), os[0], os[1], os[2]});
        if (out.numel() == 0) return out;
        long rows = (long) x.size(0) * os[0] * os[1] * os[2];
        int cout = weight.size(0) / groups;
        try (DeviceBuffer g = CudaTensors.metaInts(c, geometry(x, weight, os, stride, padding, dilation, groups))) {
            c.launch("conv_implicit_gemm_f32", (int) ((rows + 63) / 64), (cout + 63) / 64, groups, 256, 1, 1, 0, ptr(dx), ptr(dw),
                    db == null ? DevicePtr.NULL : ptr(db), ptr(out), g.ptr());
        }
        return out;
    }

    @Override
    public Tensor[] convBackward(Tensor gradOut, Tensor x, Tensor weight, int[] stride, int[] padding, int[] dilation, int groups) {
        CudaContext c = ctxOf(gradOut, x, weight);
        if (!f32(gradOut, x, weight) || x.dim() != 5)
            return cpuN(c, b -> b.convBackward(host(gradOut), host(x), host(weight), stride, padding, dilation, groups));
        Tensor gy = contiguous(c, gradOut), dx = contiguous(c, x), dw = contiguous(c, dev(c, weight));
        int[] os = {gradOut.size(2), gradOut.size(3), gradOut.size(4)};
        Tensor gin = empty(c, DType.FLOAT32, x.shape()), gw = empty(c, DType.FLOAT32, weight.shape());
        int cin = x.size(1) / groups, cout = weight.size(0) / groups, kvol = weight.size(2) * weight.size(3) * weight.size(4);
        try (DeviceBuffer g = CudaTensors.metaInts(c, geometry(x, weight, os, stride, padding, dilation, groups))) {
            if (gin.numel() > 0) c.launch1d("conv_backward_data_f32", gin.numel(), ptr(gy), ptr(dw), ptr(gin), g.ptr());
            if (gw.numel() > 0)
                c.launch("conv_backward_weight_f32", (cin * kvol + 63) / 64, (cout + 63) / 64, groups, 256, 1, 1, 0, ptr(gy), ptr(dx), ptr(gw), g.ptr());
        }
        Tensor gb = reduce(ReduceOp.SUM, gy, new int[] {0, 2, 3, 4}, false, 0, DType.FLOAT32);
        return new Tensor[] {gin, gw, gb};
    }

    @Override
    public Tensor convTranspose(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding, int[] dilation, int groups) {
        return cpu(ctxOf(x, weight), b -> b.convTranspose(host(x), host(weight), host(bias), stride, padding, outputPadding, dilation, groups));
    }

    @Override
    public Tensor[] convTransposeBackward(Tensor gradOut, Tensor x, Tensor weight, int[] stride, int[] padding, int[] outputPadding, int[] dilation,
                                          int groups) {
        return cpuN(ctxOf(gradOut, x, weight),
                b -> b.convTransposeBackward(host(gradOut), host(x), host(weight), stride, padding, outputPadding, dilation, groups));
    }

    // ------------------------------------------------------------------ pooling and resampling: CPU fallback

    @Override
    public Tensor[] maxPool(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        return cpuN(ctxOf(x), b -> b.maxPool(host(x), kernel, stride, padding, dilation, ceilMode));
    }

    @Override
    public Tensor avgPool(Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad, int divisorOverride) {
        return cpu(ctxOf(x), b -> b.avgPool(host(x), kernel, stride, padding, ceilMode, countIncludePad, divisorOverride));
    }

    @Override
    public Tensor adaptiveAvgPool(Tensor x, int[] outSpatial) { return cpu(ctxOf(x), b -> b.adaptiveAvgPool(host(x), outSpatial)); }

    @Override
    public Tensor[] adaptiveMaxPool(Tensor x, int[] outSpatial) { return cpuN(ctxOf(x), b -> b.adaptiveMaxPool(host(x), outSpatial)); }

    @Override
    public Tensor interpolate(Tensor x, int[] outSpatial, String mode, boolean alignCorners, double[] scales) {
        return cpu(ctxOf(x), b -> b.interpolate(host(x), outSpatial, mode, alignCorners, scales));
    }

    @Override
    public Tensor gridSample(Tensor x, Tensor grid, String mode, String paddingMode, boolean alignCorners) {
        return cpu(ctxOf(x, grid), b -> b.gridSample(host(x), host(grid), mode, paddingMode, alignCorners));
    }

    @Override
    public Tensor maxPoolBackward(Tensor gradOut, Tensor indices, int[] inputShape) {
        return cpu(ctxOf(gradOut, indices), b -> b.maxPoolBackward(host(gradOut), host(indices), inputShape));
    }

    @Override
    public Tensor avgPoolBackward(Tensor gradOut, int[] inputShape, int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad,
                                  int divisorOverride) {
        return cpu(ctxOf(gradOut), b -> b.avgPoolBackward(host(gradOut), inputShape, kernel, stride, padding, ceilMode, countIncludePad, divisorOverride));
    }

    @Override
    public Tensor adaptiveAvgPoolBackward(Tensor gradOut, int[] inputShape) {
        return cpu(ctxOf(gradOut), b -> b.adaptiveAvgPoolBackward(host(gradOut), inputShape));
    }

    @Override
    public Tensor interpolateBackward(Tensor gradOut, int[] inSpatial, String mode, boolean alignCorners, double[] scales) {
        return cpu(ctxOf(gradOut), b -> b.interpolateBackward(host(gradOut), inSpatial, mode, alignCorners, scales));
    }

    @Override
    public Tensor[] gridSampleBackward(Tensor gradOut, Tensor x, Tensor grid, String mode, String paddingMode, boolean alignCorners) {
        return cpuN(ctxOf(gradOut, x, grid), b -> b.gridSampleBackward(host(gradOut), host(x), host(grid), mode, paddingMode, alignCorners));
    }

    @Override
    public List<String> extraKernels() {
        List<String> l = new ArrayList<>();
        for (var s : fuse3d.cuda.kernels.KernelCatalog.all()) l.add(s.name());
        return l;
    }
}
