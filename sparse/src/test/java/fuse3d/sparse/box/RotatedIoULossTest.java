package fuse3d.sparse.box;

import static fuse3d.sparse.box.BoxArbitraries.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Gradcheck;
import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Tensor;
import java.util.List;
import java.util.function.BinaryOperator;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Differentiable rotated IoU (mmcv's diff_iou_rotated_3d method) and its IoU / GIoU / DIoU losses: values equal the
 * exact clipping IoU, hand-computed GIoU/DIoU, float64 gradchecks away from degenerate configurations.
 */
class RotatedIoULossTest {
    // pairs in general position: partial overlaps at odd angles, containment, a disjoint pair, z offsets
    private static final double[][] PRED = {
        {0.1, 0.2, 0.05, 2.1, 1.3, 1.5, 0.3}, {5.2, -1.0, 0.3, 4.0, 1.8, 1.6, 1.1}, {-2.0, 3.0, -0.2, 1.0, 0.7, 1.2, -0.8},
        {0.0, 0.0, 0.0, 3.0, 2.5, 2.0, 0.2}, {10.0, 10.0, 0.0, 1.0, 1.0, 1.0, 0.5}};
    private static final double[][] TARGET = {
        {0.7, -0.3, 0.4, 1.8, 1.1, 1.7, -0.4}, {4.5, -0.6, 0.1, 3.7, 1.6, 1.5, 0.9}, {-1.6, 3.3, 0.1, 1.3, 0.9, 1.1, 0.6},
        {0.3, -0.2, 0.3, 1.0, 0.6, 0.9, 1.3}, {12.5, 10.0, 0.2, 1.2, 0.8, 1.1, 0.1}};

    @Test
    void valuesEqualTheExactIoU() {
        Tensor p = tensor(PRED), t = tensor(TARGET);
        Tensor exactBev = RotatedIoU.iouBevAligned(p, t), exact3d = RotatedIoU.iou3dAligned(p, t);
        Tensor bev = RotatedIoULoss.iouBev(Var.of(p), Var.of(t)).data(), iou = RotatedIoULoss.iou3d(Var.of(p), Var.of(t)).data();
        for (int i = 0; i < PRED.length; i++) {
            assertEquals(exactBev.getDouble(i), bev.getDouble(i), 1e-12, "bev pair " + i);
            assertEquals(exact3d.getDouble(i), iou.getDouble(i), 1e-12, "3d pair " + i);
        }
        assertTrue(bev.getDouble(3) > 0 && bev.getDouble(4) == 0, "containment and disjoint cases");
        // float32 in, float32 out, close to the float64 values
        Tensor f = RotatedIoULoss.iou3d(Var.of(p.toFloat()), Var.of(t.toFloat())).data();
        assertEquals(DType.FLOAT32, f.dtype());
        for (int i = 0; i < PRED.length; i++) assertEquals(exact3d.getDouble(i), f.getDouble(i), 2e-6);
    }

    @Test
    void giouAndDiouByHand() {
        // unit cubes side 2, shifted by 1 in x: IoU 1/3; enclosing box 3 x 2 x 2 = 12, union 12: GIoU = IoU
        Tensor a = tensor(new double[] {0, 0, 0, 2, 2, 2, 0}), b = tensor(new double[] {1, 0, 0, 2, 2, 2, 0});
        assertEquals(2.0 / 3, RotatedIoULoss.iouLoss(Var.of(a), Var.of(b)).item(), 1e-12);
        assertEquals(2.0 / 3, RotatedIoULoss.giouLoss(Var.of(a), Var.of(b)).item(), 1e-12);
        // DIoU penalty: centre distance^2 1 over enclosing diagonal^2 9 + 4 + 4
        assertEquals(2.0 / 3 + 1.0 / 17, RotatedIoULoss.diouLoss(Var.of(a), Var.of(b)).item(), 1e-12);
        // disjoint: GIoU loss above 1, reaching towards 2 far away
        Tensor far = tensor(new double[] {10, 0, 0, 2, 2, 2, 0});
        double g = RotatedIoULoss.giouLoss(Var.of(a), Var.of(far)).item();
        assertEquals(1 + (12 * 2 * 2 - 16) / (12.0 * 2 * 2), g, 1e-12);
        // identical boxes: every loss 0
        assertEquals(0.0, RotatedIoULoss.diouLoss(Var.of(a), Var.of(a)).item(), 1e-12);
        assertEquals(0.0, RotatedIoULoss.giouLoss(Var.of(a), Var.of(a)).item(), 1e-12);
    }

    @Test
    void gradcheckEveryLoss() {
        List<Tensor> inputs = List.of(tensor(PRED), tensor(TARGET));
        Gradcheck.Options o = new Gradcheck.Options(1e-6, 1e-6, 1e-4, 2, 11);
        check("iouBev", RotatedIoULoss::iouBev, inputs, o);
        check("iou3d", RotatedIoULoss::iou3d, inputs, o);
        check("giouLoss", RotatedIoULoss::giouLoss, inputs, o);
        check("diouLoss", RotatedIoULoss::diouLoss, inputs, o);
        check("alignedDiou3d", RotatedIoULoss::alignedDiou3d, inputs, o);
    }

    private static void check(String name, BinaryOperator<Var> f, List<Tensor> inputs, Gradcheck.Options o) {
        Gradcheck.assertGradients(name, in -> List.of(f.apply(in.get(0), in.get(1))), inputs, o);
    }

    @Test
    void gradientsReachEveryParameterOfAnOverlappingPair() {
        Var p = Var.leaf(tensor(PRED[0])), t = Var.leaf(tensor(TARGET[0]));
        RotatedIoULoss.iou3d(p, t).sum().backward();
        for (int d = 0; d < 7; d++) {
            assertTrue(p.grad().getDouble(0, d) != 0, "pred grad " + d);
            assertTrue(t.grad().getDouble(0, d) != 0, "target grad " + d);
        }
    }

    @Test
    void emptyAndBadInput() {
        Var e = Var.of(Tensor.zeros(DType.FLOAT64, 0, 7));
        assertEquals(0, RotatedIoULoss.iouLoss(e, e).numel());
        assertEquals(0, RotatedIoULoss.diouLoss(e, e).numel());
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> RotatedIoULoss.iou3d(Var.of(tensor(PRED)), Var.of(tensor(TARGET[0]))));
        assertTrue(ex.getMessage().contains("overlapBev") && ex.getMessage().contains("[5, 7]"), ex.getMessage());
        // a zero-size box: IoU 0, no NaN
        Tensor zero = tensor(new double[] {0, 0, 0, 0, 0, 0, 0});
        assertEquals(0.0, RotatedIoULoss.iou3d(Var.of(zero), Var.of(tensor(PRED[0]))).item(), 0);
    }

    @Provide
    Arbitrary<double[]> box() { return BoxArbitraries.box(1.5); }

    @Property(tries = 100)
    void differentiableIoUMatchesExactIoU(@ForAll("box") double[] a, @ForAll("box") double[] b) {
        double exact = BoxArbitraries.iou3d(a, b);
        double diff = RotatedIoULoss.iou3d(Var.of(tensor(a)), Var.of(tensor(b))).item();
        assertEquals(exact, diff, 1e-9);
        double giou = 1 - RotatedIoULoss.giouLoss(Var.of(tensor(a)), Var.of(tensor(b))).item();
        double diou = 1 - RotatedIoULoss.diouLoss(Var.of(tensor(a)), Var.of(tensor(b))).item();
        assertTrue(giou <= exact + 1e-12 && giou >= -1 - 1e-12, "giou " + giou);
        assertTrue(diou <= exact + 1e-12 && diou >= -1 - 1e-12, "diou " + diou);
    }
}
