/**
 * KITTI object detection on disk and its official evaluation.
 *
 * <p>Formats (read and write; every reader throws {@link fuse3d.data.kitti.KittiFormatException} naming the file
 * and the line or byte offset, every writer writes a temporary sibling and moves it into place): velodyne scans
 * ({@link fuse3d.data.kitti.KittiLidar}), calibration ({@link fuse3d.data.kitti.KittiCalibFiles}, on top of
 * {@code fuse3d.sparse.bev.KittiCalibration}), label_2 and detection files ({@link fuse3d.data.kitti.KittiLabels},
 * {@link fuse3d.data.kitti.KittiObject}), colour and depth-completion PNGs ({@link fuse3d.data.kitti.KittiImages}),
 * ImageSets splits ({@link fuse3d.data.kitti.KittiSplits}), road planes ({@link fuse3d.data.kitti.RoadPlane}) and a
 * dataset folder view ({@link fuse3d.data.kitti.KittiDataset}).
 *
 * <p>OpenPCDet's preprocessing in JSON instead of pickles: info files ({@link fuse3d.data.kitti.KittiInfos}) and
 * the GT database ({@link fuse3d.data.kitti.KittiGtDatabase}).
 *
 * <p>Evaluation: {@link fuse3d.data.kitti.KittiEvaluator} reproduces kitti_object_eval_python (2D, BEV, 3D, AOS;
 * R11 and R40; Easy / Moderate / Hard; strict and loose overlaps) into a {@link fuse3d.data.kitti.KittiEvalResult}.
 */
package fuse3d.data.kitti;
