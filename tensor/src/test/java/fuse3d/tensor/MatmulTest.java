package fuse3d.tensor;

import static fuse3d.tensor.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** torch.matmul's shape rules and values against a float64 triple loop, views and broadcast batches included. */
class MatmulTest {
    @Test
    void shapesFollowTorch() {
        assertArrayEquals(new int[] {}, Tensor.zeros(3).matmul(Tensor.zeros(3)).shape());
        assertArrayEquals(new int[] {2}, Tensor.zeros(2, 3).matmul(Tensor.zeros(3)).shape());
        assertArrayEquals(new int[] {4, 5}, Tensor.zeros(3).matmul(Tensor.zeros(4, 3, 5)).shape());
        assertArrayEquals(new int[] {2, 4, 2, 5}, Tensor.zeros(2, 1, 2, 3).matmul(Tensor.zeros(4, 3, 5)).shape());
        assertArrayEquals(new float[] {4, 8}, Tensor.ofFloats(new float[] {1, 1, 2, 2}, 2, 2).matmul(Tensor.vector(1, 3)).toFloatArray());
    }

    @Property(tries = 60)
    void batchedBroadcastMatchesFloat64Loop(@ForAll long seed) {
        Generator g = new Generator(seed);
        int m = 1 + (int) g.nextLong(9), k = 1 + (int) g.nextLong(40), n = 1 + (int) g.nextLong(9);
        int b1 = 1 + (int) g.nextLong(3), b2 = 1 + (int) g.nextLong(3);
        Tensor a = g.normal(0, 1, b1, 1, m, k);
        Tensor b = g.normal(0, 1, b2, n, k).transpose(-1, -2); // a strided operand
        Tensor c = a.matmul(b);
        double[] out = new double[b1 * b2 * m * n];
        for (int i1 = 0; i1 < b1; i1++)
            for (int i2 = 0; i2 < b2; i2++)
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int p = 0; p < k; p++) s += (double) a.getFloat(i1, 0, i, p) * b.getFloat(i2, p, j);
                        out[((i1 * b2 + i2) * m + i) * n + j] = s;
                    }
        assertClose(c, Tensor.of(out, b1, b2, m, n).toFloat(), 1e-5, 1e-5 * Math.sqrt(k));
        assertClose(a.toDouble().matmul(b.toDouble()), Tensor.of(out, b1, b2, m, n), 1e-12, 1e-12);
    }

    /** Integer matmul is exact. */
    /** Expanded (stride-0) operands are read through their strides, never copied or misread. */
    @Test
    void expandedOperands() {
        Tensor a = Tensor.vector(1, 2, 3).unsqueeze(1).expand(3, 4);   // rows constant, column stride 0
        Tensor b = Tensor.vector(1, -1, 2, 0.5f).unsqueeze(1).expand(4, 2); // [4, 2], column stride 0
        assertClose(a.matmul(b), a.contiguous().matmul(b.contiguous()), 0, 0);
        Tensor c = Tensor.vector(2, 3).unsqueeze(0).expand(4, 2); // row stride 0
        assertClose(c.t().matmul(c), c.contiguous().t().matmul(c.contiguous()), 0, 0);
    }

    @Property(tries = 20)
    void integerMatmulIsExact(@ForAll long seed) {
        Generator g = new Generator(seed);
        Tensor a = g.randint(-5, 5, 3, 4), b = g.randint(-5, 5, 4, 2);
        Tensor c = a.matmul(b);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 2; j++) {
                long s = 0;
                for (int p = 0; p < 4; p++) s += a.getLong(i, p) * b.getLong(p, j);
                org.junit.jupiter.api.Assertions.assertEquals(s, c.getLong(i, j));
            }
    }
}
