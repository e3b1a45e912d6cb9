package fuse3d.tensor.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file through a temporary sibling and an atomic rename, so readers never see a partial file.
 *
 * <p>Public so that the dataset writers of other modules (labels, info files, metric JSON) share the one
 * implementation.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** The body that produces the file's bytes. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Runs {@code body} against a new temporary file in the target's directory, forces it to disk, then
     * renames it over {@code target} with {@code ATOMIC_MOVE}. The temporary file lives in the same directory
     * because a rename is only atomic within one file system; it is deleted if anything fails, and the old
     * target (if any) is left untouched. Missing parent directories are created.
     */
    public static void write(Path target, Body body) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        // a dataset writer fills new trees (samples/LIDAR_TOP/...): missing parent directories are made
        if (dir != null) Files.createDirectories(dir);
        Path tmp = null;
        FileChannel ch = null;
        // CREATE_NEW with a random name rather than Files.createTempFile: the latter creates mode 0600 files,
        // while this one gets the same umask-derived permissions as any other new file.
        for (int attempt = 0; ch == null; attempt++) {
            tmp = dir.resolve("." + abs.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) throw e;
            }
        }
        boolean done = false;
        try {
            try (FileChannel c = ch; OutputStream out = new BufferedOutputStream(Channels.newOutputStream(c), 1 << 16)) {
                body.writeTo(out);
                out.flush();
                c.force(true);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
        } finally {
            if (!done) Files.deleteIfExists(tmp);
        }
    }
}
