package fuse3d.models.dense;

import fuse3d.models.detect.NmsConfig;
import fuse3d.models.detect.Rois;
import fuse3d.sparse.box.Nms;
import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import it.unimi.dsi.fastutil.ints.IntArrays;

/**
 * OpenPCDet's roi_head_template.proposal_layer: turns the first stage's per-anchor predictions into a fixed number
 * of RoI slots per frame. Each anchor scores its best class (max over the logits); NMS keeps the survivors by
 * descending score, at most NMS_POST_MAXSIZE, in the first slots; the other slots stay zero (label 0).
 *
 * <p>With MULTI_CLASSES_NMS (which OpenPCDet's proposal layer refuses) each class column is suppressed on its own
 * and the survivors of all classes are merged by descending score before the cap.
 */
public final class ProposalLayer {
    private ProposalLayer() {}

    /**
     * @param batchClsPreds [B, A, C] class logits
     * @param batchBoxPreds [B, A, 7+] decoded boxes
     */
    public static Rois propose(Tensor batchClsPreds, Tensor batchBoxPreds, NmsConfig nms) {
        if (batchClsPreds.dim() != 3 || batchBoxPreds.dim() != 3 || batchClsPreds.size(0) != batchBoxPreds.size(0)
                || batchClsPreds.size(1) != batchBoxPreds.size(1) || batchBoxPreds.size(2) < 7)
            throw new IllegalArgumentException("ProposalLayer: batch_cls_preds [B, A, C] and batch_box_preds [B, A, 7] expected, got "
                    + Shape.str(batchClsPreds.shape()) + " and " + Shape.str(batchBoxPreds.shape()));
        int b = batchClsPreds.size(0), a = batchClsPreds.size(1), c = batchClsPreds.size(2), slots = nms.nmsPostMaxsize();
        float[] boxesOut = new float[b * slots * 7], scoresOut = new float[b * slots];
        int[] labelsOut = new int[b * slots];
        Nms.Config cfg = nms.toNms();
        for (int i = 0; i < b; i++) {
            Tensor cls = batchClsPreds.select(0, i).contiguous().to(DType.FLOAT32);
            Tensor boxes = batchBoxPreds.select(0, i).narrow(1, 0, 7).contiguous().to(DType.FLOAT32);
            float[] s = cls.toFloatArray(), bx = boxes.toFloatArray();
            int[] kept;
            int[] labels;
            float[] scores;
            if (nms.multiClassesNms()) {
                Nms.MultiClass mc = Nms.multiClassesNms(cls, boxes, cfg, null);
                long[] idx = mc.indices().toLongArray(), lab = mc.labels().toLongArray();
                float[] sc = mc.scores().to(DType.FLOAT32).toFloatArray();
                int[] order = new int[idx.length];
                for (int k = 0; k < order.length; k++) order[k] = k;
                IntArrays.mergeSort(order, (x, y) -> Float.compare(sc[y], sc[x]));
                int n = Math.min(order.length, slots);
                kept = new int[n];
                labels = new int[n];
                scores = new float[n];
                for (int k = 0; k < n; k++) {
                    kept[k] = (int) idx[order[k]];
                    labels[k] = (int) lab[order[k]] + 1;
                    scores[k] = sc[order[k]];
                }
            } else {
                float[] best = new float[a];
                int[] arg = new int[a];
                for (int k = 0; k < a; k++) {
                    int m = 0;
                    for (int j = 1; j < c; j++) if (s[k * c + j] > s[k * c + m]) m = j;
                    arg[k] = m;
                    best[k] = s[k * c + m];
                }
                long[] idx = Nms.classAgnosticNms(Tensor.ofFloats(best, a), boxes, cfg, null).indices().toLongArray();
                int n = Math.min(idx.length, slots);
                kept = new int[n];
                labels = new int[n];
                scores = new float[n];
                for (int k = 0; k < n; k++) {
                    kept[k] = (int) idx[k];
                    labels[k] = arg[kept[k]] + 1;
                    scores[k] = best[kept[k]];
                }
            }
            for (int k = 0; k < kept.length; k++) {
                System.arraycopy(bx, kept[k] * 7, boxesOut, (i * slots + k) * 7, 7);
                scoresOut[i * slots + k] = scores[k];
                labelsOut[i * slots + k] = labels[k];
            }
        }
        return new Rois(Tensor.ofFloats(boxesOut, b, slots, 7), Tensor.ofFloats(scoresOut, b, slots), Tensor.ofInts(labelsOut, b, slots));
    }

    /** The same from the anchor head's decoded predictions. */
    public static Rois propose(PredictedBoxes preds, NmsConfig nms) { return propose(preds.batchClsPreds(), preds.batchBoxPreds(), nms); }
}
