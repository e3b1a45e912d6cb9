package fuse3d.data.kitti;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fuse3d.data.kitti.KittiEvalResult.Difficulty;
import fuse3d.data.kitti.KittiEvalResult.Metric;
import fuse3d.data.kitti.KittiEvalResult.Overlap;
import fuse3d.data.kitti.KittiEvalResult.Protocol;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** Invariances the official KITTI evaluation has, checked on random scenes. */
class KittiEvaluatorProperties {
    static final List<String> ALL = KittiEvaluator.CLASSES;
    static final String[] GT_TYPES = {"Car", "Car", "Car", "Pedestrian", "Pedestrian", "Cyclist", "Van", "Person_sitting", "Truck", "Misc"};

    /** Random frames: GT of every class and difficulty, DontCare regions, and detections of them (all >= 40 px tall). */
    static List<List<KittiObject>>[] scene(long seed, int frames) {
        Random r = new Random(seed);
        List<List<KittiObject>> gt = new ArrayList<>(), dt = new ArrayList<>();
        for (int f = 0; f < frames; f++) {
            List<KittiObject> g = new ArrayList<>(), d = new ArrayList<>();
            int n = 2 + r.nextInt(8);
            for (int i = 0; i < n; i++) {
                String type = GT_TYPES[r.nextInt(GT_TYPES.length)];
                double h = 1.5 + r.nextDouble(), w = 0.6 + r.nextDouble() * 1.5, l = 0.8 + r.nextDouble() * 4;
                double x = -15 + 30 * r.nextDouble(), y = 1.5 + 0.3 * r.nextDouble(), z = 5 + 45 * r.nextDouble(), ry = Math.PI * (2 * r.nextDouble() - 1);
                double u = 1100 * r.nextDouble(), v = 100 + 150 * r.nextDouble(), bh = 15 + 120 * r.nextDouble(), bw = 20 + 150 * r.nextDouble();
                double alpha = Math.PI * (2 * r.nextDouble() - 1);
                g.add(new KittiObject(type, new double[] {0, 0, 0, 0.2, 0.4, 0.7}[r.nextInt(6)], r.nextInt(4), alpha, u, v, u + bw, v + bh, h, w, l, x, y, z,
                        ry, Double.NaN));
                if (type.equals("Misc") || r.nextInt(5) == 0) continue;
                double s = r.nextDouble() < 0.5 ? 0.05 : 0.3;
                double dbh = Math.max(41, bh + 5 * s * r.nextGaussian());
                d.add(new KittiObject(r.nextInt(10) == 0 ? "Car" : type, -1, -1, alpha + 0.3 * r.nextGaussian(), u + 10 * s * r.nextGaussian(),
                        v + 10 * s * r.nextGaussian(), u + bw + 10 * s * r.nextGaussian(), v + dbh, h * (1 + 0.2 * s * r.nextGaussian()),
                        w * (1 + 0.2 * s * r.nextGaussian()), l * (1 + 0.2 * s * r.nextGaussian()), x + s * r.nextGaussian(), y + 0.3 * s * r.nextGaussian(),
                        z + s * r.nextGaussian(), ry + 0.3 * s * r.nextGaussian(), r.nextDouble()));
            }
            for (int k = r.nextInt(3); k > 0; k--) {
                double u = 1000 * r.nextDouble(), v = 100 + 100 * r.nextDouble();
                g.add(new KittiObject("DontCare", -1, -1, -10, u, v, u + 30 + 200 * r.nextDouble(), v + 20 + 100 * r.nextDouble(), -1, -1, -1, -1000, -1000,
                        -1000, -10, Double.NaN));
                d.add(new KittiObject(ALL.get(r.nextInt(3)), -1, -1, 0, u + 2, v + 2, u + 30, v + 50, 1.5, 1.6, 3.9, -15 + 30 * r.nextDouble(), 1.6,
                        5 + 45 * r.nextDouble(), 0, r.nextDouble()));
            }
            for (int k = r.nextInt(3); k > 0; k--) {
                double u = 1100 * r.nextDouble(), v = 100 + 150 * r.nextDouble();
                d.add(new KittiObject(ALL.get(r.nextInt(3)), -1, -1, 0, u, v, u + 20 + 100 * r.nextDouble(), v + 40 + 80 * r.nextDouble(), 1.5, 1.6, 3.9,
                        -15 + 30 * r.nextDouble(), 1.6, 5 + 45 * r.nextDouble(), Math.PI * r.nextDouble(), r.nextDouble()));
            }
            gt.add(g);
            dt.add(d);
        }
        @SuppressWarnings("unchecked")
        List<List<KittiObject>>[] out = new List[] {gt, dt};
        return out;
    }

    static void assertSame(KittiEvalResult a, KittiEvalResult b, double tol) {
        assertEquals(a.aosComputed(), b.aosComputed());
        for (String c : a.classes())
            for (Overlap s : Overlap.values())
                for (Protocol p : Protocol.values())
                    for (Metric m : Metric.values())
                        for (Difficulty d : Difficulty.values())
                            assertEquals(a.ap(c, s, p, m, d), b.ap(c, s, p, m, d), tol, c + " " + s + " " + p + " " + m + " " + d);
    }

    @Property(tries = 25)
    void groundTruthAgainstItselfIsOneHundred(@ForAll long seed) {
        // at least 41 countable GT in every difficulty: easy cars on a grid (no two overlap in 2D or 3D)
        Random r = new Random(seed);
        int n = 41 + r.nextInt(40);
        String cls = ALL.get(r.nextInt(3));
        List<List<KittiObject>> gt = new ArrayList<>(), dt = new ArrayList<>();
        for (int i = 0; i < n; i += 4) {
            List<KittiObject> g = new ArrayList<>(), d = new ArrayList<>();
            for (int k = 0; k < 4 && i + k < n; k++) {
                double x = -12 + 8 * k + r.nextDouble(), z = 10 + 10 * k + r.nextDouble();
                KittiObject o = new KittiObject(cls, 0.1 * r.nextDouble(), 0, Math.PI * (2 * r.nextDouble() - 1), 10 + 300 * k,
                        100, 10 + 300 * k + 50 + 200 * r.nextDouble(), 100 + 41 + 100 * r.nextDouble(), 1.5 + r.nextDouble(), 0.6 + r.nextDouble(),
                        0.8 + 3 * r.nextDouble(), x, 1.6, z, Math.PI * (2 * r.nextDouble() - 1), Double.NaN);
                g.add(o);
                d.add(o.withScore(r.nextDouble()));
            }
            gt.add(g);
            dt.add(d);
        }
        KittiEvalResult res = KittiEvaluator.evaluate(gt, dt, List.of("Car", "Pedestrian", "Cyclist"));
        for (String c : res.classes()) {
            if (!c.equals(cls)) continue; // the other classes have no GT: AP 0
            for (Overlap s : Overlap.values())
                for (Protocol p : Protocol.values())
                    for (Metric m : Metric.values())
                        for (Difficulty d : Difficulty.values()) assertEquals(100, res.ap(c, s, p, m, d), 1e-9, c + " " + s + " " + p + " " + m + " " + d);
        }
    }

    @Property(tries = 30)
    void shufflingDetectionsChangesNothing(@ForAll long seed) {
        var sc = scene(seed, 12);
        KittiEvalResult a = KittiEvaluator.evaluate(sc[0], sc[1], ALL);
        List<List<KittiObject>> shuffled = new ArrayList<>();
        Random r = new Random(seed ^ 0x5DEECE66DL);
        for (List<KittiObject> f : sc[1]) {
            List<KittiObject> c = new ArrayList<>(f);
            Collections.shuffle(c, r);
            shuffled.add(c);
        }
        // the first detection decides whether AOS is on: keep that one first
        for (int i = 0; i < shuffled.size(); i++)
            if (!sc[1].get(i).isEmpty()) {
                shuffled.get(i).remove(sc[1].get(i).get(0));
                shuffled.get(i).add(0, sc[1].get(i).get(0));
                break;
            }
        // AOS sums cosines in match order: equal up to rounding
        assertSame(a, KittiEvaluator.evaluate(sc[0], shuffled, ALL), 1e-9);
    }

    @Property(tries = 30)
    void aFalsePositiveBelowEveryScoreChangesNothing(@ForAll long seed) {
        var sc = scene(seed, 12);
        KittiEvalResult a = KittiEvaluator.evaluate(sc[0], sc[1], ALL);
        Random r = new Random(seed);
        int f = r.nextInt(sc[1].size());
        // far from every GT and DontCare region (negative image rows, 200 m ahead), scored below every detection
        sc[1].get(f).add(new KittiObject(ALL.get(r.nextInt(3)), -1, -1, 0, 500, -400, 600, -300, 1.5, 1.6, 3.9, 0, 1.6, 200, 0, -1));
        assertSame(a, KittiEvaluator.evaluate(sc[0], sc[1], ALL), 0);
    }

    @Property(tries = 30)
    void translatingEverythingTogetherChangesNothing(@ForAll long seed) {
        var sc = scene(seed, 12);
        Random r = new Random(seed);
        double dx = 20 * r.nextGaussian(), dy = r.nextGaussian(), dz = 20 * r.nextGaussian(), du = 50 * r.nextGaussian(), dv = 50 * r.nextGaussian();
        List<List<KittiObject>> gt2 = new ArrayList<>(), dt2 = new ArrayList<>();
        for (var pair : List.of(List.of(sc[0], gt2), List.of(sc[1], dt2)))
            for (List<KittiObject> f : pair.get(0)) {
                List<KittiObject> m = new ArrayList<>();
                for (KittiObject o : f)
                    m.add(o.isDontCare() ? new KittiObject(o.type(), o.truncated(), o.occluded(), o.alpha(), o.x1() + du, o.y1() + dv, o.x2() + du, o.y2() + dv,
                            o.height(), o.width(), o.length(), o.x(), o.y(), o.z(), o.rotationY(), o.score())
                            : new KittiObject(o.type(), o.truncated(), o.occluded(), o.alpha(), o.x1() + du, o.y1() + dv, o.x2() + du, o.y2() + dv,
                            o.height(), o.width(), o.length(), o.x() + dx, o.y() + dy, o.z() + dz, o.rotationY(), o.score()));
                pair.get(1).add(m);
            }
        assertSame(KittiEvaluator.evaluate(sc[0], sc[1], ALL), KittiEvaluator.evaluate(gt2, dt2, ALL), 1e-9);
    }
}
