package fuse3d.data.nuscenes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** Invariances of the nuScenes evaluator on random scenes. */
class NuScenesEvaluatorPropertiesTest {
    static final DetectionConfig CFG = DetectionConfig.cvpr2019();

    /** GT on a 6 m grid (so no two boxes are within every threshold of each other), every class present, within range. */
    static Map<String, List<DetectionBox>> gt(Random r, int samples) {
        Map<String, List<DetectionBox>> out = new LinkedHashMap<>();
        for (int s = 0; s < samples; s++) {
            List<DetectionBox> l = new ArrayList<>();
            int k = 0;
            for (String c : DetectionClasses.NAMES)
                for (int j = 0; j <= r.nextInt(2); j++, k++) {
                    double x = 6 * (k % 4) - 9 + r.nextDouble(), y = 6 * (k / 4) - 9 + r.nextDouble();
                    List<String> attrs = DetectionClasses.relevantAttributes(c);
                    l.add(new DetectionBox("s" + s, new double[] {x, y, r.nextDouble()}, new double[] {1 + r.nextDouble(), 2 + r.nextDouble(), 1.5},
                            DetectionBox.yawQuaternion(r.nextDouble() * 6 - 3), new double[] {r.nextGaussian(), r.nextGaussian()}, new double[] {x, y, 0},
                            1 + r.nextInt(100), c, -1, attrs.isEmpty() ? "" : attrs.get(r.nextInt(attrs.size()))));
                }
            out.put("s" + s, l);
        }
        return out;
    }

    static DetectionBox asPrediction(DetectionBox g, double score) {
        return DetectionBox.prediction(g.sampleToken(), g.translation(), g.size(), g.rotation(), g.velocity(), g.detectionName(), score, g.attributeName())
                .withEgoTranslation(g.egoTranslation());
    }

    /** Perturbed copies of most GT plus spurious boxes, all with distinct scores. */
    static Map<String, List<DetectionBox>> predictions(Random r, Map<String, List<DetectionBox>> gt) {
        Map<String, List<DetectionBox>> out = new LinkedHashMap<>();
        gt.forEach((s, l) -> {
            List<DetectionBox> p = new ArrayList<>();
            for (DetectionBox g : l) {
                if (r.nextDouble() < 0.2) continue;
                double[] t = {g.translation()[0] + r.nextGaussian() * 0.8, g.translation()[1] + r.nextGaussian() * 0.8, g.translation()[2]};
                double[] e = {g.egoTranslation()[0] + t[0] - g.translation()[0], g.egoTranslation()[1] + t[1] - g.translation()[1], 0};
                p.add(DetectionBox.prediction(s, t, g.size(), DetectionBox.yawQuaternion(g.yaw() + r.nextGaussian() * 0.3),
                        new double[] {g.velocity()[0] + r.nextGaussian(), g.velocity()[1]}, g.detectionName(), r.nextDouble(), g.attributeName())
                        .withEgoTranslation(e));
            }
            for (int k = 0; k < 3; k++) {
                double x = r.nextDouble() * 40 - 20, y = r.nextDouble() * 40 - 20;
                String c = DetectionClasses.NAMES.get(r.nextInt(10));
                p.add(DetectionBox.prediction(s, new double[] {x, y, 0}, new double[] {1, 2, 1.5}, DetectionBox.yawQuaternion(0), new double[] {0, 0}, c,
                        r.nextDouble(), "").withEgoTranslation(new double[] {x, y, 0}));
            }
            out.put(s, p);
        });
        return out;
    }

    static void assertSame(DetectionMetrics a, DetectionMetrics b, double tol) {
        for (String c : DetectionClasses.NAMES) {
            for (double d : CFG.distThs()) assertEquals(a.labelAps().get(c).get(d), b.labelAps().get(c).get(d), tol, c + "@" + d);
            for (String m : DetectionMetrics.TP_METRICS) {
                double x = a.labelTpErrors().get(c).get(m), y = b.labelTpErrors().get(c).get(m);
                if (Double.isNaN(x)) assertTrue(Double.isNaN(y));
                else assertEquals(x, y, tol, c + " " + m);
            }
        }
        assertEquals(a.ndScore(), b.ndScore(), tol);
    }

    @Property(tries = 30)
    void gtAgainstItselfIsPerfect(@ForAll @IntRange(min = 1, max = 4) int samples, @ForAll long seed) {
        Random r = new Random(seed);
        Map<String, List<DetectionBox>> gt = gt(r, samples);
        Map<String, List<DetectionBox>> pred = new LinkedHashMap<>();
        gt.forEach((s, l) -> pred.put(s, l.stream().map(g -> asPrediction(g, 0.01 + 0.98 * r.nextDouble())).toList()));
        DetectionMetrics m = NuScenesEvaluator.evaluate(gt, pred, Map.of(), CFG);
        assertEquals(1.0, m.meanAp(), 1e-12);
        for (String c : DetectionClasses.NAMES)
            for (String t : DetectionMetrics.TP_METRICS) {
                double e = m.labelTpErrors().get(c).get(t);
                assertTrue(Double.isNaN(e) || Math.abs(e) < 1e-9, c + " " + t + " = " + e);
            }
        assertEquals(1.0, m.ndScore(), 1e-9);
    }

    @Property(tries = 30)
    void shufflingDetectionsChangesNothing(@ForAll long seed) {
        Random r = new Random(seed);
        Map<String, List<DetectionBox>> gt = gt(r, 3);
        Map<String, List<DetectionBox>> pred = predictions(r, gt);
        List<String> keys = new ArrayList<>(pred.keySet());
        Collections.shuffle(keys, r);
        Map<String, List<DetectionBox>> shuffled = new LinkedHashMap<>();
        for (String k : keys) {
            List<DetectionBox> l = new ArrayList<>(pred.get(k));
            Collections.shuffle(l, r);
            shuffled.put(k, l);
        }
        assertSame(NuScenesEvaluator.evaluate(gt, pred, Map.of(), CFG), NuScenesEvaluator.evaluate(gt, shuffled, Map.of(), CFG), 0);
    }

    @Property(tries = 30)
    void translatingEverythingTogetherChangesNothing(@ForAll long seed, @ForAll @DoubleRange(min = -2000, max = 2000) double dx,
                                                     @ForAll @DoubleRange(min = -2000, max = 2000) double dy) {
        Random r = new Random(seed);
        Map<String, List<DetectionBox>> gt = gt(r, 2);
        Map<String, List<DetectionBox>> pred = predictions(r, gt);
        DetectionMetrics a = NuScenesEvaluator.evaluate(gt, pred, Map.of(), CFG);
        DetectionMetrics b = NuScenesEvaluator.evaluate(moved(gt, dx, dy), moved(pred, dx, dy), Map.of(), CFG);
        assertSame(a, b, 1e-6);
    }

    /** Boxes and ego moved by (dx, dy): global translations change, ego translations do not. */
    static Map<String, List<DetectionBox>> moved(Map<String, List<DetectionBox>> m, double dx, double dy) {
        Map<String, List<DetectionBox>> out = new LinkedHashMap<>();
        m.forEach((s, l) -> out.put(s, l.stream().map(b -> new DetectionBox(b.sampleToken(),
                new double[] {b.translation()[0] + dx, b.translation()[1] + dy, b.translation()[2]}, b.size(), b.rotation(), b.velocity(),
                b.egoTranslation(), b.numPts(), b.detectionName(), b.detectionScore(), b.attributeName())).toList()));
        return out;
    }

    @Property(tries = 30)
    void aFalsePositiveBelowEveryScoreNeverRaisesAp(@ForAll long seed) {
        Random r = new Random(seed);
        Map<String, List<DetectionBox>> gt = gt(r, 2);
        Map<String, List<DetectionBox>> pred = predictions(r, gt);
        DetectionMetrics a = NuScenesEvaluator.evaluate(gt, pred, Map.of(), CFG);
        Map<String, List<DetectionBox>> more = new LinkedHashMap<>(pred);
        List<DetectionBox> l = new ArrayList<>(more.get("s0"));
        String c = DetectionClasses.NAMES.get(r.nextInt(10));
        l.add(DetectionBox.prediction("s0", new double[] {25, 25, 0}, new double[] {1, 1, 1}, DetectionBox.yawQuaternion(0), new double[] {0, 0}, c,
                1e-6, "").withEgoTranslation(new double[] {25, 25, 0}));
        more.put("s0", l);
        DetectionMetrics b = NuScenesEvaluator.evaluate(gt, more, Map.of(), CFG);
        for (String k : DetectionClasses.NAMES)
            for (double d : CFG.distThs()) assertTrue(b.labelAps().get(k).get(d) <= a.labelAps().get(k).get(d) + 1e-12, k + "@" + d);
    }
}
