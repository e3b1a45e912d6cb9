package fuse3d.tensor.cpu;

import static fuse3d.tensor.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import fuse3d.tensor.F;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** relu's fused gradient against its definition (torch's threshold_backward): zero where the output is <= 0. */
class ReluBackwardTest {
    @Test
    void passesTheGradientOnlyWhereTheOutputIsPositive() {
        Generator gen = new Generator(9);
        for (int n : new int[] {1, 15, 16, 17, 5000, 9000}) {
            Tensor y = gen.normal(0, 1, n).relu(), g = gen.normal(0, 1, n);
            Tensor expected = Tensor.where(y.le(0.0), Tensor.scalar(0.0), g);
            assertClose(F.reluBackward(g, y), expected, 0, 0);
            assertClose(F.reluBackward(g.toDouble(), y.toDouble()), expected.toDouble(), 0, 0);
        }
        // torch passes the gradient through a NaN output (NaN <= 0 is false)
        Tensor out = F.reluBackward(Tensor.vector(2f, 3f), Tensor.vector(Float.NaN, 0f));
        assertEquals(2f, out.getFloat(0));
        assertEquals(0f, out.getFloat(1));
    }
}
