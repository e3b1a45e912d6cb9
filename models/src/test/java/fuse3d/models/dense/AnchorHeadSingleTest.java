package fuse3d.models.dense;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Gradcheck;
import fuse3d.autograd.Var;
import fuse3d.models.detect.LossTerms;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** AnchorHeadSingle: names and init, shapes, each loss term by hand, direction targets and box decoding, gradcheck. */
class AnchorHeadSingleTest {
    private static final double[] ONES = {1, 1, 1, 1, 1, 1, 1};
    private static final double LN2 = Math.log(2);

    @Test
    void parametersCarryOpenPCDetNamesAndInit() {
        AnchorHeadSingle head = DenseFixtures.twoClassHead(false, ONES, 4);
        Map<String, Var> p = head.namedParameters();
        assertEquals(List.of("conv_cls.weight", "conv_cls.bias", "conv_box.weight", "conv_box.bias", "conv_dir_cls.weight", "conv_dir_cls.bias"),
                List.copyOf(p.keySet()));
        assertArrayEquals(new int[] {8, 4, 1, 1}, p.get("conv_cls.weight").shape()); // 4 anchors x 2 classes
        assertArrayEquals(new int[] {28, 4, 1, 1}, p.get("conv_box.weight").shape());
        assertArrayEquals(new int[] {8, 4, 1, 1}, p.get("conv_dir_cls.weight").shape());
        for (float b : p.get("conv_cls.bias").data().toFloatArray()) assertEquals(-Math.log(99), b, 1e-6);
        double sd = p.get("conv_box.weight").data().std().item();
        assertTrue(sd > 0.0003 && sd < 0.003, "conv_box weight std ~0.001, got " + sd);
        assertEquals(24, head.anchors().size(0));
        AnchorHeadSingle agnostic = DenseFixtures.twoClassHead(true, ONES, 4);
        assertEquals(1, agnostic.numClass());
        assertArrayEquals(new int[] {4, 4, 1, 1}, agnostic.namedParameters().get("conv_cls.weight").shape());
    }

    @Test
    void forwardGivesChannelsLastMapsAndChecksTheMap() {
        AnchorHeadSingle head = DenseFixtures.twoClassHead(false, ONES, 4);
        AnchorHeadOutput out = head.forward(Var.of(new Generator(1).normal(0, 1, 2, 4, 2, 3)));
        assertArrayEquals(new int[] {2, 2, 3, 8}, out.clsPreds().shape());
        assertArrayEquals(new int[] {2, 2, 3, 28}, out.boxPreds().shape());
        assertArrayEquals(new int[] {2, 2, 3, 8}, out.dirClsPreds().shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> head.forward(Var.of(Tensor.zeros(2, 4, 3, 2))));
        assertTrue(e.getMessage().contains("[B, 4, 2, 3]"), e.getMessage());
        PredictedBoxes pb = head.generatePredictedBoxes(out);
        assertArrayEquals(new int[] {2, 24, 2}, pb.batchClsPreds().shape());
        assertArrayEquals(new int[] {2, 24, 7}, pb.batchBoxPreds().shape());
    }

    @Test
    void eachLossTermByHand() {
        AnchorHeadSingle head = DenseFixtures.twoClassHead(false, ONES, 4);
        int n = 24;
        int[] labels = new int[n];
        labels[5] = 1;
        labels[9] = -1;
        float[] targets = new float[n * 7];
        float[] t = {0.1f, -0.2f, 0.05f, 0.3f, 0, 0, 0.5f};
        System.arraycopy(t, 0, targets, 5 * 7, 7);
        AnchorTargets at = new AnchorTargets(Tensor.ofInts(labels, 1, n), Tensor.ofFloats(targets, 1, n, 7), Tensor.zeros(1, n));
        AnchorHeadOutput zero = new AnchorHeadOutput(Var.of(Tensor.zeros(1, 2, 3, 8)), Var.of(Tensor.zeros(1, 2, 3, 28)), Var.of(Tensor.zeros(1, 2, 3, 8)));
        LossTerms terms = head.loss(zero, at);
        // logits 0: p = 0.5, bce = ln 2, (1 - p_t)^2 = 1/4; alpha 0.25 on the positive's own column, 0.75 elsewhere;
        // the positive anchor: (0.25 + 0.75) / 4 ln 2; 22 negatives: 2 x 0.75 / 4 ln 2 each; the ignored one: 0
        assertEquals((0.25 + 22 * 0.375) * LN2, terms.terms().get("rpn_loss_cls").item(), 1e-5);
        // smooth-L1 (beta 1/9) of the differences 0.1, 0.2, 0.05, 0.3, 0, 0 and sin(0.5) (sin(0 - 0.5) split), times 2
        double beta = 1.0 / 9;
        double loc = 0;
        for (double d : new double[] {0.1, 0.2, 0.05, 0.3, 0, 0, Math.sin(0.5)}) loc += d < beta ? 0.5 * d * d / beta : d - 0.5 * beta;
        assertEquals(2 * loc, terms.terms().get("rpn_loss_loc").item(), 1e-5);
        // direction: two equal logits, CE ln 2, on the one positive, times 0.2
        assertEquals(0.2 * LN2, terms.terms().get("rpn_loss_dir").item(), 1e-6);
        // two frames, the second without positives: cls normalised by max(0, 1), everything divided by B = 2
        int[] two = new int[2 * n];
        System.arraycopy(labels, 0, two, 0, n);
        float[] targets2 = new float[2 * n * 7];
        System.arraycopy(targets, 0, targets2, 0, n * 7);
        AnchorTargets at2 = new AnchorTargets(Tensor.ofInts(two, 2, n), Tensor.ofFloats(targets2, 2, n, 7), Tensor.zeros(2, n));
        AnchorHeadOutput zero2 = new AnchorHeadOutput(Var.of(Tensor.zeros(2, 2, 3, 8)), Var.of(Tensor.zeros(2, 2, 3, 28)), Var.of(Tensor.zeros(2, 2, 3, 8)));
        LossTerms t2 = head.loss(zero2, at2);
        assertEquals(((0.25 + 22 * 0.375) + 24 * 0.375) * LN2 / 2, t2.terms().get("rpn_loss_cls").item(), 1e-5);
        assertEquals(loc, t2.terms().get("rpn_loss_loc").item(), 1e-5);
    }

    @Test
    void codeWeightsScaleTheDifferences() {
        double[] w = {1, 1, 1, 1, 1, 1, 0};
        AnchorHeadSingle head = DenseFixtures.twoClassHead(false, w, 4);
        int[] labels = new int[24];
        labels[0] = 2;
        float[] targets = new float[24 * 7];
        targets[6] = 1.0f;
        AnchorTargets at = new AnchorTargets(Tensor.ofInts(labels, 1, 24), Tensor.ofFloats(targets, 1, 24, 7), Tensor.zeros(1, 24));
        AnchorHeadOutput zero = new AnchorHeadOutput(Var.of(Tensor.zeros(1, 2, 3, 8)), Var.of(Tensor.zeros(1, 2, 3, 28)), Var.of(Tensor.zeros(1, 2, 3, 8)));
        assertEquals(0, head.loss(zero, at).terms().get("rpn_loss_loc").item(), 0);
    }

    @Test
    void directionTargetsAfterTheOffset() {
        // offset pi/4, two bins: bin 0 holds headings in [pi/4, 5pi/4)
        Tensor anchors = Tensor.zeros(4, 7);
        float[] t = new float[4 * 7];
        double[] headings = {0, Math.PI / 2, Math.PI, -Math.PI / 2};
        for (int i = 0; i < 4; i++) t[i * 7 + 6] = (float) headings[i];
        assertArrayEquals(new long[] {1, 0, 0, 1}, AnchorHeadSingle.directionTargets(Tensor.ofFloats(t, 1, 4, 7), anchors, 0.78539, 2));
        // the anchor's heading is added to the residual: 1.57 + (-1.57) = 0 -> bin 1
        Tensor rotated = Tensor.zeros(1, 7);
        rotated.set(1.57, 0, 6);
        assertArrayEquals(new long[] {1}, AnchorHeadSingle.directionTargets(Tensor.ofFloats(new float[] {0, 0, 0, 0, 0, 0, -1.57f}, 1, 1, 7), rotated, 0.78539, 2));
        // four bins without offset: quarter turns
        float[] q = new float[4 * 7];
        double[] hq = {0.1, 1.7, 3.3, 4.9};
        for (int i = 0; i < 4; i++) q[i * 7 + 6] = (float) hq[i];
        assertArrayEquals(new long[] {0, 1, 2, 3}, AnchorHeadSingle.directionTargets(Tensor.ofFloats(q, 1, 4, 7), anchors, 0, 4));
    }

    @Test
    void predictedBoxesTakeTheHeadingIntoTheChosenBin() {
        AnchorHeadSingle head = DenseFixtures.twoClassHead(false, ONES, 4);
        float[] dir = new float[24 * 2];
        for (int a = 0; a < 24; a++) dir[a * 2 + (a % 3 == 0 ? 1 : 0)] = 1; // every third anchor picks bin 1
        AnchorHeadOutput out = new AnchorHeadOutput(Var.of(Tensor.zeros(1, 2, 3, 8)), Var.of(Tensor.zeros(1, 2, 3, 28)),
                Var.of(Tensor.ofFloats(dir, 1, 2, 3, 8)));
        Tensor boxes = head.generatePredictedBoxes(out).batchBoxPreds().select(0, 0);
        Tensor anchors = head.anchors();
        for (int a = 0; a < 24; a++) {
            for (int d = 0; d < 6; d++) assertEquals(anchors.getDouble(a, d), boxes.getDouble(a, d), 1e-6, "zero codes decode to the anchor");
            double ah = anchors.getDouble(a, 6);
            // limit_period(h - pi/4, 0, pi) + pi/4 + pi * bin: heading 0 lands on pi (bin 0) or 2 pi (bin 1), 1.57 on 1.57 or 4.71
            double base = ah == 0 ? Math.PI : 1.57;
            double expected = base + (a % 3 == 0 ? Math.PI : 0);
            assertEquals(expected, boxes.getDouble(a, 6), 1e-5, "anchor " + a);
        }
    }

    @Test
    void lossGradientsInFloat64() {
        AnchorHeadSingle head = DenseFixtures.twoClassHead(false, new double[] {1, 1, 2, 1, 1, 1, 0.5}, 4);
        Generator g = new Generator(17);
        Var cls = Var.leaf(g.normal(DType.FLOAT64, 0, 1, 1, 2, 3, 8));
        Var box = Var.leaf(g.normal(DType.FLOAT64, 0, 0.5, 1, 2, 3, 28));
        Var dir = Var.leaf(g.normal(DType.FLOAT64, 0, 1, 1, 2, 3, 8));
        int[] labels = new int[24];
        for (int i = 0; i < 24; i++) labels[i] = i % 5 == 0 ? 1 : i % 7 == 0 ? 2 : i % 4 == 0 ? -1 : 0;
        Tensor targets = g.normal(0, 0.3, 1, 24, 7);
        AnchorTargets at = new AnchorTargets(Tensor.ofInts(labels, 1, 24), targets, Tensor.zeros(1, 24));
        Gradcheck.assertLeafGradients("anchor head loss", () -> head.loss(new AnchorHeadOutput(cls, box, dir), at).total(), List.of(cls, box, dir),
                Gradcheck.Options.DEFAULT);
    }

    @Test
    void lossFromGroundTruthRunsTheAssigner() {
        AnchorHeadSingle head = DenseFixtures.twoClassHead(false, ONES, 4);
        // a Car exactly on the anchor at (1, -2) with heading 0: that anchor is positive with a zero code
        Tensor gt = Tensor.ofFloats(new float[] {1, -2, (float) (-1.78 + 1.56 / 2), 3.9f, 1.6f, 1.56f, 0, 1}, 1, 1, 8);
        AnchorTargets t = head.assignTargets(gt, new Generator(1));
        assertEquals(1, t.boxClsLabels().getLong(0, 0));
        for (int d = 0; d < 7; d++) assertEquals(0, t.boxRegTargets().getDouble(0, 0, d), 1e-6);
        LossTerms terms = head.loss(head.forward(Var.of(new Generator(2).normal(0, 1, 1, 4, 2, 3))), gt, new Generator(1));
        assertEquals(3, terms.terms().size());
        assertTrue(Double.isFinite(terms.total().item()));
    }
}
