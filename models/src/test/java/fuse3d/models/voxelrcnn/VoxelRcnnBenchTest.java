package fuse3d.models.voxelrcnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@code bench model voxel_rcnn} in quick mode: its lines in the bench format, every part timed, and no data left behind. */
class VoxelRcnnBenchTest {
    static long scratchDirs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("fuse3d-bench-voxel-rcnn")).count();
        }
    }

    @Test
    void quickRunPrintsInferenceAndTrainingLines() throws IOException {
        long before = scratchDirs();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        VoxelRcnnBench.run(new PrintStream(buf, true, StandardCharsets.UTF_8), true, List.of("voxel_rcnn_small"));
        String s = buf.toString(StandardCharsets.UTF_8);
        System.out.print(s);
        String[] lines = s.split("\n");
        assertEquals(3, lines.length, s);
        assertTrue(lines[0].matches("bench env jdk=\\S+ threads=\\d+ frames=4"), lines[0]);
        StringBuilder parts = new StringBuilder();
        for (String p : VoxelRcnn.PARTS) parts.append(" ").append(p).append("_ms=([0-9.]+)");
        Matcher infer = Pattern.compile("bench model_voxel_rcnn_infer preset=voxel_rcnn_small ms=([0-9.]+) voxelize_ms=([0-9.]+)" + parts
                + " points=\\d+ voxels=\\d+ params=\\d+").matcher(lines[1]);
        assertTrue(infer.matches(), lines[1]);
        double total = Double.parseDouble(infer.group(1)), sum = 0;
        for (int g = 2; g <= infer.groupCount(); g++) sum += Double.parseDouble(infer.group(g));
        assertTrue(total > 0 && sum <= total * 1.05 + 0.5, "the parts (" + sum + " ms) fit in the total (" + total + " ms): " + lines[1]);
        Matcher step = Pattern.compile("bench model_voxel_rcnn_train_step preset=voxel_rcnn_small batch=2 ms=([0-9.]+) forward_ms=([0-9.]+) "
                + "backward_and_step_ms=(-?[0-9.]+)").matcher(lines[2]);
        assertTrue(step.matches(), lines[2]);
        assertTrue(Double.parseDouble(step.group(2)) > 0 && Double.parseDouble(step.group(1)) >= Double.parseDouble(step.group(2)), lines[2]);
        assertEquals(before, scratchDirs(), "the bench deletes its synthetic frames");
    }
}
