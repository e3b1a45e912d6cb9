package fuse3d.tensor.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import fuse3d.tensor.BinaryOp;
import fuse3d.tensor.Generator;
import fuse3d.tensor.UnaryOp;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The transcendental kernels give the same bits before and after the JIT compiles them: the result of a kernel
 * must not depend on how often it ran before. The Vector API's EXP, TANH, POW... lanes broke this (the Java
 * fallback rounds {@code Math.exp}, C2's SVML intrinsic gives other bits in some lanes), which made two identical
 * Voxel R-CNN training runs drift apart after a few steps, at a step that depended on thread timing.
 *
 * <p>Each kernel runs many times over the same row, enough for C2 to compile it, and every call must give exactly
 * what a JIT-independent reference gives: the scalar twin, or for the ops built on {@link Simd#exp} the same
 * formula over its scalar twin {@link Simd#expScalar} (softmax: the first call).
 */
class JitInvarianceTest {
    private static final int N = 1024, CALLS = 10_000;

    private static final List<UnaryOp> UNARY = List.of(UnaryOp.EXP, UnaryOp.LOG, UnaryOp.LOG1P, UnaryOp.EXPM1, UnaryOp.TANH, UnaryOp.SIN,
            UnaryOp.COS, UnaryOp.SIGMOID, UnaryOp.SILU);

    private static float[] input(long seed, double scale, boolean positive) {
        float[] x = new Generator(seed).normal(0, scale, N).toFloatArray();
        if (positive) for (int i = 0; i < N; i++) x[i] = Math.abs(x[i]) + 1e-3f;
        return x;
    }

    private static boolean needsPositive(UnaryOp op) { return op == UnaryOp.LOG || op == UnaryOp.LOG1P; }

    private static void assertSameBits(String what, int call, float[] expected, float[] got) {
        for (int i = 0; i < expected.length; i++)
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(got[i]))
                fail(what + ": call " + call + " gave " + got[i] + " at " + i + ", the scalar twin (and the first call) " + expected[i]);
    }

    @Test
    void unaryAndBinaryKernelsMatchTheirScalarTwinsOnEveryCall() {
        float[][] xs = new float[UNARY.size()][], want = new float[UNARY.size()][];
        for (int k = 0; k < UNARY.size(); k++) {
            UnaryOp op = UNARY.get(k);
            xs[k] = input(k, 3, needsPositive(op));
            want[k] = new float[N];
            ElementwiseKernels.unaryRowScalar(op, xs[k], 0, 1, want[k], 0, N, 0, 0);
            for (int i = 0; i < N; i++) {
                float v = xs[k][i];
                if (op == UnaryOp.EXP) want[k][i] = Simd.expScalar(v);
                if (op == UnaryOp.SIGMOID) want[k][i] = 1f / (1f + Simd.expScalar(-v));
                if (op == UnaryOp.SILU) want[k][i] = v / (1f + Simd.expScalar(-v));
            }
        }
        float[] base = input(100, 2, true), expo = input(101, 1, false);
        float[] wantPow = new float[N], wantAtan2 = new float[N];
        ElementwiseKernels.binaryRowScalar(BinaryOp.POW, base, 0, 1, expo, 0, 1, wantPow, 0, N);
        ElementwiseKernels.binaryRowScalar(BinaryOp.ATAN2, expo, 0, 1, base, 0, 1, wantAtan2, 0, N);
        float[] out = new float[N];
        // interleaved, so that every op runs in each of the kernel's compiled states
        for (int call = 0; call < CALLS; call++) {
            for (int k = 0; k < UNARY.size(); k++) {
                ElementwiseKernels.unaryRow(UNARY.get(k), xs[k], 0, 1, out, 0, N, 0, 0);
                assertSameBits(UNARY.get(k).torchName(), call, want[k], out);
            }
            ElementwiseKernels.binaryRow(BinaryOp.POW, base, 0, 1, expo, 0, 1, out, 0, N);
            assertSameBits("pow", call, wantPow, out);
            ElementwiseKernels.binaryRow(BinaryOp.ATAN2, expo, 0, 1, base, 0, 1, out, 0, N);
            assertSameBits("atan2", call, wantAtan2, out);
        }
    }

    @Test
    void simdExpIsWithinOneUlpOfMathExpAndMatchesItsScalarTwin() {
        float[] x = new float[1 << 16];
        int k = 0;
        for (float v : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 88.72283f, 88.72284f, -87.33655f,
                -103.28f, -104f, -200f, 1e-30f, -1e-30f})
            x[k++] = v;
        Generator gen = new Generator(11);
        while (k < x.length) x[k++] = (float) (gen.nextDouble() * 200 - 110);
        float[] got = new float[x.length];
        for (int i = 0; i < x.length; i += Simd.F.length()) Simd.exp(jdk.incubator.vector.FloatVector.fromArray(Simd.F, x, i)).intoArray(got, i);
        for (int i = 0; i < x.length; i++) {
            float want = (float) Math.exp(x[i]), twin = Simd.expScalar(x[i]);
            String at = "exp(" + x[i] + ") = " + got[i] + ", Math.exp " + want + ", scalar twin " + twin;
            if (Float.isNaN(want)) {
                if (!Float.isNaN(got[i]) || !Float.isNaN(twin)) fail(at);
                continue;
            }
            if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(twin)) fail("vector and scalar twin differ: " + at);
            if (want < Float.MIN_NORMAL || Float.isInfinite(want)) {
                if (Math.abs(got[i] - want) > Float.MIN_VALUE) fail(at); // subnormal results: one step of the smallest subnormal
                continue;
            }
            if (Math.abs(Float.floatToRawIntBits(got[i]) - Float.floatToRawIntBits(want)) > 1) fail("more than 1 ulp: " + at);
        }
    }

    @Test
    void softmaxAndItsBackwardGiveTheSameBitsOnEveryCall() {
        float[] x = input(7, 4, false);
        float[] soft0 = new float[N], log0 = new float[N], out = new float[N];
        SoftmaxKernels.rows(x, 0, soft0, 1, N, false);
        SoftmaxKernels.rows(x, 0, log0, 1, N, true);
        // log-softmax's backward g - exp(y) sum(g): small integer g make the sum exact in any order, so the
        // expected row is the formula
        float[] g = new float[N];
        Generator gen = new Generator(8);
        float s = 0;
        for (int i = 0; i < N; i++) {
            g[i] = gen.nextLong(7) - 3;
            s += g[i];
        }
        float[] wantDx = new float[N];
        for (int i = 0; i < N; i++) wantDx[i] = g[i] - Simd.expScalar(log0[i]) * s;
        for (int call = 0; call < CALLS / 2; call++) {
            SoftmaxKernels.rows(x, 0, out, 1, N, false);
            assertSameBits("softmax", call, soft0, out);
            SoftmaxKernels.rows(x, 0, out, 1, N, true);
            assertSameBits("log_softmax", call, log0, out);
            SoftmaxKernels.backwardRows(log0, 0, g, 0, out, 1, N, true);
            assertSameBits("log_softmax backward", call, wantDx, out);
        }
    }
}
