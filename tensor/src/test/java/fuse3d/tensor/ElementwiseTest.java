package fuse3d.tensor;

import static fuse3d.tensor.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.tensor.cpu.ElementwiseKernels;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Elementwise ops: PyTorch's values and dtype rules, and every SIMD path against its scalar twin. */
class ElementwiseTest {
    @Test
    void handCases() {
        Tensor x = Tensor.vector(-2, -0.5f, 0, 1.5f);
        assertArrayEquals(new float[] {0, 0, 0, 1.5f}, x.relu().toFloatArray());
        assertArrayEquals(new float[] {-0.2f, -0.05f, 0, 1.5f}, x.leakyRelu(0.1).toFloatArray(), 1e-7f);
        assertArrayEquals(new float[] {-1, -0.5f, 0, 1}, x.clamp(-1, 1).toFloatArray());
        assertArrayEquals(new float[] {-2, -1, 0, 1}, x.floor().toFloatArray());
        assertArrayEquals(new float[] {0, 0, 2}, Tensor.vector(0.5f, -0.5f, 2.5f).round().add(Tensor.vector(0, 0, -0f)).toFloatArray());
        assertEquals(0.8413447460685429 * 1.0, Tensor.scalar(1.0, DType.FLOAT64).gelu().item(), 1e-15);
        assertEquals(Math.atan2(1, -1), Tensor.scalar(1).atan2(Tensor.scalar(-1)).item(), 1e-7);
        assertArrayEquals(new float[] {1, 2}, Tensor.vector(-5, 5).remainder(3).toFloatArray());
    }

    @Test
    void erfMatchesKnownValues() {
        assertEquals(0.0, Erf.erf(0), 0);
        assertEquals(0.5204998778130465, Erf.erf(0.5), 3e-16);
        assertEquals(0.9953222650189527, Erf.erf(2), 1e-15);
        assertEquals(-0.9999999845827421, Erf.erf(-4), 1e-15);
        assertEquals(1.0, Erf.erf(7), 0);
    }

    @Test
    void dtypePromotionFollowsTorch() {
        Tensor i = Tensor.ofLongs(new long[] {1, 2, 3}, 3);
        assertEquals(DType.INT64, i.add(2).dtype());
        assertEquals(DType.FLOAT32, i.add(0.5).dtype());
        assertEquals(DType.FLOAT32, i.div(2).dtype());
        assertArrayEquals(new float[] {0.5f, 1, 1.5f}, i.div(2).toFloatArray());
        assertEquals(DType.FLOAT32, i.add(Tensor.vector(1, 1, 1)).dtype());
        assertEquals(DType.BOOL, i.gt(1).dtype());
        assertEquals(DType.INT64, i.sum().dtype());
        // a 0-d float64 operand does not promote a float32 tensor (same category)
        assertEquals(DType.FLOAT32, Tensor.vector(1, 2).mul(Tensor.scalar(2, DType.FLOAT64)).dtype());
        assertEquals(DType.FLOAT64, Tensor.vector(1, 2).mul(Tensor.of(new double[] {2, 2}, 2)).dtype());
        assertArrayEquals(new long[] {1, 4, 9}, i.pow(2).toLongArray());
    }

    @Test
    void errorsNameOpAndShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).add(Tensor.zeros(4)));
        assertEquals("add: shapes [2, 3] and [4] cannot be broadcast: dim 1 has sizes 3 and 4 (must be equal or 1)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.where(Tensor.zeros(2), Tensor.zeros(2), Tensor.zeros(2)));
        assertTrue(e.getMessage().startsWith("where: condition must be bool"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.arange(4).mean());
        assertTrue(e.getMessage().startsWith("mean: expects a floating tensor"), e.getMessage());
    }

    @Test
    void whereAndMaskedFillBroadcast() {
        Tensor c = Tensor.ofBools(new boolean[] {true, false}, 2, 1);
        Tensor r = Tensor.where(c, Tensor.ones(2, 3), Tensor.zeros(3));
        assertArrayEquals(new float[] {1, 1, 1, 0, 0, 0}, r.toFloatArray());
        Tensor m = Tensor.vector(1, -1, 2).gt(0);
        assertArrayEquals(new float[] {9, -1, 9}, Tensor.vector(1, -1, 2).maskedFill(m, 9).toFloatArray());
    }

    /** Every unary op's vector path agrees with its scalar twin (1 ulp-scale for transcendental ops). */
    @Property(tries = 40)
    void unarySimdMatchesScalarTwin(@ForAll long seed, @ForAll @IntRange(min = 1, max = 70) int n) {
        Generator g = new Generator(seed);
        float[] x = g.uniform(-6, 6, n).toFloatArray();
        float[] pos = g.uniform(0.01, 8, n).toFloatArray();
        for (UnaryOp op : UnaryOp.values()) {
            if (op.boolResult()) continue;
            float[] in = (op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.RSQRT || op == UnaryOp.LOG1P || op == UnaryOp.POW_SCALAR) ? pos : x;
            float[] fast = new float[n], ref = new float[n];
            double p0 = op == UnaryOp.CLAMP ? -1.5 : op == UnaryOp.POW_SCALAR ? 2.5 : 0.1, p1 = 2.0;
            ElementwiseKernels.unaryRow(op, in, 0, 1, fast, 0, n, p0, p1);
            ElementwiseKernels.unaryRowScalar(op, in, 0, 1, ref, 0, n, p0, p1);
            for (int i = 0; i < n; i++)
                assertEquals(ref[i], fast[i], 4e-6 * Math.max(1, Math.abs(ref[i])), op + " at " + i + " of " + in[i]);
        }
    }

    /** Binary vector paths (same-shape and scalar-broadcast rows) agree with the scalar twin. */
    @Property(tries = 40)
    void binarySimdMatchesScalarTwin(@ForAll long seed, @ForAll @IntRange(min = 1, max = 70) int n) {
        Generator g = new Generator(seed);
        float[] a = g.uniform(0.1, 4, n).toFloatArray(), b = g.uniform(-3, 3, n).toFloatArray();
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.MAXIMUM, BinaryOp.MINIMUM, BinaryOp.POW, BinaryOp.ATAN2}) {
            for (int[] strides : new int[][] {{1, 1}, {1, 0}, {0, 1}}) {
                float[] fast = new float[n], ref = new float[n];
                ElementwiseKernels.binaryRow(op, a, 0, strides[0], b, 0, strides[1], fast, 0, n);
                ElementwiseKernels.binaryRowScalar(op, a, 0, strides[0], b, 0, strides[1], ref, 0, n);
                for (int i = 0; i < n; i++)
                    assertEquals(ref[i], fast[i], 4e-6 * Math.max(1, Math.abs(ref[i])), op + " strides " + strides[0] + "," + strides[1] + " at " + i);
            }
        }
    }

    /** Arithmetic on dyadic values is exact in float32, so commutativity and distributivity hold bitwise. */
    @Property(tries = 60)
    void arithmeticLawsHoldExactlyOnDyadics(@ForAll long seed) {
        Generator g = new Generator(seed);
        Tensor a = g.randint(-64, 64, 3, 5).toFloat().div(16), b = g.randint(-64, 64, 5).toFloat().div(16), c = g.randint(-64, 64, 3, 1).toFloat().div(16);
        assertClose(a.add(b), b.add(a), 0, 0);
        assertClose(a.mul(b), b.mul(a), 0, 0);
        assertClose(a.mul(b.add(c)), a.mul(b).add(a.mul(c)), 0, 0);
        assertClose(a.sub(b).add(b), a, 0, 0);
        assertClose(a.neg().neg(), a, 0, 0);
        assertClose(a.maximum(b).add(a.minimum(b)), a.add(b), 0, 0);
    }

    /** Strided (non-contiguous) inputs take the generic path; results equal those on contiguous copies. */
    @Property(tries = 40)
    void stridedInputsMatchContiguous(@ForAll long seed) {
        Generator g = new Generator(seed);
        Tensor x = g.normal(0, 2, 6, 9).t();
        Tensor y = g.normal(0, 2, 9, 6).slice(1, 0, 6, 1);
        assertClose(x.exp(), x.contiguous().exp(), 2e-6, 0);
        assertClose(x.mul(y), x.contiguous().mul(y.contiguous()), 0, 0);
        assertClose(x.sigmoid().toDouble(), x.toDouble().sigmoid(), 1e-6, 1e-7);
    }

    /** Long contiguous rows are split across the compute pool; every piece, tail included, must be computed. */
    @Test
    void longRowsSplitAcrossThreadsComputeEveryElement() {
        int n = 200_003;
        Tensor x = new Generator(3).uniform(-3, 3, n);
        float[] xs = x.toFloatArray();
        float[] e = x.exp().toFloatArray(), s = x.mul(2).add(x).toFloatArray();
        for (int i = 0; i < n; i++) {
            assertEquals(Math.exp(xs[i]), e[i], 4e-6 * Math.exp(xs[i]), "exp at " + i);
            assertEquals(3 * xs[i], s[i], 1e-5, "2x + x at " + i);
        }
    }

    @Test
    void reluAndSignOfNegativeZeroAndNaNFollowTorch() {
        // torch 1.13: relu(-0.0) = -0.0 and relu(nan) = nan, on the vectorized and the scalar path alike;
        // sign(nan) = sign(-0.0) = 0.0, from its (0 < x) - (x < 0)
        float[] in = new float[37];
        for (int i = 0; i < in.length; i++) in[i] = i % 3 == 0 ? -0f : i % 3 == 1 ? Float.NaN : -1;
        float[] relu = Tensor.vector(in).relu().toFloatArray();
        for (int i = 0; i < in.length; i++)
            assertEquals(Float.floatToRawIntBits(i % 3 == 0 ? -0f : i % 3 == 1 ? Float.NaN : 0f), Float.floatToRawIntBits(relu[i]), "element " + i);
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(Tensor.vector(-0f).relu().toFloatArray()[0]));
        // torch.full((), -0.0) keeps the sign
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(Tensor.scalar(-0.0, DType.FLOAT64).item()));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(Tensor.scalar(-0.0, DType.FLOAT64).relu().item()));
        assertArrayEquals(new float[] {0, 0, 0, 1, -1}, Tensor.vector(Float.NaN, -0f, 0, 3, -2).sign().toFloatArray());
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(Tensor.vector(-0f).sign().toFloatArray()[0]));
        // torch.sign(tensor([True, False])) = tensor([True, False]) (bool)
        Tensor sb = Tensor.ofBools(new boolean[] {true, false}, 2).sign();
        assertEquals(DType.BOOL, sb.dtype());
        assertArrayEquals(new boolean[] {true, false}, sb.toBoolArray());
    }

    @Test
    void clampOfIntegersByFractionalBoundGivesFloat() {
        // torch 1.13: clamp(tensor([1, 2, 3]), min=1.5) -> tensor([1.5, 2., 3.]) float32
        Tensor c = Tensor.ofLongs(new long[] {1, 2, 3}, 3).clampMin(1.5);
        assertEquals(DType.FLOAT32, c.dtype());
        assertArrayEquals(new float[] {1.5f, 2, 3}, c.toFloatArray());
        Tensor d = Tensor.ofLongs(new long[] {1, 2, 3}, 3).clamp(1, 2.5);
        assertArrayEquals(new float[] {1, 2, 2.5f}, d.toFloatArray());
        // integral bounds keep the integer dtype
        assertEquals(DType.INT64, Tensor.ofLongs(new long[] {1, 2, 3}, 3).clamp(2, 2).dtype());
    }

    @Test
    void floorDivideOfFloatsFollowsTorchNotFloorOfQuotient() {
        // torch 1.13 (float64): floor_divide([1, 0.3, -3, 3, 5], [0.1, 0.1, inf, -inf, 0]) = [9, 2, -1, -1, inf]
        // (Python's 1.0 // 0.1 == 9.0), where floor(a / b) gives [10, 3, -0, -0, inf]
        Tensor a = Tensor.of(new double[] {1, 0.3, -3, 3, 5}, 5);
        Tensor b = Tensor.of(new double[] {0.1, 0.1, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0}, 5);
        assertArrayEquals(new double[] {9, 2, -1, -1, Double.POSITIVE_INFINITY}, a.floorDivide(b).toDoubleArray());
        // float32: floor_divide(tensor([-3.]), tensor([inf])) = -1
        assertArrayEquals(new float[] {-1}, Tensor.vector(-3).floorDivide(Tensor.vector(Float.POSITIVE_INFINITY)).toFloatArray());
    }

    @Test
    void logicalOpsOnFloatsUseTruthiness() {
        // torch 1.13: logical_and(tensor([0.5, 0., nan]), tensor([1, 1, 1])) = [True, False, True];
        // logical_or(tensor([0.25, nan]), tensor([0., 0.])) = [True, True]; logical_xor(0.5, 0.5) = False
        assertArrayEquals(new boolean[] {true, false, true},
                Tensor.vector(0.5f, 0, Float.NaN).logicalAnd(Tensor.ofLongs(new long[] {1, 1, 1}, 3)).toBoolArray());
        assertArrayEquals(new boolean[] {true, true}, Tensor.vector(0.25f, Float.NaN).logicalOr(Tensor.vector(0, 0)).toBoolArray());
        assertArrayEquals(new boolean[] {false}, Tensor.vector(0.5f).logicalXor(Tensor.vector(0.5f)).toBoolArray());
    }

    @Test
    void clampKeepsNegativeZeroAndNaNOnEveryPath() {
        // torch 1.13, 64 elements (vectorized): clamp(-0.0, 0, 1) = -0.0; clamp(nan, 2, 1) = nan while
        // min > max gives max (1) elsewhere
        float[] v = new float[64];
        java.util.Arrays.fill(v, -0f);
        v[3] = Float.NaN;
        v[5] = 5;
        float[] c = Tensor.vector(v).clamp(0, 1).toFloatArray();
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(c[0]));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(c[63]));
        assertTrue(Float.isNaN(c[3]));
        assertEquals(1f, c[5]);
        float[] inverted = Tensor.vector(v).clamp(2, 1).toFloatArray();
        assertTrue(Float.isNaN(inverted[3]));
        assertEquals(1f, inverted[0]);
        assertEquals(1f, inverted[63]);
        assertTrue(Float.isNaN(Tensor.vector(Float.NaN, 0).clamp(2, 1).toFloatArray()[0]));
    }

    @Test
    void integerPowWithNegativeTensorExponent() {
        // torch 1.13: pow(tensor([0, 2, -2, 1, -1, -1, 3]), tensor([-1, -1, -1, -5, -5, -4, -2])) = [0, 0, 0, 1, -1, 1, 0]
        Tensor r = Tensor.ofLongs(new long[] {0, 2, -2, 1, -1, -1, 3}, 7).pow(Tensor.ofLongs(new long[] {-1, -1, -1, -5, -5, -4, -2}, 7));
        assertEquals(DType.INT64, r.dtype());
        assertArrayEquals(new long[] {0, 0, 0, 1, -1, 1, 0}, r.toLongArray());
    }
}
