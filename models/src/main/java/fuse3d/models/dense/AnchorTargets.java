package fuse3d.models.dense;

import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;

/**
 * The anchor head's training targets for a batch, OpenPCDet's targets_dict: per anchor (in the head's order:
 * location, then class, size, rotation) a class label (1-based; 0 background; -1 ignored), regression targets
 * against the anchor (zero except at positives), and regression weights.
 *
 * @param boxClsLabels  int32 [B, A]
 * @param boxRegTargets float32 [B, A, 7]
 * @param regWeights    float32 [B, A]
 */
public record AnchorTargets(Tensor boxClsLabels, Tensor boxRegTargets, Tensor regWeights) {
    public AnchorTargets {
        if (boxClsLabels.dim() != 2 || boxRegTargets.dim() != 3 || regWeights.dim() != 2 || boxRegTargets.size(0) != boxClsLabels.size(0)
                || boxRegTargets.size(1) != boxClsLabels.size(1) || regWeights.size(0) != boxClsLabels.size(0) || regWeights.size(1) != boxClsLabels.size(1))
            throw new IllegalArgumentException("AnchorTargets: expected labels [B, A], reg targets [B, A, C], weights [B, A], got "
                    + Shape.str(boxClsLabels.shape()) + ", " + Shape.str(boxRegTargets.shape()) + ", " + Shape.str(regWeights.shape()));
    }

    public int batchSize() { return boxClsLabels.size(0); }

    public int numAnchors() { return boxClsLabels.size(1); }
}
