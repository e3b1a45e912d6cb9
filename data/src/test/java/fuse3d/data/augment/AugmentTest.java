package fuse3d.data.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import fuse3d.data.kitti.KittiGtDatabase.DbInfo;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** GT sampling, range filtering and the world transforms on scenes worked out by hand. */
class AugmentTest {
    static DbInfo car(String path, double x, double y, int points, int difficulty) {
        return new DbInfo("Car", path, "0", 0, new double[] {x, y, -1, 4, 2, 1.5, 0}, points, difficulty, new double[4], -1);
    }

    /** Object points: a 1-point object at its box centre (relative 0, 0, 0), intensity 7. */
    static final GtSampler.ObjectPoints ONE_POINT = info -> Tensor.ofFloats(new float[] {0, 0, 0, 7}, 1, 4);

    @Test
    void gtSamplingDropsCollisionsWithTheSceneAndAmongDrawnBoxes() {
        // scene: one car at (10, 0); database: one overlapping it, two overlapping each other, one free
        Map<String, List<DbInfo>> db = Map.of("Car", List.of(car("a", 10.5, 0, 50, 0), car("b", 30, 0, 50, 0), car("c", 31, 0.5, 50, 0),
                car("d", 20, 10, 50, 0)));
        var cfg = new GtSampler.Config(Map.of("Car", 4), Map.of(), Set.of(), false, null);
        GtSampler sampler = new GtSampler(db, List.of("Car"), cfg, ONE_POINT);
        Tensor pts = Tensor.ofFloats(new float[] {20, 10, -1, 1, 0, 0, 0, 2}, 2, 4); // the first lies in box d
        AugmentScene scene = new AugmentScene(pts, Tensor.of(new double[] {10, 0, -1, 4, 2, 1.5, 0}, 1, 7), List.of("Car"));
        GtSampler.Result r = sampler.sample(scene, new Generator(1));
        assertEquals(List.of("d"), r.sampled().stream().map(DbInfo::path).toList());
        assertEquals(List.of("Car", "Car"), r.scene().gtNames());
        assertArrayEquals(new double[] {20, 10, -1, 4, 2, 1.5, 0}, r.scene().gtBoxes().narrow(0, 1, 1).toDoubleArray(), 1e-6);
        // the object's point first, then the scene's points outside box d
        assertArrayEquals(new float[] {20, 10, -1, 7, 0, 0, 0, 2}, r.scene().points().toFloatArray());
    }

    /**
     * USE_ROAD_PLANE by hand: box d (bottom at -1.75 in its own frame) pasted where the road lies at -2.0 moves
     * down 0.25, its point with it; the scene's point inside the moved box is removed.
     */
    @Test
    void gtSamplingStandsPastedObjectsOnTheRoad() {
        Map<String, List<DbInfo>> db = Map.of("Car", List.of(car("d", 20, 10, 50, 0)));
        var cfg = new GtSampler.Config(Map.of("Car", 1), Map.of(), Set.of(), false, null);
        GtSampler sampler = new GtSampler(db, List.of("Car"), cfg, ONE_POINT);
        Tensor pts = Tensor.ofFloats(new float[] {20, 10, -1.9f, 1, 0, 0, 0, 2}, 2, 4); // inside box d only after the move
        AugmentScene scene = new AugmentScene(pts, Tensor.zeros(0, 7), List.of());
        double[] asked = new double[3];
        GtSampler.Road road = (x, y, z) -> {
            asked[0] = x;
            asked[1] = y;
            asked[2] = z;
            return -2.0;
        };
        GtSampler.Result r = sampler.sample(scene, new Generator(1), road);
        assertArrayEquals(new double[] {20, 10, -1}, asked, 1e-6, "the road is asked about at the box centre");
        assertArrayEquals(new double[] {20, 10, -1.25, 4, 2, 1.5, 0}, r.scene().gtBoxes().toDoubleArray(), 1e-6);
        assertArrayEquals(new float[] {20, 10, -1.25f, 7, 0, 0, 0, 2}, r.scene().points().toFloatArray(), 1e-6f);
        // without a road the box keeps its height, and the scene point below it stays
        GtSampler.Result flat = new GtSampler(db, List.of("Car"), cfg, ONE_POINT).sample(scene, new Generator(1));
        assertArrayEquals(new double[] {20, 10, -1, 4, 2, 1.5, 0}, flat.scene().gtBoxes().toDoubleArray(), 1e-6);
        assertArrayEquals(new float[] {20, 10, -1, 7, 20, 10, -1.9f, 1, 0, 0, 0, 2}, flat.scene().points().toFloatArray(), 1e-6f);
    }

    @Test
    void prepareFiltersAndWholeSceneLimit() {
        Map<String, List<DbInfo>> db = Map.of("Car", List.of(car("few", 0, 0, 3, 0), car("hard", 0, 0, 50, -1), car("ok", 40, 20, 50, 0)));
        GtSampler s = new GtSampler(db, List.of("Car"), GtSampler.Config.kitti(new LinkedHashMap<>(Map.of("Car", 2))), ONE_POINT);
        assertEquals(List.of("ok"), s.database().get("Car").stream().map(DbInfo::path).toList());
        // two cars in the scene and a group of 2: nothing is drawn
        AugmentScene full = new AugmentScene(Tensor.zeros(0, 4),
                Tensor.of(new double[] {0, 0, 0, 1, 1, 1, 0, 5, 5, 0, 1, 1, 1, 0}, 2, 7), List.of("Car", "Car"));
        assertEquals(0, s.sample(full, new Generator(3)).sampled().size());
        AugmentScene one = new AugmentScene(Tensor.zeros(0, 4), Tensor.of(new double[] {0, 0, 0, 1, 1, 1, 0}, 1, 7), List.of("Car"));
        assertEquals(1, s.sample(one, new Generator(3)).sampled().size());
        assertEquals(Map.of("Car", 15, "Pedestrian", 10), new HashMap<>(GtSampler.Config.parse(List.of("Car:15", "Pedestrian: 10"))));
    }

    @Test
    void rangeFilterIsInclusiveAndIgnoresZForPoints() {
        double[] range = {0, -40, -3, 70.4, 40, 1};
        Tensor p = Tensor.ofFloats(new float[] {0, -40, 50, 70.4f, 40, -9, -0.01f, 0, 0, 10, 40.01f, 0}, 4, 3);
        assertArrayEquals(new boolean[] {true, true, false, false}, RangeFilter.pointsMask(p, range));
        // centre rule: the centre in 3D; corner rule: BEV corners counted
        Tensor b = Tensor.of(new double[] {1, 0, 0, 4, 2, 1, 0, -1, 0, 0, 4, 2, 1, 0, 1, 0, 2, 4, 2, 1, 0}, 3, 7);
        assertArrayEquals(new boolean[] {true, false, false}, RangeFilter.boxesMask(b, range, 1, true));
        assertArrayEquals(new boolean[] {true, true, true}, RangeFilter.boxesMask(b, range, 4, false));
        // each box has half its BEV corners (4 of the 8 3D corners) at x < 0
        assertArrayEquals(new boolean[] {false, false, false}, RangeFilter.boxesMask(b, range, 5, false));
    }

    @Test
    void pseudoPointsFollowTheLidarThroughEveryTransform() {
        Tensor lidar = Tensor.ofFloats(new float[] {1, 2, 3, 0.5f, -4, 5, 6, 0.1f}, 2, 4);
        Tensor pseudo = Tensor.ofFloats(new float[] {1, 2, 3, 0.2f, 0.3f, 0.4f, -4, 5, 6, 0, 0, 1}, 2, 6);
        AugmentScene s = new AugmentScene(lidar, Tensor.of(new double[] {1, 2, 3, 4, 2, 1, 0.3}, 1, 7), List.of("Car"), pseudo);
        DataAugmentor aug = new DataAugmentor(new AugmentStep.RandomWorldFlip(List.of("x", "y")), new AugmentStep.RandomWorldRotation(-1, 1),
                new AugmentStep.RandomWorldScaling(0.9, 1.1), new AugmentStep.RandomWorldTranslation(new double[] {0.5, 0.5, 0.2}));
        for (long seed = 0; seed < 8; seed++) {
            AugmentScene o = aug.apply(s, new Generator(seed));
            float[] a = o.points().toFloatArray(), b = o.pseudoPoints().toFloatArray();
            for (int i = 0; i < 2; i++)
                for (int d = 0; d < 3; d++) assertEquals(a[i * 4 + d], b[i * 6 + d], 1e-5f);
            assertArrayEquals(new float[] {0.2f, 0.3f, 0.4f}, java.util.Arrays.copyOfRange(b, 3, 6)); // colours untouched
            assertEquals(0.5f, a[3]); // intensity untouched
        }
    }
}
