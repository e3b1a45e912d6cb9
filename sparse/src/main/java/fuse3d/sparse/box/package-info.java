/**
 * 3D boxes in OpenPCDet's LiDAR convention, {@code (x, y, z, dx, dy, dz, heading, [vx, vy])} with z at the box
 * centre and heading counter-clockwise from +x: corners ({@link fuse3d.sparse.box.BoxGeometry}), exact rotated BEV
 * and 3D IoU ({@link fuse3d.sparse.box.RotatedIoU}), differentiable rotated IoU losses
 * ({@link fuse3d.sparse.box.RotatedIoULoss}), rotated NMS with OpenPCDet's config semantics
 * ({@link fuse3d.sparse.box.Nms}), box coders ({@link fuse3d.sparse.box.ResidualCoder},
 * {@link fuse3d.sparse.box.PointResidualCoder}, {@link fuse3d.sparse.box.CenterPointTargets}), anchors
 * ({@link fuse3d.sparse.box.AnchorGenerator}) and global augmentation ({@link fuse3d.sparse.box.BoxAugmentor}).
 */
package fuse3d.sparse.box;
