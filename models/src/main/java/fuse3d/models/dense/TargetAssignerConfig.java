package fuse3d.models.dense;

/**
 * DENSE_HEAD.TARGET_ASSIGNER_CONFIG for {@link AxisAlignedTargetAssigner}: the foreground fraction and sample
 * size of anchor subsampling (a negative fraction keeps every anchor), whether regression weights are divided by
 * the number of cared anchors, whether matching uses 3D rather than nearest-BEV IoU, and the box coder.
 * SAMPLE_SIZE has no effect when POS_FRACTION is negative, as in OpenPCDet.
 */
@fuse3d.models.config.ImpliedName("AxisAlignedTargetAssigner")
public record TargetAssignerConfig(double posFraction, int sampleSize, boolean normByNumExamples, boolean matchHeight, String boxCoder) {
    public TargetAssignerConfig {
        if (Double.isNaN(posFraction) || posFraction > 1)
            throw new IllegalArgumentException("DENSE_HEAD.TARGET_ASSIGNER_CONFIG.POS_FRACTION must be <= 1 (negative for no subsampling), got " + posFraction);
        if (posFraction >= 0 && sampleSize < 1)
            throw new IllegalArgumentException("DENSE_HEAD.TARGET_ASSIGNER_CONFIG.SAMPLE_SIZE must be >= 1 when POS_FRACTION >= 0, got " + sampleSize);
        if (boxCoder == null) boxCoder = "ResidualCoder";
        if (!boxCoder.equals("ResidualCoder"))
            throw new IllegalArgumentException("DENSE_HEAD.TARGET_ASSIGNER_CONFIG.BOX_CODER '" + boxCoder + "' is not supported; expected ResidualCoder");
    }

    /** Whether anchors are subsampled (POS_FRACTION >= 0). */
    public boolean subsamples() { return posFraction >= 0; }

    /** Voxel R-CNN's: no subsampling, nearest-BEV IoU, ResidualCoder. */
    public static TargetAssignerConfig voxelRcnnCar() { return new TargetAssignerConfig(-1.0, 512, false, false, "ResidualCoder"); }
}
