package fuse3d.examples.demo;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's whole path at toy size (a few frames, one epoch): every promised output is written and says what it
 * should; how well the demo learns at full size is measured by running it (README, closing notes), not here.
 */
class DetectorDemoTest {
    @TempDir
    Path dir;

    @Test
    void writesMetricsPicturesCurvesAndReport() throws Exception {
        Path out = dir.resolve("demo");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DetectorDemo.Result r = DetectorDemo.run(new DetectorDemo.Options(out, 10, 5, 1, 1, 1, 2, List.of()), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String log = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("[5/5]"), log);
        for (String f : List.of("metrics.json", "report.md", "loss_curve.png", "ap_curve.png", "train/train_log.csv", "train/ckpt/checkpoint_epoch_1.safetensors",
                "eval/metrics.json", "data/ImageSets/val.txt"))
            assertTrue(Files.size(out.resolve(f)) > 0, f + " written");
        try (var s = Files.list(out.resolve("bev"))) {
            assertEquals(2, s.filter(p -> p.toString().endsWith(".png")).count(), "two BEV pictures");
        }
        try (var s = Files.list(out.resolve("eval/pr_curves"))) {
            assertTrue(s.count() > 0, "PR curves written");
        }
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertTrue(m.path("Car").path("strict").path("R40").path("3d").isArray(), m.toString());
        String report = Files.readString(out.resolve("report.md"));
        for (String s : List.of("Car AP on the held-out frames", "loss_curve.png", "ap_curve.png", "bev/", "R40", "R11", "rpn_loss_cls", "rcnn_loss_corner"))
            assertTrue(report.contains(s), "report mentions " + s);
        assertEquals(3, r.car3dR40().length);

        // a second run reuses the generated frames
        bytes.reset();
        DetectorDemo.run(new DetectorDemo.Options(out, 10, 5, 1, 0, 1, 1, List.of()), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("reusing the synthetic dataset"));
    }
}
