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

/** Reductions against float64 loops, softmax's laws, and the index conventions of max/min. */
class ReductionTest {
    /** Sums and variances over leading dims take a blocked column path; several blocks of 256 rows against float64. */
    @Test
    void leadingDimReductionsMatchFloat64AcrossBlocks() {
        Tensor x = new Generator(5).normal(3, 2, 3, 700, 7);
        Tensor xd = x.toDouble();
        assertClose(x.sum(new int[] {0, 1}, false), xd.sum(new int[] {0, 1}, false).toFloat(), 1e-6, 1e-4);
        assertClose(x.sum(new int[] {0}, true), xd.sum(new int[] {0}, true).toFloat(), 1e-6, 1e-4);
        assertClose(x.var(new int[] {0, 1}, 1, false), xd.var(new int[] {0, 1}, 1, false).toFloat(), 1e-6, 1e-6);
        assertClose(x.mean(new int[] {0, 1}, true), xd.mean(new int[] {0, 1}, true).toFloat(), 1e-6, 1e-6);
        // a non-contiguous view takes the general path and must agree
        assertClose(x.transpose(1, 2).contiguous().transpose(1, 2).sum(new int[] {0, 1}, false), x.sum(new int[] {0, 1}, false), 1e-6, 1e-5);
    }

    @Test
    void handCases() {
        Tensor x = Tensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new float[] {5, 7, 9}, x.sum(0).toFloatArray());
        assertArrayEquals(new float[] {6, 15}, x.sum(new int[] {1}, true).toFloatArray());
        assertArrayEquals(new int[] {2, 1}, x.sum(new int[] {1}, true).shape());
        assertEquals(3.5, x.mean().item(), 0);
        assertEquals(3.5, x.var().item(), 1e-6);
        assertEquals(Math.sqrt(91), x.norm().item(), 1e-5);
        assertArrayEquals(new long[] {2, 2}, x.argmax(1, false).toLongArray());
        assertEquals(5, x.argmax().item());
        assertArrayEquals(new float[] {1, 3, 6, 4, 9, 15}, x.cumsum(1).toFloatArray());
        assertEquals(720, x.prod().item(), 0);
        Tensor ties = Tensor.vector(3, 1, 3, Float.NaN, 3);
        assertEquals(3, ties.argmax(0, false).item()); // NaN wins
        assertEquals(0, Tensor.vector(3, 1, 3).argmax(0, false).item()); // first of equal maxima
    }

    @Test
    void emptyReductionsFollowTorch() {
        Tensor e = Tensor.zeros(0, 3);
        assertArrayEquals(new float[] {0, 0, 0}, e.sum(0).toFloatArray());
        assertTrue(Double.isNaN(e.mean(new int[] {0}, false).toFloatArray()[0]));
        assertThrows(IllegalArgumentException.class, () -> e.amax(new int[] {0}, false));
        assertThrows(IllegalArgumentException.class, e::max);
    }

    @Test
    void softmaxIsStableForLargeLogits() {
        Tensor x = Tensor.vector(1000, 1001, 1002);
        double[] s = x.softmax(0).toDoubleArray();
        assertEquals(1.0, s[0] + s[1] + s[2], 1e-6);
        assertEquals(Math.exp(-2) / (1 + Math.exp(-1) + Math.exp(-2)), s[0], 1e-6);
        assertClose(x.logSoftmax(0), x.softmax(0).log(), 1e-5, 1e-6);
    }

    /** sum/mean/amax over random dims equal float64 loops over the same elements. */
    @Property(tries = 60)
    void reductionsMatchFloat64Loops(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int rank) {
        Generator g = new Generator(seed);
        int[] shape = new int[rank];
        for (int i = 0; i < rank; i++) shape[i] = 1 + (int) g.nextLong(6);
        Tensor x = g.normal(0, 1, shape);
        int d = (int) g.nextLong(rank);
        Tensor sum = x.sum(new int[] {d}, true);
        Tensor xd = x.toDouble();
        double[] flat = xd.toDoubleArray();
        int inner = 1;
        for (int i = d + 1; i < rank; i++) inner *= shape[i];
        int outer = flat.length / (inner * shape[d]);
        double[] expect = new double[outer * inner];
        double[] expMax = new double[outer * inner];
        java.util.Arrays.fill(expMax, Double.NEGATIVE_INFINITY);
        for (int o = 0; o < outer; o++)
            for (int k = 0; k < shape[d]; k++)
                for (int i = 0; i < inner; i++) {
                    double v = flat[(o * shape[d] + k) * inner + i];
                    expect[o * inner + i] += v;
                    expMax[o * inner + i] = Math.max(expMax[o * inner + i], v);
                }
        int[] kshape = shape.clone();
        kshape[d] = 1;
        assertClose(sum, Tensor.of(expect, kshape).toFloat(), 1e-5, 1e-5);
        assertClose(x.amax(new int[] {d}, true), Tensor.of(expMax, kshape).toFloat(), 0, 0);
        assertClose(x.mean(new int[] {d}, true), Tensor.of(expect, kshape).div(shape[d]).toFloat(), 1e-5, 1e-6);
        assertClose(x.sum(), Tensor.scalar(java.util.Arrays.stream(flat).sum()), 1e-5, 1e-4);
    }

    /** Softmax rows are positive and sum to 1 along the chosen dim. */
    @Property(tries = 60)
    void softmaxRowsSumToOne(@ForAll long seed, @ForAll @IntRange(min = 0, max = 2) int dim) {
        Generator g = new Generator(seed);
        Tensor x = g.normal(0, 5, 3, 4, 5);
        Tensor s = x.softmax(dim);
        assertTrue(s.ge(0).all().item() == 1);
        assertClose(s.sum(new int[] {dim}, false), Tensor.ones(s.sum(new int[] {dim}, false).shape()), 1e-5, 1e-6);
        assertClose(x.logsumexp(new int[] {dim}, false), x.toDouble().exp().sum(new int[] {dim}, false).log().toFloat(), 1e-5, 1e-5);
    }

    /** The vector sum kernel agrees with its float64 twin within a length-aware bound. */
    @Property(tries = 40)
    void sumKernelMatchesScalarTwin(@ForAll long seed, @ForAll @IntRange(min = 1, max = 20000) int n) {
        float[] x = new Generator(seed).normal(0, 1, n).toFloatArray();
        double ref = ElementwiseKernels.sumRowScalar(x, 0, n);
        double abs = 0;
        for (float v : x) abs += Math.abs(v);
        assertEquals(ref, ElementwiseKernels.sumRow(x, 0, n), 1e-6 * abs + 1e-9);
    }

    @Property(tries = 40)
    void varianceMatchesDefinition(@ForAll long seed, @ForAll @IntRange(min = 2, max = 50) int n) {
        double[] v = new Generator(seed).normal(DType.FLOAT64, 3, 2, n).toDoubleArray();
        double mean = java.util.Arrays.stream(v).average().orElseThrow();
        double ss = 0;
        for (double d : v) ss += (d - mean) * (d - mean);
        Tensor t = Tensor.of(v, n);
        assertEquals(ss / (n - 1), t.var().item(), 1e-12 * Math.max(1, ss));
        assertEquals(Math.sqrt(ss / n), t.std(null, 0, false).item(), 1e-12 * Math.max(1, ss));
    }

    @Test
    void normWithoutIdentityRefusesEmptyReduction() {
        // torch 1.13: vector_norm(zeros(0), ord=inf / -inf / -1) raises "cannot compute the inf norm on an
        // empty tensor"; ord 0, 1, 2 give 0; reducing over a non-empty dim of an empty tensor is fine
        for (double p : new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1})
            assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(0, 3).norm(p, null, false), "p=" + p);
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(0, 3).norm(Double.POSITIVE_INFINITY, new int[] {0}, false));
        assertArrayEquals(new int[] {0}, Tensor.zeros(0, 3).norm(Double.POSITIVE_INFINITY, new int[] {1}, false).shape());
        assertEquals(0.0, Tensor.zeros(0, 3).norm(2, null, false).item());
        assertEquals(0.0, Tensor.zeros(0).norm(0, null, false).item());
    }

    @Test
    void zeroDimReductionsAcceptDimZero() {
        // torch 1.13: tensor(2.).mean(0) = 2, var(0) = nan (one element, correction 1), std(0, unbiased=False) = 0
        Tensor s = Tensor.scalar(2);
        assertEquals(2.0, s.mean(0).item());
        assertTrue(Double.isNaN(s.var(new int[] {0}, 1, false).item()));
        assertEquals(0.0, s.std(new int[] {-1}, 0, false).item());
    }

    @Test
    void softmaxOfPositiveInfinityIsNaNRow() {
        // torch 1.13: softmax(tensor([inf, 1.]), 0) = [nan, nan]; log_softmax likewise; an all -inf row is nan too
        float inf = Float.POSITIVE_INFINITY;
        for (float v : Tensor.vector(inf, 1).softmax(0).toFloatArray()) assertTrue(Float.isNaN(v));
        for (float v : Tensor.vector(inf, 1).logSoftmax(0).toFloatArray()) assertTrue(Float.isNaN(v));
        for (float v : Tensor.vector(-inf, -inf).softmax(0).toFloatArray()) assertTrue(Float.isNaN(v));
        assertArrayEquals(new float[] {1, 0}, Tensor.vector(1, -inf).softmax(0).toFloatArray());
    }

    @Test
    void float32VarAndStdRoundOnceLikeTorch() {
        // torch 1.13 (float32): tensor([1., 2., 4.]).var(unbiased=False) = 1.5555555820465088, .std() =
        // 1.5275251865386963; tensor([0.1, 0.7, 0.3, 1.9, -2.2, 5.5, 3.3]).var() = 6.169047832489014,
        // .std(unbiased=False) = 2.2995119094848633 (bit-exact: torch accumulates in double)
        Tensor a = Tensor.vector(1, 2, 4);
        assertEquals(1.5555555820465088, a.var(null, 0, false).item(), 0);
        assertEquals(1.5275251865386963, a.std().item(), 0);
        Tensor b = Tensor.vector(0.1f, 0.7f, 0.3f, 1.9f, -2.2f, 5.5f, 3.3f);
        assertEquals(6.169047832489014, b.var().item(), 0);
        assertEquals(2.2995119094848633, b.std(null, 0, false).item(), 0);
        assertEquals(DType.FLOAT32, b.std().dtype());
    }

    @Test
    void amaxAminKeepTheFirstOfEqualZeros() {
        // torch 1.13: tensor([-0., 0.]).amax() = -0.0, tensor([0., -0.]).amin() = 0.0 (the first of equal values),
        // like max(dim) / min(dim)
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(Tensor.vector(-0f, 0f).amax(null, false).item()));
        assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(Tensor.vector(0f, -0f).amin(null, false).item()));
        assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(Tensor.vector(0f, -0f).amax(null, false).item()));
        assertTrue(Double.isNaN(Tensor.vector(1, Float.NaN, 3).amax(null, false).item()));
    }

    /** torch 1.13: sum(x, dim=[]) reduces over every dim. */
    @Test
    void emptyDimListReducesEverything() {
        Tensor x = Tensor.ofFloats(new float[] {1, 2, 3, 4}, 2, 2);
        assertEquals(10, x.sum(new int[0], false).item(), 0);
        assertArrayEquals(new int[] {1, 1}, x.sum(new int[0], true).shape());
        assertEquals(2.5, x.mean(new int[0], false).item(), 0);
    }
}
