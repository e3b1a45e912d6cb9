package fuse3d.data.augment;

import fuse3d.tensor.Generator;
import java.util.List;

/**
 * An augmentation pipeline: the steps of OpenPCDet's {@code DATA_AUGMENTOR.AUG_CONFIG_LIST} (and the training-time
 * data-processor steps) applied in order to a scene, every draw from one seeded generator, so that the same seed
 * and the same input give the same output.
 */
public record DataAugmentor(List<AugmentStep> steps) {
    public DataAugmentor {
        steps = List.copyOf(steps);
    }

    public DataAugmentor(AugmentStep... steps) { this(List.of(steps)); }

    /** Applies every step in order. */
    public AugmentScene apply(AugmentScene scene, Generator gen) {
        for (AugmentStep s : steps) scene = s.apply(scene, gen);
        return scene;
    }

    /**
     * OpenPCDet's KITTI training pipeline (kitti_dataset.yaml and the SECOND / PV-RCNN model configs): GT sampling
     * (when a sampler is given), flip along x, rotation in [-pi/4, pi/4], scaling in [0.95, 1.05], heading wrap,
     * then the data processor's range mask and point shuffle over {@code pointCloudRange}
     * ({@code [0, -40, -3, 70.4, 40, 1]} for KITTI).
     */
    public static DataAugmentor kittiTraining(GtSampler sampler, double[] pointCloudRange) {
        java.util.ArrayList<AugmentStep> s = new java.util.ArrayList<>();
        if (sampler != null) s.add(new AugmentStep.GtSampling(sampler));
        s.add(new AugmentStep.RandomWorldFlip(List.of("x")));
        s.add(new AugmentStep.RandomWorldRotation(-0.78539816, 0.78539816));
        s.add(new AugmentStep.RandomWorldScaling(0.95, 1.05));
        s.add(new AugmentStep.LimitHeading(0.5, 2 * Math.PI));
        s.add(new AugmentStep.MaskPointsAndBoxesOutsideRange(pointCloudRange));
        s.add(new AugmentStep.ShufflePoints());
        return new DataAugmentor(s);
    }
}
