/**
 * The dense (BEV) first stage of an OpenPCDet-style detector: the 2D BEV backbone
 * ({@link fuse3d.models.dense.BaseBEVBackbone}), the anchor head ({@link fuse3d.models.dense.AnchorHeadSingle}) with its
 * target assignment ({@link fuse3d.models.dense.AxisAlignedTargetAssigner}) and losses, the proposal layer that hands
 * RoIs to a second stage ({@link fuse3d.models.dense.ProposalLayer}) and the final post-processing with recall
 * counting ({@link fuse3d.models.dense.PostProcessor}, {@link fuse3d.models.dense.RecallRecorder}).
 */
package fuse3d.models.dense;
