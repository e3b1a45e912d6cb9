package fuse3d.models.dense;

import fuse3d.models.detect.Detections;
import fuse3d.models.detect.Rois;
import fuse3d.sparse.box.Nms;
import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import it.unimi.dsi.fastutil.ints.IntArrays;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenPCDet's detector3d_template.post_processing for single-head detectors: per frame the class scores pass a
 * sigmoid (unless already normalised), then either class-agnostic NMS on each box's best score, labelled by the
 * argmax class or by labels given from outside (the RoI labels of a two-stage detector), or, with
 * MULTI_CLASSES_NMS, NMS per class. Boxes under SCORE_THRESH are dropped first. The result is sorted by
 * descending score (OpenPCDet's multi-class path leaves it class by class; here it is merged by score).
 */
public final class PostProcessor {
    private final PostProcessingConfig cfg;

    public PostProcessor(PostProcessingConfig cfg) { this.cfg = cfg; }

    public PostProcessingConfig config() { return cfg; }

    /**
     * @param batchClsPreds      [B, N, C] logits (or probabilities when {@code clsPredsNormalized})
     * @param batchBoxPreds      [B, N, 7+]
     * @param labels             [B, N] 1-based class of each box to report in the class-agnostic path (OpenPCDet's
     *                           roi_labels when has_class_labels), or null for argmax + 1
     */
    public List<Detections> process(Tensor batchClsPreds, Tensor batchBoxPreds, boolean clsPredsNormalized, Tensor labels) {
        return process(batchClsPreds, batchBoxPreds, clsPredsNormalized, labels, null, null, null);
    }

    /**
     * The same, recording recall as OpenPCDet does when ground truth is given: with RoIs, the "rcnn" recall is over
     * every box of {@code batchBoxPreds} (before the score threshold and NMS), and the "roi" recall over the RoIs;
     * without, over the final boxes.
     *
     * @param rois    the first stage's RoIs, or null
     * @param gtBoxes [B, M, 7+] zero-padded labelled boxes, or null (no recall recorded)
     * @param recall  the accumulator, or null
     */
    public List<Detections> process(Tensor batchClsPreds, Tensor batchBoxPreds, boolean clsPredsNormalized, Tensor labels, Rois rois,
                                    Tensor gtBoxes, RecallRecorder recall) {
        if (batchClsPreds.dim() != 3 || batchBoxPreds.dim() != 3 || batchClsPreds.size(0) != batchBoxPreds.size(0)
                || batchClsPreds.size(1) != batchBoxPreds.size(1) || batchBoxPreds.size(2) < 7)
            throw new IllegalArgumentException("PostProcessor: batch_cls_preds [B, N, C] and batch_box_preds [B, N, 7+] expected, got "
                    + Shape.str(batchClsPreds.shape()) + " and " + Shape.str(batchBoxPreds.shape()));
        int b = batchClsPreds.size(0), n = batchClsPreds.size(1), c = batchClsPreds.size(2);
        if (labels != null && (labels.dim() != 2 || labels.size(0) != b || labels.size(1) != n || labels.dtype().isFloating()))
            throw new IllegalArgumentException("PostProcessor: labels must be integer [" + b + ", " + n + "], got " + labels.dtype() + " " + Shape.str(labels.shape()));
        if (gtBoxes != null && (gtBoxes.dim() != 3 || gtBoxes.size(0) != b || gtBoxes.size(2) < 7))
            throw new IllegalArgumentException("PostProcessor: gt_boxes must be [" + b + ", M, 7+], got " + Shape.str(gtBoxes.shape()));
        if (rois != null && rois.batchSize() != b)
            throw new IllegalArgumentException("PostProcessor: rois for " + rois.batchSize() + " frames, predictions for " + b);
        Nms.Config nms = cfg.nmsConfig().toNms();
        List<Detections> out = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            Tensor boxes = batchBoxPreds.select(0, i).narrow(1, 0, 7).contiguous().to(DType.FLOAT32);
            Tensor raw = batchClsPreds.select(0, i).contiguous().to(DType.FLOAT32);
            Tensor probs = clsPredsNormalized ? raw : raw.sigmoid();
            Detections det;
            if (cfg.nmsConfig().multiClassesNms()) {
                Nms.MultiClass mc = Nms.multiClassesNms(probs, boxes, nms, cfg.scoreThresh());
                float[] sc = mc.scores().to(DType.FLOAT32).toFloatArray();
                long[] lab = mc.labels().toLongArray(), idx = mc.indices().toLongArray();
                int[] order = new int[sc.length];
                for (int k = 0; k < order.length; k++) order[k] = k;
                IntArrays.mergeSort(order, (x, y) -> Float.compare(sc[y], sc[x]));
                float[] scores = new float[order.length];
                int[] labs = new int[order.length];
                long[] sel = new long[order.length];
                for (int k = 0; k < order.length; k++) {
                    int o = order[k];
                    sel[k] = idx[o];
                    labs[k] = (int) lab[o] + 1;
                    scores[k] = sc[o]; // OpenPCDet's multi-class path ignores OUTPUT_RAW_SCORE
                }
                det = new Detections(boxes.indexSelect(0, Tensor.ofLongs(sel, sel.length)), Tensor.ofFloats(scores, scores.length),
                        Tensor.ofInts(labs, labs.length), null);
            } else {
                float[] p = probs.toFloatArray(), r = raw.toFloatArray();
                float[] best = new float[n], bestRaw = new float[n];
                int[] arg = new int[n];
                for (int k = 0; k < n; k++) {
                    int m = 0, mr = 0;
                    for (int j = 1; j < c; j++) {
                        if (p[k * c + j] > p[k * c + m]) m = j;
                        if (r[k * c + j] > r[k * c + mr]) mr = j;
                    }
                    arg[k] = m;
                    best[k] = p[k * c + m];
                    bestRaw[k] = r[k * c + mr];
                }
                int[] given = labels == null ? null : labels.select(0, i).contiguous().toIntArray();
                Nms.Selected s = Nms.classAgnosticNms(Tensor.ofFloats(best, n), boxes, nms, cfg.scoreThresh());
                long[] sel = s.indices().toLongArray();
                float[] scores = new float[sel.length];
                int[] labs = new int[sel.length];
                for (int k = 0; k < sel.length; k++) {
                    int j = (int) sel[k];
                    scores[k] = cfg.outputRawScore() ? bestRaw[j] : best[j];
                    labs[k] = given != null ? given[j] : arg[j] + 1;
                }
                det = new Detections(boxes.indexSelect(0, s.indices()), Tensor.ofFloats(scores, scores.length), Tensor.ofInts(labs, labs.length), null);
            }
            if (gtBoxes != null && recall != null) {
                Tensor roiFrame = rois == null ? null : rois.boxes().select(0, i);
                recall.record(rois == null ? det.boxes() : boxes, roiFrame, gtBoxes.select(0, i));
            }
            out.add(det);
        }
        return out;
    }
}
