package fuse3d.data.augment;

import fuse3d.sparse.box.BoxAugmentor;
import fuse3d.sparse.box.BoxGeometry;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * One step of an augmentation pipeline, a record per entry of OpenPCDet's {@code DATA_AUGMENTOR.AUG_CONFIG_LIST}
 * (and the training-time steps of its {@code DATA_PROCESSOR}). Every random draw comes from the generator passed
 * in; the geometric steps move the LiDAR points, the boxes and the pseudo points with the same drawn transform.
 */
public sealed interface AugmentStep {

    /** Applies the step to a scene (a new scene; the input is not changed). */
    AugmentScene apply(AugmentScene scene, Generator gen);

    /** {@code gt_sampling}: see {@link GtSampler}. */
    /** {@code gt_sampling}; with a {@code road} (the frame's, for USE_ROAD_PLANE) pasted objects stand on it. */
    record GtSampling(GtSampler sampler, GtSampler.Road road) implements AugmentStep {
        public GtSampling(GtSampler sampler) { this(sampler, null); }

        public AugmentScene apply(AugmentScene scene, Generator gen) { return sampler.sample(scene, gen, road).scene(); }
    }

    /**
     * {@code random_world_flip} with {@code ALONG_AXIS_LIST}: for each axis in order ("x": y to -y, "y": x to -x) a
     * flip with probability 1/2, one draw per axis (the draw of {@link BoxAugmentor#randomFlipAlongX}).
     */
    record RandomWorldFlip(List<String> alongAxis) implements AugmentStep {
        public RandomWorldFlip {
            for (String a : alongAxis)
                if (!a.equals("x") && !a.equals("y")) throw new IllegalArgumentException("RandomWorldFlip: axis must be \"x\" or \"y\", got \"" + a + "\"");
            alongAxis = List.copyOf(alongAxis);
        }

        public AugmentScene apply(AugmentScene scene, Generator gen) {
            for (String a : alongAxis) {
                if (!(gen.nextDouble() < 0.5)) continue;
                scene = a.equals("x") ? SceneTransform.apply(scene, BoxAugmentor::flipAlongX) : SceneTransform.apply(scene, BoxAugmentor::flipAlongY);
            }
            return scene;
        }
    }

    /** {@code random_world_rotation}: a rotation about z by an angle uniform in [lo, hi) ({@code WORLD_ROT_ANGLE}). */
    record RandomWorldRotation(double lo, double hi) implements AugmentStep {
        public AugmentScene apply(AugmentScene scene, Generator gen) {
            double angle = lo + (hi - lo) * gen.nextDouble();
            return SceneTransform.apply(scene, (b, p) -> BoxAugmentor.globalRotation(b, p, angle));
        }
    }

    /**
     * {@code random_world_scaling}: a factor uniform in [lo, hi) ({@code WORLD_SCALE_RANGE}); a range narrower than
     * 1e-3 changes nothing and draws nothing, as OpenPCDet.
     */
    record RandomWorldScaling(double lo, double hi) implements AugmentStep {
        public AugmentScene apply(AugmentScene scene, Generator gen) {
            if (hi - lo < 1e-3) return scene;
            double s = lo + (hi - lo) * gen.nextDouble();
            return SceneTransform.apply(scene, (b, p) -> BoxAugmentor.globalScaling(b, p, s));
        }
    }

    /**
     * {@code random_world_translation}: an offset per axis drawn from N(0, std) ({@code NOISE_TRANSLATE_STD}, x, y, z
     * drawn in that order), added to box centres and point xyz.
     */
    record RandomWorldTranslation(double[] std) implements AugmentStep {
        public RandomWorldTranslation {
            if (std == null || std.length != 3) throw new IllegalArgumentException("RandomWorldTranslation: std needs 3 values (x, y, z)");
            std = std.clone();
        }

        public AugmentScene apply(AugmentScene scene, Generator gen) {
            double tx = std[0] * gen.nextGaussian(), ty = std[1] * gen.nextGaussian(), tz = std[2] * gen.nextGaussian();
            return SceneTransform.apply(scene, (b, p) -> BoxAugmentor.globalTranslation(b, p, tx, ty, tz));
        }
    }

    /**
     * {@code shuffle_points}: a random permutation of the LiDAR points (then one of the pseudo points, drawn
     * after it); boxes are unchanged.
     */
    record ShufflePoints() implements AugmentStep {
        public AugmentScene apply(AugmentScene scene, Generator gen) {
            AugmentScene s = scene.withPoints(permute(scene.points(), gen));
            return scene.pseudoPoints() == null ? s : s.withPseudoPoints(permute(scene.pseudoPoints(), gen));
        }

        private static Tensor permute(Tensor t, Generator gen) {
            int n = t.size(0), c = t.size(1);
            long[] perm = gen.randperm(n).toLongArray();
            float[] v = t.contiguous().toFloatArray(), out = new float[v.length];
            for (int i = 0; i < n; i++) System.arraycopy(v, (int) perm[i] * c, out, i * c, c);
            return Tensor.ofFloats(out, n, c);
        }
    }

    /**
     * {@code mask_points_and_boxes_outside_range}: see {@link RangeFilter}; boxes are filtered only when
     * {@code removeOutsideBoxes} ({@code REMOVE_OUTSIDE_BOXES}). Pseudo points use the points' rule.
     */
    record MaskPointsAndBoxesOutsideRange(double[] range, boolean removeOutsideBoxes, int minNumCorners, boolean useCenterToFilter)
            implements AugmentStep {
        public MaskPointsAndBoxesOutsideRange {
            if (range == null || range.length != 6) throw new IllegalArgumentException("MaskPointsAndBoxesOutsideRange: range needs 6 values");
            range = range.clone();
        }

        /** OpenPCDet's defaults: boxes removed, {@code min_num_corners} 1, centre filter on. */
        public MaskPointsAndBoxesOutsideRange(double[] range) { this(range, true, 1, true); }

        public AugmentScene apply(AugmentScene scene, Generator gen) {
            AugmentScene s = scene.withPoints(RangeFilter.select(scene.points(), RangeFilter.pointsMask(scene.points(), range)));
            if (scene.pseudoPoints() != null)
                s = s.withPseudoPoints(RangeFilter.select(scene.pseudoPoints(), RangeFilter.pointsMask(scene.pseudoPoints(), range)));
            if (!removeOutsideBoxes) return s;
            boolean[] keep = RangeFilter.boxesMask(scene.gtBoxes(), range, minNumCorners, useCenterToFilter);
            List<String> names = new ArrayList<>();
            for (int i = 0; i < keep.length; i++) if (keep[i]) names.add(scene.gtNames().get(i));
            return s.withBoxes(RangeFilter.select(scene.gtBoxes(), keep), names);
        }
    }

    /**
     * Wraps headings into [-offset * period, (1 - offset) * period): {@code limit_period(heading, offset, period)}, what OpenPCDet's
     * {@code prepare_data} does after augmentation (offset 0.5, period 2 pi).
     */
    record LimitHeading(double offset, double period) implements AugmentStep {
        public AugmentScene apply(AugmentScene scene, Generator gen) {
            Tensor b = scene.gtBoxes();
            int n = b.size(0), c = b.size(1);
            double[] v = b.contiguous().toDoubleArray();
            for (int i = 0; i < n; i++) v[i * c + 6] = BoxGeometry.limitPeriod(v[i * c + 6], offset, period);
            Tensor r = Tensor.of(v, n, c);
            return scene.withBoxes(b.dtype() == fuse3d.tensor.DType.FLOAT64 ? r : r.to(b.dtype()), scene.gtNames());
        }
    }

}
