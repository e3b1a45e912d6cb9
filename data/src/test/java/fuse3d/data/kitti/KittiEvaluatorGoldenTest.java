package fuse3d.data.kitti;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fuse3d.data.kitti.KittiEvalResult.Difficulty;
import fuse3d.data.kitti.KittiEvalResult.Metric;
import fuse3d.data.kitti.KittiEvalResult.Overlap;
import fuse3d.data.kitti.KittiEvalResult.Protocol;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The evaluator against tests/golden/data/gen_kitti_eval.py, a plain-numpy re-derivation of OpenPCDet's
 * kitti_object_eval_python run on 30 random frames (every class, DontCare regions with detections in them,
 * duplicates, class confusions, small detections, spurious boxes): every AP to 1e-4 percent, and the table text.
 */
class KittiEvaluatorGoldenTest {

    @Test
    void matchesThePythonReference() throws Exception {
        JsonNode root;
        try (InputStream in = getClass().getResourceAsStream("/golden/kitti_eval.json")) {
            assertNotNull(in, "fixture golden/kitti_eval.json");
            root = new ObjectMapper().readTree(in);
        }
        int checked = 0;
        for (JsonNode c : root.get("cases")) {
            List<List<KittiObject>> gt = new ArrayList<>(), dt = new ArrayList<>();
            int f = 0;
            for (JsonNode fr : c.get("frames")) {
                gt.add(KittiLabels.parse(fr.get("gt").asText(), Path.of("gt", f + ".txt")));
                dt.add(KittiLabels.parse(fr.get("dt").asText(), Path.of("dt", f + ".txt")));
                f++;
            }
            List<String> classes = new ArrayList<>();
            c.get("classes").forEach(n -> classes.add(n.asText()));
            KittiEvalResult r = KittiEvaluator.evaluate(gt, dt, classes);
            String name = c.get("name").asText();
            assertEquals(c.get("aos").asBoolean(), r.aosComputed(), name);
            for (String cls : classes)
                for (Overlap set : Overlap.values())
                    for (Protocol p : Protocol.values())
                        for (Metric m : Metric.values()) {
                            JsonNode want = c.get("results").get(cls).get(set.key).get(p.name()).get(m.key);
                            double[] got = r.ap(cls, set, p, m);
                            if (want.isNull()) {
                                assertNull(got, name + " " + cls + " " + set + " " + p + " " + m);
                                continue;
                            }
                            for (Difficulty d : Difficulty.values()) {
                                assertEquals(want.get(d.ordinal()).asDouble(), got[d.ordinal()], 1e-4,
                                        name + ": " + cls + " " + set.key + " " + p + " " + m.key + " " + d);
                                checked++;
                            }
                        }
            assertEquals(c.get("table").asText(), r.table(), name + ": table text");
        }
        assertEquals(6 * 2 * 2 * 4 * 3 + 3 * 2 * 2 * 3 * 3, checked);
    }
}
