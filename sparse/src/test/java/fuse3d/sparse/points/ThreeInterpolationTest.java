package fuse3d.sparse.points;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Gradcheck;
import fuse3d.autograd.Var;
import fuse3d.tensor.Tensor;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** three_nn, the inverse-distance weights and three_interpolate. */
class ThreeInterpolationTest {

    @Test
    void nearestThreeByHand() {
        Tensor known = Tensor.ofFloats(new float[] {0, 0, 0, 4, 0, 0, 1, 0, 0, 2, 0, 0}, 1, 4, 3);
        Tensor unknown = Tensor.ofFloats(new float[] {1.2f, 0, 0}, 1, 1, 3);
        ThreeInterpolation.Result r = ThreeInterpolation.threeNN(unknown, known);
        assertArrayEquals(new int[] {2, 3, 0}, r.idx().toIntArray());
        assertArrayEquals(new float[] {0.2f, 0.8f, 1.2f}, r.dist().toFloatArray(), 1e-6f);
        Tensor w = ThreeInterpolation.inverseDistanceWeights(r.dist());
        // 1/0.2 : 1/0.8 : 1/1.2 = 5 : 1.25 : 0.8333, normalised
        double s = 5 + 1.25 + 1 / 1.2;
        assertArrayEquals(new float[] {(float) (5 / s), (float) (1.25 / s), (float) (1 / 1.2 / s)}, w.toFloatArray(), 1e-6f);
        Tensor f = Tensor.ofFloats(new float[] {10, 20, 30, 40}, 1, 1, 4);
        float expect = (float) ((5 * 30 + 1.25 * 40 + 10 / 1.2) / s);
        assertEquals(expect, ThreeInterpolation.propagate(unknown, known, Var.of(f)).data().toFloatArray()[0], 1e-4f);
    }

    @Test
    void fewerThanThreeKnownGetZeroWeightAndNoneIsAnError() {
        Tensor known = Tensor.ofFloats(new float[] {0, 0, 0, 2, 0, 0}, 1, 2, 3);
        Tensor unknown = Tensor.ofFloats(new float[] {0.5f, 0, 0}, 1, 1, 3);
        ThreeInterpolation.Result r = ThreeInterpolation.threeNN(unknown, known);
        assertArrayEquals(new int[] {0, 1, 0}, r.idx().toIntArray());
        assertEquals(Float.POSITIVE_INFINITY, r.dist().toFloatArray()[2]);
        float[] w = ThreeInterpolation.inverseDistanceWeights(r.dist()).toFloatArray();
        assertEquals(0f, w[2]);
        assertEquals(1f, w[0] + w[1], 1e-6f);
        var e = assertThrows(IllegalArgumentException.class, () -> ThreeInterpolation.threeNN(unknown, Tensor.zeros(1, 0, 3)));
        assertTrue(e.getMessage().contains("three_nn") && e.getMessage().contains("[1, 0, 3]"), e.getMessage());
    }

    /** The indices are the three nearest (by a full sort), distances ascending, weights positive and summing to 1. */
    @Property(tries = 80)
    void nearestAndWeightsSumToOne(@ForAll long seed, @ForAll @IntRange(min = 3, max = 30) int m) {
        Random r = new Random(seed);
        Tensor unknown = TestData.uniform(r, -1, 1, 2, 9, 3), known = TestData.uniform(r, -1, 1, 2, m, 3);
        ThreeInterpolation.Result res = ThreeInterpolation.threeNN(unknown, known);
        float[] u = unknown.toFloatArray(), k = known.toFloatArray(), d = res.dist().toFloatArray();
        int[] idx = res.idx().toIntArray();
        float[] w = ThreeInterpolation.inverseDistanceWeights(res.dist()).toFloatArray();
        for (int i = 0; i < 18; i++) {
            int b = i / 9;
            Integer[] order = new Integer[m];
            float[] dd = new float[m];
            for (int j = 0; j < m; j++) {
                order[j] = j;
                float dx = u[i * 3] - k[(b * m + j) * 3], dy = u[i * 3 + 1] - k[(b * m + j) * 3 + 1], dz = u[i * 3 + 2] - k[(b * m + j) * 3 + 2];
                dd[j] = dx * dx + dy * dy + dz * dz;
            }
            java.util.Arrays.sort(order, (x, y) -> Float.compare(dd[x], dd[y])); // stable: first index on ties
            for (int t = 0; t < 3; t++) {
                assertEquals((int) order[t], idx[i * 3 + t]);
                assertEquals((float) Math.sqrt(dd[order[t]]), d[i * 3 + t]);
            }
            assertTrue(d[i * 3] <= d[i * 3 + 1] && d[i * 3 + 1] <= d[i * 3 + 2]);
            assertEquals(1.0, w[i * 3] + w[i * 3 + 1] + w[i * 3 + 2], 1e-5);
            assertTrue(w[i * 3] > 0 && w[i * 3 + 1] > 0 && w[i * 3 + 2] > 0);
        }
        // interpolating a constant field returns the constant
        Tensor ones = Tensor.full(3.5, fuse3d.tensor.DType.FLOAT32, 2, 2, m);
        for (float v : ThreeInterpolation.propagate(unknown, known, Var.of(ones)).data().toFloatArray()) assertEquals(3.5f, v, 1e-5f);
    }

    @Test
    void interpolateGradcheck() {
        Random r = new Random(11);
        Tensor known = TestData.uniform(r, -1, 1, 2, 6, 3), unknown = TestData.uniform(r, -1, 1, 2, 5, 3);
        ThreeInterpolation.Result nn = ThreeInterpolation.threeNN(unknown, known);
        Tensor w = ThreeInterpolation.inverseDistanceWeights(nn.dist()).toDouble();
        Tensor f = TestData.uniform64(r, -1, 1, 2, 3, 6);
        Gradcheck.assertGradients("three_interpolate", in -> List.of(ThreeInterpolation.interpolate(in.get(0), nn.idx(), w)), List.of(f));
        var e = assertThrows(IllegalArgumentException.class, () -> ThreeInterpolation.interpolate(Var.of(f), nn.idx(), w.narrow(1, 0, 2)));
        assertTrue(e.getMessage().contains("three_interpolate"), e.getMessage());
    }
}
