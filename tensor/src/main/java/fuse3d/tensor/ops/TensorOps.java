package fuse3d.tensor.ops;

import fuse3d.tensor.DType;
import fuse3d.tensor.F;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Linalg;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/** The tensor module's ops, registered under PyTorch's names with PyTorch's keyword arguments. */
public final class TensorOps implements OpFamily {
    @Override
    public void register(OpRegistry r) {
        registerElementwise(r);
        registerReductions(r);
        registerViews(r);
        registerIndexing(r);
        registerCreation(r);
        registerImage(r);
        registerResampleBackward(r);
        registerConvPoolBackward(r);
    }

    // ------------------------------------------------------------------ sampling helpers

    private static int[] randomShape(Generator g, int minRank, int maxRank, int maxDim) {
        int rank = minRank + (int) g.nextLong(maxRank - minRank + 1);
        int[] s = new int[rank];
        for (int i = 0; i < rank; i++) s[i] = 1 + (int) g.nextLong(maxDim);
        return s;
    }

    /** A shape that broadcasts against s: some dims set to 1, some leading dims dropped. */
    private static int[] broadcastPartner(Generator g, int[] s) {
        int drop = s.length == 0 ? 0 : (int) g.nextLong(s.length + 1) / 2;
        int[] r = Arrays.copyOfRange(s, drop, s.length);
        for (int i = 0; i < r.length; i++) if (g.nextLong(3) == 0) r[i] = 1;
        return r;
    }

    private static Tensor data(Generator g, int[] shape) { return g.uniform(-2, 2, shape); }

    private static Tensor positive(Generator g, int[] shape) { return g.uniform(0.1, 3, shape); }

    private static List<Tensor> one(Tensor t) { return List.of(t); }

    private static OpSpec.Sample sample(Args args, Tensor... inputs) { return new OpSpec.Sample(List.of(inputs), args); }

    private static void reg(OpRegistry r, String name, String family, boolean diff, OpSpec.Invoker inv, OpSpec.Sampler s) {
        r.register(new OpSpec(name, family, diff, inv, s));
    }

    // ------------------------------------------------------------------ elementwise

    private static void unaryOp(OpRegistry r, String name, boolean diff, boolean positiveDomain, Function<Tensor, Tensor> f) {
        reg(r, name, "elementwise", diff, (in, a) -> one(f.apply(in.get(0))), g -> {
            int[] s = randomShape(g, 0, 4, 6);
            Tensor x = positiveDomain ? positive(g, s) : data(g, s);
            return List.of(sample(Args.of(), x), sample(Args.of(), x.toDouble()));
        });
    }

    private static void binaryOp(OpRegistry r, String name, boolean diff, boolean positiveRight, BiFunction<Tensor, Tensor, Tensor> f) {
        reg(r, name, "elementwise", diff, (in, a) -> one(f.apply(in.get(0), in.get(1))), g -> {
            int[] s = randomShape(g, 0, 4, 5);
            int[] t = broadcastPartner(g, s);
            Tensor y = positiveRight ? positive(g, t) : data(g, t);
            Tensor x = positiveRight ? positive(g, s) : data(g, s);
            return List.of(sample(Args.of(), x, y), sample(Args.of(), y, x));
        });
    }

    private static void registerElementwise(OpRegistry r) {
        unaryOp(r, "neg", true, false, Tensor::neg);
        unaryOp(r, "abs", true, false, Tensor::abs);
        unaryOp(r, "sign", false, false, Tensor::sign);
        unaryOp(r, "square", true, false, Tensor::square);
        unaryOp(r, "exp", true, false, Tensor::exp);
        unaryOp(r, "log", true, true, Tensor::log);
        unaryOp(r, "log1p", true, true, Tensor::log1p);
        unaryOp(r, "expm1", true, false, Tensor::expm1);
        unaryOp(r, "sqrt", true, true, Tensor::sqrt);
        unaryOp(r, "rsqrt", true, true, Tensor::rsqrt);
        unaryOp(r, "reciprocal", true, true, Tensor::reciprocal);
        unaryOp(r, "sigmoid", true, false, Tensor::sigmoid);
        unaryOp(r, "tanh", true, false, Tensor::tanh);
        unaryOp(r, "relu", true, false, Tensor::relu);
        unaryOp(r, "silu", true, false, Tensor::silu);
        unaryOp(r, "sin", true, false, Tensor::sin);
        unaryOp(r, "cos", true, false, Tensor::cos);
        unaryOp(r, "floor", false, false, Tensor::floor);
        unaryOp(r, "ceil", false, false, Tensor::ceil);
        unaryOp(r, "round", false, false, Tensor::round);
        unaryOp(r, "trunc", false, false, Tensor::trunc);
        unaryOp(r, "isnan", false, false, Tensor::isnan);
        unaryOp(r, "isfinite", false, false, Tensor::isfinite);
        reg(r, "logical_not", "elementwise", false, (in, a) -> one(in.get(0).logicalNot()),
                g -> List.of(sample(Args.of(), data(g, randomShape(g, 0, 3, 5)).gt(0))));
        reg(r, "leaky_relu", "elementwise", true, (in, a) -> one(in.get(0).leakyRelu(a.getDouble("negative_slope", 0.01))),
                g -> List.of(sample(Args.of("negative_slope", 0.2), data(g, randomShape(g, 1, 4, 6)))));
        reg(r, "gelu", "elementwise", true, (in, a) -> one(a.getString("approximate", "none").equals("tanh") ? in.get(0).geluTanh() : in.get(0).gelu()),
                g -> List.of(sample(Args.of(), data(g, randomShape(g, 1, 3, 6))), sample(Args.of("approximate", "tanh"), data(g, randomShape(g, 1, 3, 6)))));
        reg(r, "clamp", "elementwise", true, (in, a) -> one(in.get(0).clamp(a.getDouble("min", Double.NaN), a.getDouble("max", Double.NaN))),
                g -> List.of(sample(Args.of("min", -0.5, "max", 0.75), data(g, randomShape(g, 1, 3, 6))), sample(Args.of("min", 0.0), data(g, randomShape(g, 1, 3, 6)))));
        reg(r, "pow", "elementwise", true, (in, a) -> one(in.size() == 2 ? in.get(0).pow(in.get(1)) : in.get(0).pow(a.getDouble("exponent", 1))),
                g -> List.of(sample(Args.of("exponent", 3.0), data(g, randomShape(g, 1, 3, 5))),
                        sample(Args.of(), positive(g, new int[] {3, 4}), data(g, new int[] {4}))));
        binaryOp(r, "add", true, false, Tensor::add);
        binaryOp(r, "sub", true, false, Tensor::sub);
        binaryOp(r, "mul", true, false, Tensor::mul);
        binaryOp(r, "div", true, true, Tensor::div);
        binaryOp(r, "maximum", true, false, Tensor::maximum);
        binaryOp(r, "minimum", true, false, Tensor::minimum);
        binaryOp(r, "atan2", true, false, Tensor::atan2);
        binaryOp(r, "remainder", false, true, Tensor::remainder);
        binaryOp(r, "floor_divide", false, true, Tensor::floorDivide);
        binaryOp(r, "eq", false, false, (x, y) -> x.round().eq(y.round()));
        binaryOp(r, "ne", false, false, (x, y) -> x.round().ne(y.round()));
        binaryOp(r, "lt", false, false, Tensor::lt);
        binaryOp(r, "le", false, false, Tensor::le);
        binaryOp(r, "gt", false, false, Tensor::gt);
        binaryOp(r, "ge", false, false, Tensor::ge);
        binaryOp(r, "logical_and", false, false, (x, y) -> x.gt(0).logicalAnd(y.gt(0)));
        binaryOp(r, "logical_or", false, false, (x, y) -> x.gt(0).logicalOr(y.gt(0)));
        binaryOp(r, "logical_xor", false, false, (x, y) -> x.gt(0).logicalXor(y.gt(0)));
        reg(r, "where", "elementwise", true, (in, a) -> one(Tensor.where(in.get(0), in.get(1), in.get(2))), g -> {
            int[] s = randomShape(g, 1, 3, 5);
            return List.of(sample(Args.of(), data(g, broadcastPartner(g, s)).gt(0), data(g, s), data(g, broadcastPartner(g, s))));
        });
    }

    // ------------------------------------------------------------------ reductions

    private static int[] dims(Args a, int rank) {
        int[] d = a.getInts("dim");
        return d;
    }

    private static OpSpec.Sampler reductionSamples(boolean positiveData) {
        return g -> {
            int[] s = randomShape(g, 1, 4, 6);
            Tensor x = positiveData ? positive(g, s) : data(g, s);
            int d = (int) g.nextLong(s.length);
            List<OpSpec.Sample> out = new ArrayList<>();
            out.add(sample(Args.of("dim", List.of(d), "keepdim", g.nextLong(2) == 0), x));
            out.add(sample(Args.of(), x));
            if (s.length >= 2) out.add(sample(Args.of("dim", List.of(0, s.length - 1), "keepdim", true), x));
            return out;
        };
    }

    private static void registerReductions(OpRegistry r) {
        reg(r, "sum", "reduction", true, (in, a) -> one(in.get(0).sum(dims(a, in.get(0).dim()), a.getBool("keepdim", false))), reductionSamples(false));
        reg(r, "mean", "reduction", true, (in, a) -> one(in.get(0).mean(dims(a, in.get(0).dim()), a.getBool("keepdim", false))), reductionSamples(false));
        reg(r, "amax", "reduction", true, (in, a) -> one(in.get(0).amax(dims(a, in.get(0).dim()), a.getBool("keepdim", false))), reductionSamples(false));
        reg(r, "amin", "reduction", true, (in, a) -> one(in.get(0).amin(dims(a, in.get(0).dim()), a.getBool("keepdim", false))), reductionSamples(false));
        reg(r, "logsumexp", "reduction", true, (in, a) -> one(in.get(0).logsumexp(dims(a, in.get(0).dim()), a.getBool("keepdim", false))), reductionSamples(false));
        reg(r, "var", "reduction", true, (in, a) -> one(in.get(0).var(dims(a, in.get(0).dim()), a.getInt("correction", 1), a.getBool("keepdim", false))), reductionSamples(false));
        reg(r, "std", "reduction", true, (in, a) -> one(in.get(0).std(dims(a, in.get(0).dim()), a.getInt("correction", 1), a.getBool("keepdim", false))), reductionSamples(false));
        reg(r, "norm", "reduction", true, (in, a) -> one(in.get(0).norm(a.getDouble("p", 2), dims(a, in.get(0).dim()), a.getBool("keepdim", false))), g -> {
            Tensor x = data(g, randomShape(g, 1, 3, 6));
            return List.of(sample(Args.of("p", 2.0), x), sample(Args.of("p", 1.0, "dim", List.of(0), "keepdim", true), x),
                    sample(Args.of("p", "inf", "dim", List.of(-1)), x), sample(Args.of("p", 3.0, "dim", List.of(0)), x));
        });
        reg(r, "prod", "reduction", true, (in, a) -> one(a.has("dim") ? in.get(0).prod(a.getInt("dim", 0), a.getBool("keepdim", false)) : in.get(0).prod()), g -> {
            Tensor x = g.uniform(0.5, 1.5, randomShape(g, 1, 3, 5));
            return List.of(sample(Args.of(), x), sample(Args.of("dim", 0, "keepdim", true), x));
        });
        reg(r, "max", "reduction", true, (in, a) -> {
            Tensor x = in.get(0);
            if (!a.has("dim")) return one(x.max());
            Tensor.ValuesIndices vi = x.max(a.getInt("dim", 0), a.getBool("keepdim", false));
            return List.of(vi.values(), vi.indices());
        }, g -> {
            Tensor x = data(g, randomShape(g, 1, 3, 6));
            return List.of(sample(Args.of(), x), sample(Args.of("dim", x.dim() - 1, "keepdim", true), x));
        });
        reg(r, "min", "reduction", true, (in, a) -> {
            Tensor x = in.get(0);
            if (!a.has("dim")) return one(x.min());
            Tensor.ValuesIndices vi = x.min(a.getInt("dim", 0), a.getBool("keepdim", false));
            return List.of(vi.values(), vi.indices());
        }, g -> {
            Tensor x = data(g, randomShape(g, 1, 3, 6));
            return List.of(sample(Args.of(), x), sample(Args.of("dim", 0), x));
        });
        reg(r, "argmax", "reduction", false, (in, a) -> one(a.has("dim") ? in.get(0).argmax(a.getInt("dim", 0), a.getBool("keepdim", false)) : in.get(0).argmax()),
                g -> List.of(sample(Args.of(), data(g, randomShape(g, 1, 3, 6))), sample(Args.of("dim", 0, "keepdim", true), data(g, randomShape(g, 1, 3, 6)))));
        reg(r, "argmin", "reduction", false, (in, a) -> one(a.has("dim") ? in.get(0).argmin(a.getInt("dim", 0), a.getBool("keepdim", false)) : in.get(0).argmin()),
                g -> List.of(sample(Args.of(), data(g, randomShape(g, 1, 3, 6))), sample(Args.of("dim", -1), data(g, randomShape(g, 1, 3, 6)))));
        reg(r, "any", "reduction", false, (in, a) -> one(a.has("dim") ? in.get(0).any(a.getInt("dim", 0), a.getBool("keepdim", false)) : in.get(0).any()),
                g -> List.of(sample(Args.of(), data(g, randomShape(g, 1, 3, 4)).gt(1.5)), sample(Args.of("dim", 0), data(g, randomShape(g, 1, 3, 4)).gt(1))));
        reg(r, "all", "reduction", false, (in, a) -> one(a.has("dim") ? in.get(0).all(a.getInt("dim", 0), a.getBool("keepdim", false)) : in.get(0).all()),
                g -> List.of(sample(Args.of(), data(g, randomShape(g, 1, 3, 4)).gt(-1.5)), sample(Args.of("dim", 0), data(g, randomShape(g, 1, 3, 4)).gt(-1))));
        reg(r, "softmax", "reduction", true, (in, a) -> one(in.get(0).softmax(a.getInt("dim", -1))),
                g -> List.of(sample(Args.of("dim", -1), data(g, randomShape(g, 1, 4, 6))), sample(Args.of("dim", 0), data(g, randomShape(g, 1, 3, 6)))));
        reg(r, "log_softmax", "reduction", true, (in, a) -> one(in.get(0).logSoftmax(a.getInt("dim", -1))),
                g -> List.of(sample(Args.of("dim", -1), data(g, randomShape(g, 1, 4, 6))), sample(Args.of("dim", 0), data(g, randomShape(g, 1, 3, 6)))));
        reg(r, "cumsum", "reduction", true, (in, a) -> one(in.get(0).cumsum(a.getInt("dim", 0))),
                g -> List.of(sample(Args.of("dim", 0), data(g, randomShape(g, 1, 3, 6))), sample(Args.of("dim", -1), g.randint(-5, 5, randomShape(g, 1, 3, 6)))));
        reg(r, "matmul", "linalg", true, (in, a) -> one(in.get(0).matmul(in.get(1))), g -> {
            int m = 1 + (int) g.nextLong(7), k = 1 + (int) g.nextLong(9), n = 1 + (int) g.nextLong(7);
            return List.of(sample(Args.of(), data(g, new int[] {m, k}), data(g, new int[] {k, n})),
                    sample(Args.of(), data(g, new int[] {2, 1, m, k}), data(g, new int[] {3, k, n})),
                    sample(Args.of(), data(g, new int[] {k}), data(g, new int[] {2, k, n})),
                    sample(Args.of(), data(g, new int[] {m, k}).toDouble(), data(g, new int[] {k}).toDouble()));
        });
        reg(r, "linalg_inv", "linalg", true, (in, a) -> one(Linalg.inverse(in.get(0))), g -> {
            int n = 1 + (int) g.nextLong(4);
            return List.of(sample(Args.of(), data(g, new int[] {2, n, n}).add(Tensor.eye(n).mul(5))));
        });
        reg(r, "linalg_solve", "linalg", true, (in, a) -> one(Linalg.solve(in.get(0), in.get(1))), g -> {
            int n = 1 + (int) g.nextLong(4);
            return List.of(sample(Args.of(), data(g, new int[] {n, n}).add(Tensor.eye(n).mul(5)), data(g, new int[] {n, 2})));
        });
    }

    // ------------------------------------------------------------------ views

    private static void registerViews(OpRegistry r) {
        reg(r, "reshape", "view", true, (in, a) -> one(in.get(0).reshape(a.getInts("shape"))),
                g -> List.of(sample(Args.of("shape", List.of(-1, 2)), data(g, new int[] {3, 4})), sample(Args.of("shape", List.of(2, 3, 2)), data(g, new int[] {4, 3}).t())));
        reg(r, "permute", "view", true, (in, a) -> one(in.get(0).permute(a.getInts("dims"))),
                g -> List.of(sample(Args.of("dims", List.of(2, 0, 1)), data(g, randomShape(g, 3, 3, 4)))));
        reg(r, "transpose", "view", true, (in, a) -> one(in.get(0).transpose(a.getInt("dim0", 0), a.getInt("dim1", 1))),
                g -> List.of(sample(Args.of("dim0", 0, "dim1", -1), data(g, randomShape(g, 2, 4, 4)))));
        reg(r, "narrow", "view", true, (in, a) -> one(in.get(0).narrow(a.getInt("dim", 0), a.getInt("start", 0), a.getInt("length", 1))),
                g -> List.of(sample(Args.of("dim", 1, "start", 1, "length", 2), data(g, new int[] {3, 5, 2}))));
        reg(r, "slice", "view", true, (in, a) -> one(in.get(0).slice(a.getInt("dim", 0), a.getInt("start", 0), a.getInt("end", Integer.MAX_VALUE), a.getInt("step", 1))),
                g -> List.of(sample(Args.of("dim", 1, "start", 1, "end", 7, "step", 2), data(g, new int[] {2, 8})), sample(Args.of("dim", 0, "start", -3, "end", -1, "step", 1), data(g, new int[] {5, 2}))));
        reg(r, "expand", "view", true, (in, a) -> one(in.get(0).expand(a.getInts("size"))),
                g -> List.of(sample(Args.of("size", List.of(2, 3, 4)), data(g, new int[] {3, 1}))));
        reg(r, "squeeze", "view", true, (in, a) -> one(a.has("dim") ? in.get(0).squeeze(a.getInt("dim", 0)) : in.get(0).squeeze()),
                g -> List.of(sample(Args.of("dim", 1), data(g, new int[] {3, 1, 2})), sample(Args.of(), data(g, new int[] {1, 3, 1}))));
        reg(r, "unsqueeze", "view", true, (in, a) -> one(in.get(0).unsqueeze(a.getInt("dim", 0))),
                g -> List.of(sample(Args.of("dim", -1), data(g, new int[] {3, 2})), sample(Args.of("dim", 1), data(g, new int[] {3, 2}))));
        reg(r, "flatten", "view", true, (in, a) -> one(in.get(0).flatten(a.getInt("start_dim", 0), a.getInt("end_dim", -1))),
                g -> List.of(sample(Args.of("start_dim", 1), data(g, new int[] {2, 3, 4})), sample(Args.of(), data(g, new int[] {2, 3}).t())));
        reg(r, "contiguous", "view", true, (in, a) -> one(in.get(0).contiguous()),
                g -> List.of(sample(Args.of(), data(g, new int[] {3, 4}).t())));
    }

    // ------------------------------------------------------------------ indexing

    private static void registerIndexing(OpRegistry r) {
        reg(r, "index_select", "indexing", true, (in, a) -> one(in.get(0).indexSelect(a.getInt("dim", 0), in.get(1))), g -> {
            Tensor x = data(g, new int[] {4, 5, 3});
            return List.of(sample(Args.of("dim", 1), x, g.randint(0, 5, 7)), sample(Args.of("dim", 0), x, g.randint(0, 4, 2)));
        });
        reg(r, "gather", "indexing", true, (in, a) -> one(in.get(0).gather(a.getInt("dim", 0), in.get(1))), g -> {
            Tensor x = data(g, new int[] {4, 5});
            return List.of(sample(Args.of("dim", 1), x, g.randint(0, 5, 4, 3)), sample(Args.of("dim", 0), x, g.randint(0, 4, 2, 5)));
        });
        reg(r, "scatter", "indexing", true, (in, a) -> one(in.get(0).scatter(a.getInt("dim", 0), in.get(1), in.get(2))), g -> {
            // distinct targets per column so the result does not depend on write order
            Tensor idx = g.randperm(5).narrow(0, 0, 3).unsqueeze(1).expand(3, 4).contiguous();
            return List.of(sample(Args.of("dim", 0), data(g, new int[] {5, 4}), idx, data(g, new int[] {3, 4})));
        });
        reg(r, "scatter_add", "indexing", true, (in, a) -> one(in.get(0).scatterAdd(a.getInt("dim", 0), in.get(1), in.get(2))), g ->
                List.of(sample(Args.of("dim", 1), data(g, new int[] {3, 4}), g.randint(0, 4, 3, 6), data(g, new int[] {3, 6}))));
        reg(r, "scatter_reduce", "indexing", true, (in, a) -> one(in.get(0).scatterReduce(a.getInt("dim", 0), in.get(1), in.get(2),
                a.getString("reduce", "sum"), a.getBool("include_self", true))), g -> {
            List<OpSpec.Sample> out = new ArrayList<>();
            for (String red : List.of("sum", "prod", "mean", "amax", "amin"))
                out.add(sample(Args.of("dim", 0, "reduce", red, "include_self", g.nextLong(2) == 0),
                        data(g, new int[] {4, 3}), g.randint(0, 4, 6, 3), data(g, new int[] {6, 3})));
            return out;
        });
        reg(r, "scatter_max", "indexing", true, (in, a) -> {
            Tensor.ValuesIndices vi = Tensor.scatterMax(in.get(0), a.getInt("dim", 0), in.get(1), a.getInt("dim_size", 0));
            return List.of(vi.values(), vi.indices());
        }, g -> List.of(sample(Args.of("dim", 0, "dim_size", 5), data(g, new int[] {8, 3}), g.randint(0, 4, 8, 3))));
        reg(r, "index_put", "indexing", true, (in, a) -> {
            Tensor[] idx = in.subList(2, in.size()).toArray(new Tensor[0]);
            return one(in.get(0).indexPut(idx, in.get(1), a.getBool("accumulate", false)));
        }, g -> List.of(
                sample(Args.of("accumulate", true), data(g, new int[] {4, 3}), data(g, new int[] {5, 3}), g.randint(0, 4, 5)),
                sample(Args.of("accumulate", true), data(g, new int[] {4, 3}), data(g, new int[] {6}), g.randint(0, 4, 6), g.randint(0, 3, 6))));
        reg(r, "masked_select", "indexing", true, (in, a) -> one(in.get(0).maskedSelect(in.get(1))), g -> {
            int[] s = randomShape(g, 1, 3, 5);
            return List.of(sample(Args.of(), data(g, s), data(g, broadcastPartner(g, s)).gt(0)));
        });
        reg(r, "masked_fill", "indexing", true, (in, a) -> one(in.get(0).maskedFill(in.get(1), a.getDouble("value", 0))), g -> {
            int[] s = randomShape(g, 1, 3, 5);
            return List.of(sample(Args.of("value", -1.5), data(g, s), data(g, broadcastPartner(g, s)).gt(0)));
        });
        reg(r, "nonzero", "indexing", false, (in, a) -> one(in.get(0).nonzero()),
                g -> List.of(sample(Args.of(), data(g, randomShape(g, 1, 3, 5)).gt(0.5))));
        reg(r, "cat", "indexing", true, (in, a) -> one(Tensor.cat(a.getInt("dim", 0), in.toArray(new Tensor[0]))), g ->
                List.of(sample(Args.of("dim", 1), data(g, new int[] {2, 3}), data(g, new int[] {2, 1}), data(g, new int[] {2, 4}))));
        reg(r, "stack", "indexing", true, (in, a) -> one(Tensor.stack(a.getInt("dim", 0), in.toArray(new Tensor[0]))), g ->
                List.of(sample(Args.of("dim", 1), data(g, new int[] {2, 3}), data(g, new int[] {2, 3}))));
        reg(r, "split", "indexing", true, (in, a) -> {
            int[] sizes = a.getInts("split_size_or_sections");
            return sizes.length == 1 ? in.get(0).split(sizes[0], a.getInt("dim", 0)) : in.get(0).split(sizes, a.getInt("dim", 0));
        }, g -> List.of(sample(Args.of("split_size_or_sections", 2, "dim", 1), data(g, new int[] {2, 5})),
                sample(Args.of("split_size_or_sections", List.of(1, 3), "dim", 0), data(g, new int[] {4, 2}))));
        reg(r, "chunk", "indexing", true, (in, a) -> in.get(0).chunk(a.getInt("chunks", 1), a.getInt("dim", 0)),
                g -> List.of(sample(Args.of("chunks", 3, "dim", 0), data(g, new int[] {7, 2}))));
        reg(r, "sort", "sorting", true, (in, a) -> {
            Tensor.ValuesIndices vi = in.get(0).sort(a.getInt("dim", -1), a.getBool("descending", false), a.getBool("stable", false));
            return List.of(vi.values(), vi.indices());
        }, g -> List.of(sample(Args.of("dim", -1, "descending", true, "stable", true), data(g, randomShape(g, 1, 3, 7))),
                sample(Args.of("dim", 0, "stable", true), g.randint(0, 3, 6, 2))));
        reg(r, "argsort", "sorting", false, (in, a) -> one(in.get(0).argsort(a.getInt("dim", -1), a.getBool("descending", false))),
                g -> List.of(sample(Args.of("dim", -1), data(g, randomShape(g, 1, 3, 7)))));
        reg(r, "topk", "sorting", true, (in, a) -> {
            Tensor.ValuesIndices vi = in.get(0).topk(a.getInt("k", 1), a.getInt("dim", -1), a.getBool("largest", true), a.getBool("sorted", true));
            return List.of(vi.values(), vi.indices());
        }, g -> List.of(sample(Args.of("k", 3, "dim", -1), data(g, new int[] {4, 9})), sample(Args.of("k", 2, "dim", 0, "largest", false), data(g, new int[] {5, 3}))));
        reg(r, "unique", "sorting", false, (in, a) -> {
            Tensor.UniqueResult u = in.get(0).unique();
            return List.of(u.values(), u.inverse(), u.counts());
        }, g -> List.of(sample(Args.of("sorted", true, "return_inverse", true, "return_counts", true), g.randint(0, 6, 4, 5))));
    }

    // ------------------------------------------------------------------ creation

    private static void registerCreation(OpRegistry r) {
        reg(r, "arange", "creation", false, (in, a) -> one(Tensor.arange(a.getDouble("start", 0), a.getDouble("end", 0), a.getDouble("step", 1),
                a.getString("dtype", "int64").equals("float32") ? DType.FLOAT32 : DType.INT64)),
                g -> List.of(sample(Args.of("start", 0, "end", 7, "step", 2, "dtype", "int64")), sample(Args.of("start", -1.0, "end", 1.0, "step", 0.25, "dtype", "float32"))));
        reg(r, "linspace", "creation", false, (in, a) -> one(Tensor.linspace(a.getDouble("start", 0), a.getDouble("end", 1), a.getInt("steps", 2))),
                g -> List.of(sample(Args.of("start", -1.0, "end", 2.0, "steps", 7))));
        reg(r, "eye", "creation", false, (in, a) -> one(Tensor.eye(a.getInt("n", 1), a.getInt("m", a.getInt("n", 1)), DType.FLOAT32)),
                g -> List.of(sample(Args.of("n", 3, "m", 4))));
        reg(r, "full", "creation", false, (in, a) -> one(Tensor.full(a.getDouble("fill_value", 0), DType.FLOAT32, a.getInts("size"))),
                g -> List.of(sample(Args.of("size", List.of(2, 3), "fill_value", 1.5))));
    }

    // ------------------------------------------------------------------ images and volumes

    private static int[] ints(Args a, String key, int nd, int dflt) {
        int[] d = new int[nd];
        Arrays.fill(d, dflt);
        return a.getInts(key, nd, d);
    }

    private static void registerImage(OpRegistry r) {
        for (int nd = 1; nd <= 3; nd++) {
            final int n = nd;
            reg(r, "conv" + nd + "d", "conv", true, (in, a) -> {
                Tensor x = in.get(0), w = in.get(1), b = in.size() > 2 ? in.get(2) : null;
                int[] st = ints(a, "stride", n, 1), p = ints(a, "padding", n, 0), d = ints(a, "dilation", n, 1);
                int groups = a.getInt("groups", 1);
                return one(switch (n) {
                    case 1 -> F.conv1d(x, w, b, st[0], p[0], d[0], groups);
                    case 2 -> F.conv2d(x, w, b, st, p, d, groups);
                    default -> F.conv3d(x, w, b, st, p, d, groups);
                });
            }, g -> {
                int[] xs = new int[n + 2], ws = new int[n + 2];
                xs[0] = 2;
                xs[1] = 4;
                ws[0] = 6;
                ws[1] = 2;
                for (int i = 0; i < n; i++) {
                    xs[2 + i] = 5 + (int) g.nextLong(3);
                    ws[2 + i] = 1 + (int) g.nextLong(3);
                }
                return List.of(sample(Args.of("stride", 2, "padding", 1, "dilation", 1, "groups", 2), data(g, xs), data(g, ws), data(g, new int[] {6})));
            });
        }
        for (int nd = 2; nd <= 3; nd++) {
            final int n = nd;
            reg(r, "conv_transpose" + nd + "d", "conv", true, (in, a) -> {
                Tensor x = in.get(0), w = in.get(1), b = in.size() > 2 ? in.get(2) : null;
                int[] st = ints(a, "stride", n, 1), p = ints(a, "padding", n, 0), op = ints(a, "output_padding", n, 0), d = ints(a, "dilation", n, 1);
                int groups = a.getInt("groups", 1);
                return one(n == 2 ? F.convTranspose2d(x, w, b, st, p, op, groups, d) : F.convTranspose3d(x, w, b, st, p, op, groups, d));
            }, g -> {
                int[] xs = new int[n + 2], ws = new int[n + 2];
                xs[0] = 1;
                xs[1] = 4;
                ws[0] = 4;
                ws[1] = 3;
                for (int i = 0; i < n; i++) {
                    xs[2 + i] = 3 + (int) g.nextLong(3);
                    ws[2 + i] = 2 + (int) g.nextLong(2);
                }
                return List.of(sample(Args.of("stride", 2, "padding", 1, "output_padding", 1, "groups", 1), data(g, xs), data(g, ws), data(g, new int[] {3})));
            });
            reg(r, "max_pool" + nd + "d", "pool", true, (in, a) -> {
                int[] k = ints(a, "kernel_size", n, 1);
                int[] st = a.has("stride") ? ints(a, "stride", n, 1) : k;
                Tensor.ValuesIndices vi = n == 2
                        ? F.maxPool2d(in.get(0), k, st, ints(a, "padding", n, 0), ints(a, "dilation", n, 1), a.getBool("ceil_mode", false))
                        : F.maxPool3d(in.get(0), k, st, ints(a, "padding", n, 0), ints(a, "dilation", n, 1), a.getBool("ceil_mode", false));
                return List.of(vi.values(), vi.indices());
            }, g -> List.of(sample(Args.of("kernel_size", 3, "stride", 2, "padding", 1, "ceil_mode", true), data(g, spatial(g, n, 2, 3, 5, 8)))));
            reg(r, "avg_pool" + nd + "d", "pool", true, (in, a) -> {
                int[] k = ints(a, "kernel_size", n, 1);
                int[] st = a.has("stride") ? ints(a, "stride", n, 1) : k;
                int div = a.getInt("divisor_override", 0);
                return one(n == 2
                        ? F.avgPool2d(in.get(0), k, st, ints(a, "padding", n, 0), a.getBool("ceil_mode", false), a.getBool("count_include_pad", true), div)
                        : F.avgPool3d(in.get(0), k, st, ints(a, "padding", n, 0), a.getBool("ceil_mode", false), a.getBool("count_include_pad", true), div));
            }, g -> List.of(sample(Args.of("kernel_size", 3, "stride", 2, "padding", 1, "ceil_mode", true, "count_include_pad", false), data(g, spatial(g, n, 2, 3, 5, 8)))));
            reg(r, "adaptive_avg_pool" + nd + "d", "pool", true, (in, a) -> {
                int[] o = ints(a, "output_size", n, 1);
                return one(n == 2 ? F.adaptiveAvgPool2d(in.get(0), o[0], o[1]) : F.adaptiveAvgPool3d(in.get(0), o[0], o[1], o[2]));
            }, g -> List.of(sample(Args.of("output_size", 3), data(g, spatial(g, n, 1, 2, 4, 9)))));
        }
        reg(r, "adaptive_max_pool2d", "pool", true, (in, a) -> {
            int[] o = ints(a, "output_size", 2, 1);
            Tensor.ValuesIndices vi = F.adaptiveMaxPool2d(in.get(0), o[0], o[1]);
            return List.of(vi.values(), vi.indices());
        }, g -> List.of(sample(Args.of("output_size", List.of(2, 3)), data(g, spatial(g, 2, 1, 2, 4, 9)))));
        reg(r, "interpolate", "resample", true, (in, a) -> {
            Object ac = a.values().get("align_corners");
            return one(F.interpolate(in.get(0), a.getInts("size"), a.getDoubles("scale_factor"), a.getString("mode", "nearest"), ac == null ? null : (Boolean) ac));
        }, g -> List.of(sample(Args.of("size", List.of(7, 5), "mode", "bilinear", "align_corners", false), data(g, spatial(g, 2, 1, 2, 3, 6))),
                sample(Args.of("scale_factor", List.of(2.0, 2.0, 2.0), "mode", "trilinear", "align_corners", true), data(g, spatial(g, 3, 1, 2, 2, 4))),
                sample(Args.of("size", List.of(9), "mode", "nearest"), data(g, spatial(g, 1, 2, 2, 3, 6)))));
        reg(r, "grid_sample", "resample", true, (in, a) -> one(F.gridSample(in.get(0), in.get(1), a.getString("mode", "bilinear"),
                a.getString("padding_mode", "zeros"), a.getBool("align_corners", false))), g -> List.of(
                sample(Args.of("mode", "bilinear", "padding_mode", "zeros", "align_corners", false), data(g, new int[] {2, 3, 5, 6}), g.uniform(-1.2, 1.2, 2, 4, 3, 2)),
                sample(Args.of("mode", "nearest", "padding_mode", "border", "align_corners", true), data(g, new int[] {1, 2, 3, 4, 5}), g.uniform(-1.2, 1.2, 1, 2, 3, 2, 3))));
    }

    private static void registerResampleBackward(OpRegistry r) {
        reg(r, "interpolate_backward", "resample", false, (in, a) -> {
            Object ac = a.values().get("align_corners");
            Tensor x = in.get(0);
            int[] inSpatial = Arrays.copyOfRange(x.shape(), 2, x.dim());
            return one(F.interpolateBackward(in.get(1), inSpatial, a.getString("mode", "nearest"), ac == null ? null : (Boolean) ac, a.getDoubles("scale_factor")));
        }, g -> {
            Tensor x = data(g, spatial(g, 2, 1, 2, 3, 6));
            Tensor y = F.interpolate(x, new int[] {7, 5}, null, "bilinear", false);
            return List.of(sample(Args.of("size", List.of(7, 5), "mode", "bilinear", "align_corners", false), x, data(g, y.shape())));
        });
        reg(r, "grid_sample_backward", "resample", false, (in, a) -> {
            Tensor[] gr = F.gridSampleBackward(in.get(2), in.get(0), in.get(1), a.getString("mode", "bilinear"), a.getString("padding_mode", "zeros"), a.getBool("align_corners", false));
            return List.of(gr[0], gr[1]);
        }, g -> List.of(sample(Args.of("mode", "bilinear", "padding_mode", "border", "align_corners", false),
                data(g, new int[] {2, 3, 5, 6}), g.uniform(-1.2, 1.2, 2, 4, 3, 2), data(g, new int[] {2, 3, 4, 3}))));
    }

    /** Backward kernels of the conv and pool families (inputs [x, (weight,) grad_out], as the golden fixtures). */
    private static void registerConvPoolBackward(OpRegistry r) {
        for (int nd = 2; nd <= 3; nd++) {
            final int n = nd;
            reg(r, "conv" + nd + "d_backward", "conv", false, (in, a) -> List.of(F.convBackward(n, in.get(0), in.get(1), in.get(2),
                    ints(a, "stride", n, 1), ints(a, "padding", n, 0), ints(a, "dilation", n, 1), a.getInt("groups", 1))), g -> {
                int[] xs = spatial(g, n, 2, 4, 4, 6);
                int[] ws = new int[n + 2];
                ws[0] = 6;
                ws[1] = 2;
                for (int i = 0; i < n; i++) ws[2 + i] = 1 + (int) g.nextLong(3);
                Tensor x = data(g, xs), w = data(g, ws);
                Tensor y = n == 2 ? F.conv2d(x, w, null, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 2)
                        : F.conv3d(x, w, null, new int[] {2, 2, 2}, new int[] {1, 1, 1}, new int[] {1, 1, 1}, 2);
                return List.of(sample(Args.of("stride", 2, "padding", 1, "dilation", 1, "groups", 2), x, w, data(g, y.shape())));
            });
        }
        reg(r, "conv_transpose2d_backward", "conv", false, (in, a) -> List.of(F.convTransposeBackward(2, in.get(0), in.get(1), in.get(2),
                ints(a, "stride", 2, 1), ints(a, "padding", 2, 0), ints(a, "output_padding", 2, 0), a.getInt("groups", 1), ints(a, "dilation", 2, 1))), g -> {
            Tensor x = data(g, new int[] {1, 4, 3, 4}), w = data(g, new int[] {4, 3, 3, 2});
            Tensor y = F.convTranspose2d(x, w, null, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 1, new int[] {1, 1});
            return List.of(sample(Args.of("stride", 2, "padding", 1, "output_padding", 1, "groups", 1), x, w, data(g, y.shape())));
        });
        reg(r, "max_pool2d_backward", "pool", false, (in, a) -> {
            int[] k = ints(a, "kernel_size", 2, 1);
            int[] st = a.has("stride") ? ints(a, "stride", 2, 1) : k;
            Tensor.ValuesIndices fwd = F.maxPool2d(in.get(0), k, st, ints(a, "padding", 2, 0), ints(a, "dilation", 2, 1), a.getBool("ceil_mode", false));
            return one(F.maxPoolBackward(in.get(1), fwd.indices(), in.get(0).shape()));
        }, g -> {
            Tensor x = data(g, new int[] {2, 3, 7, 6});
            Tensor y = F.maxPool2d(x, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, true).values();
            return List.of(sample(Args.of("kernel_size", 3, "stride", 2, "padding", 1, "ceil_mode", true), x, data(g, y.shape())));
        });
        reg(r, "avg_pool2d_backward", "pool", false, (in, a) -> {
            int[] k = ints(a, "kernel_size", 2, 1);
            int[] st = a.has("stride") ? ints(a, "stride", 2, 1) : k;
            return one(F.avgPoolBackward(in.get(1), in.get(0).shape(), k, st, ints(a, "padding", 2, 0), a.getBool("ceil_mode", false),
                    a.getBool("count_include_pad", true), a.getInt("divisor_override", 0)));
        }, g -> {
            Tensor x = data(g, new int[] {2, 3, 7, 6});
            Tensor y = F.avgPool2d(x, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, true, false, 0);
            return List.of(sample(Args.of("kernel_size", 3, "stride", 2, "padding", 1, "ceil_mode", true, "count_include_pad", false), x, data(g, y.shape())));
        });
        reg(r, "adaptive_avg_pool2d_backward", "pool", false, (in, a) -> one(F.adaptiveAvgPoolBackward(in.get(1), in.get(0).shape())), g -> {
            Tensor x = data(g, new int[] {1, 2, 7, 5});
            return List.of(sample(Args.of("output_size", List.of(3, 2)), x, data(g, new int[] {1, 2, 3, 2})));
        });
    }

    /** [N, C, s...] with random spatial sizes in [lo, hi]. */
    private static int[] spatial(Generator g, int nd, int n, int c, int lo, int hi) {
        int[] s = new int[nd + 2];
        s[0] = n;
        s[1] = c;
        for (int i = 0; i < nd; i++) s[2 + i] = lo + (int) g.nextLong(hi - lo + 1);
        return s;
    }
}
