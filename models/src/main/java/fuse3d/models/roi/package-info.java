/**
 * The configurable RoI head: {@link fuse3d.models.roi.RoiHeadConfig} (the ROI_HEAD YAML block with streams and
 * stages), {@link fuse3d.models.roi.ProposalTargetLayer} (RoI sampling and targets),
 * {@link fuse3d.models.roi.RoiLosses} (class, box, corner and IoU losses and box decoding),
 * {@link fuse3d.models.roi.SceneTransform} / {@link fuse3d.models.roi.SceneTransforms} (per-stage scene transforms) and
 * {@link fuse3d.models.roi.RoiHead} (Voxel R-CNN's head, and CMF-IoU's multi-stream, multi-stage one by configuration).
 */
package fuse3d.models.roi;
