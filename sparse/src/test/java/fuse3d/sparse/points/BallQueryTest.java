package fuse3d.sparse.points;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Gradcheck;
import fuse3d.autograd.Var;
import fuse3d.tensor.Tensor;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Ball query, grouping and QueryAndGroup (pointnet2_batch semantics). */
class BallQueryTest {

    @Test
    void firstNeighboursInIndexOrderThenTheFirstRepeated() {
        // points at x = 0, 3, 0.5, 0.9, 1.0 ; centre 0 radius 1: inside (strict) are 0, 2, 3 (1.0 is on the sphere: out)
        Tensor xyz = Tensor.ofFloats(new float[] {0, 0, 0, 3, 0, 0, 0.5f, 0, 0, 0.9f, 0, 0, 1, 0, 0}, 1, 5, 3);
        Tensor c = Tensor.ofFloats(new float[] {0, 0, 0, 50, 0, 0}, 1, 2, 3);
        BallQuery.Result r = BallQuery.query(1.0, 5, xyz, c);
        assertArrayEquals(new int[] {0, 2, 3, 0, 0, /* empty */ 0, 0, 0, 0, 0}, r.idx().toIntArray());
        assertArrayEquals(new boolean[] {false, true}, r.empty().toBoolArray());
        // nsample 2 stops at the first two
        assertArrayEquals(new int[] {0, 2}, BallQuery.query(1.0, 2, xyz, c.narrow(1, 0, 1)).idx().toIntArray());
    }

    @Test
    void nanAndEmptyInputsAreDefined() {
        Tensor xyz = Tensor.ofFloats(new float[] {Float.NaN, 0, 0, 0.1f, 0, 0}, 1, 2, 3);
        Tensor c = Tensor.ofFloats(new float[] {0, 0, 0, Float.NaN, 0, 0}, 1, 2, 3);
        BallQuery.Result r = BallQuery.query(1.0, 2, xyz, c);
        assertArrayEquals(new int[] {1, 1, 0, 0}, r.idx().toIntArray()); // the NaN point is never inside; a NaN centre is empty
        assertArrayEquals(new boolean[] {false, true}, r.empty().toBoolArray());
        BallQuery.Result none = BallQuery.query(1.0, 3, Tensor.zeros(1, 0, 3), c);
        assertArrayEquals(new int[] {1, 2, 3}, none.idx().shape());
        assertTrue(none.empty().all().item() != 0);
        var e = assertThrows(IllegalArgumentException.class, () -> BallQuery.query(1.0, 0, xyz, c));
        assertTrue(e.getMessage().contains("ball_query") && e.getMessage().contains("nsample"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BallQuery.query(1.0, 2, xyz, Tensor.zeros(2, 1, 3)));
        assertTrue(e.getMessage().contains("[1, 2, 3]") && e.getMessage().contains("[2, 1, 3]"), e.getMessage());
    }

    /** All returned neighbours are within the radius, ascending, the first ones of the cloud, then the first repeated. */
    @Property(tries = 80)
    void neighboursAreInsideAndInIndexOrder(@ForAll long seed, @ForAll @IntRange(min = 0, max = 50) int n,
                                            @ForAll @IntRange(min = 1, max = 8) int ns, @ForAll @DoubleRange(min = 0.05, max = 1.5) double radius) {
        Random rnd = new Random(seed);
        Tensor xyz = TestData.uniform(rnd, -1, 1, 2, n, 3), c = TestData.uniform(rnd, -1.2, 1.2, 2, 7, 3);
        BallQuery.Result r = BallQuery.query(radius, ns, xyz, c);
        int[] idx = r.idx().toIntArray();
        boolean[] empty = r.empty().toBoolArray();
        float[] p = xyz.toFloatArray(), q = c.toFloatArray();
        float r2 = (float) radius * (float) radius;
        for (int bb = 0; bb < 2; bb++)
            for (int ii = 0; ii < 7; ii++) {
                int b = bb, i = ii;
                int[] inside = java.util.stream.IntStream.range(0, n).filter(k -> d2(p, (b * n + k) * 3, q, (b * 7 + i) * 3) < r2).limit(ns).toArray();
                int o = (b * 7 + i) * ns;
                assertEquals(inside.length == 0, empty[b * 7 + i]);
                for (int s = 0; s < ns; s++) {
                    int expect = inside.length == 0 ? 0 : s < inside.length ? inside[s] : inside[0];
                    assertEquals(expect, idx[o + s]);
                }
            }
    }

    private static float d2(float[] p, int a, float[] q, int b) {
        float dx = q[b] - p[a], dy = q[b + 1] - p[a + 1], dz = q[b + 2] - p[a + 2];
        return dx * dx + dy * dy + dz * dz;
    }

    @Test
    void groupingByHandAndGradcheck() {
        Tensor f = Tensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3);
        Tensor idx = Tensor.ofInts(new int[] {2, 2, 0, 1}, 1, 2, 2);
        assertArrayEquals(new float[] {3, 3, 1, 2, 6, 6, 4, 5}, BallQuery.group(Var.of(f), idx).data().toFloatArray());
        Random r = new Random(7);
        Tensor x = TestData.uniform64(r, -1, 1, 2, 3, 6);
        Tensor gi = Tensor.ofInts(new int[] {0, 0, 5, 1, 2, 3, 4, 4, 4, 5, 5, 5}, 2, 2, 3); // repeats accumulate
        Gradcheck.assertGradients("grouping_operation", in -> List.of(BallQuery.group(in.get(0), gi)), List.of(x));
        var e = assertThrows(IllegalArgumentException.class, () -> BallQuery.group(Var.of(f), Tensor.ofInts(new int[] {-1}, 1, 1, 1)));
        assertTrue(e.getMessage().contains("grouping_operation") && e.getMessage().contains("index -1"), e.getMessage());
    }

    @Test
    void queryAndGroupGivesRelativeCoordinatesThenFeatures() {
        Tensor xyz = Tensor.ofFloats(new float[] {0, 0, 0, 0.5f, 0, 0, 5, 5, 5}, 1, 3, 3);
        Tensor c = Tensor.ofFloats(new float[] {0.5f, 0, 0}, 1, 1, 3);
        Tensor f = Tensor.ofFloats(new float[] {7, 8, 9}, 1, 1, 3);
        Var out = BallQuery.queryAndGroup(1.0, 3, xyz, c, Var.of(f), true);
        assertArrayEquals(new int[] {1, 4, 1, 3}, out.shape());
        // neighbours 0, 1, then 0 again: relative x = -0.5, 0, -0.5; features 7, 8, 7
        assertArrayEquals(new float[] {-0.5f, 0, -0.5f, 0, 0, 0, 0, 0, 0, 7, 8, 7}, out.data().toFloatArray());
        assertFalse(BallQuery.queryAndGroup(1.0, 3, xyz, c, null, true).requiresGrad());
    }
}
