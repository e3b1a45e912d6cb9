package fuse3d.tensor.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A temporary folder that is deleted with everything in it on {@link #close()}: benchmarks and self-checks that
 * generate data on disk use one in a try-with-resources block, so a run leaves nothing behind in the temp folder.
 */
public final class ScratchDir implements AutoCloseable {
    private final Path path;

    private ScratchDir(Path path) { this.path = path; }

    /** A new empty folder under the system temp folder, its name starting with {@code prefix}. */
    public static ScratchDir create(String prefix) throws IOException { return new ScratchDir(Files.createTempDirectory(prefix)); }

    public Path path() { return path; }

    /** Deletes the folder and its contents (deepest first); a folder already gone is fine. */
    @Override
    public void close() throws IOException { deleteTree(path); }

    /** Deletes {@code dir} and everything in it (deepest first); a folder already gone is fine. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        List<Path> all;
        try (Stream<Path> walk = Files.walk(dir)) {
            all = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) Files.deleteIfExists(p);
    }
}
