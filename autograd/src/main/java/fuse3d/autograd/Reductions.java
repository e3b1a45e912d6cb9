package fuse3d.autograd;

import static fuse3d.autograd.Grads.keepdimShape;
import static fuse3d.autograd.Grads.unreduce;

import fuse3d.tensor.F;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.ops.Args;
import java.util.List;

/**
 * Reductions, softmaxes and cumsum with their derivatives. {@code dims == null} (or empty) reduces every dim,
 * as the tensor engine does. Ties of max/min share the gradient evenly, as PyTorch's amax/amin backward.
 */
public final class Reductions {
    private Reductions() {}

    private static Tensor[] g1(Tensor g) { return new Tensor[] {g}; }

    public static Var sum(Var x, int[] dims, boolean keepdim) {
        int[] s = x.shape();
        return Var.record("sum", x.data().sum(dims, keepdim), (g, n) -> g1(unreduce(g, s, dims, keepdim)), x);
    }

    public static Var mean(Var x, int[] dims, boolean keepdim) {
        int[] s = x.shape();
        int count = Grads.reducedCount(s, dims);
        return Var.record("mean", x.data().mean(dims, keepdim), (g, n) -> g1(unreduce(g, s, dims, keepdim).div((double) count)), x);
    }

    public static Var amax(Var x, int[] dims, boolean keepdim) { return extremum("amax", x, dims, keepdim, true); }

    public static Var amin(Var x, int[] dims, boolean keepdim) { return extremum("amin", x, dims, keepdim, false); }

    private static Var extremum(String op, Var x, int[] dims, boolean keepdim, boolean max) {
        Tensor xd = x.data();
        Tensor y = max ? xd.amax(dims, keepdim) : xd.amin(dims, keepdim);
        int[] s = x.shape();
        return Var.record(op, y, (g, n) -> {
            Tensor hit = xd.eq(keepdimShape(y, s, dims, keepdim)).to(g.dtype());
            Tensor count = hit.sum(dims, true);
            return g1(hit.div(count).mul(keepdimShape(g, s, dims, keepdim)));
        }, x);
    }

    /** d/dx logsumexp = softmax over the reduced dims. */
    public static Var logsumexp(Var x, int[] dims, boolean keepdim) {
        Tensor xd = x.data();
        Tensor y = xd.logsumexp(dims, keepdim);
        int[] s = x.shape();
        return Var.record("logsumexp", y, (g, n) -> g1(keepdimShape(g, s, dims, keepdim).mul(xd.sub(keepdimShape(y, s, dims, keepdim)).exp())), x);
    }

    /** d/dx var = 2 (x - mean) / (N - correction). */
    public static Var var(Var x, int[] dims, int correction, boolean keepdim) {
        Tensor xd = x.data();
        int[] s = x.shape();
        int count = Grads.reducedCount(s, dims);
        return Var.record("var", xd.var(dims, correction, keepdim), (g, n) -> {
            Tensor centred = xd.sub(xd.mean(dims, true));
            return g1(keepdimShape(g, s, dims, keepdim).mul(centred).mul(2.0 / (count - correction)));
        }, x);
    }

    /** d/dx std = (x - mean) / ((N - correction) std). */
    public static Var std(Var x, int[] dims, int correction, boolean keepdim) {
        Tensor xd = x.data();
        Tensor y = xd.std(dims, correction, keepdim);
        int[] s = x.shape();
        int count = Grads.reducedCount(s, dims);
        return Var.record("std", y, (g, n) -> {
            Tensor centred = xd.sub(xd.mean(dims, true));
            return g1(keepdimShape(g, s, dims, keepdim).mul(centred).div(keepdimShape(y, s, dims, keepdim).mul((double) (count - correction))));
        }, x);
    }

    /**
     * p-norm over dims. p = 0 (a count of non-zeros): 0; p = 2: x / ||x|| (0 where the norm is 0); p = 1: sign(x);
     * p = +-inf: sign(x) at the elements whose |x| is the norm (the largest, or smallest, |x|), shared among ties;
     * other p: x |x|^(p-2) / ||x||^(p-1).
     */
    public static Var norm(Var x, double p, int[] dims, boolean keepdim) {
        Tensor xd = x.data();
        Tensor y = xd.norm(p, dims, keepdim);
        int[] s = x.shape();
        return Var.record("norm", y, (g, n) -> {
            Tensor gk = keepdimShape(g, s, dims, keepdim), yk = keepdimShape(y, s, dims, keepdim);
            Tensor zero = Tensor.scalar(0.0, g.dtype());
            Tensor d;
            if (p == 0) d = xd.mul(0.0); // the count of non-zeros is piecewise constant
            else if (p == 1) d = xd.sign();
            else if (Double.isInfinite(p)) {
                Tensor hit = xd.abs().eq(yk).to(g.dtype());
                d = xd.sign().mul(hit).div(hit.sum(dims, true));
            } else if (p == 2) d = Tensor.where(yk.eq(0.0), zero, xd.div(yk));
            else d = Tensor.where(yk.eq(0.0), zero, xd.mul(xd.abs().pow(p - 2)).div(yk.pow(p - 1)));
            return g1(gk.mul(d));
        }, x);
    }

    /** Product of all elements. */
    public static Var prod(Var x) {
        Tensor xd = x.data();
        Tensor y = xd.prod();
        int[] s = x.shape();
        return Var.record("prod", y, (g, n) -> g1(prodGrad(xd.reshape(-1), y.reshape(1), g.reshape(1), 0).reshape(s)), x);
    }

    public static Var prod(Var x, int dim, boolean keepdim) {
        Tensor xd = x.data();
        Tensor y = xd.prod(dim, keepdim);
        int[] s = x.shape();
        int[] dims = {dim};
        return Var.record("prod", y, (g, n) -> g1(prodGrad(xd, keepdimShape(y, s, dims, keepdim), keepdimShape(g, s, dims, keepdim), dim)), x);
    }

    /**
     * d prod / d x_i = prod of the others: y / x_i where x_i != 0; for a zero x_i, the product of the non-zero
     * others when it is the slice's only zero, else 0.
     */
    private static Tensor prodGrad(Tensor x, Tensor yKeep, Tensor gKeep, int dim) {
        Tensor isZero = x.eq(0.0);
        Tensor zeros = isZero.to(x.dtype()).sum(new int[] {dim}, true);
        Tensor prodNonZero = Tensor.where(isZero, Tensor.scalar(1.0, x.dtype()), x).prod(dim, true);
        Tensor atZero = Tensor.where(zeros.eq(1.0), prodNonZero, Tensor.scalar(0.0, x.dtype()));
        Tensor others = Tensor.where(isZero, atZero.expand(x.shape()), yKeep.div(x));
        return gKeep.mul(others);
    }

    /** d softmax: y * (g - sum(g * y)). */
    public static Var softmax(Var x, int dim) {
        Tensor y = x.data().softmax(dim);
        return Var.record("softmax", y, (g, n) -> g1(F.softmaxBackward(g, y, dim, false)), x);
    }

    /** d log_softmax: g - exp(y) * sum(g). */
    public static Var logSoftmax(Var x, int dim) {
        Tensor y = x.data().logSoftmax(dim);
        return Var.record("log_softmax", y, (g, n) -> g1(F.softmaxBackward(g, y, dim, true)), x);
    }

    /** d cumsum: the reversed cumulative sum of g, total - cumsum(g) + g. */
    public static Var cumsum(Var x, int dim) {
        Tensor xd = x.data();
        if (!xd.dtype().isFloating()) return Var.of(xd.cumsum(dim));
        return Var.record("cumsum", xd.cumsum(dim), (g, n) -> g1(g.sum(new int[] {dim}, true).sub(g.cumsum(dim)).add(g)), x);
    }

    // ------------------------------------------------------------------ registry

    /** The Var-level twins of TensorOps' differentiable reductions (same argument names and defaults). */
    static void register(VarOps r) {
        r.register("sum", (in, a) -> List.of(sum(in.get(0), a.getInts("dim"), keepdim(a))));
        r.register("mean", (in, a) -> List.of(mean(in.get(0), a.getInts("dim"), keepdim(a))));
        r.register("amax", (in, a) -> List.of(amax(in.get(0), a.getInts("dim"), keepdim(a))));
        r.register("amin", (in, a) -> List.of(amin(in.get(0), a.getInts("dim"), keepdim(a))));
        r.register("logsumexp", (in, a) -> List.of(logsumexp(in.get(0), a.getInts("dim"), keepdim(a))));
        r.register("var", (in, a) -> List.of(var(in.get(0), a.getInts("dim"), a.getInt("correction", 1), keepdim(a))));
        r.register("std", (in, a) -> List.of(std(in.get(0), a.getInts("dim"), a.getInt("correction", 1), keepdim(a))));
        r.register("norm", (in, a) -> List.of(norm(in.get(0), a.getDouble("p", 2), a.getInts("dim"), keepdim(a))));
        r.register("prod", (in, a) -> List.of(a.has("dim") ? prod(in.get(0), a.getInt("dim", 0), keepdim(a)) : prod(in.get(0))));
        // without dim, max/min reduce everything (ties share the gradient); with dim they pick one index each
        r.register("max", (in, a) -> a.has("dim") ? Indexing.pair(Indexing.max(in.get(0), a.getInt("dim", 0), keepdim(a)))
                : List.of(extremum("max", in.get(0), null, false, true)));
        r.register("min", (in, a) -> a.has("dim") ? Indexing.pair(Indexing.min(in.get(0), a.getInt("dim", 0), keepdim(a)))
                : List.of(extremum("min", in.get(0), null, false, false)));
        r.register("softmax", (in, a) -> List.of(softmax(in.get(0), a.getInt("dim", -1))));
        r.register("log_softmax", (in, a) -> List.of(logSoftmax(in.get(0), a.getInt("dim", -1))));
        r.register("cumsum", (in, a) -> List.of(cumsum(in.get(0), a.getInt("dim", 0))));
    }

    private static boolean keepdim(Args a) { return a.getBool("keepdim", false); }
}
