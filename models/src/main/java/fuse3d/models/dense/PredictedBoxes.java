package fuse3d.models.dense;

import fuse3d.tensor.Tensor;

/**
 * Decoded first-stage predictions for every anchor, OpenPCDet's batch_cls_preds / batch_box_preds (class scores
 * are logits, cls_preds_normalized false).
 *
 * @param batchClsPreds float32 [B, A, C]
 * @param batchBoxPreds float32 [B, A, 7]
 */
public record PredictedBoxes(Tensor batchClsPreds, Tensor batchBoxPreds) {}
