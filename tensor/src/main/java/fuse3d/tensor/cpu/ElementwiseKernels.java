package fuse3d.tensor.cpu;

import fuse3d.tensor.BinaryOp;
import fuse3d.tensor.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 elementwise row kernels: a Vector API version for unit-stride (and scalar-broadcast) rows and a
 * plain scalar twin that defines the result. Output rows are always contiguous.
 */
public final class ElementwiseKernels {
    private static final VectorSpecies<Float> F = Simd.F;

    private ElementwiseKernels() {}

    /** out[oo + i] = op(x[xo + i*xs]) for i in [0, n). */
    public static void unaryRow(UnaryOp op, float[] x, int xo, int xs, float[] out, int oo, int n, double p0, double p1) {
        if (Simd.ENABLED && xs == 1 && n >= F.length() && unarySimd(op, x, xo, out, oo, n, (float) p0, (float) p1)) return;
        unaryRowScalar(op, x, xo, xs, out, oo, n, p0, p1);
    }

    /** The scalar twin: evaluates the float64 definition and rounds once. */
    public static void unaryRowScalar(UnaryOp op, float[] x, int xo, int xs, float[] out, int oo, int n, double p0, double p1) {
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++) out[oo + i] = -x[xo + i * xs]; }
            case ABS -> { for (int i = 0; i < n; i++) out[oo + i] = Math.abs(x[xo + i * xs]); }
            case RELU -> { for (int i = 0; i < n; i++) { float v = x[xo + i * xs]; out[oo + i] = v < 0 ? 0f : v; } } // NaN and -0.0 pass, as torch
            case SQUARE -> { for (int i = 0; i < n; i++) { float v = x[xo + i * xs]; out[oo + i] = v * v; } }
            default -> { for (int i = 0; i < n; i++) out[oo + i] = (float) op.apply(x[xo + i * xs], p0, p1); }
        }
    }

    /**
     * Returns false when the op has no vector form; the caller then runs the scalar twin.
     *
     * <p>Vector forms use only lane ops whose IEEE results are exact (add, mul, div, sqrt, fma, compares,
     * blends), and exp is {@link Simd#exp}, built from those. The Vector API's transcendental lanes (EXP, LOG,
     * TANH, POW, ...) give different bits in the Java fallback and in C2's SVML intrinsic, so a kernel using them
     * changed its results when the JIT compiled it, at a moment that depends on thread timing: two identical
     * training runs drifted apart after a few steps. Those ops run the scalar twin: {@link Math} calls give the
     * same bits interpreted and compiled.
     */
    static boolean unarySimd(UnaryOp op, float[] x, int xo, float[] out, int oo, int n, float p0, float p1) {
        int bound = F.loopBound(n);
        int i = 0;
        switch (op) {
            case NEG -> { for (; i < bound; i += F.length()) FloatVector.fromArray(F, x, xo + i).neg().intoArray(out, oo + i); }
            case ABS -> { for (; i < bound; i += F.length()) FloatVector.fromArray(F, x, xo + i).abs().intoArray(out, oo + i); }
            case SQUARE -> { for (; i < bound; i += F.length()) { var v = FloatVector.fromArray(F, x, xo + i); v.mul(v).intoArray(out, oo + i); } }
            case EXP -> { for (; i < bound; i += F.length()) Simd.exp(FloatVector.fromArray(F, x, xo + i)).intoArray(out, oo + i); }
            case SQRT -> { for (; i < bound; i += F.length()) FloatVector.fromArray(F, x, xo + i).sqrt().intoArray(out, oo + i); }
            case RSQRT -> { for (; i < bound; i += F.length()) FloatVector.broadcast(F, 1f).div(FloatVector.fromArray(F, x, xo + i).sqrt()).intoArray(out, oo + i); }
            case RECIPROCAL -> { for (; i < bound; i += F.length()) FloatVector.broadcast(F, 1f).div(FloatVector.fromArray(F, x, xo + i)).intoArray(out, oo + i); }
            case SIGMOID -> {
                var one = FloatVector.broadcast(F, 1f);
                for (; i < bound; i += F.length())
                    one.div(one.add(Simd.exp(FloatVector.fromArray(F, x, xo + i).neg()))).intoArray(out, oo + i);
            }
            case SILU -> {
                var one = FloatVector.broadcast(F, 1f);
                for (; i < bound; i += F.length()) {
                    var v = FloatVector.fromArray(F, x, xo + i);
                    v.div(one.add(Simd.exp(v.neg()))).intoArray(out, oo + i);
                }
            }
            case RELU -> {
                var zero = FloatVector.zero(F);
                for (; i < bound; i += F.length()) {
                    var v = FloatVector.fromArray(F, x, xo + i);
                    v.blend(zero, v.compare(VectorOperators.LT, 0f)).intoArray(out, oo + i); // NaN and +0 pass through
                }
            }
            case SIGN -> {
                // (x > 0) - (x < 0) as the scalar twin: NaN fails both compares and gives 0, -0.0 gives 0
                var zero = FloatVector.zero(F);
                var one = FloatVector.broadcast(F, 1f);
                for (; i < bound; i += F.length()) {
                    var v = FloatVector.fromArray(F, x, xo + i);
                    zero.blend(one, v.compare(VectorOperators.GT, 0f)).sub(zero.blend(one, v.compare(VectorOperators.LT, 0f))).intoArray(out, oo + i);
                }
            }
            case LEAKY_RELU -> {
                for (; i < bound; i += F.length()) {
                    var v = FloatVector.fromArray(F, x, xo + i);
                    v.blend(v.mul(p0), v.compare(VectorOperators.LE, 0f)).intoArray(out, oo + i);
                }
            }
            case CLAMP -> {
                if (Float.isNaN(p0) || Float.isNaN(p1)) return false;
                // compare-and-blend like the scalar twin: max/min would turn -0.0 into 0.0 (torch keeps -0.0),
                // and NaN fails both compares so it passes through
                var lo = FloatVector.broadcast(F, p0);
                var hi = FloatVector.broadcast(F, p1);
                for (; i < bound; i += F.length()) {
                    var v = FloatVector.fromArray(F, x, xo + i);
                    var c = v.blend(lo, v.compare(VectorOperators.LT, lo));
                    c.blend(hi, c.compare(VectorOperators.GT, hi)).intoArray(out, oo + i);
                }
            }
            default -> { return false; }
        }
        if (i < n) unaryRowScalar(op, x, xo + i, 1, out, oo + i, n - i, p0, p1);
        return true;
    }

    /** out[oo + i] = op(a[ao + i*as], b[bo + i*bs]) for arithmetic ops with a float32 result. */
    public static void binaryRow(BinaryOp op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        if (Simd.ENABLED && n >= F.length() && (as == 1 || as == 0) && (bs == 1 || bs == 0) && (as | bs) != 0
                && binarySimd(op, a, ao, as, b, bo, bs, out, oo, n)) return;
        binaryRowScalar(op, a, ao, as, b, bo, bs, out, oo, n);
    }

    public static void binaryRowScalar(BinaryOp op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i * as] + b[bo + i * bs]; }
            case SUB -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i * as] - b[bo + i * bs]; }
            case MUL -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i * as] * b[bo + i * bs]; }
            case DIV -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i * as] / b[bo + i * bs]; }
            default -> { for (int i = 0; i < n; i++) out[oo + i] = (float) op.apply(a[ao + i * as], b[bo + i * bs]); }
        }
    }

    static boolean binarySimd(BinaryOp op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        switch (op) {
            case ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM -> { } // not POW, ATAN2: see unarySimd
            default -> { return false; }
        }
        int bound = F.loopBound(n);
        int i = 0;
        // The operator is chosen per vector by a switch on the (loop-invariant) op, not passed to lanewise as
        // a variable: C2 intrinsifies lanewise only for a constant operator, and a variable one fell back to
        // a per-lane Java loop about four times slower than the unary kernels.
        if (as == 1 && bs == 1) {
            for (; i < bound; i += F.length())
                apply(op, FloatVector.fromArray(F, a, ao + i), FloatVector.fromArray(F, b, bo + i)).intoArray(out, oo + i);
        } else if (as == 1) {
            var vb = FloatVector.broadcast(F, b[bo]);
            for (; i < bound; i += F.length()) apply(op, FloatVector.fromArray(F, a, ao + i), vb).intoArray(out, oo + i);
        } else {
            var va = FloatVector.broadcast(F, a[ao]);
            for (; i < bound; i += F.length()) apply(op, va, FloatVector.fromArray(F, b, bo + i)).intoArray(out, oo + i);
        }
        if (i < n) binaryRowScalar(op, a, ao + i * as, as, b, bo + i * bs, bs, out, oo + i, n - i);
        return true;
    }

    private static FloatVector apply(BinaryOp op, FloatVector x, FloatVector y) {
        return switch (op) {
            case ADD -> x.add(y);
            case SUB -> x.sub(y);
            case MUL -> x.mul(y);
            case DIV -> x.div(y);
            case MAXIMUM -> x.lanewise(VectorOperators.MAX, y);
            case MINIMUM -> x.lanewise(VectorOperators.MIN, y);
            default -> throw new IllegalStateException(op + " has no vector form");
        };
    }

    /** out[i] = y[i] <= 0 ? 0 : g[i] (relu's gradient from its output; NaN passes), in parallel pieces. */
    public static void reluBackward(float[] g, int go, float[] y, int yo, float[] out, int n) {
        Parallel.forWork((n + 4095) / 4096, n, (b0, b1) -> {
            int from = b0 * 4096, to = Math.min(n, b1 * 4096), i = from;
            if (Simd.ENABLED) {
                var zero = FloatVector.zero(F);
                for (; i + F.length() <= to; i += F.length()) {
                    var yv = FloatVector.fromArray(F, y, yo + i);
                    FloatVector.fromArray(F, g, go + i).blend(zero, yv.compare(VectorOperators.LE, 0f)).intoArray(out, i);
                }
            }
            for (; i < to; i++) out[i] = y[yo + i] <= 0 ? 0f : g[go + i];
        });
    }

    /** Sum of a unit-stride float row, accumulated in vector lanes per block and in float64 across blocks. */
    public static double sumRow(float[] x, int xo, int n) {
        if (!Simd.ENABLED || n < 4 * F.length()) return sumRowScalar(x, xo, n);
        double total = 0;
        final int block = 4096;
        int lanes = F.length();
        for (int start = 0; start < n; start += block) {
            int len = Math.min(block, n - start);
            int b4 = len - len % (4 * lanes);
            var s0 = FloatVector.zero(F);
            var s1 = FloatVector.zero(F);
            var s2 = FloatVector.zero(F);
            var s3 = FloatVector.zero(F);
            int base = xo + start;
            int i = 0;
            for (; i < b4; i += 4 * lanes) {
                s0 = s0.add(FloatVector.fromArray(F, x, base + i));
                s1 = s1.add(FloatVector.fromArray(F, x, base + i + lanes));
                s2 = s2.add(FloatVector.fromArray(F, x, base + i + 2 * lanes));
                s3 = s3.add(FloatVector.fromArray(F, x, base + i + 3 * lanes));
            }
            double t = Simd.sumLanes(s0.add(s1).add(s2.add(s3)));
            for (; i < len; i++) t += x[base + i];
            total += t;
        }
        return total;
    }

    /** The scalar twin of {@link #sumRow}: a float64 running sum. */
    public static double sumRowScalar(float[] x, int xo, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += x[xo + i];
        return s;
    }
}
