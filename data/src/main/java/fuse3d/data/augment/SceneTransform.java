package fuse3d.data.augment;

import fuse3d.sparse.box.BoxAugmentor;
import fuse3d.tensor.Tensor;

/**
 * A global transform of {@link BoxAugmentor}'s shape applied to a whole scene: boxes with the LiDAR points, then the
 * same transform (same angle, flag, factor, offset) to the pseudo points, so camera-derived points stay registered
 * with the LiDAR.
 */
@FunctionalInterface
interface SceneTransform {
    BoxAugmentor.Scene apply(Tensor boxes, Tensor points);

    static AugmentScene apply(AugmentScene scene, SceneTransform t) {
        BoxAugmentor.Scene s = t.apply(scene.gtBoxes(), scene.points());
        Tensor pseudo = scene.pseudoPoints();
        if (pseudo != null) pseudo = t.apply(AugmentScene.noBoxes(7), pseudo).points();
        return new AugmentScene(s.points(), s.boxes(), scene.gtNames(), pseudo);
    }
}
