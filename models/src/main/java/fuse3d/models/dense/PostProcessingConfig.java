package fuse3d.models.dense;

import fuse3d.models.detect.NmsConfig;
import java.util.Arrays;

/**
 * MODEL.POST_PROCESSING of an OpenPCDet-style YAML: the IoU thresholds of the recall record, the score threshold
 * of the final boxes, whether scores are reported raw (before the sigmoid), the final NMS, and the evaluation
 * metric's name: "kitti" (also when absent), the metric Fuse3D's evaluation computes; OpenPCDet's KittiDataset
 * evaluates with KITTI's metric whatever the name, so another name (waymo, ...) would be ignored: refused.
 */
public record PostProcessingConfig(double[] recallThreshList, double scoreThresh, boolean outputRawScore, NmsConfig nmsConfig, String evalMetric) {
    public PostProcessingConfig {
        if (recallThreshList == null) recallThreshList = new double[0];
        for (double t : recallThreshList)
            if (!(t >= 0 && t <= 1)) throw new IllegalArgumentException("POST_PROCESSING.RECALL_THRESH_LIST values must be in [0, 1], got " + Arrays.toString(recallThreshList));
        if (Double.isNaN(scoreThresh)) throw new IllegalArgumentException("POST_PROCESSING.SCORE_THRESH is NaN");
        if (nmsConfig == null) throw new IllegalArgumentException("POST_PROCESSING.NMS_CONFIG is required");
        if (evalMetric == null) evalMetric = "kitti";
        if (!evalMetric.equals("kitti"))
            throw new IllegalArgumentException("POST_PROCESSING.EVAL_METRIC '" + evalMetric + "' is not supported; Fuse3D evaluates KITTI's metric (kitti)");
        recallThreshList = recallThreshList.clone();
    }

    public PostProcessingConfig(double[] recallThreshList, double scoreThresh, boolean outputRawScore, NmsConfig nmsConfig) {
        this(recallThreshList, scoreThresh, outputRawScore, nmsConfig, "kitti");
    }

    /** voxel_rcnn_car.yaml: recall at 0.3 / 0.5 / 0.7, score 0.3, class-agnostic rotated NMS at 0.1 keeping 500 of the top 4096. */
    public static PostProcessingConfig voxelRcnnCar() {
        return new PostProcessingConfig(new double[] {0.3, 0.5, 0.7}, 0.3, false, new NmsConfig(false, "nms_gpu", 0.1, 4096, 500), "kitti");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PostProcessingConfig p && Arrays.equals(recallThreshList, p.recallThreshList) && scoreThresh == p.scoreThresh
                && outputRawScore == p.outputRawScore && nmsConfig.equals(p.nmsConfig) && evalMetric.equals(p.evalMetric);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(recallThreshList) * 31 + nmsConfig.hashCode(); }

    @Override
    public String toString() {
        return "PostProcessingConfig[recallThreshList=" + Arrays.toString(recallThreshList) + ", scoreThresh=" + scoreThresh + ", outputRawScore="
                + outputRawScore + ", nmsConfig=" + nmsConfig + ", evalMetric=" + evalMetric + "]";
    }
}
