package fuse3d.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write that fails part-way leaves the previous file intact and no temporary file behind. */
class AtomicFilesTest {
    @TempDir Path dir;

    private List<Path> listing() throws IOException {
        try (var s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void failureMidWriteKeepsTheOldFile() throws IOException {
        Path f = dir.resolve("a.bin");
        AtomicFiles.write(f, out -> out.write(new byte[] {1, 2, 3}));
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[100_000]); // more than the buffer, so part of it reaches the temporary file
            throw new IOException("disk on fire");
        }));
        assertEquals("disk on fire", e.getMessage());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        assertEquals(List.of(f), listing());
    }

    @Test
    void failureOnANewFileLeavesNothing() throws IOException {
        Path f = dir.resolve("new.bin");
        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(f, out -> {
            out.write(7);
            throw new IllegalStateException("bug");
        }));
        assertEquals(List.of(), listing());
    }

    @Test
    void successReplacesTheFile() throws IOException {
        Path f = dir.resolve("r.bin");
        Files.write(f, new byte[] {9, 9, 9, 9});
        AtomicFiles.write(f, out -> out.write(new byte[] {5}));
        assertArrayEquals(new byte[] {5}, Files.readAllBytes(f));
        assertEquals(List.of(f), listing());
        // A relative path resolves against the working directory like any other path.
        assertEquals(f, f.toAbsolutePath());
    }
}
