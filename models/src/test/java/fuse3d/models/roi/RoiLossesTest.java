package fuse3d.models.roi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Gradcheck;
import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Tensor;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

/** The RoI losses and decoding against hand-computed numbers, a flip-invariance property and gradchecks. */
class RoiLossesTest {
    private static final List<Double> ONES = List.of(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0);

    @Test
    void clsLossByHand() {
        Var logits = Var.of(Tensor.of(new double[] {0, 0, 2}, 3, 1));
        Tensor labels = Tensor.of(new double[] {1, -1, 0.5}, 3);
        // ln 2 for the first; the ignored row drops out; 0.5 softplus(-2) + 0.5 softplus(2) for the last; mean of two
        double expect = (Math.log(2) + 0.5 * Math.log1p(Math.exp(-2)) + 0.5 * Math.log1p(Math.exp(2))) / 2;
        assertEquals(expect * 3, RoiLosses.clsLoss(logits, labels, 3).item(), 1e-12);
        assertEquals(0.0, RoiLosses.clsLoss(logits, Tensor.of(new double[] {-1, -1, -1}, 3), 1).item());
    }

    @Test
    void regLossByHand() {
        // RoI 0: GT 0.3 m ahead in its frame, same size; RoI 1 is background with a wild prediction
        Tensor rois = Tensor.of(new double[] {5, 5, 0, 4, 2, 2, 0.3, 0, 0, 0, 4, 2, 2, 0}, 1, 2, 7);
        Tensor gtCt = Tensor.of(new double[] {0.3, 0, 0, 4, 2, 2, 0, 1, 0, 0, 0, 1, 1, 1, 0, 1}, 1, 2, 8);
        Tensor mask = Tensor.ofInts(new int[] {1, 0}, 1, 2).gt(0.0);
        Var pred = Var.of(Tensor.of(new double[] {0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9, 9, 9, 9}, 2, 7));
        double d = 0.3 / Math.sqrt(20);
        assertEquals(0.5 * d * d * 9 * 2, RoiLosses.regLoss(pred, rois, gtCt, mask, ONES, 2).item(), 1e-12);
        // code weights scale the difference before the smooth-L1: 3 d > 1/9 is on the linear piece
        List<Double> cw = List.of(3.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0);
        assertEquals(3 * d - 0.5 / 9, RoiLosses.regLoss(pred, rois, gtCt, mask, cw, 1).item(), 1e-12);
    }

    @Test
    void cornerLossAndDecodeByHand() {
        Tensor gt = Tensor.of(new double[] {1, 2, 3, 4, 2, 1.5, 0.4}, 1, 7);
        // every corner 0.5 m away: Huber 0.5^2 / 2
        Var shifted = Var.of(Tensor.of(new double[] {1.5, 2, 3, 4, 2, 1.5, 0.4}, 1, 7));
        assertEquals(0.125, RoiLosses.cornerLossLidar(shifted, gt).item(), 1e-12);
        // the same box turned by pi costs nothing; 2 m away is on the linear piece
        assertEquals(0.0, RoiLosses.cornerLossLidar(Var.of(Tensor.of(new double[] {1, 2, 3, 4, 2, 1.5, 0.4 + Math.PI}, 1, 7)), gt).item(), 1e-12);
        assertEquals(1.5, RoiLosses.cornerLossLidar(Var.of(Tensor.of(new double[] {1, 2, 5, 4, 2, 1.5, 0.4}, 1, 7)), gt).item(), 1e-12);
        // decode: a quarter-turned RoI at (10, 5, 1); code x = 1 m along the RoI's own x (its diagonal is sqrt 20)
        Tensor roi = Tensor.of(new double[] {10, 5, 1, 4, 2, 2, Math.PI / 2}, 1, 7);
        Var code = Var.of(Tensor.of(new double[] {1 / Math.sqrt(20), 0, 0.25, Math.log(1.5), 0, 0, 0.1}, 1, 7));
        assertArrayEquals(new double[] {10, 6, 1.5, 6, 2, 2, Math.PI / 2 + 0.1}, RoiLosses.decode(code, roi).data().toDoubleArray(), 1e-12);
        // no foreground: no corner term
        assertNull(RoiLosses.cornerLoss(Var.of(Tensor.zeros(DType.FLOAT64, 1, 7)), roi.reshape(1, 1, 7), Tensor.zeros(1, 1, 8), Tensor.zeros(1, 1).gt(0.0), 1));
        var e = assertThrows(IllegalArgumentException.class, () -> RoiLosses.cornerLossLidar(shifted, Tensor.zeros(2, 7)));
        assertTrue(e.getMessage().contains("get_corner_loss_lidar"), e.getMessage());
    }

    @Test
    void iouLossByHand() {
        Var pred = Var.of(Tensor.of(new double[] {0.5, 2.0, 0.9}, 3, 1));
        Tensor ious = Tensor.of(new double[] {0.7, 0.5, 0.2}, 3);
        // rows 0 and 1 reach 0.3: 0.5 * 0.2^2 and 1.5 - 0.5; mean of two
        assertEquals((0.02 + 1.0) / 2, RoiLosses.iouLoss(pred, ious, 0.3, 1).item(), 1e-12);
    }

    /** Turning the GT by π changes no corner distance that matters: the loss is the same. */
    @Property(tries = 100)
    void cornerLossIsInvariantToFlippingTheGt(@ForAll @DoubleRange(min = -3, max = 3) double dx, @ForAll @DoubleRange(min = -3, max = 3) double dy,
                                              @ForAll @DoubleRange(min = 0.5, max = 5) double l, @ForAll @DoubleRange(min = -7, max = 7) double hp,
                                              @ForAll @DoubleRange(min = -7, max = 7) double hg) {
        Var pred = Var.of(Tensor.of(new double[] {dx, dy, 0.2, l, 1.7, 1.5, hp}, 1, 7));
        Tensor gt = Tensor.of(new double[] {0, 0, 0, 3.9, 1.6, 1.56, hg}, 1, 7);
        Tensor flipped = Tensor.of(new double[] {0, 0, 0, 3.9, 1.6, 1.56, hg + Math.PI}, 1, 7);
        double a = RoiLosses.cornerLossLidar(pred, gt).item(), b = RoiLosses.cornerLossLidar(pred, flipped).item();
        assertEquals(a, b, 1e-9);
        assertTrue(a >= 0);
    }

    @Test
    void gradchecks() {
        Tensor rois = Tensor.of(new double[] {5, 5, 0, 4, 2, 2, 0.3, 1, -1, 0.5, 3.5, 1.8, 1.4, -2.0}, 1, 2, 7);
        Tensor gt = Tensor.of(new double[] {5.3, 5.2, 0.1, 4.2, 1.9, 2.1, 0.2, 1, 1.2, -0.8, 0.4, 3.6, 1.7, 1.5, 1.0, 1}, 1, 2, 8);
        Tensor mask = Tensor.ofInts(new int[] {1, 1}, 1, 2).gt(0.0);
        Tensor ct = ProposalTargetLayer.canonical(rois, gt).to(DType.FLOAT64);
        Tensor reg = Tensor.of(new double[] {0.05, -0.1, 0.2, 0.1, -0.05, 0.02, 0.3, -0.2, 0.1, 0.05, 0.03, 0.2, -0.1, 0.4}, 2, 7);
        Gradcheck.Report r = Gradcheck.check("rcnn reg + corner", in -> List.of(RoiLosses.regLoss(in.get(0), rois, ct, mask, ONES, 1)
                .add(RoiLosses.cornerLoss(in.get(0), rois, gt, mask, 1))), List.of(reg));
        assertTrue(r.passed(), r::toString);
        Tensor cls = Tensor.of(new double[] {0.3, -1.2, 2.0}, 3, 1);
        r = Gradcheck.check("rcnn cls", in -> List.of(RoiLosses.clsLoss(in.get(0), Tensor.of(new double[] {0.4, -1, 1}, 3), 1)), List.of(cls));
        assertTrue(r.passed(), r::toString);
    }
}
