package fuse3d.models.dense;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import fuse3d.models.detect.Detections;
import fuse3d.models.detect.NmsConfig;
import fuse3d.models.detect.Rois;
import fuse3d.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ProposalLayer's slot filling and PostProcessor's thresholds, labels, scores and recall record on hand-made boxes. */
class ProposalAndPostProcessingTest {
    /** Boxes [1, n, 7]: unit-height 2 x 2 squares at the given x (y = 0, z = 0, heading 0). */
    private static Tensor boxesAt(double... xs) {
        float[] f = new float[xs.length * 7];
        for (int i = 0; i < xs.length; i++) {
            f[i * 7] = (float) xs[i];
            f[i * 7 + 3] = 2;
            f[i * 7 + 4] = 2;
            f[i * 7 + 5] = 1;
        }
        return Tensor.ofFloats(f, 1, xs.length, 7);
    }

    private static Tensor scores(int n, int c, float... v) { return Tensor.ofFloats(v, 1, n, c); }

    @Test
    void proposalsFillSlotsBySurvivingScoreAndLeaveTheRestZero() {
        // boxes 0 and 1 overlap (BEV IoU 3.6 / 4.4 = 0.82), box 2 is apart; two classes, logits
        Tensor boxes = boxesAt(0, 0.2, 5);
        Tensor cls = scores(3, 2, 1.0f, 3.0f, 2.5f, 0.5f, -1.0f, -2.0f);
        Rois r = ProposalLayer.propose(cls, boxes, new NmsConfig(false, "nms_gpu", 0.7, 100, 4));
        assertArrayEquals(new int[] {1, 4, 7}, r.boxes().shape());
        // box 0 (best 3.0, class 2) suppresses box 1 (2.5); box 2 (-1.0, class 1) survives; two empty slots
        assertArrayEquals(new float[] {3.0f, -1.0f, 0, 0}, r.scores().toFloatArray());
        assertArrayEquals(new int[] {2, 1, 0, 0}, r.labels().toIntArray());
        assertEquals(5.0, r.boxes().getDouble(0, 1, 0), 0);
        for (int d = 0; d < 7; d++) assertEquals(0, r.boxes().getDouble(0, 2, d), 0);
        // a threshold above their IoU keeps both overlapping boxes; NMS_POST_MAXSIZE caps the slots
        Rois capped = ProposalLayer.propose(cls, boxes, new NmsConfig(false, "nms_gpu", 0.9, 100, 2));
        assertArrayEquals(new float[] {3.0f, 2.5f}, capped.scores().toFloatArray());
        // NMS_PRE_MAXSIZE 1: only the best is considered
        assertArrayEquals(new int[] {2, 0, 0, 0}, ProposalLayer.propose(cls, boxes, new NmsConfig(false, "nms_gpu", 0.7, 1, 4)).labels().toIntArray());
    }

    @Test
    void multiClassProposalsSuppressPerClassAndMergeByScore() {
        Tensor boxes = boxesAt(0, 0.2, 5);
        Tensor cls = scores(3, 2, 1.0f, 3.0f, 2.5f, 0.5f, -1.0f, -2.0f);
        Rois r = ProposalLayer.propose(cls, boxes, new NmsConfig(true, "nms_gpu", 0.7, 100, 5));
        // class 1 column: 2.5 (box 1) suppresses 1.0 (box 0), -1.0 (box 2); class 2: 3.0 (box 0) suppresses 0.5, -2.0
        assertArrayEquals(new float[] {3.0f, 2.5f, -1.0f, -2.0f, 0}, r.scores().toFloatArray());
        assertArrayEquals(new int[] {2, 1, 1, 2, 0}, r.labels().toIntArray());
    }

    @Test
    void postProcessingThresholdsSigmoidScoresAndSortsThem() {
        Tensor boxes = boxesAt(0, 0.2, 5, 10);
        // logits: sigmoid(2) = 0.881, sigmoid(1.5) = 0.818, sigmoid(0) = 0.5, sigmoid(-2) = 0.119
        Tensor cls = scores(4, 1, 1.5f, 2.0f, 0.0f, -2.0f);
        PostProcessor pp = new PostProcessor(PostProcessingConfig.voxelRcnnCar());
        Detections d = pp.process(cls, boxes, false, null).get(0);
        // box 1 (0.881) suppresses box 0 (IoU > 0.1); box 3 is under SCORE_THRESH 0.3
        assertEquals(2, d.count());
        assertArrayEquals(new float[] {(float) sigmoid(2), 0.5f}, d.scores().toFloatArray(), 1e-6f);
        assertArrayEquals(new int[] {1, 1}, d.labels().toIntArray());
        assertEquals(0.2, d.boxes().getDouble(0, 0), 1e-6);
        assertNull(d.iouScores());
        // already normalised scores pass as they are: 0.0 and -2.0 now fail the threshold
        Detections n = pp.process(Tensor.ofFloats(new float[] {0.4f, 0.9f, 0.0f, -2f}, 1, 4, 1), boxes, true, null).get(0);
        assertArrayEquals(new float[] {0.9f}, n.scores().toFloatArray());
        // OUTPUT_RAW_SCORE reports the logit
        PostProcessingConfig raw = new PostProcessingConfig(new double[] {0.3}, 0.3, true, new NmsConfig(false, "nms_gpu", 0.1, 4096, 500));
        assertArrayEquals(new float[] {2.0f, 0.0f}, new PostProcessor(raw).process(cls, boxes, false, null).get(0).scores().toFloatArray());
    }

    @Test
    void labelsComeFromTheArgmaxOrFromOutside() {
        Tensor boxes = boxesAt(0, 5);
        Tensor cls = scores(2, 3, 0f, 3f, 1f, 2f, 0f, 0f);
        PostProcessor pp = new PostProcessor(PostProcessingConfig.voxelRcnnCar());
        assertArrayEquals(new int[] {2, 1}, pp.process(cls, boxes, false, null).get(0).labels().toIntArray());
        Tensor roiLabels = Tensor.ofInts(new int[] {3, 3}, 1, 2);
        assertArrayEquals(new int[] {3, 3}, pp.process(cls, boxes, false, roiLabels).get(0).labels().toIntArray());
        // multi-class NMS: every class column on its own, then merged by score
        PostProcessingConfig mc = new PostProcessingConfig(new double[0], 0.6, false, new NmsConfig(true, "nms_gpu", 0.1, 4096, 500));
        Detections d = new PostProcessor(mc).process(cls, boxes, false, null).get(0);
        assertArrayEquals(new int[] {2, 1, 3}, d.labels().toIntArray());
        assertArrayEquals(new float[] {(float) sigmoid(3), (float) sigmoid(2), (float) sigmoid(1)}, d.scores().toFloatArray(), 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> pp.process(cls, boxes, false, Tensor.ofInts(new int[] {1}, 1, 1)));
    }

    @Test
    void recallCountsGroundTruthAboveEachThreshold() {
        // gt at x = 0 and x = 20 (then two padding rows); the final box at 0.5 has 3D IoU 1.5/2.5 = 0.6 with the first
        Tensor gt = Tensor.ofFloats(new float[] {0, 0, 0, 2, 2, 1, 0, 1, 20, 0, 0, 2, 2, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 1, 4, 8);
        Tensor boxes = boxesAt(0.5, 40);
        Tensor cls = scores(2, 1, 3f, 3f);
        PostProcessor pp = new PostProcessor(PostProcessingConfig.voxelRcnnCar());
        RecallRecorder rec = new RecallRecorder(new double[] {0.3, 0.5, 0.7});
        // with RoIs: rcnn recall over every box before NMS, roi recall over the RoIs (one exactly on the second gt)
        Rois rois = new Rois(Tensor.ofFloats(new float[] {20, 0, 0, 2, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0}, 1, 2, 7), Tensor.zeros(1, 2), Tensor.ofInts(new int[] {1, 0}, 1, 2));
        pp.process(cls, boxes, false, null, rois, gt, rec);
        assertEquals(2, rec.gtCount());
        assertEquals(List.of(1L, 1L, 0L), List.of(rec.rcnnRecalled(0), rec.rcnnRecalled(1), rec.rcnnRecalled(2)));
        assertEquals(List.of(1L, 1L, 1L), List.of(rec.roiRecalled(0), rec.roiRecalled(1), rec.roiRecalled(2)));
        Map<String, Double> r = rec.recalls();
        assertEquals(List.of("recall_roi_0.3", "recall_rcnn_0.3", "recall_roi_0.5", "recall_rcnn_0.5", "recall_roi_0.7", "recall_rcnn_0.7"), List.copyOf(r.keySet()));
        assertEquals("recall_rcnn_0.7: 0.000000", rec.lines().get(5));
        assertEquals("recall_roi_0.3: 0.500000", rec.lines().get(0));
        // a frame without ground truth counts nothing; merging sums
        RecallRecorder other = new RecallRecorder(new double[] {0.3, 0.5, 0.7});
        other.record(boxes.select(0, 0), null, Tensor.zeros(3, 8));
        assertEquals(0, other.gtCount());
        other.record(boxes.select(0, 0), null, gt.select(0, 0));
        rec.merge(other);
        assertEquals(4, rec.gtCount());
        assertEquals(2, rec.rcnnRecalled(1));
        assertEquals(Map.of("gt", 4L, "roi_0.3", 1L, "rcnn_0.3", 2L, "roi_0.5", 1L, "rcnn_0.5", 2L, "roi_0.7", 1L, "rcnn_0.7", 0L), rec.counts());
    }

    private static double sigmoid(double x) { return 1 / (1 + Math.exp(-x)); }
}
