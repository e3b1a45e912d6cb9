package fuse3d.data.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The quick benchmark runs both evaluators and prints one bench line each, in the bench line format. */
class EvalBenchTest {

    @Test
    void quickRunPrintsBothBenchLines() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<EvalBench.Result> r = EvalBench.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
        String[] lines = bytes.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertEquals(2, lines.length);
        assertTrue(lines[0].matches("bench eval_kitti frames=376 s=\\d+\\.\\d{3} threads=\\d+"), lines[0]);
        assertTrue(lines[1].matches("bench eval_nuscenes samples=601 s=\\d+\\.\\d{3} threads=1"), lines[1]);
        assertEquals(2, r.size());
        for (EvalBench.Result x : r) assertTrue(x.seconds() > 0);
    }

    @Test
    void generatedDataHasTheAdvertisedSizes() {
        var k = EvalBench.kittiData(100, 1);
        assertEquals(100, k[0].size());
        double gt = k[0].stream().mapToInt(List::size).average().orElseThrow();
        double dt = k[1].stream().mapToInt(List::size).average().orElseThrow();
        assertTrue(gt >= 3.5 && gt <= 4.5, "GT per frame " + gt);
        assertTrue(dt >= 20 && dt <= 21, "detections per frame " + dt);
        var n = EvalBench.nuscenesData(5, 1);
        assertEquals(5, n[0].size());
        n[0].values().forEach(l -> assertEquals(40, l.size()));
        n[1].values().forEach(l -> assertEquals(300, l.size()));
    }
}
