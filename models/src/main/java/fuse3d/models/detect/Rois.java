package fuse3d.models.detect;

import fuse3d.tensor.Tensor;

/**
 * Proposals handed from a first stage to a RoI head, OpenPCDet's rois / roi_scores / roi_labels after its
 * proposal_layer: per frame a fixed number of slots, the first ones holding the NMS survivors by descending score
 * and the rest all zero (a zero box, score 0, label 0).
 *
 * @param boxes  float32 [B, N, 7] in the LiDAR frame
 * @param scores float32 [B, N], the first stage's score (max over classes, before any sigmoid unless stated)
 * @param labels int32 [B, N], 1-based class ids; 0 in empty slots
 */
public record Rois(Tensor boxes, Tensor scores, Tensor labels) {
    public Rois {
        if (boxes.dim() != 3 || boxes.size(2) < 7)
            throw new IllegalArgumentException("Rois: boxes must be [B, N, 7], got " + java.util.Arrays.toString(boxes.shape()));
        int b = boxes.size(0), n = boxes.size(1);
        if (scores.dim() != 2 || scores.size(0) != b || scores.size(1) != n)
            throw new IllegalArgumentException("Rois: scores " + java.util.Arrays.toString(scores.shape()) + " for boxes " + java.util.Arrays.toString(boxes.shape()));
        if (labels.dim() != 2 || labels.size(0) != b || labels.size(1) != n)
            throw new IllegalArgumentException("Rois: labels " + java.util.Arrays.toString(labels.shape()) + " for boxes " + java.util.Arrays.toString(boxes.shape()));
    }

    public int batchSize() { return boxes.size(0); }

    public int perFrame() { return boxes.size(1); }
}
