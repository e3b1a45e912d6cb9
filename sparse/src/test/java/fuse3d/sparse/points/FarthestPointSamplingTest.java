package fuse3d.sparse.points;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Gradcheck;
import fuse3d.tensor.Tensor;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Farthest point sampling and gather_operation, as pointnet2_utils.furthest_point_sample / gather_operation. */
class FarthestPointSamplingTest {

    @Test
    void pointsOnALineByHand() {
        // x = 0, 1, 5, 10: start at 0; farthest is 10 (index 3); then min distances are 1 (x=1) and 25 (x=5) -> index 2
        Tensor xyz = Tensor.ofFloats(new float[] {0, 0, 0, 1, 0, 0, 5, 0, 0, 10, 0, 0}, 1, 4, 3);
        assertArrayEquals(new int[] {0, 3, 2, 1}, FarthestPointSampling.sample(xyz, 4).toIntArray());
    }

    @Test
    void exhaustedCloudRepeatsIndexZeroAsTheKernel() {
        Tensor xyz = Tensor.ofFloats(new float[] {0, 0, 0, 0, 0, 0, 1, 0, 0}, 1, 3, 3);
        // duplicates have distance 0 to the set: after {0, 2} every distance is 0 and the first index (0) wins
        assertArrayEquals(new int[] {0, 2, 0, 0, 0}, FarthestPointSampling.sample(xyz, 5).toIntArray());
    }

    @Test
    void emptyAndBadInput() {
        assertArrayEquals(new int[] {2, 0}, FarthestPointSampling.sample(Tensor.zeros(2, 0, 3), 0).shape());
        var e = assertThrows(IllegalArgumentException.class, () -> FarthestPointSampling.sample(Tensor.zeros(2, 0, 3), 4));
        assertTrue(e.getMessage().contains("furthest_point_sample") && e.getMessage().contains("[2, 0, 3]"), e.getMessage());
        Tensor nan = Tensor.ofFloats(new float[] {0, 0, 0, Float.NaN, 0, 0}, 1, 2, 3);
        e = assertThrows(IllegalArgumentException.class, () -> FarthestPointSampling.sample(nan, 2));
        assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FarthestPointSampling.sample(Tensor.zeros(4, 3), 2));
        assertTrue(e.getMessage().contains("[*, *, 3]"), e.getMessage());
    }

    /** Each step's pick is a farthest point from the set chosen so far (in the kernel's float32 distance). */
    @Property(tries = 60)
    void eachPickIsAFarthestPoint(@ForAll long seed, @ForAll @IntRange(min = 1, max = 60) int n, @ForAll @IntRange(min = 1, max = 20) int m) {
        Random r = new Random(seed);
        Tensor xyz = TestData.uniform(r, -3, 3, 2, n, 3);
        int[] idx = FarthestPointSampling.sample(xyz, m).toIntArray();
        float[] p = xyz.toFloatArray();
        for (int b = 0; b < 2; b++) {
            assertEquals(0, idx[b * m]);
            for (int j = 1; j < Math.min(m, n); j++) {
                float best = -1;
                for (int k = 0; k < n; k++) best = Math.max(best, minDist(p, b * n * 3, k, idx, b * m, j));
                assertEquals(best, minDist(p, b * n * 3, idx[b * m + j], idx, b * m, j), "step " + j);
            }
            // while points remain the picks are distinct (random points are distinct)
            assertEquals(Math.min(m, n), java.util.Arrays.stream(idx, b * m, b * m + Math.min(m, n)).distinct().count());
        }
    }

    /** The selected set's minimum pairwise distance equals the greedy (naive) reference's. */
    @Property(tries = 40)
    void minPairwiseDistanceEqualsGreedyReference(@ForAll long seed) {
        Random r = new Random(seed);
        int n = 30, m = 8;
        Tensor xyz = TestData.uniform(r, -1, 1, 1, n, 3);
        int[] idx = FarthestPointSampling.sample(xyz, m).toIntArray();
        float[] p = xyz.toFloatArray();
        int[] greedy = new int[m];
        for (int j = 1; j < m; j++) {
            float best = -1;
            for (int k = 0; k < n; k++) {
                float d = minDist(p, 0, k, greedy, 0, j);
                if (d > best) {
                    best = d;
                    greedy[j] = k;
                }
            }
        }
        assertEquals(minPairwise(p, greedy), minPairwise(p, idx));
        assertArrayEquals(greedy, idx);
    }

    private static float minDist(float[] p, int base, int k, int[] sel, int selBase, int count) {
        float best = FarthestPointSampling.FAR;
        for (int s = 0; s < count; s++) best = Math.min(best, d2(p, base, k, sel[selBase + s]));
        return best;
    }

    private static float d2(float[] p, int base, int a, int b) {
        float dx = p[base + b * 3] - p[base + a * 3], dy = p[base + b * 3 + 1] - p[base + a * 3 + 1], dz = p[base + b * 3 + 2] - p[base + a * 3 + 2];
        return dx * dx + dy * dy + dz * dz;
    }

    private static float minPairwise(float[] p, int[] sel) {
        float best = Float.MAX_VALUE;
        for (int i = 0; i < sel.length; i++) for (int j = i + 1; j < sel.length; j++) best = Math.min(best, d2(p, 0, sel[i], sel[j]));
        return best;
    }

    @Test
    void gatherPicksAndItsGradientAddsBack() {
        Tensor f = Tensor.ofFloats(new float[] {1, 2, 3, 10, 20, 30}, 1, 2, 3);
        Tensor idx = Tensor.ofInts(new int[] {2, 0, 2}, 1, 3);
        assertArrayEquals(new float[] {3, 1, 3, 30, 10, 30}, FarthestPointSampling.gather(fuse3d.autograd.Var.of(f), idx).data().toFloatArray());
        Random r = new Random(3);
        Tensor x = TestData.uniform64(r, -1, 1, 2, 3, 5);
        Tensor gi = Tensor.ofInts(new int[] {4, 4, 0, 1, 2, 3, 3, 3}, 2, 4);
        Gradcheck.assertGradients("gather_operation", in -> List.of(FarthestPointSampling.gather(in.get(0), gi)), List.of(x));
        var e = assertThrows(IllegalArgumentException.class, () -> FarthestPointSampling.gather(fuse3d.autograd.Var.of(f), Tensor.ofInts(new int[] {3}, 1, 1)));
        assertTrue(e.getMessage().contains("gather_operation") && e.getMessage().contains("index 3"), e.getMessage());
    }
}
