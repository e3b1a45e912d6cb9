package fuse3d.sparse.box;

import static fuse3d.sparse.box.BoxArbitraries.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Rotated NMS and OpenPCDet's class_agnostic_nms / multi_classes_nms semantics. */
class NmsTest {
    @Test
    void handCase() {
        // 0 and 1 overlap heavily, 2 is alone, 3 overlaps 2 a little (IoU 1/3)
        Tensor boxes = tensor(new double[] {0, 0, 0, 2, 2, 2, 0}, new double[] {0.1, 0, 0, 2, 2, 2, 0.05}, new double[] {10, 0, 0, 2, 2, 2, 0},
                new double[] {11, 0, 0, 2, 2, 2, 0});
        Tensor scores = Tensor.of(new double[] {0.8, 0.9, 0.5, 0.6}, 4);
        assertArrayEquals(new long[] {1, 3}, Nms.nms(boxes, scores, 0.3).toLongArray());
        assertArrayEquals(new long[] {1, 3, 2}, Nms.nms(boxes, scores, 0.5).toLongArray());
        // the threshold is strict: IoU exactly 1/3 does not suppress at 1/3
        assertArrayEquals(new long[] {1, 3, 2}, Nms.nms(boxes, scores, 1.0 / 3 + 1e-12).toLongArray());
        // pre max size keeps the top 2 by score before suppression; post max size cuts the kept list
        assertArrayEquals(new long[] {1}, Nms.nms(boxes, scores, 0.5, Nms.Type.NMS_GPU, 2, 10).toLongArray());
        assertArrayEquals(new long[] {1, 3}, Nms.nms(boxes, scores, 0.5, Nms.Type.NMS_GPU, 10, 2).toLongArray());
    }

    @Test
    void classAgnosticAppliesScoreThresholdTopkAndPostMax() {
        Tensor boxes = tensor(new double[] {0, 0, 0, 2, 2, 2, 0}, new double[] {0.1, 0, 0, 2, 2, 2, 0.05}, new double[] {10, 0, 0, 2, 2, 2, 0},
                new double[] {20, 0, 0, 2, 2, 2, 0});
        Tensor scores = Tensor.ofFloats(new float[] {0.8f, 0.9f, 0.05f, 0.6f}, 4);
        Nms.Selected s = Nms.classAgnosticNms(scores, boxes, Nms.Config.of("nms_gpu", 0.1, 4096, 500), 0.1);
        assertArrayEquals(new long[] {1, 3}, s.indices().toLongArray());
        assertArrayEquals(new float[] {0.9f, 0.6f}, s.scores().toFloatArray());
        assertEquals(DType.FLOAT32, s.scores().dtype());
        // without a threshold box 2 stays
        assertArrayEquals(new long[] {1, 3, 2}, Nms.classAgnosticNms(scores, boxes, Nms.Config.of("nms_gpu", 0.1, 4096, 500), null).indices().toLongArray());
        // NMS_PRE_MAXSIZE 1 leaves only the best
        assertArrayEquals(new long[] {1}, Nms.classAgnosticNms(scores, boxes, Nms.Config.of("nms_gpu", 0.1, 1, 500), 0.1).indices().toLongArray());
        // nothing above the threshold: an empty result, not an error
        assertEquals(0, Nms.classAgnosticNms(scores, boxes, Nms.Config.of("nms_gpu", 0.1, 10, 10), 0.95).indices().numel());
    }

    @Test
    void multiClassAndClassAware() {
        Tensor boxes = tensor(new double[] {0, 0, 0, 2, 2, 2, 0}, new double[] {0.1, 0, 0, 2, 2, 2, 0}, new double[] {10, 0, 0, 2, 2, 2, 0});
        // class 0 likes boxes 0 and 1 (overlapping), class 1 likes box 1 and 2
        Tensor cls = Tensor.of(new double[] {0.9, 0.1, 0.8, 0.7, 0.2, 0.6}, 3, 2);
        Nms.MultiClass m = Nms.multiClassesNms(cls, boxes, Nms.Config.of("nms_gpu", 0.1, 100, 100), 0.5);
        assertArrayEquals(new long[] {0, 1, 2}, m.indices().toLongArray());
        assertArrayEquals(new long[] {0, 1, 1}, m.labels().toLongArray());
        assertArrayEquals(new double[] {0.9, 0.7, 0.6}, m.scores().toDoubleArray(), 0);
        assertArrayEquals(new int[] {3, 7}, m.boxes().shape());
        // class aware: overlapping boxes of different classes both survive; merged by score
        Tensor labels = Tensor.ofLongs(new long[] {0, 1, 1}, 3);
        Tensor scores = Tensor.of(new double[] {0.5, 0.9, 0.7}, 3);
        assertArrayEquals(new long[] {1, 2, 0}, Nms.classAwareNms(scores, boxes, labels, Nms.Config.of("nms_gpu", 0.1, 100, 100), null).indices().toLongArray());
        assertArrayEquals(new long[] {1, 2}, Nms.classAgnosticNms(scores, boxes, Nms.Config.of("nms_gpu", 0.1, 100, 100), null).indices().toLongArray());
    }

    @Test
    void normalNmsIgnoresHeading() {
        // two 4 x 1 boxes crossing at 90 degrees: rotated IoU 1/7, axis-aligned IoU 1
        Tensor boxes = tensor(new double[] {0, 0, 0, 4, 1, 1, 0}, new double[] {0, 0, 0, 4, 1, 1, Math.PI / 2});
        Tensor scores = Tensor.of(new double[] {0.9, 0.8}, 2);
        assertEquals(2, Nms.nms(boxes, scores, 0.5).numel());
        assertEquals(1, Nms.nms(boxes, scores, 0.5, Nms.Type.NMS_NORMAL_GPU, 10, 10).numel());
    }

    @Test
    void badInputGivesDefinedResultsOrClearErrors() {
        assertEquals(0, Nms.nms(Tensor.zeros(DType.FLOAT32, 0, 7), Tensor.zeros(DType.FLOAT32, 0), 0.5).numel());
        // NaN scores go last; a NaN box overlaps nothing
        Tensor boxes = tensor(new double[] {0, 0, 0, 2, 2, 2, 0}, new double[] {Double.NaN, 0, 0, 2, 2, 2, 0}, new double[] {0, 0, 0, 2, 2, 2, 0});
        assertArrayEquals(new long[] {2, 1}, Nms.nms(boxes, Tensor.of(new double[] {Double.NaN, 0.1, 0.5}, 3), 0.5).toLongArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Nms.nms(boxes, Tensor.zeros(DType.FLOAT64, 2), 0.5));
        assertTrue(e.getMessage().contains("nms") && e.getMessage().contains("[3, 7]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Nms.Config.of("nms_soft", 0.1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Nms.Config.of("nms_gpu", 0.1, -1, 1));
    }

    /** A crowded scene at OpenPCDet's NMS_PRE_MAXSIZE scale obeys the same laws (its speed is `bench eval`'s business). */
    @Test
    void fourThousandBoxesObeyTheLaws() {
        Generator g = new Generator(7);
        int n = 4000;
        double[] b = new double[n * 7];
        for (int i = 0; i < n; i++) {
            b[i * 7] = g.nextDouble() * 70;
            b[i * 7 + 1] = g.nextDouble() * 80 - 40;
            b[i * 7 + 3] = 3.9;
            b[i * 7 + 4] = 1.6;
            b[i * 7 + 5] = 1.5;
            b[i * 7 + 6] = g.nextDouble() * 3;
        }
        Tensor boxes = Tensor.of(b, n, 7), scores = g.uniform(0, 1, n);
        Tensor keep = Nms.nms(boxes, scores, 0.1);
        checkNmsLaws(boxes, scores, keep, 0.1);
    }

    @Provide
    Arbitrary<List<double[]>> scene() { return BoxArbitraries.box(6).list().ofMinSize(0).ofMaxSize(40); }

    @Property(tries = 100)
    void subsetOrderedNonOverlappingMaximalAndIdempotent(@ForAll("scene") List<double[]> list, @ForAll @DoubleRange(min = 0.01, max = 0.9) double thresh,
                                                         @ForAll @IntRange(min = 0, max = 1000) int seed) {
        Tensor boxes = list.isEmpty() ? Tensor.zeros(DType.FLOAT64, 0, 7) : tensor(list.toArray(double[][]::new));
        Tensor scores = new Generator(seed).uniform(DType.FLOAT64, 0, 1, list.size());
        Tensor keep = Nms.nms(boxes, scores, thresh);
        checkNmsLaws(boxes, scores, keep, thresh);
        // idempotent: NMS of the kept boxes keeps them all, in the same order
        Tensor again = Nms.nms(boxes.indexSelect(0, keep), scores.indexSelect(0, keep), thresh);
        long[] k = keep.toLongArray(), a = again.toLongArray();
        assertEquals(k.length, a.length);
        for (int i = 0; i < a.length; i++) assertEquals(k[(int) a[i]], k[i]);
    }

    /** Subset, distinct, by descending score, no kept pair above the threshold, every dropped box covered by a better kept one. */
    static void checkNmsLaws(Tensor boxes, Tensor scores, Tensor keep, double thresh) {
        long[] k = keep.toLongArray();
        double[] s = scores.toDoubleArray();
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < k.length; i++) {
            assertTrue(k[i] >= 0 && k[i] < boxes.size(0));
            assertTrue(seen.add(k[i]), "duplicate " + k[i]);
            if (i > 0) assertTrue(s[(int) k[i - 1]] >= s[(int) k[i]], "not ordered by score");
        }
        Tensor iou = RotatedIoU.iouBev(boxes, boxes);
        for (int i = 0; i < k.length; i++)
            for (int j = i + 1; j < k.length; j++) assertTrue(iou.getDouble((int) k[i], (int) k[j]) <= thresh, "kept pair overlaps");
        for (int d = 0; d < boxes.size(0); d++) {
            if (seen.contains((long) d)) continue;
            boolean covered = false;
            for (long kk : k) covered |= iou.getDouble((int) kk, d) > thresh && s[(int) kk] >= s[d];
            assertTrue(covered, "box " + d + " dropped without a better kept box over the threshold");
        }
    }
}
