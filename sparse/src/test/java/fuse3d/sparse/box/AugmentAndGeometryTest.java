package fuse3d.sparse.box;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Gradcheck;
import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.List;
import java.util.function.UnaryOperator;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Corners (boxes_to_corners_3d) and the global augmentations of augmentor_utils. */
class AugmentAndGeometryTest {
    @Test
    void cornersByHand() {
        // a 4 x 2 x 1 box at (1, 2, 3) turned by 90 degrees: its local +x points along world +y
        Tensor c = BoxGeometry.corners3d(Tensor.of(new double[] {1, 2, 3, 4, 2, 1, Math.PI / 2}, 1, 7));
        assertArrayEquals(new int[] {1, 8, 3}, c.shape());
        // corner 0 is local (+2, +1, -0.5) -> world (1 - 1, 2 + 2, 2.5)
        assertArrayEquals(new double[] {0, 4, 2.5}, c.select(1, 0).contiguous().toDoubleArray(), 1e-12);
        // corner 6 is local (-2, -1, +0.5)
        assertArrayEquals(new double[] {2, 0, 3.5}, c.select(1, 6).contiguous().toDoubleArray(), 1e-12);
        Tensor bev = BoxGeometry.bevCorners(Tensor.of(new double[] {1, 2, 3, 4, 2, 1, Math.PI / 2}, 1, 7));
        assertArrayEquals(new int[] {1, 4, 2}, bev.shape());
        assertArrayEquals(new double[] {0, 4}, bev.select(1, 0).contiguous().toDoubleArray(), 1e-12);
        assertEquals(DType.FLOAT32, BoxGeometry.corners3d(Tensor.zeros(DType.FLOAT32, 2, 7)).dtype());
        assertArrayEquals(new int[] {0, 8, 3}, BoxGeometry.corners3d(Tensor.zeros(DType.FLOAT32, 0, 7)).shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BoxGeometry.corners3d(Tensor.zeros(DType.FLOAT32, 2, 6)));
        assertTrue(e.getMessage().contains("corners3d") && e.getMessage().contains("[2, 6]"), e.getMessage());
    }

    @Test
    void differentiableCornersMatchAndGradcheck() {
        Tensor boxes = CoderTest.randomBoxes(new Generator(2), 3, 7);
        assertArrayEquals(BoxGeometry.corners3d(boxes).toDoubleArray(), BoxGeometry.corners3d(Var.of(boxes)).data().contiguous().toDoubleArray(), 1e-12);
        Gradcheck.assertGradients("corners3d", in -> List.of(BoxGeometry.corners3d(in.get(0))), List.of(boxes));
    }

    @Test
    void limitPeriod() {
        assertEquals(-Math.PI / 2, BoxGeometry.limitPeriod(Math.PI / 2, 0.5, Math.PI), 1e-12);
        assertEquals(0.1, BoxGeometry.limitPeriod(0.1 + 4 * Math.PI, 0.5, 2 * Math.PI), 1e-12);
        assertArrayEquals(new double[] {0.5, -1}, BoxGeometry.limitPeriod(Tensor.of(new double[] {0.5 + Math.PI, -1}, 2), 0.5, Math.PI).toDoubleArray(), 1e-12);
    }

    @Test
    void velocityColumnsFollowTheScene() {
        Tensor boxes = Tensor.of(new double[] {1, 2, 0, 4, 2, 1, 0.3, 1.5, -0.5}, 1, 9), pts = Tensor.of(new double[] {1, 2, 3, 0.7}, 1, 4);
        BoxAugmentor.Scene r = BoxAugmentor.globalRotation(boxes, pts, Math.PI / 2);
        assertArrayEquals(new double[] {-2, 1, 0, 4, 2, 1, 0.3 + Math.PI / 2, 0.5, 1.5}, r.boxes().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {-2, 1, 3, 0.7}, r.points().toDoubleArray(), 1e-12);
        BoxAugmentor.Scene s = BoxAugmentor.globalScaling(boxes, pts, 2);
        assertArrayEquals(new double[] {2, 4, 0, 8, 4, 2, 0.3, 3, -1}, s.boxes().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {2, 4, 6, 0.7}, s.points().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {1, -2, 0, 4, 2, 1, -0.3, 1.5, 0.5}, BoxAugmentor.flipAlongX(boxes, pts).boxes().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {-1, 2, 0, 4, 2, 1, -0.3 - Math.PI, -1.5, -0.5}, BoxAugmentor.flipAlongY(boxes, pts).boxes().toDoubleArray(), 1e-12);
        // inputs unchanged; 8 columns refused; empty scenes fine
        assertEquals(1.0, boxes.getDouble(0, 0), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BoxAugmentor.flipAlongX(Tensor.zeros(DType.FLOAT32, 1, 8), pts));
        assertTrue(e.getMessage().contains("flipAlongX") && e.getMessage().contains("[1, 8]"), e.getMessage());
        BoxAugmentor.Scene empty = BoxAugmentor.globalRotation(Tensor.zeros(DType.FLOAT32, 0, 7), Tensor.zeros(DType.FLOAT32, 0, 4), 1);
        assertArrayEquals(new int[] {0, 7}, empty.boxes().shape());
        // the random forms are reproducible from the seed, and a narrow scale range changes nothing
        assertArrayEquals(BoxAugmentor.randomRotation(boxes, pts, -0.78, 0.78, new Generator(9)).boxes().toDoubleArray(),
                BoxAugmentor.randomRotation(boxes, pts, -0.78, 0.78, new Generator(9)).boxes().toDoubleArray(), 0);
        assertTrue(BoxAugmentor.randomScaling(boxes, pts, 1, 1.0005, new Generator(1)).boxes() == boxes);
    }

    /** Every augmentation as one function of the scene, for the properties below. */
    private static List<UnaryOperator<BoxAugmentor.Scene>> augmentations(double angle, double scale) {
        return List.of(s -> BoxAugmentor.flipAlongX(s.boxes(), s.points()), s -> BoxAugmentor.flipAlongY(s.boxes(), s.points()),
                s -> BoxAugmentor.globalRotation(s.boxes(), s.points(), angle), s -> BoxAugmentor.globalScaling(s.boxes(), s.points(), scale),
                s -> BoxAugmentor.globalTranslation(s.boxes(), s.points(), 1.5, -2, 0.3));
    }

    @Property(tries = 30)
    void augmentationsKeepPointsInTheirBoxesAndPairwiseIoU(@ForAll @IntRange(min = 0, max = 100000) int seed,
                                                          @ForAll @DoubleRange(min = -3.2, max = 3.2) double angle,
                                                          @ForAll @DoubleRange(min = 0.9, max = 1.1) double scale) {
        Generator g = new Generator(seed);
        int n = 4;
        Tensor boxes = CoderTest.randomBoxes(g, n, 9);
        // one point well inside each box: its centre plus a fraction of the half size along the box axes
        double[] p = new double[n * 4];
        double[] b = boxes.toDoubleArray();
        for (int i = 0; i < n; i++) {
            double u = (g.nextDouble() - 0.5) * 0.8 * b[i * 9 + 3], v = (g.nextDouble() - 0.5) * 0.8 * b[i * 9 + 4];
            double c = Math.cos(b[i * 9 + 6]), s = Math.sin(b[i * 9 + 6]);
            p[i * 4] = b[i * 9] + u * c - v * s;
            p[i * 4 + 1] = b[i * 9 + 1] + u * s + v * c;
            p[i * 4 + 2] = b[i * 9 + 2];
            p[i * 4 + 3] = g.nextDouble();
        }
        BoxAugmentor.Scene scene = new BoxAugmentor.Scene(boxes, Tensor.of(p, n, 4));
        Tensor iou = RotatedIoU.iou3d(boxes, boxes);
        for (UnaryOperator<BoxAugmentor.Scene> aug : augmentations(angle, scale)) {
            BoxAugmentor.Scene out = aug.apply(scene);
            double[] ob = out.boxes().toDoubleArray(), op = out.points().toDoubleArray();
            for (int i = 0; i < n; i++) {
                double[] box = java.util.Arrays.copyOfRange(ob, i * 9, i * 9 + 7);
                assertTrue(BoxArbitraries.insideBev(box, op[i * 4], op[i * 4 + 1]), "point " + i + " left its box");
                assertEquals(p[i * 4 + 3], op[i * 4 + 3], 0, "intensity unchanged");
            }
            Tensor after = RotatedIoU.iou3d(out.boxes(), out.boxes());
            assertArrayEquals(iou.toDoubleArray(), after.toDoubleArray(), 1e-9);
        }
        // rotation commutes with taking corners, in OpenPCDet's corner order
        Tensor rotatedCorners = BoxGeometry.corners3d(BoxAugmentor.globalRotation(boxes, scene.points(), angle).boxes());
        Tensor cornersRotated = BoxAugmentor.rotatePointsAlongZ(BoxGeometry.corners3d(boxes).reshape(n * 8, 3), angle).reshape(n, 8, 3);
        assertArrayEquals(cornersRotated.toDoubleArray(), rotatedCorners.toDoubleArray(), 1e-9);
        // flips are involutions (headings up to a full turn)
        for (UnaryOperator<BoxAugmentor.Scene> flip : augmentations(angle, scale).subList(0, 2)) {
            double[] twice = flip.apply(flip.apply(scene)).boxes().toDoubleArray();
            for (int i = 0; i < twice.length; i++) {
                double d = twice[i] - b[i];
                assertEquals(0, i % 9 == 6 ? BoxGeometry.limitPeriod(d, 0.5, 2 * Math.PI) : d, 1e-9);
            }
        }
    }
}
