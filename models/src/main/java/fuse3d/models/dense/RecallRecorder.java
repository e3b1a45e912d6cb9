package fuse3d.models.dense;

import fuse3d.sparse.box.RotatedIoU;
import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Accumulates OpenPCDet's recall record (detector3d_template.generate_recall_record, summed as eval_utils does):
 * per IoU threshold the number of ground-truth boxes whose best 3D IoU with a RoI, and with a final box, is
 * strictly above it, and the number of ground-truth boxes, so evaluation can print recall_roi_0.3 /
 * recall_rcnn_0.7 lines. Trailing all-zero ground-truth rows are padding and not counted.
 */
public final class RecallRecorder {
    private final double[] thresholds;
    private final long[] roi, rcnn;
    private long gt;

    public RecallRecorder(double[] thresholds) {
        this.thresholds = thresholds.clone();
        this.roi = new long[thresholds.length];
        this.rcnn = new long[thresholds.length];
    }

    /**
     * Records one frame.
     *
     * @param boxPreds [K, 7+] the boxes scored as "rcnn" (OpenPCDet passes every refined box, before NMS, when
     *                 there are RoIs, and the final boxes otherwise)
     * @param rois     [N, 7+] the frame's RoIs, or null for a one-stage detector
     * @param gtBoxes  [M, 7+] the frame's labelled boxes, zero-padded at the end
     */
    public void record(Tensor boxPreds, Tensor rois, Tensor gtBoxes) {
        if (gtBoxes.dim() != 2 || gtBoxes.size(1) < 7 || boxPreds.dim() != 2 || boxPreds.size(1) < 7 || (rois != null && (rois.dim() != 2 || rois.size(1) < 7)))
            throw new IllegalArgumentException("RecallRecorder.record: boxes [K, 7+], rois [N, 7+] and gt_boxes [M, 7+] expected, got "
                    + Shape.str(boxPreds.shape()) + ", " + (rois == null ? "null" : Shape.str(rois.shape())) + ", " + Shape.str(gtBoxes.shape()));
        int m = gtBoxes.size(0), c = gtBoxes.size(1);
        double[] g = gtBoxes.contiguous().toDoubleArray();
        while (m > 0) {
            boolean zero = true;
            for (int d = 0; d < c; d++) zero &= g[(m - 1) * c + d] == 0;
            if (!zero) break;
            m--;
        }
        if (m == 0) return;
        Tensor cur = gtBoxes.narrow(0, 0, m).narrow(1, 0, 7).contiguous();
        double[] rcnnBest = bestIou(boxPreds, cur, m), roiBest = rois == null ? null : bestIou(rois, cur, m);
        for (int t = 0; t < thresholds.length; t++) {
            for (int j = 0; j < m; j++) {
                if (rcnnBest != null && rcnnBest[j] > thresholds[t]) rcnn[t]++;
                if (roiBest != null && roiBest[j] > thresholds[t]) roi[t]++;
            }
        }
        gt += m;
    }

    /** Best 3D IoU of each ground-truth box over the boxes, or null when there are none. */
    private static double[] bestIou(Tensor boxes, Tensor gt, int m) {
        if (boxes.size(0) == 0) return null;
        double[] iou = RotatedIoU.iou3d(boxes.narrow(1, 0, 7).contiguous().to(DType.FLOAT32), gt.to(DType.FLOAT32)).toDoubleArray();
        double[] best = new double[m];
        Arrays.fill(best, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < boxes.size(0); i++)
            for (int j = 0; j < m; j++) best[j] = Math.max(best[j], iou[i * m + j]);
        return best;
    }

    /** Adds another recorder's counts (same thresholds), as eval_utils sums the frames' recall dicts. */
    public void merge(RecallRecorder other) {
        if (!Arrays.equals(thresholds, other.thresholds))
            throw new IllegalArgumentException("RecallRecorder.merge: thresholds " + Arrays.toString(other.thresholds) + " != " + Arrays.toString(thresholds));
        for (int t = 0; t < thresholds.length; t++) {
            roi[t] += other.roi[t];
            rcnn[t] += other.rcnn[t];
        }
        gt += other.gt;
    }

    public long gtCount() { return gt; }

    public long roiRecalled(int thresholdIndex) { return roi[thresholdIndex]; }

    public long rcnnRecalled(int thresholdIndex) { return rcnn[thresholdIndex]; }

    public double[] thresholds() { return thresholds.clone(); }

    /** The recall dict as OpenPCDet names it: gt, roi_0.3, rcnn_0.3, ... (counts). */
    public Map<String, Long> counts() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("gt", gt);
        for (int t = 0; t < thresholds.length; t++) {
            out.put("roi_" + pyStr(thresholds[t]), roi[t]);
            out.put("rcnn_" + pyStr(thresholds[t]), rcnn[t]);
        }
        return out;
    }

    /** Recalls over max(gt, 1): recall_roi_0.3, recall_rcnn_0.3, ... in eval_utils' order. */
    public Map<String, Double> recalls() {
        Map<String, Double> out = new LinkedHashMap<>();
        double denom = Math.max(gt, 1);
        for (int t = 0; t < thresholds.length; t++) {
            out.put("recall_roi_" + pyStr(thresholds[t]), roi[t] / denom);
            out.put("recall_rcnn_" + pyStr(thresholds[t]), rcnn[t] / denom);
        }
        return out;
    }

    /** eval_utils' log lines, e.g. {@code recall_roi_0.3: 0.912345}. */
    public List<String> lines() {
        return recalls().entrySet().stream().map(e -> e.getKey() + ": " + String.format(Locale.ROOT, "%f", e.getValue())).toList();
    }

    /** Python's str() of a float for the usual thresholds (0.3 -> "0.3", 1 -> "1.0"). */
    static String pyStr(double v) { return Double.toString(v); }
}
