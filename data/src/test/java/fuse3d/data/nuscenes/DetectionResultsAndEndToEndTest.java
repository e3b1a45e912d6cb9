package fuse3d.data.nuscenes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The submission JSON, and the evaluator run from the tables as the devkit's DetectionEval, with its JSON output. */
class DetectionResultsAndEndToEndTest {
    @TempDir
    Path dir;

    /** The GT of the synthetic tables written back as a submission (every annotation, unfiltered). */
    static DetectionResults gtAsResults(NuScenesTables t) {
        Map<String, List<DetectionBox>> r = new LinkedHashMap<>();
        NuScenesEvaluator.loadGt(t, List.of("sample0", "sample1", "sample2")).forEach((s, l) -> {
            List<DetectionBox> p = new ArrayList<>();
            for (int i = 0; i < l.size(); i++) {
                DetectionBox g = l.get(i);
                double[] v = Double.isNaN(g.velocity()[0]) ? new double[] {0, 0} : g.velocity();
                p.add(DetectionBox.prediction(s, g.translation(), g.size(), g.rotation(), v, g.detectionName(), 0.9 - 0.1 * i, g.attributeName()));
            }
            r.put(s, p);
        });
        return new DetectionResults(DetectionResults.meta(false, true, false, false, false), r);
    }

    @Test
    void resultsRoundTrip() throws Exception {
        NuScenesTables t = SyntheticTables.write(dir);
        DetectionResults res = gtAsResults(t);
        Path f = dir.resolve("results.json");
        res.write(f);
        DetectionResults back = DetectionResults.read(f, 500);
        assertEquals(res, back);
        assertEquals(List.of("sample0", "sample1", "sample2"), List.copyOf(back.results().keySet()));
        JsonNode j = NuScenesTables.MAPPER.readTree(f.toFile());
        assertEquals(List.of("meta", "results"), iterable(j.fieldNames()));
        assertEquals(List.of("sample_token", "translation", "size", "rotation", "velocity", "detection_name", "detection_score", "attribute_name"),
                iterable(j.get("results").get("sample1").get(0).fieldNames()));
    }

    static List<String> iterable(java.util.Iterator<String> it) {
        List<String> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }

    @Test
    void badResultsNameFileAndLine() throws Exception {
        Path f = dir.resolve("r.json");
        Files.writeString(f, "{\"meta\": {\"use_lidar\": true},\n \"results\": {\"s\": [\n {\"sample_token\": \"s\", \"translation\": [1, 2, 3], \"size\": [1, 1, 1],"
                + " \"rotation\": [1, 0, 0, 0], \"velocity\": [0, 0], \"detection_name\": \"car\", \"detection_score\": 0.5, \"attribute_name\": \"\"},\n"
                + " {\"sample_token\": \"s\", \"translation\": [1, 2], \"size\": [1, 1, 1], \"rotation\": [1, 0, 0, 0], \"velocity\": [0, 0],"
                + " \"detection_name\": \"car\", \"detection_score\": 0.5, \"attribute_name\": \"\"}]}}");
        var e = assertThrows(NuScenesFormatException.class, () -> DetectionResults.read(f, 500));
        assertEquals("line 4, column 2", e.where());
        assertTrue(e.getMessage().contains("'translation' must be an array of 3 numbers"), e.getMessage());
        String good = Files.readString(f).replace("[1, 2], \"size\"", "[1, 2, 3], \"size\"");
        Files.writeString(f, good.replaceFirst("\"car\", \"detection_score\": 0.5", "\"lorry\", \"detection_score\": 0.5"));
        e = assertThrows(NuScenesFormatException.class, () -> DetectionResults.read(f, 500));
        assertTrue(e.getMessage().contains("unknown detection_name 'lorry'") && e.where().startsWith("line 3"), e.getMessage());
        Files.writeString(f, good);
        assertEquals(2, DetectionResults.read(f, 500).size());
        e = assertThrows(NuScenesFormatException.class, () -> DetectionResults.read(f, 1));
        assertTrue(e.getMessage().contains("at most 1"), e.getMessage());
        Files.writeString(f, "{\"meta\": {}}");
        assertTrue(assertThrows(NuScenesFormatException.class, () -> DetectionResults.read(f, 500)).getMessage().contains("no field 'results'"));
    }

    @Test
    void evaluateFromTablesAsTheDevkitDoes() throws Exception {
        NuScenesTables t = SyntheticTables.write(dir);
        NuScenesTables loaded = NuScenesTables.load(dir, "v1.0-synthetic");
        DetectionResults res = gtAsResults(t);
        DetectionMetrics m = NuScenesEvaluator.evaluate(loaded, NuScenesEvaluator.splitScenes("all", loaded), res, DetectionConfig.cvpr2019());
        // GT present after filtering: car (the 0-point car is dropped, and its detection is a FP below the others)
        // and pedestrian and barrier; the bicycle sits in a rack, so it and its detection are filtered out
        assertEquals(1.0, m.labelAps().get("pedestrian").get(0.5), 1e-12);
        assertEquals(1.0, m.labelAps().get("barrier").get(0.5), 1e-12);
        assertEquals(0.0, m.labelAps().get("bicycle").get(4.0));
        assertTrue(m.labelAps().get("car").get(2.0) > 0.9);
        assertEquals(0.0, m.labelTpErrors().get("car").get("vel_err"), 1e-9); // the car's velocity 5 m/s is what we submitted
        assertEquals(0.0, m.labelTpErrors().get("pedestrian").get("trans_err"), 1e-12);
        // the pedestrian's GT velocity is NaN (a single annotation): AVE has nothing to average, cummean gives 1
        assertEquals(1.0, m.labelTpErrors().get("pedestrian").get("vel_err"), 1e-12);

        Path out = dir.resolve("metrics_summary.json");
        m.writeJson(out);
        String text = Files.readString(out);
        assertTrue(text.contains("NaN"), "undefined errors are written as NaN, as Python's json does");
        JsonNode j = NuScenesTables.MAPPER.readTree(out.toFile());
        assertEquals(List.of("label_aps", "mean_dist_aps", "mean_ap", "label_tp_errors", "tp_errors", "tp_scores", "nd_score", "eval_time", "cfg", "meta"),
                iterable(j.fieldNames()));
        assertEquals(List.of("0.5", "1.0", "2.0", "4.0"), iterable(j.get("label_aps").get("car").fieldNames()));
        assertEquals(DetectionClasses.NAMES, iterable(j.get("mean_dist_aps").fieldNames()));
        assertEquals(50, j.get("cfg").get("class_range").get("car").intValue());
        assertTrue(j.get("cfg").get("class_range").get("car").isIntegralNumber());
        assertEquals(m.ndScore(), j.get("nd_score").doubleValue(), 0);
        assertTrue(j.get("meta").get("use_lidar").booleanValue());
        m.writeDetailsJson(dir.resolve("metrics_details.json"));
        JsonNode d = NuScenesTables.MAPPER.readTree(dir.resolve("metrics_details.json").toFile());
        assertEquals(101, d.get("car:2.0").get("precision").size());

        ByteArrayOutputStream b = new ByteArrayOutputStream();
        m.printTable(new PrintStream(b, true));
        String printed = b.toString();
        assertTrue(printed.startsWith("mAP: ") && printed.contains("NDS: ") && printed.contains("traffic_cone\t0.000\t1.000\t1.000\tnan\tnan\tnan"), printed);
    }

    @Test
    void evaluateNeedsTheSplitsSamples() throws Exception {
        NuScenesTables t = SyntheticTables.write(dir);
        DetectionResults res = gtAsResults(t);
        Map<String, List<DetectionBox>> two = new LinkedHashMap<>(res.results());
        two.remove("sample2");
        var e = assertThrows(IllegalArgumentException.class,
                () -> NuScenesEvaluator.evaluate(t, List.of(SyntheticTables.SCENE), new DetectionResults(res.meta(), two), DetectionConfig.cvpr2019()));
        assertTrue(e.getMessage().contains("missing e.g. [sample2]"), e.getMessage());
        assertEquals(NuScenesEvaluator.MINI_VAL, NuScenesEvaluator.splitScenes("mini_val", t));
        Path list = dir.resolve("val.txt");
        Files.writeString(list, "# my split\nscene-0001\n\n");
        assertEquals(List.of("scene-0001"), NuScenesEvaluator.splitScenes(list.toString(), t));
    }
}
