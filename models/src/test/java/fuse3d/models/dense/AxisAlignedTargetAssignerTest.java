package fuse3d.models.dense;

import static fuse3d.models.dense.DenseFixtures.anchorRow;
import static fuse3d.models.dense.DenseFixtures.box;
import static fuse3d.models.dense.DenseFixtures.gt;
import static fuse3d.models.dense.DenseFixtures.gtRow;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.sparse.box.ResidualCoder;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.testing.Closeness;
import java.util.List;
import org.junit.jupiter.api.Test;

/** AxisAlignedTargetAssigner on hand-made anchors and boxes, IoUs worked out in the comments (2 x 2 BEV squares). */
class AxisAlignedTargetAssignerTest {
    private static AnchorClassConfig cls(String name, double matched, double unmatched) {
        return new AnchorClassConfig(name, new double[][] {{2, 2, 1}}, new double[] {0}, new double[] {-0.5}, true, 1, matched, unmatched);
    }

    private static AxisAlignedTargetAssigner assigner(TargetAssignerConfig t, AnchorClassConfig... classes) {
        return new AxisAlignedTargetAssigner(List.of(classes), List.of("Car", "Pedestrian"), t);
    }

    private static final TargetAssignerConfig ALL = TargetAssignerConfig.voxelRcnnCar();

    @Test
    void matchedIgnoredAndBackgroundBands() {
        // anchors at x = 0, 1.3, 4 and 8; the box at x = 0.6: IoU 2.8/5.2 = 0.538 (best), 2.6/5.4 = 0.481, 0, 0
        Tensor anchors = anchorRow(box(0, 0, 2, 2, 0), box(1.3, 0, 2, 2, 0), box(4, 0, 2, 2, 0), box(8, 0, 2, 2, 0));
        AnchorTargets t = assigner(ALL, cls("Car", 0.6, 0.45)).assign(List.of(anchors), gt(gtRow(0.6, 0, 2, 2, 0, 1)), new Generator(1));
        // the best anchor is forced positive under 0.6; 0.481 sits in the ignore band; the rest are background
        assertArrayEquals(new int[] {1, -1, 0, 0}, t.boxClsLabels().toIntArray());
        assertArrayEquals(new float[] {1, 0, 0, 0}, t.regWeights().toFloatArray());
        Tensor expected = new ResidualCoder().encode(Tensor.ofFloats(new float[] {0.6f, 0, 0, 2, 2, 1, 0}, 1, 7),
                Tensor.ofFloats(new float[] {0, 0, 0, 2, 2, 1, 0}, 1, 7));
        Closeness.assertClose(t.boxRegTargets().select(0, 0).narrow(0, 0, 1), expected, 1e-6, 1e-7, false, "positive's code");
        Closeness.assertClose(t.boxRegTargets().select(0, 0).narrow(0, 1, 3), Tensor.zeros(3, 7), 0, 0, false, "zero elsewhere");
        // with a lower matched threshold the second anchor becomes positive too
        AnchorTargets low = assigner(ALL, cls("Car", 0.45, 0.3)).assign(List.of(anchors), gt(gtRow(0.6, 0, 2, 2, 0, 1)), new Generator(1));
        assertArrayEquals(new int[] {1, 1, 0, 0}, low.boxClsLabels().toIntArray());
    }

    @Test
    void tiedBestAnchorsAreAllForced() {
        // the box at x = 1 overlaps the anchors at 0 and 2 equally (IoU 2/6): both forced, though under unmatched
        Tensor anchors = anchorRow(box(0, 0, 2, 2, 0), box(2, 0, 2, 2, 0), box(6, 0, 2, 2, 0));
        AnchorTargets t = assigner(ALL, cls("Car", 0.6, 0.45)).assign(List.of(anchors), gt(gtRow(1, 0, 2, 2, 0, 1)), new Generator(1));
        assertArrayEquals(new int[] {1, 1, 0}, t.boxClsLabels().toIntArray());
    }

    @Test
    void aBoxOverlappingNoAnchorForcesNothing() {
        Tensor anchors = anchorRow(box(0, 0, 2, 2, 0), box(2, 0, 2, 2, 0));
        AnchorTargets t = assigner(ALL, cls("Car", 0.6, 0.45)).assign(List.of(anchors), gt(gtRow(20, 20, 2, 2, 0, 1)), new Generator(1));
        assertArrayEquals(new int[] {0, 0}, t.boxClsLabels().toIntArray());
    }

    @Test
    void zeroPaddedRowsAreIgnoredAnywhere() {
        Tensor anchors = anchorRow(box(0, 0, 2, 2, 0), box(1.3, 0, 2, 2, 0), box(4, 0, 2, 2, 0));
        double[] zero = new double[8];
        AnchorTargets plain = assigner(ALL, cls("Car", 0.6, 0.45)).assign(List.of(anchors), gt(gtRow(0.6, 0, 2, 2, 0, 1)), new Generator(1));
        AnchorTargets padded = assigner(ALL, cls("Car", 0.6, 0.45)).assign(List.of(anchors), gt(zero, gtRow(0.6, 0, 2, 2, 0, 1), zero, zero), new Generator(1));
        assertArrayEquals(plain.boxClsLabels().toIntArray(), padded.boxClsLabels().toIntArray());
        assertArrayEquals(plain.boxRegTargets().toFloatArray(), padded.boxRegTargets().toFloatArray());
        AnchorTargets empty = assigner(ALL, cls("Car", 0.6, 0.45)).assign(List.of(anchors), gt(zero, zero), new Generator(1));
        assertArrayEquals(new int[] {0, 0, 0}, empty.boxClsLabels().toIntArray());
        assertArrayEquals(new float[3 * 7], empty.boxRegTargets().toFloatArray());
    }

    @Test
    void eachClassMatchesItsOwnBoxesWithItsOwnThresholdsInTheHeadsOrder() {
        // two locations (x = 0 and x = 1.3), one Car and one Pedestrian anchor each; the head's order is
        // (loc 0 Car, loc 0 Ped, loc 1 Car, loc 1 Ped)
        Tensor anchors = anchorRow(box(0, 0, 2, 2, 0), box(1.3, 0, 2, 2, 0));
        // a Pedestrian box at 0.6: IoU 0.538 with the first, 0.481 with the second; Car has no box
        AnchorTargets t = assigner(ALL, cls("Car", 0.6, 0.45), cls("Pedestrian", 0.45, 0.3))
                .assign(List.of(anchors, anchors), gt(gtRow(0.6, 0, 2, 2, 0, 2)), new Generator(1));
        assertArrayEquals(new int[] {0, 2, 0, 2}, t.boxClsLabels().toIntArray());
        // the same box as Car: Car thresholds (0.6 / 0.45) leave the second in the ignore band
        AnchorTargets car = assigner(ALL, cls("Car", 0.6, 0.45), cls("Pedestrian", 0.45, 0.3))
                .assign(List.of(anchors, anchors), gt(gtRow(0.6, 0, 2, 2, 0, 1)), new Generator(1));
        assertArrayEquals(new int[] {1, 0, -1, 0}, car.boxClsLabels().toIntArray());
    }

    @Test
    void heightIsIgnoredUnlessMatchHeight() {
        Tensor anchors = anchorRow(box(0, 0, 2, 2, 0));
        double[] high = {0, 0, 5, 2, 2, 1, 0, 1};
        AnchorTargets bev = assigner(ALL, cls("Car", 0.6, 0.45)).assign(List.of(anchors), gt(high), new Generator(1));
        assertArrayEquals(new int[] {1}, bev.boxClsLabels().toIntArray());
        TargetAssignerConfig h = new TargetAssignerConfig(-1, 512, false, true, "ResidualCoder");
        AnchorTargets threeD = assigner(h, cls("Car", 0.6, 0.45)).assign(List.of(anchors), gt(high), new Generator(1));
        assertArrayEquals(new int[] {0}, threeD.boxClsLabels().toIntArray());
    }

    @Test
    void subsamplingCapsPositivesAndDrawsBackground() {
        double[][] rows = new double[12][];
        for (int i = 0; i < 12; i++) rows[i] = box(i < 6 ? 0.1 * i : 10 + 3 * i, 0, 2, 2, 0);
        Tensor anchors = anchorRow(rows);
        TargetAssignerConfig sub = new TargetAssignerConfig(0.25, 6, false, false, "ResidualCoder");
        AnchorTargets t = assigner(sub, cls("Car", 0.6, 0.45)).assign(List.of(anchors), gt(gtRow(0.25, 0, 2, 2, 0, 1)), new Generator(5));
        int[] l = t.boxClsLabels().toIntArray();
        int pos = 0, neg = 0;
        for (int i = 0; i < l.length; i++) {
            if (l[i] > 0) {
                pos++;
                assertTrue(i < 6, "only overlapping anchors can be positive");
            }
            if (l[i] == 0) neg++;
        }
        assertEquals(1, pos, "int(POS_FRACTION 0.25 * SAMPLE_SIZE 6)");
        assertTrue(neg >= 1 && neg <= 5, "at most 5 background draws (with replacement), got " + neg);
        AnchorTargets again = assigner(sub, cls("Car", 0.6, 0.45)).assign(List.of(anchors), gt(gtRow(0.25, 0, 2, 2, 0, 1)), new Generator(5));
        assertArrayEquals(l, again.boxClsLabels().toIntArray(), "same seed, same draw");
        float[] w = t.regWeights().toFloatArray();
        for (int i = 0; i < l.length; i++) assertEquals(l[i] > 0 ? 1f : 0f, w[i]);
        // as OpenPCDet: with no more candidates than the background quota (6 for 8 - 2), none is enabled
        TargetAssignerConfig quota = new TargetAssignerConfig(0.25, 8, false, false, "ResidualCoder");
        int[] q = assigner(quota, cls("Car", 0.6, 0.45)).assign(List.of(anchors), gt(gtRow(0.25, 0, 2, 2, 0, 1)), new Generator(5)).boxClsLabels().toIntArray();
        for (int i = 6; i < 12; i++) assertEquals(-1, q[i]);
    }

    @Test
    void normByNumExamplesDividesByCaredAnchors() {
        Tensor anchors = anchorRow(box(0, 0, 2, 2, 0), box(1.3, 0, 2, 2, 0), box(4, 0, 2, 2, 0), box(8, 0, 2, 2, 0));
        TargetAssignerConfig norm = new TargetAssignerConfig(-1, 512, true, false, "ResidualCoder");
        AnchorTargets t = assigner(norm, cls("Car", 0.6, 0.45)).assign(List.of(anchors), gt(gtRow(0.6, 0, 2, 2, 0, 1)), new Generator(1));
        assertArrayEquals(new float[] {1f / 3, 0, 0, 0}, t.regWeights().toFloatArray(), 1e-7f);
    }

    @Test
    void badInputsAreRefusedByName() {
        Tensor anchors = anchorRow(box(0, 0, 2, 2, 0));
        AxisAlignedTargetAssigner a = assigner(ALL, cls("Car", 0.6, 0.45));
        assertThrows(IllegalArgumentException.class, () -> a.assign(List.of(anchors), Tensor.zeros(1, 2, 7), new Generator(1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.assign(List.of(anchors), gt(gtRow(0, 0, 2, 2, 0, 5)), new Generator(1)));
        assertTrue(e.getMessage().contains("class id 5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AxisAlignedTargetAssigner(List.of(cls("Truck", 0.6, 0.45)), List.of("Car"), ALL));
        assertThrows(IllegalArgumentException.class, () -> cls("Car", 0.4, 0.5));
    }
}
