package fuse3d.data.kitti;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fuse3d.data.kitti.KittiEvalResult.Difficulty;
import fuse3d.data.kitti.KittiEvalResult.Metric;
import fuse3d.data.kitti.KittiEvalResult.Overlap;
import fuse3d.data.kitti.KittiEvalResult.Protocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hand-built cases of the KITTI evaluator whose answers follow from the official rules by hand. */
class KittiEvaluatorTest {
    static final double EPS = 1e-9;

    /** An easy, unoccluded car at (x, 1.6, z): 2D box 60 px tall at column u. */
    static KittiObject car(String type, double x, double z, double u) {
        return KittiObject.label(type, 0, 0, 0.3, new double[] {u, 150, u + 80, 210}, new double[] {1.5, 1.6, 3.9},
                new double[] {x, 1.6, z}, 0.2);
    }

    static KittiObject det(KittiObject o, double score) { return o.withScore(score); }

    /** n frames, one easy car each, each detected perfectly with distinct scores. */
    static List<List<KittiObject>>[] perfect(int n) {
        List<List<KittiObject>> gt = new ArrayList<>(), dt = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            KittiObject c = car("Car", -5 + i * 0.1, 20, 100 + i);
            gt.add(new ArrayList<>(List.of(c)));
            dt.add(new ArrayList<>(List.of(det(c, 0.5 + i / 1000.0))));
        }
        @SuppressWarnings("unchecked")
        List<List<KittiObject>>[] r = new List[] {gt, dt};
        return r;
    }

    static void assertAll(KittiEvalResult r, String cls, Metric m, double r11, double r40) {
        for (Overlap s : Overlap.values())
            for (Difficulty d : Difficulty.values()) {
                assertEquals(r11, r.ap(cls, s, Protocol.R11, m, d), EPS, cls + " " + s + " R11 " + m + " " + d);
                assertEquals(r40, r.ap(cls, s, Protocol.R40, m, d), EPS, cls + " " + s + " R40 " + m + " " + d);
            }
    }

    @Test
    void onePerfectDetectionGetsTheOfficialOddNumbers() {
        // one GT: the 41-point array has one filled slot, so R11 = 100/11 and R40 = 0
        var p = perfect(1);
        KittiEvalResult r = KittiEvaluator.evaluate(p[0], p[1]);
        for (Metric m : Metric.values()) assertAll(r, "Car", m, 100.0 / 11, 0);
        // no Pedestrian or Cyclist at all: AP 0
        assertAll(r, "Pedestrian", Metric.BBOX, 0, 0);
        assertAll(r, "Cyclist", Metric.THREE_D, 0, 0);
    }

    @Test
    void fortyOnePerfectDetectionsGetOneHundred() {
        var p = perfect(41);
        KittiEvalResult r = KittiEvaluator.evaluate(p[0], p[1]);
        for (Metric m : Metric.values()) assertAll(r, "Car", m, 100, 100);
        // with 40 GT the last slot stays empty: R40 = 39/40
        p = perfect(40);
        r = KittiEvaluator.evaluate(p[0], p[1]);
        assertAll(r, "Car", Metric.THREE_D, 1000.0 / 11, 97.5);
    }

    @Test
    void aFalsePositiveAboveEveryTruePositive() {
        var p = perfect(41);
        // far from every GT in 2D and 3D, scored above all
        p[1].get(0).add(det(car("Car", 30, 60, 900), 0.99));
        KittiEvalResult r = KittiEvaluator.evaluate(p[0], p[1]);
        // at every sampled threshold tp = k, fp = 1: precision k / (k + 1), made monotone to 41 / 42
        for (Metric m : Metric.values()) assertAll(r, "Car", m, 100 * 41.0 / 42, 100 * 41.0 / 42);
    }

    @Test
    void aDuplicateIsAFalsePositiveAtTheThresholdsBelowIt() {
        var p = perfect(41);
        // a duplicate of the best-scored car (0.540) at 0.5055: the first pass keeps the original as the TP, the
        // duplicate is a false positive at the six thresholds 0.505 .. 0.500 below its score
        p[1].get(40).add(det(p[0].get(40).get(0), 0.5055));
        KittiEvalResult r = KittiEvaluator.evaluate(p[0], p[1]);
        // precision: slots 0..34 are 1, slots 35..40 the suffix maximum 41 / 42
        double r40 = (34 + 6 * 41.0 / 42) / 40 * 100, r11 = (9 + 2 * 41.0 / 42) / 11 * 100;
        assertAll(r, "Car", Metric.BEV, r11, r40);
        assertAll(r, "Car", Metric.BBOX, r11, r40);
        // scored below every true positive it is never counted
        p[1].get(40).set(1, det(p[0].get(40).get(0), 0.1));
        assertAll(KittiEvaluator.evaluate(p[0], p[1]), "Car", Metric.THREE_D, 100, 100);
        // scored above the original (0.99) it is the first-pass TP and gives the top threshold; from the next
        // threshold on the original is active too, and the counting pass, which takes the best overlap and keeps the
        // first of equals, matches the original: the duplicate is a false positive at 40 of 41 thresholds
        p[1].get(40).set(1, det(p[0].get(40).get(0), 0.99));
        assertAll(KittiEvaluator.evaluate(p[0], p[1]), "Car", Metric.THREE_D, (1 + 10 * 41.0 / 42) / 11 * 100, 41.0 / 42 * 100);
    }

    @Test
    void dontCareHidesAFalsePositiveIn2dOnly() {
        var p = perfect(41);
        KittiObject region = KittiObject.label("DontCare", -1, -1, -10, new double[] {880, 140, 1000, 230}, new double[] {-1, -1, -1},
                new double[] {-1000, -1000, -1000}, -10);
        p[0].get(0).add(region);
        p[1].get(0).add(det(car("Car", 30, 60, 900), 0.99)); // its 2D box (900..980, 150..210) lies inside the region
        KittiEvalResult r = KittiEvaluator.evaluate(p[0], p[1]);
        assertAll(r, "Car", Metric.BBOX, 100, 100);
        assertAll(r, "Car", Metric.AOS, 100, 100);
        assertAll(r, "Car", Metric.BEV, 100 * 41.0 / 42, 100 * 41.0 / 42);
        assertAll(r, "Car", Metric.THREE_D, 100 * 41.0 / 42, 100 * 41.0 / 42);
    }

    @Test
    void aVanIsNeitherFoundNorMissedForCar() {
        var p = perfect(41);
        KittiObject van = car("Van", 10, 30, 700);
        p[0].get(0).add(van);
        KittiEvalResult r = KittiEvaluator.evaluate(p[0], p[1]);
        assertAll(r, "Car", Metric.THREE_D, 100, 100); // undetected Van: not a miss
        p[1].get(0).add(det(van.withScore(0).withScore(0.99), 0.99).withScore(0.99));
        KittiObject asCar = new KittiObject("Car", -1, -1, van.alpha(), van.x1(), van.y1(), van.x2(), van.y2(), van.height(), van.width(),
                van.length(), van.x(), van.y(), van.z(), van.rotationY(), 0.99);
        p[1].get(0).set(1, asCar);
        r = KittiEvaluator.evaluate(p[0], p[1]);
        assertAll(r, "Car", Metric.THREE_D, 100, 100); // a Car detection on the Van: not a false positive
    }

    @Test
    void overlapMustExceedTheThresholdStrictly() {
        // 2D: a detection shifted so that IoU is exactly 0.7 is not a match
        KittiObject g = KittiObject.label("Car", 0, 0, 0, new double[] {0, 100, 170, 200}, new double[] {1.5, 1.6, 3.9}, new double[] {0, 1.6, 20}, 0);
        // widths 170, shift s: IoU = (170 - s) / (170 + s) = 0.7 at s = 30
        KittiObject d = new KittiObject("Car", -1, -1, 0, 30, 100, 200, 200, 1.5, 1.6, 3.9, 0, 1.6, 20, 0, 0.9);
        assertEquals(0.7, KittiEvaluator.imageIou(d.bbox(), g.bbox(), false), 1e-15);
        List<List<KittiObject>> gt = new ArrayList<>(), dt = new ArrayList<>();
        for (int i = 0; i < 41; i++) {
            gt.add(List.of(g));
            dt.add(List.of(d));
        }
        KittiEvalResult r = KittiEvaluator.evaluate(gt, dt);
        assertEquals(0, r.ap("Car", Overlap.STRICT, Protocol.R40, Metric.BBOX, Difficulty.EASY), EPS);
        assertEquals(100, r.ap("Car", Overlap.STRICT, Protocol.R40, Metric.THREE_D, Difficulty.EASY), EPS);
        // 3D just over and just under 0.7: the height overlap decides (identical footprint, shifted by dy)
        double[] a = {0, 1.6, 20, 3.9, 1.5, 1.6, 0};
        double[] b = a.clone();
        b[1] += 1.5 * 0.3 / 1.7; // IoU = (h - dy) / (h + dy) = 0.7
        assertEquals(0.7, KittiEvaluator.iou3d(a, b), 1e-12);
        b[1] -= 1e-6;
        assertTrue(KittiEvaluator.iou3d(a, b) > 0.7);
    }

    @Test
    void bevIsInTheCameraXzPlaneWithTheOfficialRotationSense() {
        // a 4 x 2 box rotated by ry = 90 degrees covers x in [-1, 1], z in [-2, 2] of the camera plane
        double[] a = {0, 1.6, 0, 4, 1.5, 2, Math.PI / 2};
        double[] axisAligned = {0, 1.6, 0, 2, 1.5, 4, 0};
        assertEquals(1, KittiEvaluator.bevIou(a, axisAligned), 1e-12);
        // the box of length 4 at ry = 0.3, moved along its heading (cos ry, -sin ry) by 1 m, keeps 3/5 of its area
        double ry = 0.3;
        double[] c = {0, 1.6, 0, 4, 1.5, 2, ry};
        double[] moved = {Math.cos(ry), 1.6, -Math.sin(ry), 4, 1.5, 2, ry};
        assertEquals(3.0 / 5, KittiEvaluator.bevIou(c, moved), 1e-12);
    }

    @Test
    void aosIsNullWithoutAlpha() throws Exception {
        var p = perfect(3);
        List<List<KittiObject>> dt = new ArrayList<>();
        for (List<KittiObject> f : p[1]) {
            List<KittiObject> l = new ArrayList<>();
            for (KittiObject o : f)
                l.add(new KittiObject(o.type(), -1, -1, -10, o.x1(), o.y1(), o.x2(), o.y2(), o.height(), o.width(), o.length(), o.x(), o.y(), o.z(),
                        o.rotationY(), o.score()));
            dt.add(l);
        }
        KittiEvalResult r = KittiEvaluator.evaluate(p[0], dt);
        assertFalse(r.aosComputed());
        assertNull(r.ap("Car", Overlap.STRICT, Protocol.R40, Metric.AOS));
        JsonNode j = new ObjectMapper().readTree(r.toJson());
        assertTrue(j.get("Car").get("strict").get("R40").get("aos").isNull());
        assertEquals(3, j.get("Car").get("loose").get("R11").get("3d").size());
        assertFalse(r.table().contains("aos"));
    }

    @Test
    void tableAndJsonLayout(@TempDir Path tmp) throws Exception {
        var p = perfect(1);
        KittiEvalResult r = KittiEvaluator.evaluate(p[0], p[1], List.of("car"));
        String expected = """
                Car AP@0.70, 0.70, 0.70:
                bbox AP:9.0909, 9.0909, 9.0909
                bev  AP:9.0909, 9.0909, 9.0909
                3d   AP:9.0909, 9.0909, 9.0909
                aos  AP:9.09, 9.09, 9.09
                Car AP_R40@0.70, 0.70, 0.70:
                bbox AP:0.0000, 0.0000, 0.0000
                bev  AP:0.0000, 0.0000, 0.0000
                3d   AP:0.0000, 0.0000, 0.0000
                aos  AP:0.00, 0.00, 0.00
                Car AP@0.70, 0.50, 0.50:
                bbox AP:9.0909, 9.0909, 9.0909
                bev  AP:9.0909, 9.0909, 9.0909
                3d   AP:9.0909, 9.0909, 9.0909
                aos  AP:9.09, 9.09, 9.09
                Car AP_R40@0.70, 0.50, 0.50:
                bbox AP:0.0000, 0.0000, 0.0000
                bev  AP:0.0000, 0.0000, 0.0000
                3d   AP:0.0000, 0.0000, 0.0000
                aos  AP:0.00, 0.00, 0.00
                """;
        assertEquals(expected, r.table());
        Path json = tmp.resolve("out/kitti.json");
        r.writeJson(json);
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertEquals(100.0 / 11, j.get("Car").get("strict").get("R11").get("bbox").get(1).asDouble(), EPS);
        assertEquals(List.of("Car"), iterNames(j));
    }

    private static List<String> iterNames(JsonNode j) {
        List<String> l = new ArrayList<>();
        j.fieldNames().forEachRemaining(l::add);
        return l;
    }

    @Test
    void pythonRounding() {
        assertEquals("0.12", KittiEvalResult.fixed(0.125, 2)); // half-even on the exact binary value, as Python
        assertEquals("0.13", KittiEvalResult.fixed(0.1251, 2));
        assertEquals("9.0909", KittiEvalResult.fixed(100.0 / 11, 4));
        assertEquals("-0.0000", KittiEvalResult.fixed(-1e-9, 4));
        assertEquals("nan", KittiEvalResult.fixed(Double.NaN, 4));
    }

    @Test
    void thresholdSamplingKeepsAtMost41() {
        double[] s = new double[500];
        for (int i = 0; i < s.length; i++) s[i] = i / 500.0;
        assertEquals(41, KittiEvaluator.thresholds(s, 500).length);
        assertEquals(1, KittiEvaluator.thresholds(new double[] {0.3}, 1).length);
        assertEquals(0, KittiEvaluator.thresholds(new double[0], 0).length);
    }

    @Test
    void fromFolders(@TempDir Path tmp) throws Exception {
        var p = perfect(2);
        for (int i = 0; i < 2; i++) {
            KittiLabels.write(tmp.resolve("gt/00000" + i + ".txt"), p[0].get(i));
            KittiLabels.write(tmp.resolve("dt/00000" + i + ".txt"), p[1].get(i));
        }
        KittiEvalResult all = KittiEvaluator.evaluate(tmp.resolve("gt"), tmp.resolve("dt"), null, KittiEvaluator.DEFAULT_CLASSES);
        KittiEvalResult direct = KittiEvaluator.evaluate(p[0], p[1]);
        assertEquals(direct.table(), all.table());
        KittiSplits.write(tmp.resolve("val.txt"), List.of("000001"));
        KittiEvalResult one = KittiEvaluator.evaluate(tmp.resolve("gt"), tmp.resolve("dt"), tmp.resolve("val.txt"), List.of("Car"));
        assertEquals(100.0 / 11, one.ap("Car", Overlap.LOOSE, Protocol.R11, Metric.BEV, Difficulty.HARD), EPS);
        Files.delete(tmp.resolve("dt/000001.txt"));
        KittiFormatException e = assertThrows(KittiFormatException.class,
                () -> KittiEvaluator.evaluate(tmp.resolve("gt"), tmp.resolve("dt"), null, List.of("Car")));
        assertTrue(e.getMessage().contains("000001.txt"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KittiEvaluator.evaluate(p[0], p[1], List.of("Bus")));
    }
}
