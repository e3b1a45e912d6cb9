/**
 * Training, evaluation and inference around any {@link fuse3d.models.detect.Detector}:
 * {@link fuse3d.models.train.KittiDetectionDataset} (a KITTI split prepared as OpenPCDet's dataset does, augmented
 * in training, voxelized, collated into a {@link fuse3d.models.detect.Batch}), the multithreaded deterministic
 * {@link fuse3d.models.train.DataLoader}, the {@link fuse3d.models.train.Trainer} (OpenPCDet's optimizers and
 * schedules, progress, CSV log, resumable checkpoints), {@link fuse3d.models.train.KittiExport} (detections to
 * label files), {@link fuse3d.models.train.KittiEvaluation} (official KITTI AP, PR curves) and
 * {@link fuse3d.models.train.Inference} (label files and bird's-eye pictures).
 */
package fuse3d.models.train;
