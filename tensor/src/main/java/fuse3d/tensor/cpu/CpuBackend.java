package fuse3d.tensor.cpu;

import fuse3d.tensor.Backend;
import fuse3d.tensor.BinaryOp;
import fuse3d.tensor.DType;
import fuse3d.tensor.Device;
import fuse3d.tensor.ReduceOp;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Storage;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.UnaryOp;
import java.util.Arrays;

/**
 * The reference backend: every kernel on host arrays. float32 hot paths (elementwise, sums, GEMM,
 * convolution) run on the Vector API with scalar twins; the rest is plain, dtype-generic Java.
 */
public class CpuBackend implements Backend {
    @Override
    public String name() { return "cpu"; }

    @Override
    public boolean supports(Device device) { return device.equals(Device.CPU); }

    @Override
    public Tensor zeros(int[] shape, DType dtype) {
        return new Tensor(Storage.allocate(dtype, Shape.numel(shape)), shape);
    }

    @Override
    public Tensor copy(Tensor x, DType dtype) {
        Tensor out = zeros(x.shape(), dtype);
        copyInto(out, x);
        return out;
    }

    @Override
    public void copyInto(Tensor dst, Tensor src) {
        Storage d = dst.storage(), s = src.storage();
        StridedLoop loop = StridedLoop.of(dst.shape(), new int[] {dst.offset(), src.offset()}, dst.strides(), src.strides());
        int ds = loop.innerStride(0), ss = loop.innerStride(1);
        if (d.dtype() == s.dtype()) {
            switch (d.dtype()) {
                case FLOAT32 -> {
                    float[] da = d.floats(), sa = s.floats();
                    loop.forEachRow((b, n) -> {
                        if (ds == 1 && ss == 1) System.arraycopy(sa, b[1], da, b[0], n);
                        else for (int i = 0; i < n; i++) da[b[0] + i * ds] = sa[b[1] + i * ss];
                    });
                }
                case FLOAT64 -> {
                    double[] da = d.doubles(), sa = s.doubles();
                    loop.forEachRow((b, n) -> { for (int i = 0; i < n; i++) da[b[0] + i * ds] = sa[b[1] + i * ss]; });
                }
                case INT32 -> {
                    int[] da = d.ints(), sa = s.ints();
                    loop.forEachRow((b, n) -> { for (int i = 0; i < n; i++) da[b[0] + i * ds] = sa[b[1] + i * ss]; });
                }
                case INT64 -> {
                    long[] da = d.longs(), sa = s.longs();
                    loop.forEachRow((b, n) -> { for (int i = 0; i < n; i++) da[b[0] + i * ds] = sa[b[1] + i * ss]; });
                }
                case BOOL -> {
                    boolean[] da = d.bools(), sa = s.bools();
                    loop.forEachRow((b, n) -> { for (int i = 0; i < n; i++) da[b[0] + i * ds] = sa[b[1] + i * ss]; });
                }
            }
        } else if (d.dtype() == DType.FLOAT32 && s.dtype() == DType.FLOAT64) {
            float[] da = d.floats();
            double[] sa = s.doubles();
            loop.forEachRow((b, n) -> { for (int i = 0; i < n; i++) da[b[0] + i * ds] = (float) sa[b[1] + i * ss]; });
        } else if (d.dtype() == DType.FLOAT64 && s.dtype() == DType.FLOAT32) {
            double[] da = d.doubles();
            float[] sa = s.floats();
            loop.forEachRow((b, n) -> { for (int i = 0; i < n; i++) da[b[0] + i * ds] = sa[b[1] + i * ss]; });
        } else if (d.dtype() == DType.FLOAT32 && s.dtype() == DType.BOOL) {
            // masks turned into 0/1 factors: the common cast in derivative rules
            float[] da = d.floats();
            boolean[] sa = s.bools();
            loop.forEachRow((b, n) -> { for (int i = 0; i < n; i++) da[b[0] + i * ds] = sa[b[1] + i * ss] ? 1f : 0f; });
        } else if (d.dtype().isFloating() || s.dtype().isFloating()) {
            loop.forEachRow((b, n) -> { for (int i = 0; i < n; i++) d.setDouble(b[0] + i * ds, s.getDouble(b[1] + i * ss)); });
        } else {
            loop.forEachRow((b, n) -> { for (int i = 0; i < n; i++) d.setLong(b[0] + i * ds, s.getLong(b[1] + i * ss)); });
        }
    }

    @Override
    public void fill(Tensor dst, double value) {
        Storage d = dst.storage();
        StridedLoop loop = StridedLoop.of(dst.shape(), new int[] {dst.offset()}, dst.strides());
        int ds = loop.innerStride(0);
        if (d.dtype() == DType.FLOAT32 && ds == 1) {
            float v = (float) value;
            loop.forEachRow((b, n) -> Arrays.fill(d.floats(), b[0], b[0] + n, v));
        } else {
            loop.forEachRow((b, n) -> { for (int i = 0; i < n; i++) d.setDouble(b[0] + i * ds, value); });
        }
    }

    // ------------------------------------------------------------------ elementwise

    @Override
    public Tensor unary(UnaryOp op, Tensor x, double p0, double p1, DType outType) {
        Tensor out = zeros(x.shape(), outType);
        StridedLoop loop = StridedLoop.of(x.shape(), new int[] {out.offset(), x.offset()}, out.strides(), x.strides());
        int xs = loop.innerStride(1);
        Storage o = out.storage(), s = x.storage();
        if (x.dtype() == DType.FLOAT32 && outType == DType.FLOAT32) {
            float[] oa = o.floats(), xa = s.floats();
            loop.forEachRowParallel((b, n) -> ElementwiseKernels.unaryRow(op, xa, b[1], xs, oa, b[0], n, p0, p1));
        } else if (x.dtype() == DType.FLOAT64 && outType == DType.FLOAT64) {
            double[] oa = o.doubles(), xa = s.doubles();
            loop.forEachRow((b, n) -> { for (int i = 0; i < n; i++) oa[b[0] + i] = op.apply(xa[b[1] + i * xs], p0, p1); });
        } else if (!outType.isFloating() && !x.dtype().isFloating() && op.integerClosed()) {
            loop.forEachRow((b, n) -> { for (int i = 0; i < n; i++) o.setLong(b[0] + i, op.applyLong(s.getLong(b[1] + i * xs), p0, p1)); });
        } else {
            loop.forEachRow((b, n) -> { for (int i = 0; i < n; i++) o.setDouble(b[0] + i, op.apply(s.getDouble(b[1] + i * xs), p0, p1)); });
        }
        return out;
    }

    @Override
    public Tensor binary(BinaryOp op, Tensor a, Tensor b, DType computeType, DType outType) {
        Tensor out = zeros(a.shape(), outType);
        StridedLoop loop = StridedLoop.of(a.shape(), new int[] {out.offset(), a.offset(), b.offset()},
                out.strides(), a.strides(), b.strides());
        int as = loop.innerStride(1), bs = loop.innerStride(2);
        Storage o = out.storage(), sa = a.storage(), sb = b.storage();
        if (computeType == DType.FLOAT32 && outType == DType.FLOAT32 && a.dtype() == DType.FLOAT32 && b.dtype() == DType.FLOAT32) {
            float[] oa = o.floats(), xa = sa.floats(), xb = sb.floats();
            loop.forEachRowParallel((r, n) -> ElementwiseKernels.binaryRow(op, xa, r[1], as, xb, r[2], bs, oa, r[0], n));
        } else if (computeType == DType.FLOAT64 && outType == DType.FLOAT64 && a.dtype() == DType.FLOAT64 && b.dtype() == DType.FLOAT64) {
            double[] oa = o.doubles(), xa = sa.doubles(), xb = sb.doubles();
            loop.forEachRow((r, n) -> { for (int i = 0; i < n; i++) oa[r[0] + i] = op.apply(xa[r[1] + i * as], xb[r[2] + i * bs]); });
        } else if (computeType.isFloating()) {
            boolean f32 = computeType == DType.FLOAT32;
            loop.forEachRow((r, n) -> {
                for (int i = 0; i < n; i++) {
                    double va = sa.getDouble(r[1] + i * as), vb = sb.getDouble(r[2] + i * bs);
                    if (f32) { va = (float) va; vb = (float) vb; }
                    o.setDouble(r[0] + i, op.apply(va, vb));
                }
            });
        } else if (op.isLogical()) {
            // truthiness, not a cast to long: logical_and(0.5, 1) and logical_or(nan, 0) are true in torch
            loop.forEachRow((r, n) -> { for (int i = 0; i < n; i++) o.setLong(r[0] + i, op.applyLong(sa.getBool(r[1] + i * as) ? 1 : 0, sb.getBool(r[2] + i * bs) ? 1 : 0)); });
        } else {
            loop.forEachRow((r, n) -> { for (int i = 0; i < n; i++) o.setLong(r[0] + i, op.applyLong(sa.getLong(r[1] + i * as), sb.getLong(r[2] + i * bs))); });
        }
        return out;
    }

    @Override
    public Tensor where(Tensor cond, Tensor a, Tensor b) {
        Tensor out = zeros(a.shape(), a.dtype());
        StridedLoop loop = StridedLoop.of(a.shape(), new int[] {out.offset(), cond.offset(), a.offset(), b.offset()},
                out.strides(), cond.strides(), a.strides(), b.strides());
        int cs = loop.innerStride(1), as = loop.innerStride(2), bs = loop.innerStride(3);
        boolean[] c = cond.storage().bools();
        Storage o = out.storage(), sa = a.storage(), sb = b.storage();
        if (a.dtype() == DType.FLOAT32) {
            float[] oa = o.floats(), xa = sa.floats(), xb = sb.floats();
            loop.forEachRow((r, n) -> { for (int i = 0; i < n; i++) oa[r[0] + i] = c[r[1] + i * cs] ? xa[r[2] + i * as] : xb[r[3] + i * bs]; });
        } else if (a.dtype() == DType.INT64) {
            long[] oa = o.longs(), xa = sa.longs(), xb = sb.longs();
            loop.forEachRow((r, n) -> { for (int i = 0; i < n; i++) oa[r[0] + i] = c[r[1] + i * cs] ? xa[r[2] + i * as] : xb[r[3] + i * bs]; });
        } else {
            loop.forEachRow((r, n) -> {
                for (int i = 0; i < n; i++) o.setDouble(r[0] + i, c[r[1] + i * cs] ? sa.getDouble(r[2] + i * as) : sb.getDouble(r[3] + i * bs));
            });
        }
        return out;
    }

    // ------------------------------------------------------------------ reductions

    /** x with the reduced dims moved last and flattened: a contiguous [outer, inner] matrix. */
    private static Tensor groupRows(Tensor x, int[] dims) {
        int rank = x.dim();
        int[] order = new int[rank];
        boolean[] red = new boolean[rank];
        for (int d : dims) red[d] = true;
        int j = 0;
        int outer = 1, inner = 1;
        for (int i = 0; i < rank; i++) if (!red[i]) { order[j++] = i; outer *= x.shape()[i]; }
        for (int i = 0; i < rank; i++) if (red[i]) { order[j++] = i; inner *= x.shape()[i]; }
        return x.permute(order).contiguous().reshape(outer, inner);
    }

    private static int[] reducedShape(int[] shape, int[] dims, boolean keepdim) {
        boolean[] red = new boolean[shape.length];
        for (int d : dims) red[d] = true;
        int[] out = new int[keepdim ? shape.length : shape.length - dims.length];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (!red[i]) out[j++] = shape[i];
            else if (keepdim) out[j++] = 1;
        }
        return out;
    }

    @Override
    public Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepdim, double p, DType outType) {
        int[] outShape = reducedShape(x.shape(), dims, keepdim);
        if (x.dtype() == DType.FLOAT32 && (op == ReduceOp.SUM || op == ReduceOp.SUM_SQUARED_DEVIATION) && x.isContiguous()
                && dims.length > 0 && dims.length < x.dim() && leadingDims(dims) && x.numel() > 0) {
            int cols = 1;
            for (int i = dims.length; i < x.dim(); i++) cols *= x.shape()[i];
            int rows = x.numel() / cols;
            double[] r = op == ReduceOp.SUM ? LeadingReduce.sum(x.storage().floats(), x.offset(), rows, cols)
                    : LeadingReduce.sumSquaredDeviation(x.storage().floats(), x.offset(), rows, cols);
            Tensor out = zeros(outShape, outType);
            Storage o = out.storage();
            for (int c = 0; c < cols; c++) o.setDouble(c, r[c]);
            return out;
        }
        Tensor rows = groupRows(x, dims);
        int outer = rows.shape()[0], inner = rows.shape()[1];
        // like amax, torch's vector_norm has no identity for p < 0 or p = inf and refuses an empty reduction
        boolean noIdentity = op == ReduceOp.AMAX || op == ReduceOp.AMIN || (op == ReduceOp.NORM && (p < 0 || p == Double.POSITIVE_INFINITY));
        if (inner == 0 && noIdentity && outer > 0)
            throw new IllegalArgumentException(op.torchName() + ": cannot reduce over an empty dim (shape " + Shape.str(x.shape()) + ", dims " + Arrays.toString(dims) + ")");
        Tensor out = zeros(outShape, outType);
        Storage o = out.storage(), s = rows.storage();
        int base = rows.offset();
        boolean floating = x.dtype().isFloating();
        // each output row is one task's, so the bits do not depend on the thread count
        Parallel.forWork(outer, (long) outer * inner * 2, (r0, r1) -> {
        for (int r = r0; r < r1; r++) {
            int start = base + r * inner;
            if (op == ReduceOp.ANY || op == ReduceOp.ALL) {
                boolean any = false, all = true;
                for (int i = 0; i < inner; i++) {
                    boolean v = s.getBool(start + i);
                    any |= v;
                    all &= v;
                }
                o.setDouble(r, (op == ReduceOp.ANY ? any : all) ? 1 : 0);
            } else if (!floating && (op == ReduceOp.SUM || op == ReduceOp.PROD || op == ReduceOp.AMAX || op == ReduceOp.AMIN)) {
                o.setLong(r, reduceLong(op, s, start, inner));
            } else if (op == ReduceOp.SUM && s.dtype() == DType.FLOAT32) {
                o.setDouble(r, ElementwiseKernels.sumRow(s.floats(), start, inner));
            } else if (op == ReduceOp.SUM_SQUARED_DEVIATION && s.dtype() == DType.FLOAT32) {
                o.setDouble(r, sumSquaredDeviation(s.floats(), start, inner));
            } else {
                o.setDouble(r, reduceDouble(op, s, start, inner, p));
            }
        }
        });
        return out;
    }

    /** True when dims (sorted, distinct, as the callers pass them) are 0, 1, ..., k-1. */
    private static boolean leadingDims(int[] dims) {
        boolean[] seen = new boolean[dims.length];
        for (int d : dims) {
            if (d < 0 || d >= dims.length || seen[d]) return false;
            seen[d] = true;
        }
        return true;
    }

    /** reduceDouble's SUM_SQUARED_DEVIATION read straight from a float row: the same double arithmetic, the same bits. */
    private static double sumSquaredDeviation(float[] a, int start, int n) {
        double mean = 0;
        for (int i = 0; i < n; i++) mean += a[start + i];
        mean /= n;
        double acc = 0;
        for (int i = 0; i < n; i++) {
            double dv = a[start + i] - mean;
            acc += dv * dv;
        }
        return acc;
    }

    private static long reduceLong(ReduceOp op, Storage s, int start, int n) {
        long acc = switch (op) {
            case SUM -> 0;
            case PROD -> 1;
            case AMAX -> Long.MIN_VALUE;
            case AMIN -> Long.MAX_VALUE;
            default -> throw new IllegalStateException(op.name());
        };
        for (int i = 0; i < n; i++) {
            long v = s.getLong(start + i);
            acc = switch (op) {
                case SUM -> acc + v;
                case PROD -> acc * v;
                case AMAX -> Math.max(acc, v);
                default -> Math.min(acc, v);
            };
        }
        return acc;
    }

    /** float64 reduction of one contiguous row (the definition every faster path must match). */
    static double reduceDouble(ReduceOp op, Storage s, int start, int n, double p) {
        switch (op) {
            case SUM -> {
                double acc = 0;
                for (int i = 0; i < n; i++) acc += s.getDouble(start + i);
                return acc;
            }
            case PROD -> {
                double acc = 1;
                for (int i = 0; i < n; i++) acc *= s.getDouble(start + i);
                return acc;
            }
            case AMAX, AMIN -> {
                boolean max = op == ReduceOp.AMAX;
                double acc = max ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    double v = s.getDouble(start + i);
                    if (Double.isNaN(v)) return v;
                    if (max ? v > acc : v < acc) acc = v; // ties keep the first, as torch: amax([-0., 0.]) = -0.
                }
                return acc;
            }
            case LOGSUMEXP -> {
                double m = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    double v = s.getDouble(start + i);
                    if (Double.isNaN(v)) return v;
                    m = Math.max(m, v);
                }
                if (Double.isInfinite(m)) return m;
                double acc = 0;
                for (int i = 0; i < n; i++) acc += Math.exp(s.getDouble(start + i) - m);
                return m + Math.log(acc);
            }
            case SUM_SQUARED_DEVIATION -> {
                double mean = 0;
                for (int i = 0; i < n; i++) mean += s.getDouble(start + i);
                mean /= n;
                double acc = 0;
                for (int i = 0; i < n; i++) {
                    double dv = s.getDouble(start + i) - mean;
                    acc += dv * dv;
                }
                return acc;
            }
            case NORM -> {
                if (p == Double.POSITIVE_INFINITY || p == Double.NEGATIVE_INFINITY) {
                    double acc = p > 0 ? 0 : Double.POSITIVE_INFINITY;
                    for (int i = 0; i < n; i++) {
                        double v = Math.abs(s.getDouble(start + i));
                        if (Double.isNaN(v)) return v;
                        acc = p > 0 ? Math.max(acc, v) : Math.min(acc, v);
                    }
                    return acc;
                }
                if (p == 0) {
                    double c = 0;
                    for (int i = 0; i < n; i++) if (s.getDouble(start + i) != 0) c++;
                    return c;
                }
                double acc = 0;
                for (int i = 0; i < n; i++) {
                    double v = Math.abs(s.getDouble(start + i));
                    acc += p == 1 ? v : p == 2 ? v * v : Math.pow(v, p);
                }
                return p == 1 ? acc : p == 2 ? Math.sqrt(acc) : Math.pow(acc, 1.0 / p);
            }
            default -> throw new IllegalStateException(op.name());
        }
    }

    @Override
    public Tensor[] extremeWithIndex(boolean max, Tensor x, int dim, boolean keepdim) {
        if (x.dim() == 0) return new Tensor[] {copy(x, x.dtype()), zeros(new int[0], DType.INT64)};
        int[] outShape = reducedShape(x.shape(), new int[] {dim}, keepdim);
        Tensor rows = groupRows(x, new int[] {dim});
        int outer = rows.shape()[0], inner = rows.shape()[1];
        Tensor vals = zeros(outShape, x.dtype()), idx = zeros(outShape, DType.INT64);
        Storage s = rows.storage(), v = vals.storage();
        long[] ia = idx.storage().longs();
        boolean floating = x.dtype().isFloating();
        if (x.dtype() == DType.FLOAT32 && inner > 0) {
            // the typed twin of the loop below (same first-extreme / first-NaN rule), without a boxed read per element
            float[] sa = s.floats(), va = v.floats();
            for (int r = 0; r < outer; r++) {
                int start = rows.offset() + r * inner;
                int best = 0;
                float bv = sa[start];
                for (int i = 1; i < inner && !Float.isNaN(bv); i++) {
                    float c = sa[start + i];
                    if (Float.isNaN(c) || (max ? c > bv : c < bv)) { bv = c; best = i; }
                }
                va[r] = bv;
                ia[r] = best;
            }
            return new Tensor[] {vals, idx};
        }
        for (int r = 0; r < outer; r++) {
            int start = rows.offset() + r * inner;
            int best = 0;
            if (floating) {
                double bv = s.getDouble(start);
                for (int i = 1; i < inner && !Double.isNaN(bv); i++) {
                    double c = s.getDouble(start + i);
                    if (Double.isNaN(c) || (max ? c > bv : c < bv)) { bv = c; best = i; }
                }
            } else {
                long bv = s.getLong(start);
                for (int i = 1; i < inner; i++) {
                    long c = s.getLong(start + i);
                    if (max ? c > bv : c < bv) { bv = c; best = i; }
                }
            }
            Elements.copy(v, r, s, start + best);
            ia[r] = best;
        }
        return new Tensor[] {vals, idx};
    }

    @Override
    public Tensor cumsum(Tensor x, int dim, DType outType) {
        if (x.dim() == 0) return copy(x, outType);
        Tensor moved = x.movedim(dim, -1).contiguous();
        int inner = moved.dim() == 0 ? 1 : moved.shape()[moved.dim() - 1];
        int outer = inner == 0 ? 0 : moved.numel() / inner;
        Tensor out = zeros(moved.shape(), outType);
        Storage s = moved.storage(), o = out.storage();
        for (int r = 0; r < outer; r++) {
            int start = moved.offset() + r * inner;
            if (outType.isFloating()) {
                double acc = 0;
                for (int i = 0; i < inner; i++) {
                    acc += s.getDouble(start + i);
                    o.setDouble(r * inner + i, acc);
                }
            } else {
                long acc = 0;
                for (int i = 0; i < inner; i++) {
                    acc += s.getLong(start + i);
                    o.setLong(r * inner + i, acc);
                }
            }
        }
        return out.movedim(-1, dim).contiguous();
    }

    @Override
    public Tensor softmax(Tensor x, int dim, boolean log) {
        if (x.dim() == 0) return log ? zeros(new int[0], x.dtype()) : copy(x, x.dtype()).fill_(1);
        Tensor moved = x.movedim(dim, -1).contiguous();
        int inner = moved.shape()[moved.dim() - 1];
        int outer = inner == 0 ? 0 : moved.numel() / inner;
        Tensor out = zeros(moved.shape(), x.dtype());
        if (x.dtype() == DType.FLOAT32) {
            SoftmaxKernels.rows(moved.storage().floats(), moved.offset(), out.storage().floats(), outer, inner, log);
            return out.movedim(-1, dim).contiguous();
        }
        Storage s = moved.storage(), o = out.storage();
        double[] e = new double[inner];
        for (int r = 0; r < outer; r++) {
            int start = moved.offset() + r * inner;
            double m = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < inner; i++) m = Math.max(m, s.getDouble(start + i));
            // all -inf rows: exp gives 0s, the sum 0, the result NaN as torch; a +inf max stays, so inf - inf
            // makes the whole row NaN, as torch.softmax([inf, 1]) = [nan, nan]
            if (m == Double.NEGATIVE_INFINITY) m = 0;
            double sum = 0;
            for (int i = 0; i < inner; i++) {
                e[i] = s.getDouble(start + i) - m;
                sum += Math.exp(e[i]);
            }
            double lse = Math.log(sum);
            for (int i = 0; i < inner; i++) o.setDouble(r * inner + i, log ? e[i] - lse : Math.exp(e[i]) / sum);
        }
        return out.movedim(-1, dim).contiguous();
    }

    @Override
    public Tensor softmaxBackward(Tensor y, Tensor g, int dim, boolean log) {
        if (y.dtype() != DType.FLOAT32 || g.dtype() != DType.FLOAT32 || y.dim() == 0) return Backend.super.softmaxBackward(y, g, dim, log);
        Tensor ym = y.movedim(dim, -1).contiguous(), gm = g.movedim(dim, -1).contiguous();
        int inner = ym.shape()[ym.dim() - 1];
        int outer = inner == 0 ? 0 : ym.numel() / inner;
        Tensor out = zeros(ym.shape(), DType.FLOAT32);
        SoftmaxKernels.backwardRows(ym.storage().floats(), ym.offset(), gm.storage().floats(), gm.offset(), out.storage().floats(), outer, inner, log);
        return out.movedim(-1, dim).contiguous();
    }

    // ------------------------------------------------------------------ linear algebra

    @Override
    public Tensor bmm(Tensor a, Tensor b) {
        int nb = a.shape()[0], m = a.shape()[1], k = a.shape()[2], n = b.shape()[2];
        Tensor out = zeros(new int[] {nb, m, n}, a.dtype());
        int[] as = a.strides(), bs = b.strides();
        switch (a.dtype()) {
            case FLOAT32 -> {
                float[] x = a.storage().floats(), y = b.storage().floats(), c = out.storage().floats();
                for (int i = 0; i < nb; i++)
                    Sgemm.multiply(m, n, k, x, a.offset() + i * as[0], as[1], as[2], y, b.offset() + i * bs[0], bs[1], bs[2], c, i * m * n, n, false);
            }
            case FLOAT64 -> {
                double[] x = a.storage().doubles(), y = b.storage().doubles(), c = out.storage().doubles();
                for (int i = 0; i < nb; i++)
                    Dgemm.multiply(m, n, k, x, a.offset() + i * as[0], as[1], as[2], y, b.offset() + i * bs[0], bs[1], bs[2], c, i * m * n, n, false);
            }
            default -> {
                Storage x = a.storage(), y = b.storage(), c = out.storage();
                for (int t = 0; t < nb; t++)
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < n; j++) {
                            long acc = 0;
                            for (int p = 0; p < k; p++)
                                acc += x.getLong(a.offset() + t * as[0] + i * as[1] + p * as[2]) * y.getLong(b.offset() + t * bs[0] + p * bs[1] + j * bs[2]);
                            c.setLong((t * m + i) * n + j, acc);
                        }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ indexing

    @Override
    public Tensor gather(Tensor x, int dim, Tensor index) {
        int[] ishape = index.shape();
        Tensor out = zeros(ishape, x.dtype());
        if (out.numel() == 0) return out;
        int[] xs = x.strides(), is = index.strides();
        int size = x.dim() == 0 ? 1 : x.shape()[dim];
        long[] ia = index.storage().longs();
        Storage xs0 = x.storage(), o = out.storage();
        Odometer od = new Odometer(ishape);
        int pos = 0;
        do {
            int[] c = od.index;
            int ip = index.offset(), xp = x.offset();
            for (int d = 0; d < c.length; d++) {
                ip += c[d] * is[d];
                if (d != dim) xp += c[d] * xs[d];
            }
            long v = ia[ip];
            if (v < 0) v += size;
            if (x.dim() > 0) xp += (int) v * xs[dim];
            Elements.copy(o, pos++, xs0, xp);
        } while (od.next());
        return out;
    }

    @Override
    public Tensor scatterReduce(Tensor x, int dim, Tensor index, Tensor src, String reduce, boolean includeSelf) {
        Tensor out = copy(x, x.dtype());
        int[] ishape = index.shape();
        if (Shape.numel(ishape) == 0) return out;
        if (reduce.equals("sum") && includeSelf && x.dim() > 0 && (x.dtype() == DType.FLOAT32 || x.dtype() == DType.FLOAT64) && src.dtype() == x.dtype()
                && sameExceptAt(ishape, x.shape(), dim) && sameExceptAt(ishape, src.shape(), -1)) {
            scatterAddRows(out, dim, index.contiguous(), src.contiguous());
            return out;
        }
        int[] os = out.strides(), is = index.strides(), ss = src.strides();
        int size = x.dim() == 0 ? 1 : x.shape()[dim];
        long[] ia = index.storage().longs();
        Storage o = out.storage(), s = src.storage();
        boolean floating = x.dtype().isFloating();
        int[] count = new int[out.numel()];
        // First pass: positions that receive elements start from the identity when self is excluded.
        Odometer od = new Odometer(ishape);
        if (!includeSelf && !reduce.equals("none")) {
            do {
                int op = targetOffset(od.index, dim, ia, index.offset(), is, os, size, x.dim());
                double init = switch (reduce) {
                    case "prod" -> 1;
                    // the identity of the output's own dtype: Long.MIN_VALUE would wrap to 0 in an int32 tensor
                    case "amax" -> floating ? Double.NEGATIVE_INFINITY : x.dtype() == DType.INT32 ? Integer.MIN_VALUE : Long.MIN_VALUE;
                    case "amin" -> floating ? Double.POSITIVE_INFINITY : x.dtype() == DType.INT32 ? Integer.MAX_VALUE : Long.MAX_VALUE;
                    default -> 0;
                };
                if (floating) o.setDouble(op, init);
                else o.setLong(op, (long) init);
            } while (od.next());
            od = new Odometer(ishape);
        }
        do {
            int op = targetOffset(od.index, dim, ia, index.offset(), is, os, size, x.dim());
            int sp = src.offset();
            for (int d = 0; d < ishape.length; d++) sp += od.index[d] * ss[d];
            count[op]++;
            if (reduce.equals("none")) {
                Elements.copy(o, op, s, sp);
            } else if (floating) {
                double cur = o.getDouble(op), v = s.getDouble(sp);
                o.setDouble(op, switch (reduce) {
                    case "sum", "mean" -> cur + v;
                    case "prod" -> cur * v;
                    case "amax" -> (Double.isNaN(cur) || Double.isNaN(v)) ? Double.NaN : Math.max(cur, v);
                    default -> (Double.isNaN(cur) || Double.isNaN(v)) ? Double.NaN : Math.min(cur, v);
                });
            } else {
                long cur = o.getLong(op), v = s.getLong(sp);
                o.setLong(op, switch (reduce) {
                    case "sum", "mean" -> cur + v;
                    case "prod" -> cur * v;
                    case "amax" -> Math.max(cur, v);
                    default -> Math.min(cur, v);
                });
            }
        } while (od.next());
        if (reduce.equals("mean")) {
            // out is contiguous, so storage offset == flat index
            for (int i = 0; i < count.length; i++) {
                if (count[i] == 0) continue;
                int n = count[i] + (includeSelf ? 1 : 0);
                if (floating) o.setDouble(i, o.getDouble(i) / n);
                else o.setLong(i, Math.floorDiv(o.getLong(i), n));
            }
        }
        return out;
    }

    /** a and b have the same rank and sizes, except possibly at dim (-1: everywhere the same). */
    private static boolean sameExceptAt(int[] a, int[] b, int dim) {
        if (a.length != b.length) return false;
        for (int i = 0; i < a.length; i++) if (i != dim && a[i] != b[i]) return false;
        return true;
    }

    /**
     * scatter_add when index and src have out's shape except along dim (gather's and max's derivative): out, index
     * and src seen as [outer, size, inner] and [outer, n, inner], walked in the generic loop's row-major order, so
     * every target sums its contributions in the same order (float sums in float equal the double sum rounded).
     */
    private static void scatterAddRows(Tensor out, int dim, Tensor index, Tensor src) {
        int[] is = index.shape();
        int size = out.shape()[dim], n = is[dim], outer = 1, inner = 1;
        for (int i = 0; i < dim; i++) outer *= is[i];
        for (int i = dim + 1; i < is.length; i++) inner *= is[i];
        long[] ia = index.storage().longs();
        int io = index.offset(), so = src.offset();
        if (out.dtype() == DType.FLOAT32) {
            float[] oa = out.storage().floats(), sa = src.storage().floats();
            for (int o = 0, q = 0; o < outer; o++)
                for (int m = 0; m < n; m++)
                    for (int k = 0; k < inner; k++, q++) {
                        long v = ia[io + q];
                        oa[(o * size + (int) (v < 0 ? v + size : v)) * inner + k] += sa[so + q];
                    }
        } else {
            double[] oa = out.storage().doubles(), sa = src.storage().doubles();
            for (int o = 0, q = 0; o < outer; o++)
                for (int m = 0; m < n; m++)
                    for (int k = 0; k < inner; k++, q++) {
                        long v = ia[io + q];
                        oa[(o * size + (int) (v < 0 ? v + size : v)) * inner + k] += sa[so + q];
                    }
        }
    }

    private static int targetOffset(int[] c, int dim, long[] ia, int ioff, int[] is, int[] os, int size, int rank) {
        int ip = ioff, op = 0;
        for (int d = 0; d < c.length; d++) {
            ip += c[d] * is[d];
            if (d != dim && rank > 0) op += c[d] * os[d];
        }
        long v = ia[ip];
        if (v < 0) v += size;
        if (rank > 0) op += (int) v * os[dim];
        return op;
    }

    @Override
    public Tensor[] scatterMax(Tensor src, int dim, Tensor index, int dimSize) {
        int[] sshape = src.shape();
        int[] oshape = sshape.clone();
        oshape[dim] = dimSize;
        Tensor out = zeros(oshape, src.dtype());
        Tensor arg = zeros(oshape, DType.INT64);
        long[] aa = arg.storage().longs();
        Arrays.fill(aa, sshape[dim]);
        if (src.numel() == 0) return new Tensor[] {out, arg};
        boolean[] touched = new boolean[out.numel()];
        int[] os = out.strides(), is = index.strides(), ss = src.strides();
        long[] ia = index.storage().longs();
        Storage o = out.storage(), s = src.storage();
        Odometer od = new Odometer(sshape);
        do {
            int op = targetOffset(od.index, dim, ia, index.offset(), is, os, dimSize, src.dim());
            int sp = src.offset();
            for (int d = 0; d < sshape.length; d++) sp += od.index[d] * ss[d];
            double v = s.getDouble(sp);
            if (!touched[op] || v > o.getDouble(op)) { // strict: the first of equal maxima keeps the argmax
                touched[op] = true;
                Elements.copy(o, op, s, sp);
                aa[op] = od.index[dim];
            }
        } while (od.next());
        return new Tensor[] {out, arg};
    }

    @Override
    public Tensor indexPut(Tensor x, Tensor[] indices, Tensor values, boolean accumulate) {
        Tensor out = copy(x, x.dtype());
        int k = indices.length;
        int[] ishape = indices[0].shape();
        if (Shape.numel(ishape) == 0) return out;
        int[] xshape = x.shape(), os = out.strides(), vs = values.strides();
        int[] rest = Arrays.copyOfRange(xshape, k, xshape.length);
        int[] restOutStrides = Arrays.copyOfRange(os, k, os.length);
        int[] restValStrides = Arrays.copyOfRange(vs, ishape.length, vs.length);
        Storage o = out.storage(), v = values.storage();
        boolean floating = x.dtype().isFloating();
        Odometer od = new Odometer(ishape);
        do {
            int ob = 0;
            for (int j = 0; j < k; j++) {
                Tensor ix = indices[j];
                int ip = ix.offset();
                int[] st = ix.strides();
                for (int d = 0; d < ishape.length; d++) ip += od.index[d] * st[d];
                long iv = ix.storage().longs()[ip];
                if (iv < 0) iv += xshape[j];
                ob += (int) iv * os[j];
            }
            int vb = values.offset();
            for (int d = 0; d < ishape.length; d++) vb += od.index[d] * vs[d];
            final int obase = ob, vbase = vb;
            StridedLoop.of(rest, new int[] {obase, vbase}, restOutStrides, restValStrides).forEachRow((b, n) -> {
                int s0 = restOutStrides.length == 0 ? 1 : 0;
                for (int i = 0; i < n; i++) {
                    int op = b[0] + i * innerOrOne(restOutStrides, s0), vp = b[1] + i * innerOrOne(restValStrides, s0);
                    if (!accumulate) Elements.copy(o, op, v, vp);
                    else if (floating) o.setDouble(op, o.getDouble(op) + v.getDouble(vp));
                    else o.setLong(op, o.getLong(op) + v.getLong(vp));
                }
            });
        } while (od.next());
        return out;
    }

    private static int innerOrOne(int[] strides, int scalarCase) {
        return scalarCase == 1 ? 1 : strides[strides.length - 1];
    }

    @Override
    public Tensor nonzero(Tensor x) {
        int rank = x.dim();
        Storage s = x.storage();
        int[] st = x.strides();
        int n = x.numel();
        if (n == 0) return zeros(new int[] {0, rank}, DType.INT64);
        int count = 0;
        Odometer od = new Odometer(x.shape());
        do {
            if (s.getBool(offsetOf(od.index, st, x.offset()))) count++;
        } while (od.next());
        Tensor out = zeros(new int[] {count, rank}, DType.INT64);
        long[] oa = out.storage().longs();
        od = new Odometer(x.shape());
        int row = 0;
        do {
            if (s.getBool(offsetOf(od.index, st, x.offset()))) {
                for (int d = 0; d < rank; d++) oa[row * rank + d] = od.index[d];
                row++;
            }
        } while (od.next());
        return out;
    }

    private static int offsetOf(int[] idx, int[] strides, int offset) {
        int p = offset;
        for (int d = 0; d < idx.length; d++) p += idx[d] * strides[d];
        return p;
    }

    @Override
    public Tensor maskedSelect(Tensor x, Tensor mask) {
        Tensor m = mask.contiguous();
        Tensor xc = x.contiguous();
        boolean[] ma = m.storage().bools();
        int n = x.numel(), count = 0;
        for (int i = 0; i < n; i++) if (ma[m.offset() + i]) count++;
        Tensor out = zeros(new int[] {count}, x.dtype());
        Storage o = out.storage(), s = xc.storage();
        int j = 0;
        for (int i = 0; i < n; i++) if (ma[m.offset() + i]) Elements.copy(o, j++, s, xc.offset() + i);
        return out;
    }

    // ------------------------------------------------------------------ sorting

    @Override
    public Tensor[] sortLastDim(Tensor x, boolean descending, boolean stable) {
        return rowKernel(x, x.dim() == 0 ? 1 : x.shape()[x.dim() - 1], x.shape(), (vals, rows, len, outV, outI) -> {
            switch (vals) {
                case float[] v -> SortKernels.sortRows(v, rows, len, descending, stable, (float[]) outV, outI);
                case double[] v -> SortKernels.sortRows(v, rows, len, descending, stable, (double[]) outV, outI);
                case int[] v -> SortKernels.sortRows(v, rows, len, descending, stable, (int[]) outV, outI);
                case long[] v -> SortKernels.sortRows(v, rows, len, descending, stable, (long[]) outV, outI);
                default -> throw new IllegalStateException();
            }
        });
    }

    @Override
    public Tensor[] topkLastDim(Tensor x, int k, boolean largest, boolean sorted) {
        int[] outShape = x.shape();
        outShape[outShape.length - 1] = k;
        return rowKernel(x, x.shape()[x.dim() - 1], outShape, (vals, rows, len, outV, outI) -> {
            switch (vals) {
                case float[] v -> SortKernels.topkRows(v, rows, len, k, largest, sorted, (float[]) outV, outI);
                case double[] v -> SortKernels.topkRows(v, rows, len, k, largest, sorted, (double[]) outV, outI);
                case int[] v -> SortKernels.topkRows(v, rows, len, k, largest, sorted, (int[]) outV, outI);
                case long[] v -> SortKernels.topkRows(v, rows, len, k, largest, sorted, (long[]) outV, outI);
                default -> throw new IllegalStateException();
            }
        });
    }

    /** The kernels of SortKernels, over a typed array of rows. */
    private interface RowSort {
        void run(Object values, int rows, int len, Object outValues, long[] outIndices);
    }

    /**
     * Runs a row kernel on the contiguous rows of x (bool works as int32) and returns values in x's dtype
     * plus int64 indices, both of outShape.
     */
    private Tensor[] rowKernel(Tensor x, int len, int[] outShape, RowSort kernel) {
        DType dt = x.dtype();
        DType work = dt == DType.BOOL ? DType.INT32 : dt;
        Tensor c = copy(x, work); // exact-size contiguous array for the kernel
        int rows = len == 0 ? 0 : c.numel() / len;
        Tensor vals = zeros(outShape, work), idx = zeros(outShape, DType.INT64);
        Object in = switch (work) {
            case FLOAT32 -> c.storage().floats();
            case FLOAT64 -> c.storage().doubles();
            case INT32 -> c.storage().ints();
            default -> c.storage().longs();
        };
        Object out = switch (work) {
            case FLOAT32 -> vals.storage().floats();
            case FLOAT64 -> vals.storage().doubles();
            case INT32 -> vals.storage().ints();
            default -> vals.storage().longs();
        };
        if (rows > 0) kernel.run(in, rows, len, out, idx.storage().longs());
        return new Tensor[] {work == dt ? vals : copy(vals, dt), idx};
    }

    @Override
    public Tensor[] unique(Tensor x) {
        DType dt = x.dtype();
        DType work = dt == DType.BOOL ? DType.INT32 : dt;
        Tensor c = copy(x, work);
        Tensor values;
        long[] inverse, counts;
        switch (work) {
            case FLOAT32 -> {
                var r = SortKernels.unique(c.storage().floats());
                values = Tensor.of(r.values(), r.values().length);
                inverse = r.inverse();
                counts = r.counts();
            }
            case FLOAT64 -> {
                var r = SortKernels.unique(c.storage().doubles());
                values = Tensor.of(r.values(), r.values().length);
                inverse = r.inverse();
                counts = r.counts();
            }
            case INT32 -> {
                var r = SortKernels.unique(c.storage().ints());
                values = Tensor.ofInts(r.values(), r.values().length);
                inverse = r.inverse();
                counts = r.counts();
            }
            default -> {
                var r = SortKernels.unique(c.storage().longs());
                values = Tensor.ofLongs(r.values(), r.values().length);
                inverse = r.inverse();
                counts = r.counts();
            }
        }
        return new Tensor[] {work == dt ? values : copy(values, dt), Tensor.ofLongs(inverse, x.shape()), Tensor.ofLongs(counts, counts.length)};
    }

    // ------------------------------------------------------------------ images and volumes

    /** The tensor's float32 values as an exact-size array: its own storage when it already is one, else a copy. */
    static float[] floats(Tensor t) {
        if (t.dtype() == DType.FLOAT32 && t.isContiguous() && t.offset() == 0 && t.storage().length() == t.numel()) return t.storage().floats();
        return t.toFloatArray();
    }

    static double[] doubles(Tensor t) {
        if (t.dtype() == DType.FLOAT64 && t.isContiguous() && t.offset() == 0 && t.storage().length() == t.numel()) return t.storage().doubles();
        return t.toDoubleArray();
    }


    @Override
    public Tensor conv(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        int[] xs = x.shape(), ws = weight.shape();
        int cout = ws[0];
        int[] os = {xs[0], cout,
                ConvKernels.convOutSize(xs[2], ws[2], stride[0], padding[0], dilation[0]),
                ConvKernels.convOutSize(xs[3], ws[3], stride[1], padding[1], dilation[1]),
                ConvKernels.convOutSize(xs[4], ws[4], stride[2], padding[2], dilation[2])};
        if (x.dtype() == DType.FLOAT64)
            return Tensor.of(ConvKernels.conv3d(doubles(x), xs[0], xs[1], xs[2], xs[3], xs[4], doubles(weight), cout, ws[2], ws[3], ws[4],
                    bias == null ? null : doubles(bias), stride, padding, dilation, groups), os);
        return Tensor.of(ConvKernels.conv3d(floats(x), xs[0], xs[1], xs[2], xs[3], xs[4], floats(weight), cout, ws[2], ws[3], ws[4],
                bias == null ? null : floats(bias), stride, padding, dilation, groups), os);
    }

    @Override
    public Tensor convTranspose(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding, int[] dilation, int groups) {
        int[] xs = x.shape(), ws = weight.shape();
        int cout = ws[1] * groups;
        int[] os = new int[] {xs[0], cout, 0, 0, 0};
        for (int i = 0; i < 3; i++)
            os[2 + i] = ConvKernels.convTransposeOutSize(xs[2 + i], ws[2 + i], stride[i], padding[i], outputPadding[i], dilation[i]);
        if (x.dtype() == DType.FLOAT64)
            return Tensor.of(ConvKernels.convTranspose3d(doubles(x), xs[0], xs[1], xs[2], xs[3], xs[4], doubles(weight), cout, ws[2], ws[3], ws[4],
                    bias == null ? null : doubles(bias), stride, padding, outputPadding, dilation, groups), os);
        return Tensor.of(ConvKernels.convTranspose3d(floats(x), xs[0], xs[1], xs[2], xs[3], xs[4], floats(weight), cout, ws[2], ws[3], ws[4],
                bias == null ? null : floats(bias), stride, padding, outputPadding, dilation, groups), os);
    }

    @Override
    public Tensor[] maxPool(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        int[] xs = x.shape();
        if (x.dtype() == DType.FLOAT64) {
            PoolKernels.PoolResultD r = PoolKernels.maxPool3d(doubles(x), xs[0], xs[1], xs[2], xs[3], xs[4], kernel, stride, padding, dilation, ceilMode);
            int[] os = concat2(xs[0], xs[1], r.outSpatial());
            return new Tensor[] {Tensor.of(r.values(), os), Tensor.ofLongs(r.indices(), os)};
        }
        PoolKernels.PoolResult r = PoolKernels.maxPool3d(floats(x), xs[0], xs[1], xs[2], xs[3], xs[4], kernel, stride, padding, dilation, ceilMode);
        int[] os = concat2(xs[0], xs[1], r.outSpatial());
        return new Tensor[] {Tensor.of(r.values(), os), Tensor.ofLongs(r.indices(), os)};
    }

    @Override
    public Tensor avgPool(Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad, int divisorOverride) {
        int[] xs = x.shape();
        if (x.dtype() == DType.FLOAT64) {
            PoolKernels.PoolResultD r = PoolKernels.avgPool3d(doubles(x), xs[0], xs[1], xs[2], xs[3], xs[4], kernel, stride, padding, ceilMode, countIncludePad, divisorOverride);
            return Tensor.of(r.values(), concat2(xs[0], xs[1], r.outSpatial()));
        }
        PoolKernels.PoolResult r = PoolKernels.avgPool3d(floats(x), xs[0], xs[1], xs[2], xs[3], xs[4], kernel, stride, padding, ceilMode, countIncludePad, divisorOverride);
        return Tensor.of(r.values(), concat2(xs[0], xs[1], r.outSpatial()));
    }

    @Override
    public Tensor adaptiveAvgPool(Tensor x, int[] outSpatial) {
        int[] xs = x.shape();
        if (x.dtype() == DType.FLOAT64)
            return Tensor.of(PoolKernels.adaptiveAvgPool3d(doubles(x), xs[0], xs[1], xs[2], xs[3], xs[4], outSpatial).values(), concat2(xs[0], xs[1], outSpatial));
        return Tensor.of(PoolKernels.adaptiveAvgPool3d(floats(x), xs[0], xs[1], xs[2], xs[3], xs[4], outSpatial).values(), concat2(xs[0], xs[1], outSpatial));
    }

    @Override
    public Tensor[] adaptiveMaxPool(Tensor x, int[] outSpatial) {
        int[] xs = x.shape();
        int[] os = concat2(xs[0], xs[1], outSpatial);
        if (x.dtype() == DType.FLOAT64) {
            PoolKernels.PoolResultD r = PoolKernels.adaptiveMaxPool3d(doubles(x), xs[0], xs[1], xs[2], xs[3], xs[4], outSpatial);
            return new Tensor[] {Tensor.of(r.values(), os), Tensor.ofLongs(r.indices(), os)};
        }
        PoolKernels.PoolResult r = PoolKernels.adaptiveMaxPool3d(floats(x), xs[0], xs[1], xs[2], xs[3], xs[4], outSpatial);
        return new Tensor[] {Tensor.of(r.values(), os), Tensor.ofLongs(r.indices(), os)};
    }

    @Override
    public Tensor interpolate(Tensor x, int[] outSpatial, String mode, boolean alignCorners, double[] scales) {
        int[] xs = x.shape();
        int[] in = Arrays.copyOfRange(xs, 2, xs.length);
        int[] os = concat2(xs[0], xs[1], outSpatial);
        InterpMode m = InterpMode.fromTorch(mode);
        if (x.dtype() == DType.FLOAT64)
            return Tensor.of(Interpolate.interpolate(x.contiguous().toDoubleArray(), xs[0], xs[1], in, outSpatial, m, alignCorners, scales), os);
        return Tensor.of(Interpolate.interpolate(floats(x), xs[0], xs[1], in, outSpatial, m, alignCorners, scales), os);
    }

    @Override
    public Tensor interpolateBackward(Tensor gradOut, int[] inSpatial, String mode, boolean alignCorners, double[] scales) {
        int[] gs = gradOut.shape();
        int[] out = Arrays.copyOfRange(gs, 2, gs.length);
        int[] is = concat2(gs[0], gs[1], inSpatial);
        InterpMode m = InterpMode.fromTorch(mode);
        if (gradOut.dtype() == DType.FLOAT64)
            return Tensor.of(Interpolate.interpolateBackward(doubles(gradOut), gs[0], gs[1], inSpatial, out, m, alignCorners, scales), is);
        return Tensor.of(Interpolate.interpolateBackward(floats(gradOut), gs[0], gs[1], inSpatial, out, m, alignCorners, scales), is);
    }

    @Override
    public Tensor gridSample(Tensor x, Tensor grid, String mode, String paddingMode, boolean alignCorners) {
        int[] xs = x.shape(), gs = grid.shape();
        int[] in = Arrays.copyOfRange(xs, 2, xs.length);
        int[] out = Arrays.copyOfRange(gs, 1, gs.length - 1);
        int[] os = concat2(xs[0], xs[1], out);
        SampleMode sm = SampleMode.fromTorch(mode);
        PaddingMode pm = PaddingMode.fromTorch(paddingMode);
        if (x.dtype() == DType.FLOAT64)
            return Tensor.of(GridSample.gridSample(doubles(x), xs[0], xs[1], in, doubles(grid), out, sm, pm, alignCorners), os);
        return Tensor.of(GridSample.gridSample(floats(x), xs[0], xs[1], in, floats(grid), out, sm, pm, alignCorners), os);
    }

    @Override
    public Tensor[] gridSampleBackward(Tensor gradOut, Tensor x, Tensor grid, String mode, String paddingMode, boolean alignCorners) {
        int[] xs = x.shape(), gs = grid.shape();
        int[] in = Arrays.copyOfRange(xs, 2, xs.length);
        int[] out = Arrays.copyOfRange(gs, 1, gs.length - 1);
        SampleMode sm = SampleMode.fromTorch(mode);
        PaddingMode pm = PaddingMode.fromTorch(paddingMode);
        if (x.dtype() == DType.FLOAT64) {
            double[][] r = GridSample.gridSampleBackward(doubles(gradOut), doubles(x), doubles(grid), xs[0], xs[1], in, out, sm, pm, alignCorners);
            return new Tensor[] {Tensor.of(r[0], xs), Tensor.of(r[1], gs)};
        }
        float[][] r = GridSample.gridSampleBackward(floats(gradOut), floats(x), floats(grid), xs[0], xs[1], in, out, sm, pm, alignCorners);
        return new Tensor[] {Tensor.of(r[0], xs), Tensor.of(r[1], gs)};
    }

    @Override
    public Tensor[] convBackward(Tensor gradOut, Tensor x, Tensor weight, int[] stride, int[] padding, int[] dilation, int groups) {
        return convBackward(gradOut, x, weight, stride, padding, dilation, groups, new boolean[] {true, true, true});
    }

    @Override
    public Tensor[] convBackward(Tensor gradOut, Tensor x, Tensor weight, int[] stride, int[] padding, int[] dilation, int groups,
                                 boolean[] outputMask) {
        int[] xs = x.shape(), ws = weight.shape(), gs = gradOut.shape();
        int cout = ws[0];
        int vol = gs[2] * gs[3] * gs[4];
        Tensor[] r = new Tensor[3];
        if (x.dtype() == DType.FLOAT64) {
            double[] g = doubles(gradOut);
            if (outputMask[0]) r[0] = Tensor.of(ConvBackwardKernels.conv3dBackwardInput(g, gs[0], cout, gs[2], gs[3], gs[4], doubles(weight), xs[1],
                    ws[2], ws[3], ws[4], xs[2], xs[3], xs[4], stride, padding, dilation, groups), xs);
            if (outputMask[1]) r[1] = Tensor.of(ConvBackwardKernels.conv3dBackwardWeight(g, doubles(x), xs[0], xs[1], xs[2], xs[3], xs[4], cout,
                    gs[2], gs[3], gs[4], ws[2], ws[3], ws[4], stride, padding, dilation, groups), ws);
            if (outputMask[2]) r[2] = Tensor.of(ConvBackwardKernels.biasGrad(g, gs[0], cout, vol), cout);
            return r;
        }
        float[] g = floats(gradOut);
        if (outputMask[0]) r[0] = Tensor.of(ConvBackwardKernels.conv3dBackwardInput(g, gs[0], cout, gs[2], gs[3], gs[4], floats(weight), xs[1],
                ws[2], ws[3], ws[4], xs[2], xs[3], xs[4], stride, padding, dilation, groups), xs);
        if (outputMask[1]) r[1] = Tensor.of(ConvBackwardKernels.conv3dBackwardWeight(g, floats(x), xs[0], xs[1], xs[2], xs[3], xs[4], cout,
                gs[2], gs[3], gs[4], ws[2], ws[3], ws[4], stride, padding, dilation, groups), ws);
        if (outputMask[2]) r[2] = Tensor.of(ConvBackwardKernels.biasGrad(g, gs[0], cout, vol), cout);
        return r;
    }

    @Override
    public Tensor[] convTransposeBackward(Tensor gradOut, Tensor x, Tensor weight, int[] stride, int[] padding, int[] outputPadding,
                                          int[] dilation, int groups) {
        int[] xs = x.shape(), ws = weight.shape(), gs = gradOut.shape();
        int cout = gs[1];
        int vol = gs[2] * gs[3] * gs[4];
        if (x.dtype() == DType.FLOAT64) {
            double[] g = doubles(gradOut);
            return new Tensor[] {
                Tensor.of(ConvBackwardKernels.convTranspose3dBackwardInput(g, gs[0], cout, gs[2], gs[3], gs[4], doubles(weight), xs[1], ws[2], ws[3], ws[4],
                        xs[2], xs[3], xs[4], stride, padding, outputPadding, dilation, groups), xs),
                Tensor.of(ConvBackwardKernels.convTranspose3dBackwardWeight(g, doubles(x), xs[0], xs[1], xs[2], xs[3], xs[4], cout, gs[2], gs[3], gs[4],
                        ws[2], ws[3], ws[4], stride, padding, outputPadding, dilation, groups), ws),
                Tensor.of(ConvBackwardKernels.biasGrad(g, gs[0], cout, vol), cout)};
        }
        float[] g = floats(gradOut);
        return new Tensor[] {
            Tensor.of(ConvBackwardKernels.convTranspose3dBackwardInput(g, gs[0], cout, gs[2], gs[3], gs[4], floats(weight), xs[1], ws[2], ws[3], ws[4],
                    xs[2], xs[3], xs[4], stride, padding, outputPadding, dilation, groups), xs),
            Tensor.of(ConvBackwardKernels.convTranspose3dBackwardWeight(g, floats(x), xs[0], xs[1], xs[2], xs[3], xs[4], cout, gs[2], gs[3], gs[4],
                    ws[2], ws[3], ws[4], stride, padding, outputPadding, dilation, groups), ws),
            Tensor.of(ConvBackwardKernels.biasGrad(g, gs[0], cout, vol), cout)};
    }

    @Override
    public Tensor maxPoolBackward(Tensor gradOut, Tensor indices, int[] inputShape) {
        int[] gs = gradOut.shape();
        int inVol = inputShape[2] * inputShape[3] * inputShape[4], outVol = gs[2] * gs[3] * gs[4];
        long[] idx = indices.toLongArray();
        if (gradOut.dtype() == DType.FLOAT64)
            return Tensor.of(PoolBackwardKernels.maxPool3dBackward(doubles(gradOut), idx, gs[0], gs[1], inVol, outVol), inputShape);
        return Tensor.of(PoolBackwardKernels.maxPool3dBackward(floats(gradOut), idx, gs[0], gs[1], inVol, outVol), inputShape);
    }

    @Override
    public Tensor avgPoolBackward(Tensor gradOut, int[] in, int[] kernel, int[] stride, int[] padding, boolean ceilMode,
                                  boolean countIncludePad, int divisorOverride) {
        if (gradOut.dtype() == DType.FLOAT64)
            return Tensor.of(PoolBackwardKernels.avgPool3dBackward(doubles(gradOut), in[0], in[1], in[2], in[3], in[4], kernel, stride, padding,
                    ceilMode, countIncludePad, divisorOverride), in);
        return Tensor.of(PoolBackwardKernels.avgPool3dBackward(floats(gradOut), in[0], in[1], in[2], in[3], in[4], kernel, stride, padding,
                ceilMode, countIncludePad, divisorOverride), in);
    }

    @Override
    public Tensor adaptiveAvgPoolBackward(Tensor gradOut, int[] in) {
        int[] gs = gradOut.shape();
        int[] out = {gs[2], gs[3], gs[4]};
        if (gradOut.dtype() == DType.FLOAT64)
            return Tensor.of(PoolBackwardKernels.adaptiveAvgPool3dBackward(doubles(gradOut), in[0], in[1], in[2], in[3], in[4], out), in);
        return Tensor.of(PoolBackwardKernels.adaptiveAvgPool3dBackward(floats(gradOut), in[0], in[1], in[2], in[3], in[4], out), in);
    }

    private static int[] concat2(int a, int b, int[] rest) {
        int[] r = new int[rest.length + 2];
        r[0] = a;
        r[1] = b;
        System.arraycopy(rest, 0, r, 2, rest.length);
        return r;
    }
}
