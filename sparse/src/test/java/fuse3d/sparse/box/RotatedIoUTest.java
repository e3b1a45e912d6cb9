package fuse3d.sparse.box;

import static fuse3d.sparse.box.BoxArbitraries.iou3d;
import static fuse3d.sparse.box.BoxArbitraries.iouBev;
import static fuse3d.sparse.box.BoxArbitraries.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.tensor.DType;
import fuse3d.tensor.Tensor;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

/** Rotated BEV / 3D IoU (OpenPCDet's boxes_iou_bev, boxes_iou3d_gpu semantics): cases by hand, then laws. */
class RotatedIoUTest {
    private static final double[] UNIT = {0, 0, 0, 2, 2, 2, 0};

    @Test
    void handCases() {
        assertEquals(1.0, iouBev(UNIT, UNIT), 1e-12);
        // half a side apart: overlap 2 of 4, union 6
        assertEquals(1.0 / 3, iouBev(UNIT, new double[] {1, 0, 0, 2, 2, 2, 0}), 1e-12);
        // a square turned by 45 degrees: the overlap is a regular octagon of area 8 (sqrt 2 - 1)
        double oct = 8 * (Math.sqrt(2) - 1);
        assertEquals(oct / (8 - oct), iouBev(UNIT, new double[] {0, 0, 0, 2, 2, 2, Math.PI / 4}), 1e-12);
        // turned by 90 degrees a 4 x 2 box overlaps itself in a 2 x 2 square
        assertEquals(4.0 / 12, iouBev(new double[] {0, 0, 0, 4, 2, 1, 0}, new double[] {0, 0, 0, 4, 2, 1, Math.PI / 2}), 1e-12);
        // containment: 1 x 1 inside 2 x 2
        assertEquals(0.25, iouBev(UNIT, new double[] {0.1, -0.1, 0, 1, 1, 1, 0.7}), 1e-12);
        // disjoint, and touching along an edge
        assertEquals(0.0, iouBev(UNIT, new double[] {5, 5, 0, 2, 2, 2, 0}), 0);
        assertEquals(0.0, iouBev(UNIT, new double[] {2, 0, 0, 2, 2, 2, 0}), 1e-15);
        // 3D: same BEV, z shifted by half the height: overlap 4 * 1, union 8 + 8 - 4
        assertEquals(4.0 / 12, iou3d(UNIT, new double[] {0, 0, 1, 2, 2, 2, 0}), 1e-12);
        assertEquals(0.0, iou3d(UNIT, new double[] {0, 0, 2.5, 2, 2, 2, 0}), 0);
    }

    @Test
    void degenerateBoxesHaveNoOverlap() {
        assertEquals(0.0, iouBev(UNIT, new double[] {0, 0, 0, 0, 2, 2, 0}), 0);
        assertEquals(0.0, iouBev(new double[] {0, 0, 0, 0, 0, 0, 0}, new double[] {0, 0, 0, 0, 0, 0, 0}), 0);
        assertEquals(0.0, iou3d(UNIT, new double[] {0, 0, 0, 2, 2, 0, 0}), 0);
        assertEquals(0.0, iouBev(UNIT, new double[] {Double.NaN, 0, 0, 2, 2, 2, 0}), 0);
        assertEquals(0.0, iouBev(UNIT, new double[] {0, 0, 0, 2, 2, 2, Double.NaN}), 0);
        assertEquals(0.0, iou3d(UNIT, new double[] {0, 0, Double.NaN, 2, 2, 2, 0}), 0);
        assertEquals(0.0, iouBev(UNIT, new double[] {0, 0, 0, -2, 2, 2, 0}), 0);
    }

    @Test
    void shapesDtypesAndErrors() {
        Tensor a = tensor(UNIT, new double[] {1, 1, 0, 1, 1, 1, 0.2}), b = tensor(UNIT);
        assertArrayEquals(new int[] {2, 1}, RotatedIoU.iouBev(a, b).shape());
        assertEquals(DType.FLOAT32, RotatedIoU.iouBev(a.toFloat(), b.toFloat()).dtype());
        assertEquals(DType.FLOAT64, RotatedIoU.iou3d(a, b).dtype());
        assertArrayEquals(new int[] {0, 1}, RotatedIoU.iouBev(Tensor.zeros(DType.FLOAT32, 0, 7), b).shape());
        assertArrayEquals(new int[] {2, 0}, RotatedIoU.iou3d(a, Tensor.zeros(DType.FLOAT64, 0, 7)).shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RotatedIoU.iouBev(Tensor.zeros(3, 5), b));
        assertTrue(e.getMessage().contains("iouBev") && e.getMessage().contains("[3, 5]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RotatedIoU.iou3dAligned(a, b));
        // extra columns (velocity) are ignored
        Tensor withVel = tensor(new double[] {0, 0, 0, 2, 2, 2, 0, 5, 5});
        assertEquals(1.0, RotatedIoU.iou3d(withVel, b).getDouble(0, 0), 1e-12);
    }

    @Test
    void alignedIsTheDiagonalOfTheMatrix() {
        Tensor a = tensor(UNIT, new double[] {1, 0.5, 0.2, 3, 1, 2, 0.4}, new double[] {-1, 0, 0, 1, 2, 1, 2});
        Tensor b = tensor(new double[] {0.5, 0, 0, 2, 1, 2, 0.1}, new double[] {1, 1, 0, 2, 2, 1, -0.3}, new double[] {-1, 0.5, 0.5, 2, 1, 1, 1});
        Tensor m = RotatedIoU.iou3d(a, b), d = RotatedIoU.iou3dAligned(a, b), mb = RotatedIoU.iouBev(a, b), db = RotatedIoU.iouBevAligned(a, b);
        for (int i = 0; i < 3; i++) {
            assertEquals(m.getDouble(i, i), d.getDouble(i), 0);
            assertEquals(mb.getDouble(i, i), db.getDouble(i), 0);
        }
    }

    @Test
    void nearestBevIouSwapsDimsPastFortyFiveDegrees() {
        // a 4 x 2 box turned by 80 degrees is taken as an axis-aligned 2 x 4 box
        Tensor a = tensor(new double[] {0, 0, 0, 4, 2, 1, Math.toRadians(80)}), b = tensor(new double[] {0, 0, 0, 2, 4, 1, 0});
        assertEquals(1.0, RotatedIoU.nearestBevIou(a, b).getDouble(0, 0), 1e-12);
        assertArrayEquals(new double[] {-1, -2, 1, 2}, RotatedIoU.alignedBevBoxes(a).toDoubleArray(), 1e-12);
    }

    @Provide
    Arbitrary<double[]> box() { return BoxArbitraries.box(2); }

    @Property(tries = 200)
    void symmetricBoundedAndOneWithItself(@ForAll("box") double[] a, @ForAll("box") double[] b) {
        double ab = iouBev(a, b), ba = iouBev(b, a);
        assertEquals(ab, ba, 1e-12);
        assertTrue(ab >= 0 && ab <= 1, "iou " + ab);
        double ab3 = iou3d(a, b);
        assertEquals(ab3, iou3d(b, a), 1e-12);
        assertTrue(ab3 >= 0 && ab3 <= 1, "iou3d " + ab3);
        assertEquals(1.0, iouBev(a, a), 1e-12);
        assertEquals(1.0, iou3d(a, a), 1e-12);
    }

    @Property(tries = 200)
    void invariantUnderAJointRigidMotion(@ForAll("box") double[] a, @ForAll("box") double[] b, @ForAll @DoubleRange(min = -4, max = 4) double angle,
                                        @ForAll @DoubleRange(min = -50, max = 50) double tx, @ForAll @DoubleRange(min = -50, max = 50) double ty) {
        double[] ma = BoxArbitraries.move(a, angle, tx, ty), mb = BoxArbitraries.move(b, angle, tx, ty);
        assertEquals(iouBev(a, b), iouBev(ma, mb), 1e-9);
        assertEquals(iou3d(a, b), iou3d(ma, mb), 1e-9);
        // a box is symmetric under a half turn: heading + pi changes nothing
        double[] flipped = a.clone();
        flipped[6] += Math.PI;
        assertEquals(iouBev(a, b), iouBev(flipped, b), 1e-9);
    }

    /** The overlap against a rasterised count over a fine grid around both boxes (an independent estimate). */
    @Property(tries = 30)
    void overlapMatchesARasterisedArea(@ForAll("box") double[] a, @ForAll("box") double[] b) {
        double exact = RotatedIoU.bevOverlap(a[0], a[1], a[3], a[4], a[6], b[0], b[1], b[3], b[4], b[6]);
        double lo = -5.5, hi = 5.5;
        int n = 700;
        double cell = (hi - lo) / n;
        int count = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double x = lo + (i + 0.5) * cell, y = lo + (j + 0.5) * cell;
                if (BoxArbitraries.insideBev(a, x, y) && BoxArbitraries.insideBev(b, x, y)) count++;
            }
        double raster = count * cell * cell;
        // only cells cut by the overlap's boundary (at most 16 units long, about 1000 cells of 2.5e-4) can be wrong,
        // and their errors mostly cancel: 0.05 is a loose bound that still catches a wrong polygon
        assertEquals(exact, raster, 0.05, "exact " + exact + " raster " + raster);
    }
}
