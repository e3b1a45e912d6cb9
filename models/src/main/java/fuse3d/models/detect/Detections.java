package fuse3d.models.detect;

import fuse3d.tensor.Tensor;

/**
 * One frame's detections after post-processing, OpenPCDet's pred_dicts entry: boxes in the LiDAR frame
 * (x, y, z centre, dx, dy, dz, heading), their scores, class ids (1-based, in the config's class order) and, for
 * heads that predict it, the IoU score; sorted by descending score.
 *
 * @param boxes     float32 [K, 7]
 * @param scores    float32 [K]
 * @param labels    int32 [K], 1-based class ids
 * @param iouScores float32 [K] or null
 */
public record Detections(Tensor boxes, Tensor scores, Tensor labels, Tensor iouScores) {
    public Detections {
        int k = boxes.size(0);
        if (boxes.dim() != 2 || boxes.size(1) < 7)
            throw new IllegalArgumentException("Detections: boxes must be [K, 7], got " + java.util.Arrays.toString(boxes.shape()));
        if (scores.dim() != 1 || scores.size(0) != k)
            throw new IllegalArgumentException("Detections: scores " + java.util.Arrays.toString(scores.shape()) + " for " + k + " boxes");
        if (labels.dim() != 1 || labels.size(0) != k)
            throw new IllegalArgumentException("Detections: labels " + java.util.Arrays.toString(labels.shape()) + " for " + k + " boxes");
        if (iouScores != null && (iouScores.dim() != 1 || iouScores.size(0) != k))
            throw new IllegalArgumentException("Detections: iouScores " + java.util.Arrays.toString(iouScores.shape()) + " for " + k + " boxes");
    }

    /** Number of detections. */
    public int count() { return boxes.size(0); }
}
