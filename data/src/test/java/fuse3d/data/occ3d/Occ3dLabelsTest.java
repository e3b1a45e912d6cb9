package fuse3d.data.occ3d;

import fuse3d.tensor.io.ScratchDir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.tensor.io.ArrayFileException;
import fuse3d.tensor.io.Npy;
import fuse3d.tensor.io.RawArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipFile;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** labels.npz: the released layout, round trips in every storage variant, predictions, and bad files. */
class Occ3dLabelsTest {

    static Occ3dLabels random(long seed, int nx, int ny, int nz) {
        Random r = new Random(seed);
        int n = nx * ny * nz;
        byte[] sem = new byte[n];
        boolean[] lidar = new boolean[n], camera = new boolean[n];
        for (int i = 0; i < n; i++) {
            sem[i] = (byte) r.nextInt(18);
            lidar[i] = r.nextBoolean();
            camera[i] = r.nextInt(3) > 0;
        }
        return new Occ3dLabels(nx, ny, nz, sem, lidar, camera);
    }

    @Test
    void writesTheReleasedLayout(@TempDir Path dir) throws IOException {
        Occ3dLabels l = random(1, 4, 3, 2);
        Path f = dir.resolve("labels.npz");
        l.write(f);
        // Entry names, order and uint8 dtype as in the released files; deflated.
        try (ZipFile zip = new ZipFile(f.toFile())) {
            assertEquals(List.of("semantics.npy", "mask_lidar.npy", "mask_camera.npy"),
                    zip.stream().map(e -> e.getName()).toList());
            zip.stream().forEach(e -> assertEquals(java.util.zip.ZipEntry.DEFLATED, e.getMethod()));
        }
        Map<String, RawArray> raw = Npy.readNpz(f);
        assertArrayEquals(new int[] {4, 3, 2}, raw.get("semantics").shape());
        assertEquals(l, Occ3dLabels.read(f));
    }

    @Property(tries = 30)
    void roundTripsInEveryStorageVariant(@ForAll @IntRange(min = 1, max = 5) int nx, @ForAll @IntRange(min = 1, max = 5) int ny,
                                        @ForAll @IntRange(min = 1, max = 4) int nz, @ForAll boolean compressed,
                                        @ForAll boolean boolMasks, @ForAll long seed) throws IOException {
        Path dir = Files.createTempDirectory("occ3d");
        try {
            Occ3dLabels l = random(seed, nx, ny, nz);
            Path f = dir.resolve("labels.npz");
            l.write(f, compressed, boolMasks);
            assertEquals(l, Occ3dLabels.read(f));
            // A ground-truth file is also a valid prediction file (its semantics array).
            assertEquals(l.withoutMasks(), Occ3dLabels.readPrediction(f));
            Path g = dir.resolve("scene_token.npz");
            l.writeGdfusionPrediction(g);
            assertEquals(l.withoutMasks(), Occ3dLabels.readPrediction(g));
        } finally {
            ScratchDir.deleteTree(dir);
        }
    }

    @Test
    void readsHandMadeFilesOfOtherDtypes(@TempDir Path dir) throws IOException {
        // int64 semantics and bool masks, stored: what np.savez of an int64 prediction and bool masks writes.
        Map<String, RawArray> a = new LinkedHashMap<>();
        a.put("semantics", RawArray.of(new long[] {0, 17, 4, 255}, 1, 2, 2));
        a.put("mask_lidar", RawArray.of(new boolean[] {true, false, false, true}, 1, 2, 2));
        a.put("mask_camera", RawArray.of(new int[] {0, 1, 1, 1}, 1, 2, 2));
        a.put("instances", RawArray.of(new int[] {0, 0, 3, 0}, 1, 2, 2)); // panoptic extra: ignored
        Path f = dir.resolve("labels.npz");
        Npy.writeNpz(f, a, false);
        Occ3dLabels l = Occ3dLabels.read(f);
        assertEquals(255, l.label(3), "255 (unlabelled) is kept in the ground truth; the metrics ignore it");
        assertArrayEquals(new boolean[] {true, false, false, true}, l.maskLidar());
        assertArrayEquals(new boolean[] {false, true, true, true}, l.maskCamera());

        Path p = dir.resolve("sparseocc.npz");
        Npy.writeNpz(p, Map.of("arr_0", RawArray.of(new int[] {1, 2, 3, 17}, 1, 2, 2)), true);
        Occ3dLabels pred = Occ3dLabels.readPrediction(p);
        assertNull(pred.maskCamera());
        assertEquals(17, pred.label(3));
    }

    @Test
    void badFilesNameTheFileAndTheArray(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("labels.npz");
        Npy.writeNpz(f, Map.of("semantics", RawArray.of(new int[] {1, 2}, 1, 1, 2),
                "mask_lidar", RawArray.of(new int[] {1, 0}, 1, 1, 2)), false);
        assertMessage(() -> Occ3dLabels.read(f), f, "no 'mask_camera' array");

        Npy.writeNpz(f, Map.of("semantics", RawArray.of(new int[] {1, 2}, 1, 1, 2),
                "mask_lidar", RawArray.of(new int[] {1, 2}, 1, 1, 2), "mask_camera", RawArray.of(new int[] {1, 0}, 1, 1, 2)), false);
        assertMessage(() -> Occ3dLabels.read(f), f, "array 'mask_lidar': a mask must hold only 0/1");

        Npy.writeNpz(f, Map.of("semantics", RawArray.of(new int[] {1, 2}, 1, 1, 2),
                "mask_lidar", RawArray.of(new int[] {1, 0}, 2, 1, 1), "mask_camera", RawArray.of(new int[] {1, 0}, 1, 1, 2)), false);
        assertMessage(() -> Occ3dLabels.read(f), f, "differs from semantics'");

        Npy.writeNpz(f, Map.of("semantics", RawArray.of(new int[] {1, 2}, 2)), false);
        assertMessage(() -> Occ3dLabels.read(f), f, "is not a non-empty 3-D grid");

        Npy.writeNpz(f, Map.of("pred", RawArray.of(new int[] {1, 18}, 1, 1, 2)), false);
        assertMessage(() -> Occ3dLabels.readPrediction(f), f, "voxel (0, 0, 1) (element 1) has label 18");

        Npy.writeNpz(f, Map.of("pred", RawArray.of(new float[] {1, 2}, 1, 1, 2)), false);
        assertMessage(() -> Occ3dLabels.readPrediction(f), f, "labels must be integers");

        Npy.writeNpz(f, Map.of("logits", RawArray.of(new int[] {1, 2}, 1, 1, 2)), false);
        assertMessage(() -> Occ3dLabels.readPrediction(f), f, "has no prediction array");

        Path missing = dir.resolve("missing.npz");
        assertMessage(() -> Occ3dLabels.read(missing), missing, "file does not exist");
    }

    /** Any truncation or byte corruption of a real-layout file gives an ArrayFileException naming the file, nothing else. */
    @Property(tries = 60)
    void corruptFilesOnlyRaiseArrayFileException(@ForAll @IntRange(min = 0, max = 100_000) int where, @ForAll boolean truncate,
                                                 @ForAll @IntRange(min = 1, max = 255) int xor) throws IOException {
        Path dir = Files.createTempDirectory("occ3d");
        try {
            Path f = dir.resolve("labels.npz");
            random(7, 6, 5, 4).write(f, where % 2 == 0, false);
            byte[] bytes = Files.readAllBytes(f);
            int at = where % bytes.length;
            byte[] bad;
            if (truncate) {
                bad = java.util.Arrays.copyOf(bytes, at);
            } else {
                bad = bytes.clone();
                bad[at] ^= (byte) xor;
            }
            Files.write(f, bad);
            try {
                Occ3dLabels.read(f);
            } catch (ArrayFileException e) {
                assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
            }
        } finally {
            ScratchDir.deleteTree(dir);
        }
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, Path file, String part) {
        ArrayFileException e = assertThrows(ArrayFileException.class, call);
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
