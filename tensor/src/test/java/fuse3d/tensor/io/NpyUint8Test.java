package fuse3d.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.tensor.DType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Storing INT32/BOOL arrays of an .npz as uint8, as Occ3D's labels.npz does; and truncated archives. */
class NpyUint8Test {

    @Test
    void storesChosenArraysAsUint8AndReadsThemBack(@TempDir Path dir) throws IOException {
        Map<String, RawArray> arrays = new LinkedHashMap<>();
        arrays.put("semantics", RawArray.of(new int[] {0, 17, 255, 3, 4, 5}, 1, 2, 3));
        arrays.put("mask", RawArray.of(new boolean[] {true, false, true, true, false, false}, 1, 2, 3));
        arrays.put("kept", RawArray.of(new int[] {-1, 300}, 2));
        for (boolean compressed : new boolean[] {false, true}) {
            Path f = dir.resolve("labels" + compressed + ".npz");
            Npy.writeNpz(f, arrays, compressed, Set.of("semantics", "mask"));
            try (ZipFile zip = new ZipFile(f.toFile())) {
                for (String name : new String[] {"semantics", "mask"}) {
                    ZipEntry e = zip.getEntry(name + ".npy");
                    assertEquals(compressed ? ZipEntry.DEFLATED : ZipEntry.STORED, e.getMethod());
                    try (InputStream in = zip.getInputStream(e)) {
                        String head = new String(in.readNBytes(64), StandardCharsets.ISO_8859_1);
                        assertTrue(head.contains("'descr': '|u1'"), head);
                    }
                    // NumPy 1.24's 128-byte header (as in the real Occ3D files) plus one byte per element.
                    assertEquals(128 + 6, e.getSize());
                }
            }
            Map<String, RawArray> back = Npy.readNpz(f);
            assertEquals(DType.INT32, back.get("semantics").dtype());
            assertArrayEquals(new int[] {0, 17, 255, 3, 4, 5}, back.get("semantics").toIntArray());
            assertArrayEquals(new int[] {1, 2, 3}, back.get("semantics").shape());
            assertArrayEquals(new boolean[] {true, false, true, true, false, false}, back.get("mask").toBooleanArray());
            assertEquals(arrays.get("kept"), back.get("kept"));
        }
    }

    @Test
    void refusesValuesOutsideUint8AndLeavesNoFile(@TempDir Path dir) {
        Path f = dir.resolve("bad.npz");
        ArrayFileException e = assertThrows(ArrayFileException.class,
                () -> Npy.writeNpz(f, Map.of("s", RawArray.of(new int[] {1, 256}, 2)), true, Set.of("s")));
        assertTrue(e.getMessage().contains("element 1 is 256"), e.getMessage());
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertFalse(Files.exists(f));
        assertThrows(ArrayFileException.class,
                () -> Npy.writeNpz(f, Map.of("s", RawArray.of(new float[] {1}, 1)), true, Set.of("s")));
        assertThrows(ArrayFileException.class,
                () -> Npy.writeNpz(f, Map.of("s", RawArray.of(new int[] {1}, 1)), true, Set.of("t")));
    }

    /** Regression: a zip cut before its central directory made ZipFile throw a bare EOFException. */
    @Test
    void npzCutBeforeItsCentralDirectoryIsAnArrayFileException(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("cut.npz");
        Npy.writeNpz(f, Map.of("a", RawArray.of(new int[] {1, 2, 3}, 3)), true);
        byte[] all = Files.readAllBytes(f);
        for (int keep : new int[] {0, 5, 22, all.length / 2, all.length - 1}) {
            Files.write(f, java.util.Arrays.copyOf(all, keep));
            ArrayFileException e = assertThrows(ArrayFileException.class, () -> Npy.readNpz(f), "kept " + keep + " bytes");
            assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        }
    }
}
