package fuse3d.tensor.io;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ScratchDirTest {
    @Test
    void closeDeletesTheTreeAndMayRunTwice() throws Exception {
        Path kept;
        ScratchDir s = ScratchDir.create("fuse3d-scratch-test");
        try (s) {
            kept = s.path();
            assertTrue(Files.isDirectory(kept) && kept.getFileName().toString().startsWith("fuse3d-scratch-test"));
            Files.createDirectories(kept.resolve("a/b/c"));
            Files.writeString(kept.resolve("a/b/c/file.txt"), "x");
            Files.writeString(kept.resolve("top.bin"), "y");
        }
        assertFalse(Files.exists(kept));
        s.close(); // already gone: no error
    }
}
