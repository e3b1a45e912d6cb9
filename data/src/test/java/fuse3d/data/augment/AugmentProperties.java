package fuse3d.data.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.data.kitti.KittiGtDatabase.DbInfo;
import fuse3d.sparse.box.BoxAugmentor;
import fuse3d.sparse.box.RotatedIoU;
import fuse3d.sparse.points.PointsInBoxes;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** Properties of GT sampling, the world transforms and the range filter on random scenes. */
class AugmentProperties {

    /** A random scene: boxes scattered in [0, 60] x [-30, 30], points around and inside them, pseudo points. */
    static AugmentScene scene(long seed, int boxes) {
        Random r = new Random(seed);
        double[] b = new double[boxes * 7];
        for (int i = 0; i < boxes; i++) {
            double[] row = {r.nextDouble() * 60, r.nextDouble() * 60 - 30, -1 + r.nextDouble(), 3 + r.nextDouble() * 2, 1.5 + r.nextDouble(),
                1.5, r.nextDouble() * 6.28 - 3.14};
            System.arraycopy(row, 0, b, i * 7, 7);
        }
        int n = 300;
        float[] p = new float[n * 4], q = new float[n * 6];
        for (int i = 0; i < n; i++) {
            p[i * 4] = (float) (r.nextDouble() * 80 - 5);
            p[i * 4 + 1] = (float) (r.nextDouble() * 80 - 40);
            p[i * 4 + 2] = (float) (r.nextDouble() * 4 - 2);
            p[i * 4 + 3] = (float) r.nextDouble();
            for (int d = 0; d < 3; d++) q[i * 6 + d] = p[i * 4 + d] + (float) r.nextGaussian() * 0.1f;
            for (int d = 3; d < 6; d++) q[i * 6 + d] = (float) r.nextDouble();
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < boxes; i++) names.add(i % 2 == 0 ? "Car" : "Pedestrian");
        return new AugmentScene(Tensor.ofFloats(p, n, 4), Tensor.of(b, boxes, 7), names, Tensor.ofFloats(q, n, 6));
    }

    /** A database of random objects with random points inside their (box-relative) boxes. */
    static Map<String, List<DbInfo>> database(long seed, Map<String, Tensor> pointsByPath) {
        Random r = new Random(seed);
        Map<String, List<DbInfo>> db = new LinkedHashMap<>();
        for (String cls : List.of("Car", "Pedestrian")) {
            List<DbInfo> l = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                double dx = cls.equals("Car") ? 3.5 + r.nextDouble() : 0.6, dy = cls.equals("Car") ? 1.6 : 0.6, dz = 1.6;
                double h = r.nextDouble() * 6.28 - 3.14;
                double[] box = {r.nextDouble() * 60, r.nextDouble() * 60 - 30, -1, dx, dy, dz, h};
                int k = 5 + r.nextInt(20);
                float[] pts = new float[k * 4];
                for (int j = 0; j < k; j++) {
                    double lx = (r.nextDouble() - 0.5) * dx * 0.98, ly = (r.nextDouble() - 0.5) * dy * 0.98, lz = (r.nextDouble() - 0.5) * dz * 0.98;
                    pts[j * 4] = (float) (lx * Math.cos(h) - ly * Math.sin(h));
                    pts[j * 4 + 1] = (float) (lx * Math.sin(h) + ly * Math.cos(h));
                    pts[j * 4 + 2] = (float) lz;
                    pts[j * 4 + 3] = 0.5f;
                }
                String path = cls + "_" + i;
                pointsByPath.put(path, Tensor.ofFloats(pts, k, 4));
                l.add(new DbInfo(cls, path, "x", i, box, k, 0, new double[4], -1));
            }
            db.put(cls, l);
        }
        return db;
    }

    static GtSampler sampler(long seed) {
        Map<String, Tensor> pts = new HashMap<>();
        Map<String, List<DbInfo>> db = database(seed, pts);
        Map<String, Integer> groups = new LinkedHashMap<>();
        groups.put("Car", 15);
        groups.put("Pedestrian", 10);
        return new GtSampler(db, List.of("Car", "Pedestrian"), new GtSampler.Config(groups, Map.of("Car", 5), Set.of(-1), true, null),
                info -> pts.get(info.path()));
    }

    @Property(tries = 30)
    void gtSamplingNeverProducesCollidingBoxesAndObjectPointsLieInTheirBoxes(@ForAll @LongRange(min = 0, max = 1_000_000) long seed,
                                                                            @ForAll @IntRange(min = 0, max = 6) int boxes) {
        AugmentScene s = scene(seed, boxes);
        GtSampler sampler = sampler(seed + 1);
        Generator gen = new Generator(seed);
        for (int round = 0; round < 3; round++) { // the walk goes on across calls
            GtSampler.Result r = sampler.sample(s, gen);
            Tensor all = r.scene().gtBoxes();
            int m = s.gtBoxes().size(0), total = all.size(0);
            assertEquals(m + r.sampled().size(), total);
            double[] iou = RotatedIoU.iouBev(all, all).toDoubleArray();
            for (int i = m; i < total; i++)
                for (int j = 0; j < total; j++) if (i != j) assertEquals(0.0, iou[i * total + j], "sampled box " + i + " overlaps box " + j);
            // the first points are the sampled objects', each inside its own box
            Tensor sampledBoxes = all.narrow(0, m, total - m);
            float[] p = r.scene().points().toFloatArray();
            int at = 0;
            for (int k = 0; k < r.sampled().size(); k++) {
                int cnt = r.sampled().get(k).numPointsInGt();
                Tensor objPts = Tensor.ofFloats(java.util.Arrays.copyOfRange(p, at * 4, (at + cnt) * 4), cnt, 4);
                int[] mask = PointsInBoxes.mask(objPts, sampledBoxes.narrow(0, k, 1), PointsInBoxes.MARGIN_CPU).toIntArray();
                for (int v : mask) assertEquals(1, v, "object " + k + " has a point outside its box");
                at += cnt;
            }
            // no original point or pseudo point is left inside a sampled box
            if (total > m) {
                int rest = r.scene().points().size(0) - at;
                Tensor others = Tensor.ofFloats(java.util.Arrays.copyOfRange(p, at * 4, p.length), rest, 4);
                for (int v : PointsInBoxes.mask(others, sampledBoxes, PointsInBoxes.MARGIN_CPU).toIntArray()) assertEquals(0, v);
                for (int v : PointsInBoxes.mask(r.scene().pseudoPoints(), sampledBoxes, PointsInBoxes.MARGIN_CPU).toIntArray()) assertEquals(0, v);
            }
            s = scene(seed + round + 7, boxes);
        }
    }

    @Property(tries = 30)
    void flippingTwiceIsTheIdentityForPointsBoxesAndPseudoPoints(@ForAll @LongRange(min = 0, max = 1_000_000) long seed,
                                                                 @ForAll boolean alongX) {
        AugmentScene s = scene(seed, 4);
        SceneTransform flip = alongX ? BoxAugmentor::flipAlongX : BoxAugmentor::flipAlongY;
        AugmentScene twice = SceneTransform.apply(SceneTransform.apply(s, flip), flip);
        assertArrayEquals(s.points().toFloatArray(), twice.points().toFloatArray());
        assertArrayEquals(s.pseudoPoints().toFloatArray(), twice.pseudoPoints().toFloatArray());
        assertArrayEquals(s.gtBoxes().toDoubleArray(), twice.gtBoxes().toDoubleArray(), 1e-12);
        assertEquals(s.gtNames(), twice.gtNames());
    }

    @Property(tries = 30)
    void rangeFilterKeepsExactlyTheInRangePoints(@ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
        AugmentScene s = scene(seed, 5);
        double[] range = {0, -40, -3, 70.4, 40, 1};
        AugmentScene o = new AugmentStep.MaskPointsAndBoxesOutsideRange(range).apply(s, new Generator(0));
        List<float[]> want = new ArrayList<>();
        float[] p = s.points().toFloatArray();
        for (int i = 0; i < s.points().size(0); i++)
            if (p[i * 4] >= 0 && p[i * 4] <= 70.4f && p[i * 4 + 1] >= -40 && p[i * 4 + 1] <= 40) want.add(java.util.Arrays.copyOfRange(p, i * 4, i * 4 + 4));
        float[] got = o.points().toFloatArray();
        assertEquals(want.size(), o.points().size(0));
        for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i), java.util.Arrays.copyOfRange(got, i * 4, i * 4 + 4));
        double[] b = o.gtBoxes().toDoubleArray();
        for (int i = 0; i < o.gtBoxes().size(0); i++)
            for (int d = 0; d < 3; d++) assertTrue(b[i * 7 + d] >= (float) range[d] && b[i * 7 + d] <= (float) range[3 + d]);
    }

    @Property(tries = 15)
    void sameSeedSameResult(@ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
        double[] range = {0, -40, -3, 70.4, 40, 1};
        AugmentScene s = scene(seed, 3);
        AugmentScene a = DataAugmentor.kittiTraining(sampler(seed), range).apply(s, new Generator(seed));
        AugmentScene b = DataAugmentor.kittiTraining(sampler(seed), range).apply(s, new Generator(seed));
        assertArrayEquals(a.points().toFloatArray(), b.points().toFloatArray());
        assertArrayEquals(a.pseudoPoints().toFloatArray(), b.pseudoPoints().toFloatArray());
        assertArrayEquals(a.gtBoxes().toDoubleArray(), b.gtBoxes().toDoubleArray());
        assertEquals(a.gtNames(), b.gtNames());
        // headings wrapped into [-pi, pi)
        double[] bx = a.gtBoxes().toDoubleArray();
        for (int i = 0; i < a.gtBoxes().size(0); i++) assertTrue(bx[i * 7 + 6] >= -Math.PI - 1e-9 && bx[i * 7 + 6] < Math.PI + 1e-9);
    }
}
