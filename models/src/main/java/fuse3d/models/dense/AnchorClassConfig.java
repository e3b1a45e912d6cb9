package fuse3d.models.dense;

import fuse3d.sparse.box.AnchorGenerator;
import java.util.Arrays;

/**
 * One entry of DENSE_HEAD.ANCHOR_GENERATOR_CONFIG: a class's anchors (sizes, rotations, bottom heights, grid
 * alignment, feature-map stride) and its target-assignment IoU thresholds.
 */
public record AnchorClassConfig(String className, double[][] anchorSizes, double[] anchorRotations, double[] anchorBottomHeights,
                                boolean alignCenter, int featureMapStride, double matchedThreshold, double unmatchedThreshold) {
    public AnchorClassConfig {
        String at = "DENSE_HEAD.ANCHOR_GENERATOR_CONFIG[" + className + "]";
        if (className == null || className.isEmpty()) throw new IllegalArgumentException("DENSE_HEAD.ANCHOR_GENERATOR_CONFIG: class_name is required");
        if (anchorSizes == null || anchorSizes.length == 0) throw new IllegalArgumentException(at + ".anchor_sizes must be non-empty");
        for (double[] s : anchorSizes)
            if (s.length != 3 || !(s[0] > 0 && s[1] > 0 && s[2] > 0))
                throw new IllegalArgumentException(at + ".anchor_sizes: each size is 3 positive values (dx, dy, dz), got " + Arrays.toString(s));
        if (anchorRotations == null || anchorRotations.length == 0) throw new IllegalArgumentException(at + ".anchor_rotations must be non-empty");
        if (anchorBottomHeights == null || anchorBottomHeights.length == 0)
            throw new IllegalArgumentException(at + ".anchor_bottom_heights must be non-empty");
        if (featureMapStride < 1) throw new IllegalArgumentException(at + ".feature_map_stride must be >= 1, got " + featureMapStride);
        if (!(unmatchedThreshold <= matchedThreshold))
            throw new IllegalArgumentException(at + ": unmatched_threshold " + unmatchedThreshold + " must be <= matched_threshold " + matchedThreshold);
        anchorSizes = Arrays.stream(anchorSizes).map(double[]::clone).toArray(double[][]::new);
        anchorRotations = anchorRotations.clone();
        anchorBottomHeights = anchorBottomHeights.clone();
    }

    /** The sparse module's generator entry. */
    public AnchorGenerator.Config toGenerator() {
        return new AnchorGenerator.Config(anchorSizes, anchorRotations, anchorBottomHeights, alignCenter, featureMapStride);
    }

    /** Anchors per BEV location: sizes x rotations x bottom heights. */
    public int anchorsPerLocation() { return anchorSizes.length * anchorRotations.length * anchorBottomHeights.length; }

    static AnchorClassConfig kitti(String name, double[] size, double bottom, double matched, double unmatched) {
        return new AnchorClassConfig(name, new double[][] {size}, new double[] {0, 1.57}, new double[] {bottom}, false, 8, matched, unmatched);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AnchorClassConfig c && className.equals(c.className) && Arrays.deepEquals(anchorSizes, c.anchorSizes)
                && Arrays.equals(anchorRotations, c.anchorRotations) && Arrays.equals(anchorBottomHeights, c.anchorBottomHeights)
                && alignCenter == c.alignCenter && featureMapStride == c.featureMapStride && matchedThreshold == c.matchedThreshold
                && unmatchedThreshold == c.unmatchedThreshold;
    }

    @Override
    public int hashCode() { return className.hashCode() * 31 + Arrays.deepHashCode(anchorSizes); }

    @Override
    public String toString() {
        return "AnchorClassConfig[" + className + ", sizes=" + Arrays.deepToString(anchorSizes) + ", rotations=" + Arrays.toString(anchorRotations)
                + ", bottoms=" + Arrays.toString(anchorBottomHeights) + ", alignCenter=" + alignCenter + ", stride=" + featureMapStride + ", matched="
                + matchedThreshold + ", unmatched=" + unmatchedThreshold + "]";
    }
}
