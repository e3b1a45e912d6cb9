package fuse3d.sparse.points;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.tensor.Tensor;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Points in rotated boxes: per-point first box index, membership mask and per-box point lists. */
class PointsInBoxesTest {
    /** Points closer than this to a face are skipped by the brute-force comparisons (margin and float rounding). */
    private static final double BORDER = 2e-2;

    @Test
    void rotatedBoxByHand() {
        // a 4 x 1 x 2 box at (1, 1, 0) turned by 90 degrees: in the world it spans x in [0.5, 1.5], y in [-1, 3]
        Tensor box = Tensor.ofFloats(new float[] {1, 1, 0, 4, 1, 2, (float) (Math.PI / 2)}, 1, 7);
        Tensor pts = Tensor.ofFloats(new float[] {
                1, 2.9f, 0, // inside along the long (rotated) axis
                2.9f, 1, 0, // outside: would be inside without the rotation
                1, 1, 1, // on the top face: z is inclusive
                1, 1, 1.01f, // above
                1.4f, -0.9f, -0.99f}, 5, 3);
        assertArrayEquals(new int[] {0, -1, 0, -1, 0}, PointsInBoxes.boxIndexOfPointsSingle(pts, box).toIntArray());
        assertArrayEquals(new int[] {1, 0, 1, 0, 1}, PointsInBoxes.mask(pts, box, PointsInBoxes.MARGIN_CPU).toIntArray());
    }

    @Test
    void marginsDifferAsInTheReference() {
        Tensor box = Tensor.ofFloats(new float[] {0, 0, 0, 2, 2, 2, 0}, 1, 7);
        Tensor edge = Tensor.ofFloats(new float[] {1.005f, 0, 0}, 1, 3); // 5 mm outside the x face
        assertEquals(-1, PointsInBoxes.boxIndexOfPointsSingle(edge, box).toIntArray()[0]);
        assertEquals(1, PointsInBoxes.mask(edge, box, PointsInBoxes.MARGIN_CPU).toIntArray()[0]);
    }

    @Test
    void firstBoxWinsAndListsFollowPointOrder() {
        Tensor boxes = Tensor.ofFloats(new float[] {0, 0, 0, 2, 2, 2, 0, 0.5f, 0, 0, 2, 2, 2, 0}, 2, 7);
        Tensor pts = Tensor.ofFloats(new float[] {1.2f, 0, 0, 0.2f, 0, 0, 5, 5, 5, -0.5f, 0, 0}, 4, 3);
        assertArrayEquals(new int[] {1, 0, -1, 0}, PointsInBoxes.boxIndexOfPointsSingle(pts, boxes).toIntArray());
        int[][] lists = PointsInBoxes.pointsOfBoxes(pts, boxes, PointsInBoxes.MARGIN_GPU);
        assertArrayEquals(new int[] {1, 3}, lists[0]);
        assertArrayEquals(new int[] {0, 1, 3}, lists[1]);
    }

    @Test
    void badInputIsDefined() {
        Tensor box = Tensor.ofFloats(new float[] {0, 0, 0, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, Float.NaN, 0, 0, 2, 2, 2, 0}, 3, 7);
        Tensor pts = Tensor.ofFloats(new float[] {Float.NaN, 0, 0, 0, 0, 0, 0.5f, 0, 0}, 3, 3);
        // NaN point: in nothing; the zero-size box 1 holds only its centre; the NaN box 2 holds nothing
        assertArrayEquals(new int[] {-1, 0, 0}, PointsInBoxes.boxIndexOfPointsSingle(pts, box).toIntArray());
        assertArrayEquals(new int[] {0, 1, 1, 0, 1, 0, 0, 0, 0}, PointsInBoxes.mask(pts, box, PointsInBoxes.MARGIN_GPU).toIntArray());
        assertArrayEquals(new int[] {0}, PointsInBoxes.boxIndexOfPointsSingle(Tensor.zeros(0, 3), box).shape());
        assertArrayEquals(new int[] {-1, -1, -1}, PointsInBoxes.boxIndexOfPointsSingle(pts, Tensor.zeros(0, 7)).toIntArray());
        // extra columns (intensity, velocity) are ignored
        Tensor pts4 = Tensor.ofFloats(new float[] {0, 0, 0, 9}, 1, 4);
        assertArrayEquals(new int[] {0}, PointsInBoxes.boxIndexOfPointsSingle(pts4, box).toIntArray());
        var e = assertThrows(IllegalArgumentException.class, () -> PointsInBoxes.boxIndexOfPointsSingle(pts, Tensor.zeros(2, 6)));
        assertTrue(e.getMessage().contains("points_in_boxes") && e.getMessage().contains("[2, 6]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PointsInBoxes.boxIndexOfPoints(Tensor.zeros(2, 5, 3), Tensor.zeros(3, 1, 7)));
        assertTrue(e.getMessage().contains("[2, 5, 3]") && e.getMessage().contains("[3, 1, 7]"), e.getMessage());
    }

    /** The kernel's answer equals a brute-force test in double (box-axis projections), for points off the faces. */
    @Property(tries = 60)
    void equalsBruteForce(@ForAll long seed, @ForAll @IntRange(min = 0, max = 8) int t) {
        Random r = new Random(seed);
        Tensor pts = TestData.uniform(r, -3, 3, 400, 3), boxes = TestData.boxes(r, t, -2, 2);
        int[] first = PointsInBoxes.boxIndexOfPointsSingle(pts, boxes).toIntArray();
        int[] mask = PointsInBoxes.mask(pts, boxes, PointsInBoxes.MARGIN_GPU).toIntArray();
        int[][] lists = PointsInBoxes.pointsOfBoxes(pts, boxes, PointsInBoxes.MARGIN_GPU);
        for (int k = 0; k < t; k++) {
            int kk = k;
            assertEquals(java.util.stream.IntStream.range(0, 400).filter(j -> mask[kk * 400 + j] == 1).count(), lists[k].length);
        }
        for (int j = 0; j < 400; j++) {
            double[] p = TestData.row(pts, j);
            int expect = -1;
            boolean ambiguous = false;
            for (int k = 0; k < t; k++) {
                double depth = TestData.signedDepth(p, TestData.row(boxes, k));
                if (Math.abs(depth) < BORDER) ambiguous = true;
                boolean in = depth > 0;
                if (Math.abs(depth) >= BORDER) assertEquals(in ? 1 : 0, mask[k * 400 + j], "point " + j + " box " + k);
                assertEquals(mask[k * 400 + j] == 1, java.util.Arrays.binarySearch(lists[k], j) >= 0);
                if (in && expect < 0) expect = k;
            }
            if (!ambiguous) assertEquals(expect, first[j], "point " + j);
        }
    }

    /** Rotating and translating the scene and its boxes together changes no membership (off the faces). */
    @Property(tries = 40)
    void invariantUnderJointRigidMotion(@ForAll long seed, @ForAll @DoubleRange(min = -3.2, max = 3.2) double angle) {
        Random r = new Random(seed);
        int n = 300, t = 5;
        Tensor pts = TestData.uniform(r, -3, 3, n, 3), boxes = TestData.boxes(r, t, -2, 2);
        double tx = r.nextDouble() * 20 - 10, ty = r.nextDouble() * 20 - 10, tz = r.nextDouble() * 2 - 1;
        float[] p = pts.toFloatArray(), b = boxes.toFloatArray();
        float[] p2 = new float[p.length], b2 = b.clone();
        double c = Math.cos(angle), s = Math.sin(angle);
        for (int i = 0; i < n; i++) {
            p2[i * 3] = (float) (c * p[i * 3] - s * p[i * 3 + 1] + tx);
            p2[i * 3 + 1] = (float) (s * p[i * 3] + c * p[i * 3 + 1] + ty);
            p2[i * 3 + 2] = (float) (p[i * 3 + 2] + tz);
        }
        for (int k = 0; k < t; k++) {
            b2[k * 7] = (float) (c * b[k * 7] - s * b[k * 7 + 1] + tx);
            b2[k * 7 + 1] = (float) (s * b[k * 7] + c * b[k * 7 + 1] + ty);
            b2[k * 7 + 2] = (float) (b[k * 7 + 2] + tz);
            b2[k * 7 + 6] = (float) (b[k * 7 + 6] + angle);
        }
        int[] m1 = PointsInBoxes.mask(pts, boxes, PointsInBoxes.MARGIN_GPU).toIntArray();
        int[] m2 = PointsInBoxes.mask(Tensor.ofFloats(p2, n, 3), Tensor.ofFloats(b2, t, 7), PointsInBoxes.MARGIN_GPU).toIntArray();
        for (int k = 0; k < t; k++)
            for (int j = 0; j < n; j++)
                if (Math.abs(TestData.signedDepth(TestData.row(pts, j), TestData.row(boxes, k))) >= BORDER)
                    assertEquals(m1[k * n + j], m2[k * n + j], "point " + j + " box " + k);
    }
}
