package fuse3d.autograd;

import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Shape ops (views), dtype casts and joins with their derivatives: a view's gradient is the inverse view of
 * the output gradient; a slice's is the gradient written into zeros; a join's is the gradient cut apart.
 */
public final class Views {
    private Views() {}

    private static Tensor[] g1(Tensor g) { return new Tensor[] {g}; }

    public static Var reshape(Var x, int... shape) {
        int[] s = x.shape();
        return Var.record("reshape", x.data().reshape(shape), (g, n) -> g1(g.reshape(s)), x);
    }

    public static Var permute(Var x, int... dims) {
        // output dim i is input dim dims[i], so the gradient's dim i goes back to place dims[i]
        // (wrapped one by one: Shape.wrapDims sorts, which would lose the order)
        Tensor y = x.data().permute(dims);
        int[] inverse = new int[dims.length];
        for (int i = 0; i < dims.length; i++) inverse[Shape.wrapDim("permute", dims[i], x.dim())] = i;
        return Var.record("permute", y, (g, n) -> g1(g.permute(inverse)), x);
    }

    public static Var transpose(Var x, int d0, int d1) {
        return Var.record("transpose", x.data().transpose(d0, d1), (g, n) -> g1(g.transpose(d0, d1)), x);
    }

    public static Var narrow(Var x, int dim, int start, int length) {
        int[] s = x.shape();
        return Var.record("narrow", x.data().narrow(dim, start, length), (g, n) -> {
            Tensor z = Tensor.zeros(g.dtype(), s);
            z.narrow(dim, start, length).copy_(g);
            return g1(z);
        }, x);
    }

    public static Var slice(Var x, int dim, int start, int end, int step) {
        int[] s = x.shape();
        return Var.record("slice", x.data().slice(dim, start, end, step), (g, n) -> {
            Tensor z = Tensor.zeros(g.dtype(), s);
            z.slice(dim, start, end, step).copy_(g);
            return g1(z);
        }, x);
    }

    public static Var select(Var x, int dim, int index) {
        int[] s = x.shape();
        return Var.record("select", x.data().select(dim, index), (g, n) -> {
            Tensor z = Tensor.zeros(g.dtype(), s);
            z.select(dim, index).copy_(g);
            return g1(z);
        }, x);
    }

    public static Var expand(Var x, int... shape) {
        int[] s = x.shape();
        return Var.record("expand", x.data().expand(shape), (g, n) -> g1(Grads.sumTo(g, s)), x);
    }

    public static Var squeeze(Var x) {
        int[] s = x.shape();
        return Var.record("squeeze", x.data().squeeze(), (g, n) -> g1(g.reshape(s)), x);
    }

    public static Var squeeze(Var x, int dim) {
        int[] s = x.shape();
        return Var.record("squeeze", x.data().squeeze(dim), (g, n) -> g1(g.reshape(s)), x);
    }

    public static Var unsqueeze(Var x, int dim) {
        int[] s = x.shape();
        return Var.record("unsqueeze", x.data().unsqueeze(dim), (g, n) -> g1(g.reshape(s)), x);
    }

    public static Var flatten(Var x, int startDim, int endDim) {
        int[] s = x.shape();
        return Var.record("flatten", x.data().flatten(startDim, endDim), (g, n) -> g1(g.reshape(s)), x);
    }

    public static Var contiguous(Var x) { return Var.record("contiguous", x.data().contiguous(), (g, n) -> g1(g), x); }

    /** A cast between floating dtypes; the gradient is cast back (the engine does so for every input). */
    public static Var to(Var x, DType dt) {
        if (dt == x.dtype()) return x;
        return Var.record("to", x.data().to(dt), (g, n) -> g1(g.to(x.dtype())), x);
    }

    public static Var cat(int dim, Var... xs) {
        Tensor[] ts = new Tensor[xs.length];
        for (int i = 0; i < xs.length; i++) ts[i] = xs[i].data();
        Tensor y = Tensor.cat(dim, ts);
        int d = Shape.wrapDim("cat", dim, y.dim());
        return Var.record("cat", y, (g, n) -> {
            Tensor[] out = new Tensor[ts.length];
            int at = 0;
            for (int i = 0; i < ts.length; i++) {
                if (ts[i].dim() == 1 && ts[i].numel() == 0 && y.dim() != 1) continue; // torch skips legacy empty 1-d inputs
                int len = ts[i].size(d);
                if (n[i]) out[i] = g.narrow(d, at, len);
                at += len;
            }
            return out;
        }, xs);
    }

    public static Var stack(int dim, Var... xs) {
        Var[] u = new Var[xs.length];
        for (int i = 0; i < xs.length; i++) {
            if (!java.util.Arrays.equals(xs[i].shape(), xs[0].shape()))
                throw new IllegalArgumentException("stack: all tensors must have the same shape: " + Shape.str(xs[0].shape())
                        + " vs " + Shape.str(xs[i].shape()) + " at position " + i);
            u[i] = unsqueeze(xs[i], dim);
        }
        return cat(dim, u);
    }

    public static List<Var> split(Var x, int size, int dim) { return pieces(x, x.data().split(size, dim), dim); }

    public static List<Var> split(Var x, int[] sizes, int dim) { return pieces(x, x.data().split(sizes, dim), dim); }

    public static List<Var> chunk(Var x, int chunks, int dim) { return pieces(x, x.data().chunk(chunks, dim), dim); }

    private static List<Var> pieces(Var x, List<Tensor> parts, int dim) {
        int d = Shape.wrapDim("split", dim, x.dim());
        List<Var> out = new ArrayList<>(parts.size());
        int at = 0;
        for (Tensor p : parts) {
            out.add(narrow(x, d, at, p.size(d)));
            at += p.size(d);
        }
        return out;
    }

    // ------------------------------------------------------------------ registry

    /** The Var-level twins of TensorOps' view ops and joins (same argument names and defaults). */
    static void register(VarOps r) {
        r.register("reshape", (in, a) -> List.of(reshape(in.get(0), a.getInts("shape"))));
        r.register("permute", (in, a) -> List.of(permute(in.get(0), a.getInts("dims"))));
        r.register("transpose", (in, a) -> List.of(transpose(in.get(0), a.getInt("dim0", 0), a.getInt("dim1", 1))));
        r.register("narrow", (in, a) -> List.of(narrow(in.get(0), a.getInt("dim", 0), a.getInt("start", 0), a.getInt("length", 1))));
        r.register("slice", (in, a) -> List.of(slice(in.get(0), a.getInt("dim", 0), a.getInt("start", 0), a.getInt("end", Integer.MAX_VALUE), a.getInt("step", 1))));
        r.register("expand", (in, a) -> List.of(expand(in.get(0), a.getInts("size"))));
        r.register("squeeze", (in, a) -> List.of(a.has("dim") ? squeeze(in.get(0), a.getInt("dim", 0)) : squeeze(in.get(0))));
        r.register("unsqueeze", (in, a) -> List.of(unsqueeze(in.get(0), a.getInt("dim", 0))));
        r.register("flatten", (in, a) -> List.of(flatten(in.get(0), a.getInt("start_dim", 0), a.getInt("end_dim", -1))));
        r.register("contiguous", (in, a) -> List.of(contiguous(in.get(0))));
        r.register("cat", (in, a) -> List.of(cat(a.getInt("dim", 0), in.toArray(new Var[0]))));
        r.register("stack", (in, a) -> List.of(stack(a.getInt("dim", 0), in.toArray(new Var[0]))));
        r.register("split", (in, a) -> {
            int[] sizes = a.getInts("split_size_or_sections");
            return sizes.length == 1 ? split(in.get(0), sizes[0], a.getInt("dim", 0)) : split(in.get(0), sizes, a.getInt("dim", 0));
        });
        r.register("chunk", (in, a) -> chunk(in.get(0), a.getInt("chunks", 1), a.getInt("dim", 0)));
    }
}
