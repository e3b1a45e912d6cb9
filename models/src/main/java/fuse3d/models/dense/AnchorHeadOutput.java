package fuse3d.models.dense;

import fuse3d.autograd.Var;

/**
 * The anchor head's raw maps, channels last as OpenPCDet's forward_ret_dict holds them.
 *
 * @param clsPreds    [B, H, W, A * C] class logits
 * @param boxPreds    [B, H, W, A * 7] box codes
 * @param dirClsPreds [B, H, W, A * bins] direction logits, or null without a direction classifier
 */
public record AnchorHeadOutput(Var clsPreds, Var boxPreds, Var dirClsPreds) {}
