package fuse3d.models.voxelrcnn;

import static org.junit.jupiter.api.Assertions.*;

import fuse3d.autograd.GradMode;
import fuse3d.models.dense.PredictedBoxes;
import fuse3d.models.detect.Batch;
import fuse3d.nn.Module;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.io.TensorIO;
import fuse3d.tensor.testing.Closeness;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression protection for the whole Voxel R-CNN: with fixed weights on a fixed frame (the committed cloud of
 * {@link GoldenFrameFixtures}) the RPN's decoded boxes, the RoIs after proposal NMS, the RoI head's refinement, the
 * final detections and the training losses equal the committed results.
 *
 * <p>Tolerances: 1e-4 relative (plus a small absolute floor) on every float, far above what a reordering of float32
 * sums moves and far below any change of semantics. Order-dependent outputs are compared so that a reordering
 * cannot fail them spuriously: the RPN's top anchors as a set by anchor index (anchors tied with the cut-off score
 * may trade places), and the RoI slots and detections as sets of rows (ids, labels and scores exactly enough to
 * pair them, boxes within the tolerance), each checked to come out sorted by score.
 */
class VoxelRcnnGoldenTest {
    private static final double RTOL = 1e-4, ATOL = 1e-5, BOX_ATOL = 1e-4;

    private static VoxelRcnnConfig cfg;
    private static Batch batch;
    private static VoxelRcnn model;
    private static Map<String, Tensor> actual;

    @BeforeAll
    static void run() throws Exception {
        cfg = GoldenFrame.config();
        batch = GoldenFrame.batch(cfg);
        model = GoldenFrame.model(cfg);
        actual = GoldenFrame.inference(model, batch);
    }

    static Tensor fixture(String name) throws Exception { return TensorIO.readNpy(GoldenFrame.resource(name + ".npy")); }

    @Test
    void frameIsTheCommittedOne() throws Exception {
        assertEquals(4057, batch.points().size(0), "points.npy changed");
        assertEquals(1292, batch.voxelCoords().size(0), "the voxelizer of the golden config gives another voxel count");
        assertEquals(2, batch.gtBoxes().size(1));
    }

    @Test
    void rpnDecodedBoxesOfTheTopAnchors() throws Exception {
        PredictedBoxes preds;
        model.eval();
        try (GradMode.Scope _ = GradMode.noGrad()) {
            preds = GoldenFrame.denseHead(model).generatePredictedBoxes(model.trunk(batch).head());
        }
        Tensor cls = preds.batchClsPreds().select(0, 0).contiguous(), boxes = preds.batchBoxPreds().select(0, 0).contiguous();
        Tensor idx = fixture("rpn_topk_index");
        // every committed anchor's logits and decoded box, looked up by anchor index
        Closeness.assertClose(cls.indexSelect(0, idx), fixture("rpn_topk_cls"), RTOL, ATOL, false, "rpn class logits of the top anchors");
        Closeness.assertClose(boxes.indexSelect(0, idx), fixture("rpn_topk_boxes"), RTOL, BOX_ATOL, false, "rpn decoded boxes of the top anchors");
        // the same anchors are the best ones, up to ties at the cut-off
        float[] best = cls.max(1, false).values().toFloatArray();
        long[] want = idx.toLongArray();
        double cut = Double.MAX_VALUE;
        for (long i : want) cut = Math.min(cut, best[(int) i]);
        double tol = RTOL * Math.abs(cut) + ATOL;
        long[] got = actual.get("rpn_topk_index").toLongArray();
        Set<Long> wantSet = new HashSet<>(), gotSet = new HashSet<>();
        for (long i : want) wantSet.add(i);
        for (long i : got) gotSet.add(i);
        for (long i : got) assertTrue(wantSet.contains(i) || Math.abs(best[(int) i] - cut) <= tol, "anchor " + i + " (score " + best[(int) i] + ") entered the top " + want.length + " (cut-off " + cut + ")");
        for (long i : want) assertTrue(gotSet.contains(i) || Math.abs(best[(int) i] - cut) <= tol, "anchor " + i + " (score " + best[(int) i] + ") left the top " + want.length + " (cut-off " + cut + ")");
    }

    @Test
    void roisAfterProposalNmsAndTheirRefinement() throws Exception {
        // one row per RoI slot: the RoI (box, score, label), then the RoI head's refined box and class logit
        List<float[]> want = rows(fixture("roi_boxes").reshape(-1, 7), fixture("roi_scores").reshape(-1, 1), fixture("roi_labels").reshape(-1, 1),
                fixture("rcnn_boxes").reshape(-1, 7), fixture("rcnn_cls").reshape(-1, 1));
        List<float[]> got = rows(actual.get("roi_boxes").reshape(-1, 7), actual.get("roi_scores").reshape(-1, 1), actual.get("roi_labels").reshape(-1, 1),
                actual.get("rcnn_boxes").reshape(-1, 7), actual.get("rcnn_cls").reshape(-1, 1));
        assertSameRows("RoI slots", want, got);
        assertDescending("RoI scores", actual.get("roi_scores").toFloatArray(), actual.get("roi_labels").toIntArray());
    }

    @Test
    void finalDetections() throws Exception {
        Tensor wantBoxes = fixture("det_boxes");
        assertTrue(wantBoxes.size(0) > 0, "the golden case must produce detections");
        assertEquals(wantBoxes.size(0), actual.get("det_boxes").size(0), "number of detections");
        assertSameRows("detections", rows(wantBoxes, fixture("det_scores").reshape(-1, 1), fixture("det_labels").reshape(-1, 1)),
                rows(actual.get("det_boxes"), actual.get("det_scores").reshape(-1, 1), actual.get("det_labels").reshape(-1, 1)));
        assertDescending("detection scores", actual.get("det_scores").toFloatArray(), null);
    }

    @Test
    void trainingLosses() throws Exception {
        VoxelRcnn m = GoldenFrame.model(cfg);
        Closeness.assertClose(GoldenFrame.losses(m, batch), fixture("losses"), RTOL, ATOL, false, "losses " + GoldenFrame.LOSS_NAMES);
        Tensor roi = GoldenFrame.roiHeadLosses(GoldenFrame.model(cfg), batch);
        for (double v : roi.toDoubleArray()) assertTrue(v > 0, "every RoI loss term is active on the hand-made RoIs: " + Arrays.toString(roi.toDoubleArray()));
        Closeness.assertClose(roi, fixture("roi_head_losses"), RTOL, ATOL, false, "RoI head losses (cls, reg, corner) on hand-made RoIs");
    }

    @Test
    void stateDictRoundTripGivesTheSameOutputs(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("voxel_rcnn_tiny.safetensors");
        TensorIO.writeSafeTensors(file, model.stateDict(), Map.of("config", "voxel_rcnn_tiny"));
        VoxelRcnn fresh = new VoxelRcnn(cfg, new Generator(GoldenFrame.WEIGHT_SEED + 100));
        Map<String, Tensor> before = GoldenFrame.inference(fresh, batch);
        assertFalse(Arrays.equals(before.get("rpn_topk_cls").toFloatArray(), actual.get("rpn_topk_cls").toFloatArray()),
                "a differently seeded model must differ before loading");
        Module.LoadReport report = fresh.loadStateDict(TensorIO.readSafeTensors(file), true);
        assertTrue(report.clean(), report.toString());
        Map<String, Tensor> after = GoldenFrame.inference(fresh, batch);
        assertEquals(actual.keySet(), after.keySet());
        for (String k : actual.keySet()) Closeness.assertClose(after.get(k), actual.get(k), 0, 0, false, k + " after the round trip");
    }

    /** Rows made of the columns of several [N, c] tensors, as floats. */
    static List<float[]> rows(Tensor... columns) {
        int n = columns[0].size(0), width = 0;
        for (Tensor c : columns) {
            if (c.size(0) != n) throw new IllegalArgumentException("rows: " + c.size(0) + " rows vs " + n);
            width += c.size(1);
        }
        List<float[]> out = new ArrayList<>();
        float[][] data = new float[columns.length][];
        for (int j = 0; j < columns.length; j++) data[j] = columns[j].to(DType.FLOAT32).contiguous().toFloatArray();
        for (int i = 0; i < n; i++) {
            float[] r = new float[width];
            int o = 0;
            for (int j = 0; j < columns.length; j++) {
                int c = columns[j].size(1);
                System.arraycopy(data[j], i * c, r, o, c);
                o += c;
            }
            out.add(r);
        }
        return out;
    }

    /** Each expected row pairs with a distinct actual row equal within the tolerances (the order of tied rows is free). */
    static void assertSameRows(String what, List<float[]> want, List<float[]> got) {
        assertEquals(want.size(), got.size(), what + ": row count");
        boolean[] used = new boolean[got.size()];
        for (float[] w : want) {
            int match = -1, closest = -1;
            double closestErr = Double.MAX_VALUE;
            for (int j = 0; j < got.size() && match < 0; j++) {
                if (used[j]) continue;
                double err = 0;
                boolean ok = true;
                for (int c = 0; c < w.length; c++) {
                    double d = Math.abs(w[c] - got.get(j)[c]);
                    err = Math.max(err, d);
                    if (d > BOX_ATOL + RTOL * Math.abs(w[c])) ok = false;
                }
                if (ok) match = j;
                if (err < closestErr) {
                    closestErr = err;
                    closest = j;
                }
            }
            if (match < 0)
                fail(what + ": no computed row matches the committed " + Arrays.toString(w) + "; closest " + (closest < 0 ? "none" : Arrays.toString(got.get(closest))));
            used[match] = true;
        }
    }

    /** Scores sorted descending (over the filled slots when labels are given: empty slots have label 0). */
    static void assertDescending(String what, float[] scores, int[] labels) {
        for (int i = 1; i < scores.length; i++) {
            if (labels != null && labels[i] == 0) continue;
            assertTrue(scores[i] <= scores[i - 1], what + " not descending at " + i + ": " + scores[i - 1] + ", " + scores[i]);
        }
    }
}
