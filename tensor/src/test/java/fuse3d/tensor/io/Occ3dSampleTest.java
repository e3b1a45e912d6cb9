package fuse3d.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Reads the real Occ3D-nuScenes sample ({@code labels.npz}) from the shared data folder, which is not part of
 * the project (nuScenes terms: non-commercial) and is therefore never copied into it; skipped when absent.
 */
class Occ3dSampleTest {
    /** Where the shared sample may be; {@code -Dfuse3d.occ3d.dir=...} points elsewhere. */
    private static List<Path> candidates() {
        String prop = System.getProperty("fuse3d.occ3d.dir");
        return Stream.of(prop, "/work/shared/data/occ3d", "../shared/data/occ3d", "shared/data/occ3d")
                .filter(s -> s != null && !s.isEmpty()).map(Path::of).toList();
    }

    private static Optional<Path> findLabels() throws IOException {
        for (Path dir : candidates()) {
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> s = Files.walk(dir, 3)) {
                Optional<Path> hit = s.filter(p -> p.getFileName().toString().equals("labels.npz")).sorted().findFirst();
                if (hit.isPresent()) return hit;
            }
        }
        return Optional.empty();
    }

    @Test
    void readsTheRealLabelsNpz() throws IOException {
        Optional<Path> labels = findLabels();
        Assumptions.assumeTrue(labels.isPresent(), "Occ3D sample labels.npz not found in " + candidates()
                + " (the shared data folder is not mounted here; set -Dfuse3d.occ3d.dir to run this test)");
        Map<String, RawArray> m = Npy.readNpz(labels.get());
        assertEquals(List.of("semantics", "mask_lidar", "mask_camera"), List.copyOf(m.keySet()));
        for (RawArray a : m.values()) {
            assertEquals(DType.INT32, a.dtype(), "uint8 reads as INT32");
            assertArrayEquals(new int[] {200, 200, 16}, a.shape());
        }
        int[] sem = m.get("semantics").toIntArray();
        boolean[] seen = new boolean[18];
        for (int v : sem) {
            assertTrue(v >= 0 && v <= 17, "Occ3D classes are 0..17 (17 = free), got " + v);
            seen[v] = true;
        }
        assertTrue(seen[17], "a real scene has free space");
        if (labels.get().getParent().getFileName().toString().equals("29796060110c4163b07f06eff4af0753")) {
            // The classes the shared data README lists for this sample.
            int[] present = java.util.stream.IntStream.range(0, 18).filter(c -> seen[c]).toArray();
            assertArrayEquals(new int[] {0, 1, 3, 4, 6, 11, 13, 14, 15, 16, 17}, present);
        }
        // The masks are stored as 0/1 uint8, so they convert to booleans without loss.
        boolean[] lidar = m.get("mask_lidar").toBooleanArray();
        boolean[] camera = m.get("mask_camera").toBooleanArray();
        assertEquals(200 * 200 * 16, lidar.length);
        assertEquals(200 * 200 * 16, camera.length);
    }
}
