package fuse3d.data.augment;

import fuse3d.tensor.DType;
import fuse3d.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * One training sample as the augmentation steps see it: LiDAR points, labelled boxes with their class names and,
 * optionally, image-derived pseudo points that must follow every geometric transform of the LiDAR points.
 *
 * @param points       float32 [N, C] LiDAR points, x y z first (intensity, ...)
 * @param gtBoxes      [M, 7+] boxes x, y, z (centre), dx, dy, dz, heading[, vx, vy]
 * @param gtNames      M class names, one per box
 * @param pseudoPoints float32 [P, C'] pseudo points (x y z first, e.g. x y z r g b), or null when there are none
 */
public record AugmentScene(Tensor points, Tensor gtBoxes, List<String> gtNames, Tensor pseudoPoints) {
    public AugmentScene {
        Objects.requireNonNull(points, "points");
        Objects.requireNonNull(gtBoxes, "gtBoxes");
        Objects.requireNonNull(gtNames, "gtNames");
        if (points.dim() != 2 || points.size(1) < 3)
            throw new IllegalArgumentException("AugmentScene: points must be [N, >=3], got " + java.util.Arrays.toString(points.shape()));
        if (gtBoxes.dim() != 2 || gtBoxes.size(1) < 7)
            throw new IllegalArgumentException("AugmentScene: gtBoxes must be [M, >=7], got " + java.util.Arrays.toString(gtBoxes.shape()));
        if (gtNames.size() != gtBoxes.size(0))
            throw new IllegalArgumentException("AugmentScene: " + gtBoxes.size(0) + " boxes but " + gtNames.size() + " names");
        if (pseudoPoints != null && (pseudoPoints.dim() != 2 || pseudoPoints.size(1) < 3))
            throw new IllegalArgumentException("AugmentScene: pseudoPoints must be [P, >=3], got " + java.util.Arrays.toString(pseudoPoints.shape()));
        gtNames = List.copyOf(gtNames);
    }

    /** A scene without pseudo points. */
    public AugmentScene(Tensor points, Tensor gtBoxes, List<String> gtNames) { this(points, gtBoxes, gtNames, null); }

    public AugmentScene withPoints(Tensor p) { return new AugmentScene(p, gtBoxes, gtNames, pseudoPoints); }

    public AugmentScene withPseudoPoints(Tensor p) { return new AugmentScene(points, gtBoxes, gtNames, p); }

    public AugmentScene withBoxes(Tensor boxes, List<String> names) { return new AugmentScene(points, boxes, names, pseudoPoints); }

    /** An empty box tensor of the given column count (float64). */
    static Tensor noBoxes(int cols) { return Tensor.zeros(DType.FLOAT64, 0, cols); }
}
