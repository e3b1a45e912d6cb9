package fuse3d.data.nuscenes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hand-built cases with known answers for the nuScenes detection evaluator. */
class NuScenesEvaluatorTest {
    static final DetectionConfig CFG = DetectionConfig.cvpr2019();

    static DetectionBox gt(String cls, double x, double y, double yaw, String attr) {
        return new DetectionBox("s", new double[] {x, y, 0}, new double[] {2, 4, 1.5}, DetectionBox.yawQuaternion(yaw), new double[] {1, 0},
                new double[] {x, y, 0}, 10, cls, -1, attr);
    }

    static DetectionBox det(String cls, double x, double y, double yaw, double score, String attr) {
        return new DetectionBox("s", new double[] {x, y, 0}, new double[] {2, 4, 1.5}, DetectionBox.yawQuaternion(yaw), new double[] {1, 0},
                new double[] {x, y, 0}, -1, cls, score, attr);
    }

    static DetectionMetrics eval(List<DetectionBox> gt, List<DetectionBox> pred) {
        return NuScenesEvaluator.evaluate(Map.of("s", gt), Map.of("s", pred), Map.of(), CFG);
    }

    @Test
    void perfectDetectionsOfOneClass() {
        DetectionMetrics m = eval(List.of(gt("car", 10, 0, 0, "vehicle.moving"), gt("car", 20, 5, 1, "vehicle.parked")),
                List.of(det("car", 10, 0, 0, 0.9, "vehicle.moving"), det("car", 20, 5, 1, 0.8, "vehicle.parked")));
        for (double d : CFG.distThs()) assertEquals(1.0, m.labelAps().get("car").get(d), 1e-12);
        for (String tp : DetectionMetrics.TP_METRICS) assertEquals(0.0, m.labelTpErrors().get("car").get(tp), 1e-12, tp);
        // the devkit's convention: the 9 classes without GT count as AP 0 and TP error 1
        assertEquals(0.1, m.meanAp(), 1e-12);
        assertEquals(0.0, m.labelAps().get("truck").get(2.0));
        assertEquals(1.0, m.labelTpErrors().get("truck").get("trans_err"));
        assertTrue(Double.isNaN(m.labelTpErrors().get("traffic_cone").get("orient_err")));
        assertTrue(Double.isNaN(m.labelTpErrors().get("barrier").get("vel_err")));
        assertEquals(1.0, m.labelTpErrors().get("barrier").get("orient_err"));
        // mean TP errors over the classes where each is defined: ATE and ASE over 10, AOE over 9 (no cone), AVE and
        // AAE over 8 (no cone, no barrier); car contributes 0, every other class 1
        assertEquals(0.9, m.tpErrors().get("trans_err"), 1e-12);
        assertEquals(0.9, m.tpErrors().get("scale_err"), 1e-12);
        assertEquals(8.0 / 9, m.tpErrors().get("orient_err"), 1e-12);
        assertEquals(7.0 / 8, m.tpErrors().get("vel_err"), 1e-12);
        assertEquals(7.0 / 8, m.tpErrors().get("attr_err"), 1e-12);
        assertEquals((5 * 0.1 + 0.1 + 0.1 + 1.0 / 9 + 1.0 / 8 + 1.0 / 8) / 10, m.ndScore(), 1e-12);
    }

    @Test
    void oneFalsePositiveAboveTheOnlyTruePositive() {
        // precision is 0 at recall 0 and 0.5 at recall 1, linear between: AP = sum_{i=21..100}(0.005 i - 0.1) / 90 / 0.9 = 0.2
        DetectionMetrics m = eval(List.of(gt("car", 10, 0, 0, "")), List.of(det("car", 30, 0, 0, 0.9, ""), det("car", 10, 0, 0, 0.5, "")));
        for (double d : CFG.distThs()) assertEquals(0.2, m.labelAps().get("car").get(d), 1e-12);
    }

    @Test
    void duplicateDetectionAtFullRecall() {
        // recall reaches 1 at the first detection; the duplicate is a FP at recall 1, where np.interp returns the last
        // value of the plateau (precision 0.5): AP = (89 * 0.9 + 0.4) / 90 / 0.9
        DetectionMetrics m = eval(List.of(gt("car", 10, 0, 0, "")), List.of(det("car", 10, 0, 0, 0.9, ""), det("car", 10.1, 0, 0, 0.8, "")));
        assertEquals((89 * 0.9 + 0.4) / 90 / 0.9, m.labelAps().get("car").get(1.0), 1e-12);
    }

    @Test
    void distanceThresholdIsStrict() {
        DetectionMetrics m = eval(List.of(gt("car", 10, 0, 0, "")), List.of(det("car", 10.5, 0, 0, 0.9, "")));
        assertEquals(0.0, m.labelAps().get("car").get(0.5));
        assertEquals(1.0, m.labelAps().get("car").get(1.0), 1e-12);
        assertEquals(0.5, m.labelTpErrors().get("car").get("trans_err"), 1e-12);
        DetectionMetrics m2 = eval(List.of(gt("car", 10, 0, 0, "")), List.of(det("car", 10.49, 0, 0, 0.9, "")));
        assertEquals(1.0, m2.labelAps().get("car").get(0.5), 1e-12);
    }

    @Test
    void classRangeIsStrictAndZeroPointGtIsDropped() {
        DetectionBox far = gt("pedestrian", 40, 0, 0, "");
        DetectionBox near = gt("pedestrian", 39.99, 0, 0, "");
        DetectionMetrics m = eval(List.of(far), List.of(det("pedestrian", 40, 0, 0, 0.9, "")));
        assertEquals(0.0, m.labelAps().get("pedestrian").get(4.0)); // nothing left: no GT -> AP 0
        m = eval(List.of(near), List.of(det("pedestrian", 39.99, 0, 0, 0.9, "")));
        assertEquals(1.0, m.labelAps().get("pedestrian").get(4.0), 1e-12);
        DetectionBox empty = new DetectionBox("s", new double[] {10, 0, 0}, new double[] {2, 4, 1.5}, DetectionBox.yawQuaternion(0),
                new double[] {0, 0}, new double[] {10, 0, 0}, 0, "car", -1, "");
        m = eval(List.of(empty, gt("car", 20, 0, 0, "")), List.of(det("car", 10, 0, 0, 0.9, ""), det("car", 20, 0, 0, 0.8, "")));
        // the detection of the 0-point GT becomes a FP above the TP: AP 0.2 as in the hand case above
        assertEquals(0.2, m.labelAps().get("car").get(2.0), 1e-12);
    }

    @Test
    void barrierOrientationIsModuloPi() {
        DetectionMetrics m = eval(List.of(gt("barrier", 10, 0, 0.3, ""), gt("car", 20, 0, 0.3, "")),
                List.of(det("barrier", 10, 0, 0.3 + Math.PI, 0.9, ""), det("car", 20, 0, 0.3 + Math.PI, 0.9, "")));
        assertEquals(0.0, m.labelTpErrors().get("barrier").get("orient_err"), 1e-9);
        assertEquals(Math.PI, m.labelTpErrors().get("car").get("orient_err"), 1e-9);
        m = eval(List.of(gt("barrier", 10, 0, 0.3, "")), List.of(det("barrier", 10, 0, 0.3 + Math.PI / 2 + 0.1, 0.9, "")));
        assertEquals(Math.PI / 2 - 0.1, m.labelTpErrors().get("barrier").get("orient_err"), 1e-9);
    }

    @Test
    void scaleVelocityAndAttributeErrors() {
        DetectionBox g = new DetectionBox("s", new double[] {10, 0, 0}, new double[] {2, 4, 1}, DetectionBox.yawQuaternion(0), new double[] {3, 4},
                new double[] {10, 0, 0}, 5, "pedestrian", -1, "pedestrian.moving");
        DetectionBox p = new DetectionBox("s", new double[] {10, 0, 0}, new double[] {1, 4, 2}, DetectionBox.yawQuaternion(0), new double[] {0, 0},
                new double[3], -1, "pedestrian", 0.7, "pedestrian.standing");
        DetectionMetrics m = eval(List.of(g), List.of(p));
        // intersection 1*4*1 = 4, union 8 + 8 - 4 = 12
        assertEquals(1 - 4.0 / 12, m.labelTpErrors().get("pedestrian").get("scale_err"), 1e-12);
        assertEquals(5.0, m.labelTpErrors().get("pedestrian").get("vel_err"), 1e-12);
        assertEquals(1.0, m.labelTpErrors().get("pedestrian").get("attr_err"), 1e-12);
    }

    @Test
    void gtWithoutAttributeOrVelocityIsLeftOutOfThoseErrors() {
        DetectionBox g1 = new DetectionBox("s", new double[] {10, 0, 0}, new double[] {2, 4, 1}, DetectionBox.yawQuaternion(0),
                new double[] {Double.NaN, Double.NaN}, new double[] {10, 0, 0}, 5, "car", -1, "");
        DetectionBox g2 = new DetectionBox("s", new double[] {20, 0, 0}, new double[] {2, 4, 1}, DetectionBox.yawQuaternion(0), new double[] {1, 1},
                new double[] {20, 0, 0}, 5, "car", -1, "vehicle.parked");
        DetectionBox p1 = new DetectionBox("s", new double[] {10, 0, 0}, new double[] {2, 4, 1}, DetectionBox.yawQuaternion(0), new double[] {7, 7},
                new double[3], -1, "car", 0.9, "vehicle.moving");
        DetectionBox p2 = new DetectionBox("s", new double[] {20, 0, 0}, new double[] {2, 4, 1}, DetectionBox.yawQuaternion(0), new double[] {1, 1},
                new double[3], -1, "car", 0.8, "vehicle.parked");
        DetectionMetrics m = eval(List.of(g1, g2), List.of(p1, p2));
        assertEquals(0.0, m.labelTpErrors().get("car").get("vel_err"), 1e-12);
        assertEquals(0.0, m.labelTpErrors().get("car").get("attr_err"), 1e-12);
    }

    @Test
    void recallNeverAboveMinRecallGivesErrorOne() {
        List<DetectionBox> gts = new ArrayList<>();
        for (int i = 0; i < 20; i++) gts.add(gt("car", 2 * i + 5, 0, 0, "")); // all within the 50 m car range
        // 1 of 20 found: max recall 0.05 <= 0.1
        DetectionMetrics m = eval(gts, List.of(det("car", 5, 0, 0, 0.9, "")));
        assertEquals(1.0, m.labelTpErrors().get("car").get("trans_err"));
        assertEquals(0.0, m.labelAps().get("car").get(2.0));
    }

    @Test
    void greedyMatchingTakesTheNearestUntakenGt() {
        // the higher-scored detection takes the GT at 0.3 m; the other one must then go to the GT at 1.5 m
        DetectionMetrics m = eval(List.of(gt("car", 10, 0, 0, ""), gt("car", 11.5, 0, 0, "")),
                List.of(det("car", 10.3, 0, 0, 0.9, ""), det("car", 10.0, 0, 0, 0.8, "")));
        assertEquals(1.0, m.labelAps().get("car").get(2.0), 1e-12);
        // ATE is the mean of the error curve, not of the matches: the error is 0.3 up to recall 0.5 and then rises
        // linearly with the interpolated confidence to the running mean 0.9 at recall 1:
        // (40 * 0.3 + sum_{j=1..50} (0.3 + 0.012 j)) / 90 = 0.47
        assertEquals(0.47, m.labelTpErrors().get("car").get("trans_err"), 1e-9);
        // at 0.5 m only the first is a TP and the second a FP: precision 1 below recall 0.5, 0.5 at the plateau's end
        // (recall exactly 0.5), 0 above: AP = (39 * 0.9 + 0.4) / 90 / 0.9
        assertEquals((39 * 0.9 + 0.4) / 90 / 0.9, m.labelAps().get("car").get(0.5), 1e-12);
    }

    @Test
    void bikeRackRemovesBicyclesInside() {
        var rack = new NuScenesEvaluator.BikeRack(new double[] {10, 0, 0}, new double[] {2, 6, 2}, DetectionBox.yawQuaternion(Math.PI / 2));
        Map<String, List<DetectionBox>> g = new LinkedHashMap<>();
        g.put("s", List.of(gt("bicycle", 10, 2.9, 0, ""), gt("bicycle", 10, 3.1, 0, ""), gt("car", 10, 0, 0, "")));
        var out = NuScenesEvaluator.filter(g, Map.of("s", List.of(rack)), CFG.classRange());
        // the rack's length (6 m) runs along y after the 90 degree turn: y = 2.9 is inside, 3.1 outside; cars stay
        assertEquals(List.of(3.1, 0.0), out.get("s").stream().map(b -> b.translation()[1]).toList());
    }

    @Test
    void angleDiffMatchesPythonModulo() {
        assertEquals(0.0, NuScenesEvaluator.angleDiff(Math.PI, -Math.PI, 2 * Math.PI), 1e-12);
        // a negative dividend: Python's % is non-negative, so -3.1 - 3.1 wraps to 2 pi - 6.2
        assertEquals(2 * Math.PI - 6.2, NuScenesEvaluator.angleDiff(-3.1, 3.1, 2 * Math.PI), 1e-12);
        assertEquals(0.1, NuScenesEvaluator.angleDiff(0.1, Math.PI, Math.PI), 1e-12);
    }
}
