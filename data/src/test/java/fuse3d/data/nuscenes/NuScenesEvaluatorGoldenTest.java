package fuse3d.data.nuscenes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The evaluator against tests/golden/data/gen_nuscenes_eval.py, a plain-numpy re-derivation of the devkit's
 * algorithm run on random scenes (score ties, NaN velocities, GT without attributes, out-of-range boxes, empty GT,
 * bicycles in racks): every AP, TP error, mAP and NDS within 1e-6.
 */
class NuScenesEvaluatorGoldenTest {

    static double num(JsonNode n) { return n.isTextual() && n.textValue().equals("NaN") ? Double.NaN : n.doubleValue(); }

    static double[] arr(JsonNode n) {
        double[] v = new double[n.size()];
        for (int i = 0; i < v.length; i++) v[i] = num(n.get(i));
        return v;
    }

    static Map<String, List<DetectionBox>> boxes(JsonNode m) {
        Map<String, List<DetectionBox>> out = new LinkedHashMap<>();
        for (var e : m.properties()) {
            List<DetectionBox> l = new ArrayList<>();
            for (JsonNode b : e.getValue())
                l.add(new DetectionBox(b.get("sample_token").textValue(), arr(b.get("translation")), arr(b.get("size")), arr(b.get("rotation")),
                        arr(b.get("velocity")), arr(b.get("ego_translation")), b.get("num_pts").intValue(), b.get("detection_name").textValue(),
                        num(b.get("detection_score")), b.get("attribute_name").textValue()));
            out.put(e.getKey(), l);
        }
        return out;
    }

    static void close(double want, double got, String what) {
        if (Double.isNaN(want)) assertTrue(Double.isNaN(got), what + ": want NaN, got " + got);
        else assertEquals(want, got, 1e-6, what);
    }

    @Test
    void matchesTheNumpyReference() throws Exception {
        JsonNode cases;
        try (InputStream in = getClass().getResourceAsStream("/golden/nuscenes_eval.json")) {
            cases = NuScenesTables.MAPPER.readTree(in);
        }
        assertEquals(5, cases.size());
        for (JsonNode c : cases) {
            String name = c.get("name").textValue();
            Map<String, List<NuScenesEvaluator.BikeRack>> racks = new LinkedHashMap<>();
            for (var e : c.get("racks").properties()) {
                List<NuScenesEvaluator.BikeRack> l = new ArrayList<>();
                for (JsonNode r : e.getValue()) l.add(new NuScenesEvaluator.BikeRack(arr(r.get("translation")), arr(r.get("size")), arr(r.get("rotation"))));
                racks.put(e.getKey(), l);
            }
            DetectionMetrics m = NuScenesEvaluator.evaluate(boxes(c.get("gt")), boxes(c.get("pred")), racks, DetectionConfig.cvpr2019());
            JsonNode x = c.get("expected");
            for (String cls : DetectionClasses.NAMES) {
                for (double d : List.of(0.5, 1.0, 2.0, 4.0))
                    close(num(x.get("label_aps").get(cls).get(DetectionMetrics.key(d))), m.labelAps().get(cls).get(d), name + " AP " + cls + "@" + d);
                for (String tp : DetectionMetrics.TP_METRICS)
                    close(num(x.get("label_tp_errors").get(cls).get(tp)), m.labelTpErrors().get(cls).get(tp), name + " " + tp + " " + cls);
            }
            for (String tp : DetectionMetrics.TP_METRICS) close(num(x.get("tp_errors").get(tp)), m.tpErrors().get(tp), name + " m" + tp);
            close(num(x.get("mean_ap")), m.meanAp(), name + " mAP");
            close(num(x.get("nd_score")), m.ndScore(), name + " NDS");
        }
    }
}
