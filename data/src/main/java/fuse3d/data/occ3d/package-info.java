/**
 * Occ3D-nuScenes semantic occupancy: the {@code labels.npz} format and its directory tree
 * ({@link fuse3d.data.occ3d.Occ3dLabels}, {@link fuse3d.data.occ3d.Occ3dTree}), the grid and the 18 classes
 * ({@link fuse3d.data.occ3d.Occ3d}), and the official metrics ({@link fuse3d.data.occ3d.Occ3dEvaluator}):
 * per-class IoU and mIoU with the camera mask, the LiDAR mask and no mask, occupied IoU, mIoU_D, and SparseOcc's
 * RayIoU ({@link fuse3d.data.occ3d.RayCaster}, {@link fuse3d.data.occ3d.RayOrigins}).
 */
package fuse3d.data.occ3d;
