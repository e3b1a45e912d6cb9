package fuse3d.autograd;

import static fuse3d.autograd.Grads.sumTo;

import fuse3d.tensor.F;
import fuse3d.tensor.Tensor;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;

/**
 * Elementwise ops and their derivatives, one rule per op (the elementwise part of the derivative table).
 * Binary rules sum the gradient back over broadcast dims ({@link Grads#sumTo}).
 */
public final class Elementwise {
    private Elementwise() {}

    private static Tensor[] g1(Tensor g) { return new Tensor[] {g}; }

    // ------------------------------------------------------------------ unary

    public static Var neg(Var x) { return Var.record("neg", x.data().neg(), (g, n) -> g1(g.neg()), x); }

    public static Var abs(Var x) {
        Tensor xd = x.data();
        return Var.record("abs", xd.abs(), (g, n) -> g1(g.mul(xd.sign())), x);
    }

    public static Var square(Var x) {
        Tensor xd = x.data();
        return Var.record("square", xd.square(), (g, n) -> g1(g.mul(xd).mul(2.0)), x);
    }

    public static Var exp(Var x) {
        Tensor y = x.data().exp();
        return Var.record("exp", y, (g, n) -> g1(g.mul(y)), x);
    }

    public static Var log(Var x) {
        Tensor xd = x.data();
        return Var.record("log", xd.log(), (g, n) -> g1(g.div(xd)), x);
    }

    public static Var log1p(Var x) {
        Tensor xd = x.data();
        return Var.record("log1p", xd.log1p(), (g, n) -> g1(g.div(xd.add(1.0))), x);
    }

    public static Var expm1(Var x) {
        Tensor y = x.data().expm1();
        return Var.record("expm1", y, (g, n) -> g1(g.mul(y.add(1.0))), x);
    }

    public static Var sqrt(Var x) {
        Tensor y = x.data().sqrt();
        return Var.record("sqrt", y, (g, n) -> g1(g.div(y.mul(2.0))), x);
    }

    public static Var rsqrt(Var x) {
        Tensor y = x.data().rsqrt();
        return Var.record("rsqrt", y, (g, n) -> g1(g.mul(y.pow(3.0)).mul(-0.5)), x);
    }

    public static Var reciprocal(Var x) {
        Tensor y = x.data().reciprocal();
        return Var.record("reciprocal", y, (g, n) -> g1(g.mul(y.square()).neg()), x);
    }

    public static Var sigmoid(Var x) {
        Tensor y = x.data().sigmoid();
        return Var.record("sigmoid", y, (g, n) -> g1(g.mul(y.mul(y.neg().add(1.0)))), x);
    }

    public static Var tanh(Var x) {
        Tensor y = x.data().tanh();
        return Var.record("tanh", y, (g, n) -> g1(g.mul(y.square().neg().add(1.0))), x);
    }

    public static Var relu(Var x) {
        Tensor y = x.data().relu();
        return Var.record("relu", y, (g, n) -> g1(F.reluBackward(g, y)), x);
    }

    public static Var leakyRelu(Var x, double slope) {
        Tensor xd = x.data();
        return Var.record("leaky_relu", xd.leakyRelu(slope), (g, n) -> g1(Tensor.where(xd.gt(0.0), g, g.mul(slope))), x);
    }

    /** Exact GELU, x * Phi(x); its derivative Phi(x) + x * phi(x). */
    public static Var gelu(Var x) {
        Tensor xd = x.data();
        Tensor y = xd.gelu();
        return Var.record("gelu", y, (g, n) -> {
            // Phi(x) = gelu(x) / x away from 0 (exact: gelu is x * Phi(x)), 1/2 at 0
            Tensor cdf = Tensor.where(xd.eq(0.0), Tensor.scalar(0.5, xd.dtype()), y.div(xd));
            Tensor pdf = xd.square().mul(-0.5).exp().mul(1.0 / Math.sqrt(2 * Math.PI));
            return g1(g.mul(cdf.add(xd.mul(pdf))));
        }, x);
    }

    /** GELU's tanh approximation, 0.5 x (1 + tanh(k (x + 0.044715 x^3))) with k = sqrt(2/pi). */
    public static Var geluTanh(Var x) {
        Tensor xd = x.data();
        return Var.record("gelu", xd.geluTanh(), (g, n) -> {
            double k = Math.sqrt(2 / Math.PI);
            Tensor x2 = xd.square();
            Tensor th = xd.add(xd.mul(x2).mul(0.044715)).mul(k).tanh();
            Tensor dInner = x2.mul(3 * 0.044715).add(1.0).mul(k);
            Tensor d = th.add(1.0).mul(0.5).add(xd.mul(0.5).mul(th.square().neg().add(1.0)).mul(dInner));
            return g1(g.mul(d));
        }, x);
    }

    public static Var silu(Var x) {
        Tensor xd = x.data();
        return Var.record("silu", xd.silu(), (g, n) -> {
            Tensor s = xd.sigmoid();
            return g1(g.mul(s.mul(xd.mul(s.neg().add(1.0)).add(1.0))));
        }, x);
    }

    public static Var sin(Var x) {
        Tensor xd = x.data();
        return Var.record("sin", xd.sin(), (g, n) -> g1(g.mul(xd.cos())), x);
    }

    public static Var cos(Var x) {
        Tensor xd = x.data();
        return Var.record("cos", xd.cos(), (g, n) -> g1(g.mul(xd.sin()).neg()), x);
    }

    /** Gradient passes where min <= x <= max (PyTorch's mask, bounds included). */
    public static Var clamp(Var x, double min, double max) {
        Tensor xd = x.data();
        return Var.record("clamp", xd.clamp(min, max), (g, n) -> {
            Tensor pass = null;
            if (!Double.isNaN(min)) pass = xd.ge(min);
            if (!Double.isNaN(max)) pass = pass == null ? xd.le(max) : pass.logicalAnd(xd.le(max));
            return g1(pass == null ? g : g.mul(pass.to(g.dtype())));
        }, x);
    }

    /** x^p for a scalar p; the derivative p x^(p-1) is 0 where p == 0 (as PyTorch's). */
    public static Var pow(Var x, double p) {
        Tensor xd = x.data();
        return Var.record("pow", xd.pow(p), (g, n) -> g1(p == 0 ? g.mul(0.0) : g.mul(xd.pow(p - 1)).mul(p)), x);
    }

    // ------------------------------------------------------------------ binary

    public static Var add(Var a, Var b) {
        int[] sa = a.shape(), sb = b.shape();
        return Var.record("add", a.data().add(b.data()), (g, n) -> new Tensor[] {n[0] ? sumTo(g, sa) : null, n[1] ? sumTo(g, sb) : null}, a, b);
    }

    public static Var sub(Var a, Var b) {
        int[] sa = a.shape(), sb = b.shape();
        return Var.record("sub", a.data().sub(b.data()), (g, n) -> new Tensor[] {n[0] ? sumTo(g, sa) : null, n[1] ? sumTo(g.neg(), sb) : null}, a, b);
    }

    public static Var mul(Var a, Var b) {
        Tensor ad = a.data(), bd = b.data();
        return Var.record("mul", ad.mul(bd), (g, n) -> new Tensor[] {
                n[0] ? sumTo(g.mul(bd), ad.shape()) : null, n[1] ? sumTo(g.mul(ad), bd.shape()) : null}, a, b);
    }

    public static Var div(Var a, Var b) {
        Tensor ad = a.data(), bd = b.data();
        return Var.record("div", ad.div(bd), (g, n) -> new Tensor[] {
                n[0] ? sumTo(g.div(bd), ad.shape()) : null,
                n[1] ? sumTo(g.mul(ad).div(bd.square()).neg(), bd.shape()) : null}, a, b);
    }

    /** x + s for a Python-style scalar s. */
    public static Var addScalar(Var x, double s) { return Var.record("add", x.data().add(s), (g, n) -> g1(g), x); }

    /** x * s for a Python-style scalar s. */
    public static Var mulScalar(Var x, double s) { return Var.record("mul", x.data().mul(s), (g, n) -> g1(g.mul(s)), x); }

    /** a^b elementwise; d/da = b a^(b-1), d/db = a^b log(a) (0 where a == 0 and b >= 0, as PyTorch's). */
    public static Var pow(Var a, Var b) {
        Tensor ad = a.data(), bd = b.data();
        Tensor y = ad.pow(bd);
        return Var.record("pow", y, (g, n) -> {
            Tensor ga = null, gb = null;
            if (n[0]) ga = sumTo(Tensor.where(bd.eq(0.0), Tensor.scalar(0.0, g.dtype()), g.mul(bd).mul(ad.pow(bd.sub(1.0)))), ad.shape());
            if (n[1]) {
                Tensor lg = Tensor.where(ad.eq(0.0).logicalAnd(bd.ge(0.0)), Tensor.scalar(0.0, g.dtype()), y.mul(ad.log()));
                gb = sumTo(g.mul(lg), bd.shape());
            }
            return new Tensor[] {ga, gb};
        }, a, b);
    }

    /** Elementwise max; at ties each side gets half the gradient (PyTorch 1.13's rule). */
    public static Var maximum(Var a, Var b) { return extremum("maximum", a, b, true); }

    public static Var minimum(Var a, Var b) { return extremum("minimum", a, b, false); }

    private static Var extremum(String op, Var a, Var b, boolean max) {
        Tensor ad = a.data(), bd = b.data();
        Tensor y = max ? ad.maximum(bd) : ad.minimum(bd);
        return Var.record(op, y, (g, n) -> {
            Tensor tie = ad.eq(bd);
            Tensor aWins = max ? ad.gt(bd) : ad.lt(bd);
            Tensor half = g.mul(0.5), zero = Tensor.scalar(0.0, g.dtype());
            Tensor ga = Tensor.where(tie, half, Tensor.where(aWins, g, zero));
            Tensor gb = Tensor.where(tie, half, Tensor.where(aWins, zero, g));
            return new Tensor[] {n[0] ? sumTo(ga, ad.shape()) : null, n[1] ? sumTo(gb, bd.shape()) : null};
        }, a, b);
    }

    public static Var atan2(Var a, Var b) {
        Tensor ad = a.data(), bd = b.data();
        return Var.record("atan2", ad.atan2(bd), (g, n) -> {
            Tensor r2 = ad.square().add(bd.square());
            return new Tensor[] {n[0] ? sumTo(g.mul(bd).div(r2), ad.shape()) : null, n[1] ? sumTo(g.mul(ad).div(r2).neg(), bd.shape()) : null};
        }, a, b);
    }

    /** cond ? a : b; the gradient goes to the side that was picked. */
    public static Var where(Tensor cond, Var a, Var b) {
        Tensor y = Tensor.where(cond, a.data(), b.data());
        int[] sa = a.shape(), sb = b.shape();
        return Var.record("where", y, (g, n) -> {
            Tensor zero = Tensor.scalar(0.0, g.dtype());
            return new Tensor[] {n[0] ? sumTo(Tensor.where(cond, g, zero), sa) : null, n[1] ? sumTo(Tensor.where(cond, zero, g), sb) : null};
        }, a, b);
    }

    public static Var maskedFill(Var x, Tensor mask, double value) {
        return Var.record("masked_fill", x.data().maskedFill(mask, value), (g, n) -> g1(g.maskedFill(mask, 0.0)), x);
    }

    // ------------------------------------------------------------------ registry

    /** The Var-level twins of TensorOps' differentiable elementwise ops (same argument names and defaults). */
    static void register(VarOps r) {
        unary(r, "neg", Elementwise::neg);
        unary(r, "abs", Elementwise::abs);
        unary(r, "square", Elementwise::square);
        unary(r, "exp", Elementwise::exp);
        unary(r, "log", Elementwise::log);
        unary(r, "log1p", Elementwise::log1p);
        unary(r, "expm1", Elementwise::expm1);
        unary(r, "sqrt", Elementwise::sqrt);
        unary(r, "rsqrt", Elementwise::rsqrt);
        unary(r, "reciprocal", Elementwise::reciprocal);
        unary(r, "sigmoid", Elementwise::sigmoid);
        unary(r, "tanh", Elementwise::tanh);
        unary(r, "relu", Elementwise::relu);
        unary(r, "silu", Elementwise::silu);
        unary(r, "sin", Elementwise::sin);
        unary(r, "cos", Elementwise::cos);
        r.register("leaky_relu", (in, a) -> List.of(leakyRelu(in.get(0), a.getDouble("negative_slope", 0.01))));
        r.register("gelu", (in, a) -> List.of(a.getString("approximate", "none").equals("tanh") ? geluTanh(in.get(0)) : gelu(in.get(0))));
        r.register("clamp", (in, a) -> List.of(clamp(in.get(0), a.getDouble("min", Double.NaN), a.getDouble("max", Double.NaN))));
        r.register("pow", (in, a) -> List.of(in.size() == 2 ? pow(in.get(0), in.get(1)) : pow(in.get(0), a.getDouble("exponent", 1))));
        binary(r, "add", Elementwise::add);
        binary(r, "sub", Elementwise::sub);
        binary(r, "mul", Elementwise::mul);
        binary(r, "div", Elementwise::div);
        binary(r, "maximum", Elementwise::maximum);
        binary(r, "minimum", Elementwise::minimum);
        binary(r, "atan2", Elementwise::atan2);
        r.register("where", (in, a) -> List.of(where(in.get(0).data(), in.get(1), in.get(2))));
        r.register("masked_fill", (in, a) -> List.of(maskedFill(in.get(0), in.get(1).data(), a.getDouble("value", 0))));
    }

    private static void unary(VarOps r, String name, UnaryOperator<Var> f) { r.register(name, (in, a) -> List.of(f.apply(in.get(0)))); }

    private static void binary(VarOps r, String name, BinaryOperator<Var> f) {
        r.register(name, (in, a) -> List.of(f.apply(in.get(0), in.get(1))));
    }
}
