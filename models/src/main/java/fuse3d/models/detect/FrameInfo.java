package fuse3d.models.detect;

import fuse3d.sparse.bev.KittiCalibration;

/**
 * What a detector's output needs to become a dataset's files again: the frame id, its camera calibration (null
 * for datasets without one) and the image size in pixels (0 when unknown).
 */
public record FrameInfo(String frameId, KittiCalibration calib, int imageHeight, int imageWidth) {
    public FrameInfo {
        if (frameId == null || frameId.isEmpty()) throw new IllegalArgumentException("FrameInfo: empty frame id");
    }
}
