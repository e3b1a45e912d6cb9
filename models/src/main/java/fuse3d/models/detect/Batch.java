package fuse3d.models.detect;

import fuse3d.tensor.Tensor;

import java.util.List;

/**
 * One collated batch of LiDAR frames as a detector consumes it, OpenPCDet's batch_dict after collate_batch: the
 * points with their frame index, the hard voxels, and the labelled boxes padded to one length.
 *
 * @param batchSize      number of frames B
 * @param points         float32 [N, 1 + C]: frame index, then x, y, z, intensity (LiDAR frame)
 * @param voxels         float32 [V, maxPointsPerVoxel, C], zero-padded
 * @param voxelNumPoints int32 [V], points in each voxel
 * @param voxelCoords    int32 [V, 4]: frame index, z, y, x
 * @param gtBoxes        float32 [B, M, 8]: x, y, z, dx, dy, dz, heading, class id (1-based, in the config's class
 *                       order); rows past a frame's last box are all zero; null when the batch has no labels
 * @param frames         per frame what is needed to turn LiDAR-frame boxes back into dataset files (id, calibration,
 *                       image size), in batch order
 */
public record Batch(int batchSize, Tensor points, Tensor voxels, Tensor voxelNumPoints, Tensor voxelCoords, Tensor gtBoxes,
                    List<FrameInfo> frames) {
    public Batch {
        if (batchSize < 1) throw new IllegalArgumentException("Batch: batchSize " + batchSize + " < 1");
        if (frames.size() != batchSize)
            throw new IllegalArgumentException("Batch: " + frames.size() + " frame infos for batch size " + batchSize);
        if (voxelCoords.dim() != 2 || voxelCoords.size(1) != 4)
            throw new IllegalArgumentException("Batch: voxelCoords must be [V, 4], got " + java.util.Arrays.toString(voxelCoords.shape()));
        if (gtBoxes != null && (gtBoxes.dim() != 3 || gtBoxes.size(0) != batchSize || gtBoxes.size(2) != 8))
            throw new IllegalArgumentException("Batch: gtBoxes must be [" + batchSize + ", M, 8], got " + java.util.Arrays.toString(gtBoxes.shape()));
        frames = List.copyOf(frames);
    }

    /** Whether the batch carries labelled boxes (training, evaluation). */
    public boolean hasLabels() { return gtBoxes != null; }
}
