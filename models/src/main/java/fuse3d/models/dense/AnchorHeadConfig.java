package fuse3d.models.dense;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The DENSE_HEAD block of an OpenPCDet-style YAML for {@link AnchorHeadSingle}: class-agnostic scoring, the
 * direction classifier (offset, limit offset, bins), the anchors per class, target assignment and loss weights.
 * With USE_DIRECTION_CLASSIFIER False, DIR_OFFSET, DIR_LIMIT_OFFSET, NUM_DIR_BINS and dir_weight have no effect, as
 * in OpenPCDet's AnchorHeadSingle.
 */
@fuse3d.models.config.ImpliedName("AnchorHeadSingle")
public record AnchorHeadConfig(boolean classAgnostic, boolean useDirectionClassifier, double dirOffset, double dirLimitOffset, int numDirBins,
                               List<AnchorClassConfig> anchorGeneratorConfig, TargetAssignerConfig targetAssignerConfig, LossConfig lossConfig) {
    public AnchorHeadConfig {
        if (numDirBins < 1) throw new IllegalArgumentException("DENSE_HEAD.NUM_DIR_BINS must be >= 1, got " + numDirBins);
        if (Double.isNaN(dirOffset) || Double.isNaN(dirLimitOffset))
            throw new IllegalArgumentException("DENSE_HEAD.DIR_OFFSET and DIR_LIMIT_OFFSET must be numbers, got " + dirOffset + ", " + dirLimitOffset);
        if (anchorGeneratorConfig == null || anchorGeneratorConfig.isEmpty())
            throw new IllegalArgumentException("DENSE_HEAD.ANCHOR_GENERATOR_CONFIG must list at least one class");
        Set<String> names = new HashSet<>();
        for (AnchorClassConfig c : anchorGeneratorConfig)
            if (!names.add(c.className())) throw new IllegalArgumentException("DENSE_HEAD.ANCHOR_GENERATOR_CONFIG: class_name " + c.className() + " twice");
        AnchorClassConfig first = anchorGeneratorConfig.get(0);
        for (AnchorClassConfig c : anchorGeneratorConfig) {
            // one head predicts every class at each location, so the classes must share the map and the layout
            if (c.featureMapStride() != first.featureMapStride())
                throw new IllegalArgumentException("DENSE_HEAD.ANCHOR_GENERATOR_CONFIG: feature_map_stride differs between " + first.className() + " ("
                        + first.featureMapStride() + ") and " + c.className() + " (" + c.featureMapStride() + "); AnchorHeadSingle needs one map");
            if (c.anchorRotations().length != first.anchorRotations().length || c.anchorBottomHeights().length != first.anchorBottomHeights().length)
                throw new IllegalArgumentException("DENSE_HEAD.ANCHOR_GENERATOR_CONFIG: " + c.className()
                        + " needs as many anchor_rotations and anchor_bottom_heights as " + first.className());
        }
        if (targetAssignerConfig == null) throw new IllegalArgumentException("DENSE_HEAD.TARGET_ASSIGNER_CONFIG is required");
        if (lossConfig == null) throw new IllegalArgumentException("DENSE_HEAD.LOSS_CONFIG is required");
        anchorGeneratorConfig = List.copyOf(anchorGeneratorConfig);
    }

    /** voxel_rcnn_car.yaml's DENSE_HEAD: Car anchors, 2 direction bins offset by pi/4. */
    public static AnchorHeadConfig voxelRcnnCar() {
        return new AnchorHeadConfig(false, true, 0.78539, 0.0, 2, List.of(AnchorClassConfig.kitti("Car", new double[] {3.9, 1.6, 1.56}, -1.78, 0.6, 0.45)),
                TargetAssignerConfig.voxelRcnnCar(), LossConfig.voxelRcnnCar());
    }

    /** voxel_rcnn_3classes.yaml's DENSE_HEAD: Car, Pedestrian and Cyclist anchors. */
    public static AnchorHeadConfig voxelRcnn3Classes() {
        return new AnchorHeadConfig(false, true, 0.78539, 0.0, 2, List.of(
                AnchorClassConfig.kitti("Car", new double[] {3.9, 1.6, 1.56}, -1.78, 0.6, 0.45),
                AnchorClassConfig.kitti("Pedestrian", new double[] {0.8, 0.6, 1.73}, -0.6, 0.5, 0.35),
                AnchorClassConfig.kitti("Cyclist", new double[] {1.76, 0.6, 1.73}, -0.6, 0.5, 0.35)),
                TargetAssignerConfig.voxelRcnnCar(), LossConfig.voxelRcnnCar());
    }

    /** Anchors per BEV location over all classes. */
    public int anchorsPerLocation() { return anchorGeneratorConfig.stream().mapToInt(AnchorClassConfig::anchorsPerLocation).sum(); }
}
