/**
 * Camera geometry and camera-to-BEV lifting: KITTI calibration and box frames ({@link fuse3d.sparse.bev.KittiCalibration}),
 * nuScenes sensor poses ({@link fuse3d.sparse.bev.Pose}, {@link fuse3d.sparse.bev.SensorPose},
 * {@link fuse3d.sparse.bev.CameraIntrinsics}), the Lift-Splat-Shoot frustum and its mapping to the LiDAR frame
 * ({@link fuse3d.sparse.bev.Frustum}, {@link fuse3d.sparse.bev.CameraView}), and BEVPoolv2 with precomputed ranks
 * ({@link fuse3d.sparse.bev.BevGrid}, {@link fuse3d.sparse.bev.BevPoolRanks}, {@link fuse3d.sparse.bev.BevPool}).
 * Semantics follow OpenPCDet (calibration_kitti.py, box_utils.py) and BEVDet (view_transformer.py, bev_pool_v2).
 */
package fuse3d.sparse.bev;
