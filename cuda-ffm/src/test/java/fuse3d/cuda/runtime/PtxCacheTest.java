package fuse3d.cuda.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk PTX cache with a fake compiler: compile once, then read; the key follows source, options and compiler. */
class PtxCacheTest {
    @TempDir Path dir;

    @Test
    void compilesOnceThenReadsFromDisk() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        PtxCache.Compiler fake = (src, name, opts) -> {
            calls.incrementAndGet();
            return "// PTX of " + name + " " + opts + "\n.version 8.0\n";
        };
        List<String> o = List.of("--gpu-architecture=compute_90");
        String first = new PtxCache(dir, fake, "nvrtc-13.0").ptx("kernel text", "a.cu", o);
        String second = new PtxCache(dir, fake, "nvrtc-13.0").ptx("kernel text", "a.cu", o);
        assertEquals(first, second);
        assertEquals(1, calls.get(), "a second cache over the same directory must read the file, not compile");
        try (var files = Files.list(dir)) {
            List<Path> l = files.toList();
            assertEquals(1, l.size(), "one file, no temporary left behind: " + l);
            assertTrue(l.getFirst().getFileName().toString().matches("[0-9a-f]{64}\\.ptx"), l.toString());
        }
    }

    @Test
    void keyChangesWithSourceOptionsAndCompiler() {
        PtxCache c = new PtxCache(dir, (s, n, o) -> "", "nvrtc-13.0");
        String k = c.key("src", List.of("--gpu-architecture=compute_90"));
        assertNotEquals(k, c.key("src2", List.of("--gpu-architecture=compute_90")));
        assertNotEquals(k, c.key("src", List.of("--gpu-architecture=compute_80")));
        assertNotEquals(k, new PtxCache(dir, (s, n, o) -> "", "nvrtc-12.4").key("src", List.of("--gpu-architecture=compute_90")));
        // option boundaries count: ("ab") is not ("a", "b")
        assertNotEquals(c.key("s", List.of("ab")), c.key("s", List.of("a", "b")));
        assertEquals(k, c.key("src", List.of("--gpu-architecture=compute_90")));
    }
}
