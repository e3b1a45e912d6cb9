package fuse3d.autograd;

import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Indexing, scattering and sorting ops with their derivatives. Index tensors are plain {@link Tensor}s: they
 * select where values go and never receive a gradient. Ops that pick elements (gather, sort, topk, max along a
 * dim) send the gradient back to the picked positions; ops that write elements (scatter, index_put) send each
 * written value the gradient of the position it landed on.
 */
public final class Indexing {
    private Indexing() {}

    private static Tensor[] g1(Tensor g) { return new Tensor[] {g}; }

    // ------------------------------------------------------------------ picking elements

    /** Slices along dim at a 1-d index; repeated indices add up in the gradient. */
    public static Var indexSelect(Var x, int dim, Tensor index) {
        Tensor xd = x.data();
        Tensor y = xd.indexSelect(dim, index);
        int[] s = x.shape();
        return Var.record("index_select", y, (g, n) -> {
            if (s.length == 0) return g1(g); // a 0-d input is copied whatever the index
            return g1(Tensor.zeros(g.dtype(), s).indexAdd(dim, index, g));
        }, x);
    }

    /** out[..i..] = x[..index[..i..]..] along dim; the gradient is added back at the gathered positions. */
    public static Var gather(Var x, int dim, Tensor index) {
        Tensor xd = x.data();
        int[] s = x.shape();
        return Var.record("gather", xd.gather(dim, index), (g, n) -> g1(gatherBackward(s, dim, index, g)), x);
    }

    /** The derivative of every op whose output is x gathered at index along dim. */
    private static Tensor gatherBackward(int[] inputShape, int dim, Tensor index, Tensor g) {
        if (inputShape.length == 0) return g.reshape(inputShape);
        return Tensor.zeros(g.dtype(), inputShape).scatterAdd(dim, index, g);
    }

    /** The elements where mask (broadcast against x) is true, as a 1-d tensor. */
    public static Var maskedSelect(Var x, Tensor mask) {
        Tensor xd = x.data();
        int[] s = x.shape();
        return Var.record("masked_select", xd.maskedSelect(mask), (g, n) -> {
            int[] out = Shape.broadcast("masked_select", s, mask.shape());
            Tensor spread = Tensor.zeros(g.dtype(), out).indexPut(new Tensor[] {mask.expand(out)}, g, false);
            return g1(Grads.sumTo(spread, s)); // an element picked through a broadcast mask collects every copy
        }, x);
    }

    // ------------------------------------------------------------------ sorting and selecting along a dim

    /** Sorted values (a Var) with the int64 indices they came from; the gradient goes back through the indices. */
    public static Var.ValuesIndices sort(Var x, int dim, boolean descending, boolean stable) {
        Tensor.ValuesIndices vi = x.data().sort(dim, descending, stable);
        return picked("sort", x, vi, dim, true);
    }

    /** The k largest (or smallest) values along dim with their indices. */
    public static Var.ValuesIndices topk(Var x, int k, int dim, boolean largest, boolean sorted) {
        Tensor.ValuesIndices vi = x.data().topk(k, dim, largest, sorted);
        return picked("topk", x, vi, dim, true);
    }

    /** Maximum along dim with its index; as in PyTorch the whole gradient goes to that one index, even at ties. */
    public static Var.ValuesIndices max(Var x, int dim, boolean keepdim) {
        return picked("max", x, x.data().max(dim, keepdim), dim, keepdim);
    }

    public static Var.ValuesIndices min(Var x, int dim, boolean keepdim) {
        return picked("min", x, x.data().min(dim, keepdim), dim, keepdim);
    }

    /**
     * Values that are x gathered at vi's indices along dim (sort, topk, max/min along a dim): their derivative is
     * gather's. {@code keptDim} is false when the op dropped dim from the output shape.
     */
    private static Var.ValuesIndices picked(String op, Var x, Tensor.ValuesIndices vi, int dim, boolean keptDim) {
        int[] s = x.shape();
        Tensor idx = vi.indices();
        Var values = Var.record(op, vi.values(), (g, n) -> {
            if (s.length == 0) return g1(g.reshape(s));
            int d = Shape.wrapDim(op, dim, s.length);
            return g1(gatherBackward(s, d, keptDim ? idx : idx.unsqueeze(d), keptDim ? g : g.unsqueeze(d)));
        }, x);
        return new Var.ValuesIndices(values, idx);
    }

    // ------------------------------------------------------------------ writing elements

    /**
     * x with src written at index along dim. Overwritten elements of x get no gradient; each used element of src
     * gets the gradient of the position it was written to. With repeated indices the forward keeps one write, yet
     * every writer gets that position's gradient, as in PyTorch (whose forward leaves the winner unspecified).
     */
    public static Var scatter(Var x, int dim, Tensor index, Var src) {
        return scatterReduce("scatter", x, dim, index, src, "none", true);
    }

    /** x with src added at index along dim. */
    public static Var scatterAdd(Var x, int dim, Tensor index, Var src) {
        return scatterReduce("scatter_add", x, dim, index, src, "sum", true);
    }

    /**
     * torch.scatter_reduce (sum, prod, mean, amax, amin) with PyTorch 1.13's derivatives: x's elements take part in
     * the reduction at the positions that receive src elements only when includeSelf (elsewhere x passes through
     * unchanged and gets the full gradient). mean divides by the number of contributors; amax/amin share the
     * gradient evenly among the contributors equal to the result; prod is exact where factors are zero.
     */
    public static Var scatterReduce(Var x, int dim, Tensor index, Var src, String reduce, boolean includeSelf) {
        return scatterReduce("scatter_reduce", x, dim, index, src, reduce, includeSelf);
    }

    private static Var scatterReduce(String op, Var x, int dim, Tensor index, Var src, String reduce, boolean includeSelf) {
        Tensor xd = x.data(), sd = src.data();
        Tensor y = xd.scatterReduce(dim, index, sd, reduce, includeSelf);
        int[] srcShape = src.shape();
        return Var.record(op, y, (g, n) -> {
            int d = Shape.wrapDim(op, dim, xd.dim());
            Tensor idx = index.to(DType.INT64);
            DType dt = g.dtype();
            // only src's leading block of index's shape is read by the forward; the rest gets a zero gradient
            Tensor used = leadingBlock(sd, idx.shape()).to(dt);
            Tensor hits = Tensor.zeros(dt, xd.shape()).scatterAdd(d, idx, Tensor.ones(dt, idx.shape()));
            Tensor written = hits.gt(0.0);
            // x's element takes part in the reduction (or passes through) wherever it is not replaced
            Tensor selfPart = includeSelf ? Tensor.full(1.0, DType.BOOL, xd.shape()) : written.logicalNot();
            Tensor zero = Tensor.scalar(0.0, dt);
            Tensor gx, gs;
            switch (reduce) {
                case "none" -> {
                    gx = g.scatter(d, idx, 0.0);
                    gs = g.gather(d, idx);
                }
                case "sum" -> {
                    gx = Tensor.where(selfPart, g, zero);
                    gs = g.gather(d, idx);
                }
                case "mean" -> {
                    Tensor count = hits.add(includeSelf ? 1.0 : 0.0).clampMin(1.0);
                    Tensor share = g.div(count);
                    gx = Tensor.where(selfPart, includeSelf ? share : g, zero);
                    gs = share.gather(d, idx);
                }
                case "prod" -> {
                    Tensor xv = xd.to(dt);
                    // per position: how many contributing factors are zero, and the product of the non-zero ones
                    Tensor selfZero = selfPart.logicalAnd(xv.eq(0.0));
                    Tensor zeros = selfZero.to(dt).scatterAdd(d, idx, used.eq(0.0).to(dt));
                    Tensor base = Tensor.where(selfPart.logicalAnd(xv.ne(0.0)), xv, Tensor.scalar(1.0, dt));
                    Tensor nonZeroProd = base.scatterReduce(d, idx, Tensor.where(used.eq(0.0), Tensor.scalar(1.0, dt), used), "prod", true);
                    gx = Tensor.where(selfPart, g.mul(otherFactors(xv, zeros, nonZeroProd)), zero);
                    gs = g.gather(d, idx).mul(otherFactors(used, zeros.gather(d, idx), nonZeroProd.gather(d, idx)));
                }
                case "amax", "amin" -> {
                    Tensor selfHit = selfPart.logicalAnd(xd.to(dt).eq(y));
                    Tensor srcHit = used.eq(y.gather(d, idx));
                    Tensor count = selfHit.to(dt).scatterAdd(d, idx, srcHit.to(dt));
                    // a count of 0 only happens where the result is NaN; keep the gradient finite there
                    Tensor share = g.div(Tensor.where(count.eq(0.0), Tensor.scalar(1.0, dt), count));
                    gx = Tensor.where(selfHit, share, zero);
                    gs = Tensor.where(srcHit, share.gather(d, idx), zero);
                }
                default -> throw new IllegalArgumentException(op + ": no derivative for reduce '" + reduce + "'");
            }
            return new Tensor[] {n[0] ? gx : null, n[1] ? embed(gs, srcShape) : null};
        }, x, src);
    }

    /**
     * d(product)/d(factor c) = the product of the other factors: nonZeroProd / c when no factor is zero; when
     * exactly one is, nonZeroProd for that zero factor and 0 for the others; 0 for all when two or more are zero.
     */
    private static Tensor otherFactors(Tensor c, Tensor zerosAt, Tensor nonZeroProdAt) {
        Tensor zero = Tensor.scalar(0.0, c.dtype());
        Tensor atZero = Tensor.where(zerosAt.eq(1.0), nonZeroProdAt, zero);
        Tensor atNonZero = Tensor.where(zerosAt.eq(0.0), nonZeroProdAt.div(c), zero);
        return Tensor.where(c.eq(0.0), atZero, atNonZero);
    }

    /**
     * torch_scatter's scatter_max: values grouped by index along dim into dimSize slots. Each slot's gradient goes
     * to the one src element that was its maximum (its argmax); empty slots (value 0, argmax src.size(dim)) send
     * nothing back.
     */
    public static Var.ValuesIndices scatterMax(Var src, int dim, Tensor index, int dimSize) {
        Tensor sd = src.data();
        Tensor.ValuesIndices vi = Tensor.scatterMax(sd, dim, index, dimSize);
        Tensor arg = vi.indices();
        int[] s = src.shape();
        Var values = Var.record("scatter_max", vi.values(), (g, n) -> {
            int d = Shape.wrapDim("scatter_max", dim, s.length);
            // one spare slot past the end of dim catches the empty slots' sentinel argmax, then is cut off
            int[] wide = s.clone();
            wide[d]++;
            return g1(Tensor.zeros(g.dtype(), wide).scatter(d, arg, g).narrow(d, 0, s[d]));
        }, src);
        return new Var.ValuesIndices(values, arg);
    }

    /**
     * x[indices] = values (or += with accumulate), as torch.index_put: int64 index tensors for the leading dims,
     * or one bool mask. values get the gradient at the indexed positions, summed back over values' broadcast
     * dims; x gets the gradient except (without accumulate) at the overwritten positions. As in PyTorch, with
     * repeated indices and no accumulate every duplicate write gets the position's gradient.
     */
    public static Var indexPut(Var x, Tensor[] indices, Var values, boolean accumulate) {
        Tensor[] idx = indices.clone();
        Tensor y = x.data().indexPut(idx, values.data(), accumulate);
        int[] vs = values.shape();
        return Var.record("index_put", y, (g, n) -> {
            Tensor gx = null, gv = null;
            if (n[0]) gx = accumulate ? g : g.indexPut(idx, Tensor.scalar(0.0, g.dtype()), false);
            if (n[1]) gv = Grads.sumTo(advancedIndex(g, idx), vs);
            return new Tensor[] {gx, gv};
        }, x, values);
    }

    /**
     * t[indices[0], indices[1], ...] for index tensors addressing t's leading dims (or one bool mask), shaped as
     * index_put's target: the broadcast index shape followed by t's remaining dims. Built as one index_select on t
     * with its indexed dims flattened into one.
     */
    static Tensor advancedIndex(Tensor t, Tensor[] indices) {
        Tensor[] idx = indices;
        if (indices.length == 1 && indices[0].dtype() == DType.BOOL) {
            Tensor nz = indices[0].nonzero();
            idx = new Tensor[indices[0].dim()];
            for (int i = 0; i < idx.length; i++) idx[i] = nz.select(1, i);
        }
        int[] ts = t.shape();
        int k = idx.length;
        int[][] shapes = new int[k][];
        for (int i = 0; i < k; i++) shapes[i] = idx[i].shape();
        int[] ishape = Shape.broadcast("index_put", shapes);
        Tensor linear = Tensor.zeros(DType.INT64, ishape);
        for (int i = 0; i < k; i++) {
            Tensor ii = idx[i].to(DType.INT64);
            ii = Tensor.where(ii.lt(0), ii.add(ts[i]), ii); // index_put allows negative indices
            linear = linear.mul(ts[i]).add(ii);
        }
        int lead = 1;
        for (int i = 0; i < k; i++) lead *= ts[i];
        int[] rest = Arrays.copyOfRange(ts, k, ts.length);
        Tensor flat = t.reshape(concat(new int[] {lead}, rest));
        return flat.indexSelect(0, linear.reshape(-1)).reshape(concat(ishape, rest));
    }

    // ------------------------------------------------------------------ shape helpers

    /** t's block [0, shape[i]) in every dim. */
    private static Tensor leadingBlock(Tensor t, int[] shape) {
        Tensor r = t;
        for (int i = 0; i < shape.length; i++) if (r.size(i) != shape[i]) r = r.narrow(i, 0, shape[i]);
        return r;
    }

    /** part written into the leading block of zeros of the given shape (leadingBlock's adjoint). */
    private static Tensor embed(Tensor part, int[] shape) {
        if (Arrays.equals(part.shape(), shape)) return part;
        Tensor z = Tensor.zeros(part.dtype(), shape);
        leadingBlock(z, part.shape()).copy_(part);
        return z;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    // ------------------------------------------------------------------ registry

    /** The Var-level twins of TensorOps' indexing and sorting ops (same argument names and defaults). */
    static void register(VarOps r) {
        r.register("index_select", (in, a) -> List.of(indexSelect(in.get(0), a.getInt("dim", 0), in.get(1).data())));
        r.register("gather", (in, a) -> List.of(gather(in.get(0), a.getInt("dim", 0), in.get(1).data())));
        r.register("scatter", (in, a) -> List.of(scatter(in.get(0), a.getInt("dim", 0), in.get(1).data(), in.get(2))));
        r.register("scatter_add", (in, a) -> List.of(scatterAdd(in.get(0), a.getInt("dim", 0), in.get(1).data(), in.get(2))));
        r.register("scatter_reduce", (in, a) -> List.of(scatterReduce(in.get(0), a.getInt("dim", 0), in.get(1).data(), in.get(2),
                a.getString("reduce", "sum"), a.getBool("include_self", true))));
        r.register("scatter_max", (in, a) -> pair(scatterMax(in.get(0), a.getInt("dim", 0), in.get(1).data(), a.getInt("dim_size", 0))));
        r.register("index_put", (in, a) -> {
            Tensor[] idx = new Tensor[in.size() - 2];
            for (int i = 2; i < in.size(); i++) idx[i - 2] = in.get(i).data();
            return List.of(indexPut(in.get(0), idx, in.get(1), a.getBool("accumulate", false)));
        });
        r.register("masked_select", (in, a) -> List.of(maskedSelect(in.get(0), in.get(1).data())));
        r.register("sort", (in, a) -> pair(sort(in.get(0), a.getInt("dim", -1), a.getBool("descending", false), a.getBool("stable", false))));
        r.register("topk", (in, a) -> pair(topk(in.get(0), a.getInt("k", 1), a.getInt("dim", -1), a.getBool("largest", true), a.getBool("sorted", true))));
    }

    /** values, then the indices as a constant Var (PyTorch's output order). */
    static List<Var> pair(Var.ValuesIndices vi) { return List.of(vi.values(), Var.of(vi.indices())); }
}
