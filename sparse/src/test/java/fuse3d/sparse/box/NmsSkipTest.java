package fuse3d.sparse.box;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;

/**
 * Rotated NMS skips pairs whose circumscribed circles are apart and boxes that overlap nothing; the kept set
 * must equal the plain greedy loop that computes RotatedIoU.bevIou for every pair (nms_gpu's definition).
 */
class NmsSkipTest {
    @Property(tries = 60)
    void equalsEveryPairGreedy(@ForAll long seed, @ForAll @DoubleRange(min = 0, max = 0.9) double thresh) {
        Generator g = new Generator(seed);
        int n = 1 + (int) g.nextLong(120);
        double[] b = new double[n * 7];
        for (int i = 0; i < n; i++) {
            b[i * 7] = g.nextDouble() * 20;
            b[i * 7 + 1] = g.nextDouble() * 20 - 10;
            b[i * 7 + 3] = 0.5 + g.nextDouble() * 4;
            b[i * 7 + 4] = 0.5 + g.nextDouble() * 2;
            b[i * 7 + 5] = 1.5;
            b[i * 7 + 6] = g.nextDouble() * 6 - 3;
            long odd = g.nextLong(25); // a few boxes that overlap nothing
            if (odd == 0) b[i * 7 + 3] = 0;
            if (odd == 1) b[i * 7 + 4] = Double.NaN;
            if (odd == 2) b[i * 7] = Double.POSITIVE_INFINITY;
            if (odd == 3) b[i * 7 + 6] = Double.NaN;
            if (odd == 4) b[i * 7 + 3] = -1;
        }
        Tensor boxes = Tensor.of(b, n, 7), scores = g.uniform(DType.FLOAT64, 0, 1, n);
        long[] got = Nms.nms(boxes, scores, thresh).toLongArray();
        // the definition: by descending score (stable), suppress every later box with IoU above the threshold
        double[] s = scores.toDoubleArray();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (x, y) -> Double.compare(s[y], s[x]));
        boolean[] sup = new boolean[n];
        IntArrayList kept = new IntArrayList();
        for (int i = 0; i < n; i++) {
            if (sup[i]) continue;
            kept.add(order[i]);
            for (int j = i + 1; j < n; j++)
                if (!sup[j] && RotatedIoU.bevIou(b, order[i], 7, b, order[j], 7) > thresh) sup[j] = true;
        }
        long[] want = kept.intStream().asLongStream().toArray();
        assertArrayEquals(want, got);
    }
}
