package fuse3d.models.roi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.models.detect.Rois;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.HashSet;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

/** RoI sampling, labels and the canonical transform on hand-made cases. */
class ProposalTargetLayerTest {
    /** GT: a 4 x 2 x 2 box at the origin, class 1. */
    private static final float[] GT = {0, 0, 0, 4, 2, 2, 0, 1};

    private static RoiHeadConfig.TargetConfig cfg(int perImage, boolean byClass, String scoreType) {
        return new RoiHeadConfig.TargetConfig(perImage, 0.5, byClass, scoreType, 0.75, 0.25, 0.1, 0.8, 0.55);
    }

    /** RoIs of the GT's size shifted along x by d: IoU (4 - d) / (4 + d). */
    private static Rois shifted(double[] shifts, int[] labels) {
        int n = shifts.length;
        float[] b = new float[n * 7];
        for (int i = 0; i < n; i++) {
            b[i * 7] = (float) shifts[i];
            b[i * 7 + 3] = 4;
            b[i * 7 + 4] = 2;
            b[i * 7 + 5] = 2;
        }
        float[] scores = new float[n];
        for (int i = 0; i < n; i++) scores[i] = i;
        return new Rois(Tensor.ofFloats(b, 1, n, 7), Tensor.ofFloats(scores, 1, n), Tensor.ofInts(labels, 1, n));
    }

    private static int[] ones(int n) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, 1);
        return a;
    }

    // IoUs: 1, 0.778, 0.6 (foreground), 0.333, 0.143 (hard background), 0, 0 (easy background)
    private static final double[] SHIFTS = {0, 0.5, 1, 2, 3, 10, 12};

    @Test
    void foregroundThenHardThenEasyBackground() {
        ProposalTargetLayer ptl = new ProposalTargetLayer(cfg(8, true, "roi_iou"));
        var t = ptl.assign(shifted(SHIFTS, ones(7)), Tensor.ofFloats(GT, 1, 1, 8), new Generator(1));
        float[] scores = t.roiScores().toFloatArray(); // the score is the RoI's index
        // round(0.5 * 8) = 4 foreground wanted, 3 exist: all three, each once
        Set<Integer> fg = new HashSet<>();
        for (int j = 0; j < 3; j++) fg.add((int) scores[j]);
        assertEquals(Set.of(0, 1, 2), fg);
        // 5 background: hard min(int(5 * 0.8), 2) = 2, then 3 easy, drawn with replacement
        for (int j = 3; j < 5; j++) assertTrue(scores[j] == 3 || scores[j] == 4, "hard background at " + j + ": " + scores[j]);
        for (int j = 5; j < 8; j++) assertTrue(scores[j] == 5 || scores[j] == 6, "easy background at " + j + ": " + scores[j]);
        float[] iou = t.ious().toFloatArray();
        for (int j = 0; j < 8; j++) {
            double d = SHIFTS[(int) scores[j]];
            assertEquals(Math.max(0, (4 - d) / (4 + d)), iou[j], 1e-5, "iou of RoI " + (int) scores[j]);
        }
        // every RoI is matched to the only GT; the mask and labels follow the IoUs
        float[] gt = t.gtOfRois().toFloatArray();
        for (int j = 0; j < 8; j++) assertArrayEquals(GT, java.util.Arrays.copyOfRange(gt, j * 8, j * 8 + 8));
        boolean[] reg = t.regValidMask().toBoolArray();
        for (int j = 0; j < 8; j++) assertEquals(iou[j] > 0.55, reg[j]);
        // same seed, same sample
        var again = ptl.assign(shifted(SHIFTS, ones(7)), Tensor.ofFloats(GT, 1, 1, 8), new Generator(1));
        assertArrayEquals(scores, again.roiScores().toFloatArray());
    }

    @Test
    void onlyForegroundOrOnlyBackground() {
        ProposalTargetLayer ptl = new ProposalTargetLayer(cfg(6, false, "roi_iou"));
        var t = ptl.assign(shifted(new double[] {0, 0.5}, ones(2)), Tensor.ofFloats(GT, 1, 1, 8), new Generator(2));
        for (float s : t.roiScores().toFloatArray()) assertTrue(s == 0 || s == 1);
        for (float v : t.ious().toFloatArray()) assertTrue(v > 0.7f);
        // a frame without GT: one zero GT box, every RoI is easy background
        var none = ptl.assign(shifted(SHIFTS, ones(7)), Tensor.zeros(1, 3, 8), new Generator(2));
        for (float v : none.ious().toFloatArray()) assertEquals(0f, v);
        for (float v : none.clsLabels().toFloatArray()) assertEquals(0f, v);
        assertArrayEquals(new int[] {1, 6, 8}, none.gtOfRois().shape());
    }

    @Test
    void sampleByEachClassMatchesOnlyTheSameLabel() {
        // RoI 0 sits on the GT but is labelled 2; the GT is class 1
        Rois rois = shifted(new double[] {0, 0.5, 10}, new int[] {2, 1, 1});
        var byClass = new ProposalTargetLayer(cfg(4, true, "roi_iou")).assign(rois, Tensor.ofFloats(GT, 1, 1, 8), new Generator(3));
        var any = new ProposalTargetLayer(cfg(4, false, "roi_iou")).assign(rois, Tensor.ofFloats(GT, 1, 1, 8), new Generator(3));
        float[] s1 = byClass.roiScores().toFloatArray(), i1 = byClass.ious().toFloatArray();
        float[] s2 = any.roiScores().toFloatArray(), i2 = any.ious().toFloatArray();
        for (int j = 0; j < 4; j++) {
            if (s1[j] == 0) assertEquals(0f, i1[j], "by class, RoI 0 has no GT of its label");
            if (s2[j] == 0) assertEquals(1f, i2[j], 1e-6, "class-blind, RoI 0 matches the GT");
        }
        int[] labels = byClass.roiLabels().toIntArray();
        for (int j = 0; j < 4; j++) assertEquals(s1[j] == 0 ? 2 : 1, labels[j]);
    }

    @Test
    void classificationLabelRamp() {
        Tensor ious = Tensor.ofFloats(new float[] {0.1f, 0.25f, 0.5f, 0.75f, 0.8f}, 5);
        assertArrayEquals(new float[] {0, 0, 0.5f, 1, 1}, new ProposalTargetLayer(cfg(4, true, "roi_iou")).clsLabels(ious).toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {0, 0, -1, 0, 1}, new ProposalTargetLayer(cfg(4, true, "cls")).clsLabels(ious).toFloatArray());
    }

    @Test
    void canonicalKnownCases() {
        double h = Math.PI / 2;
        Tensor rois = Tensor.ofFloats(new float[] {1, 2, 3, 4, 2, 2, (float) h, 1, 2, 3, 4, 2, 2, (float) h, 0, 0, 0, 4, 2, 2, (float) (-h)}, 1, 3, 7);
        Tensor gt = Tensor.ofFloats(new float[] {
            1, 3, 3.5f, 4, 2, 2, (float) (h + 0.1), 1,       // one metre along +y = along the RoI's heading
            1, 3, 3.5f, 4, 2, 2, (float) (h + Math.PI + 0.1), 1, // the same box facing the other way
            0, 0, 0, 4, 2, 2, (float) (-h - 0.3), 1}, 1, 3, 8);
        float[] c = ProposalTargetLayer.canonical(rois, gt).toFloatArray();
        assertArrayEquals(new float[] {1, 0, 0.5f, 4, 2, 2, 0.1f, 1}, java.util.Arrays.copyOfRange(c, 0, 8), 1e-5f);
        assertArrayEquals(new float[] {1, 0, 0.5f, 4, 2, 2, 0.1f, 1}, java.util.Arrays.copyOfRange(c, 8, 16), 1e-5f);
        assertEquals(-0.3f, c[22], 1e-5f);
    }

    /** The folded relative heading is in [-π/2, π/2] and differs from the true one by a multiple of π. */
    @Property(tries = 200)
    void canonicalHeadingIsFoldedModuloPi(@ForAll @DoubleRange(min = -10, max = 10) double roiHeading, @ForAll @DoubleRange(min = -10, max = 10) double gtHeading) {
        Tensor rois = Tensor.ofFloats(new float[] {0, 0, 0, 1, 1, 1, (float) roiHeading}, 1, 1, 7);
        Tensor gt = Tensor.ofFloats(new float[] {0, 0, 0, 1, 1, 1, (float) gtHeading, 1}, 1, 1, 8);
        double h = ProposalTargetLayer.canonical(rois, gt).toFloatArray()[6];
        assertTrue(h >= -Math.PI / 2 - 1e-6 && h <= Math.PI / 2 + 1e-6, "heading " + h);
        double k = ((float) gtHeading - (float) roiHeading - h) / Math.PI;
        assertEquals(Math.rint(k), k, 1e-4, "difference " + k + " pi");
    }
}
