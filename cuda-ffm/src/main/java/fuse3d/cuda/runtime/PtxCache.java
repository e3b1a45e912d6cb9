package fuse3d.cuda.runtime;

import fuse3d.tensor.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * PTX compiled once per (source, options, compiler version) and kept on disk as {@code <dir>/<sha256>.ptx}, written
 * atomically so that a crash or a second JVM never sees a partial file (tinygrad's compiler cache, keyed the same way).
 * The default directory is {@code ~/.cache/fuse3d/cuda}; {@code -Dfuse3d.cuda.cache=DIR} moves it.
 */
public final class PtxCache {
    /** Turns CUDA C into PTX: NVRTC in production, a fake in tests. */
    @FunctionalInterface
    public interface Compiler {
        String compile(String source, String name, List<String> options);
    }

    private final Path dir;
    private final Compiler compiler;
    private final String compilerId;

    /**
     * @param compilerId what else decides the PTX, e.g. NVRTC's version: part of the key, so an upgrade recompiles
     */
    public PtxCache(Path dir, Compiler compiler, String compilerId) {
        this.dir = dir;
        this.compiler = compiler;
        this.compilerId = compilerId;
    }

    public static Path defaultDir() {
        String p = System.getProperty("fuse3d.cuda.cache");
        return p != null ? Path.of(p) : Path.of(System.getProperty("user.home"), ".cache", "fuse3d", "cuda");
    }

    /** The file name that source compiled with options gets. */
    public String key(String source, List<String> options) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(compilerId.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            for (String o : options) {
                md.update(o.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            md.update(source.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest()) + ".ptx";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The PTX of source: from the disk cache when there, else compiled and stored. */
    public String ptx(String source, String name, List<String> options) {
        Path file = dir.resolve(key(source, options));
        try {
            if (Files.isRegularFile(file)) return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            // an unreadable cache entry is recompiled and rewritten below
        }
        String ptx = compiler.compile(source, name, options);
        try {
            AtomicFiles.write(file, out -> out.write(ptx.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            // a read-only home still runs, it just compiles again next time
            System.getLogger("fuse3d.cuda").log(System.Logger.Level.WARNING, "PtxCache: cannot write " + file + " for " + name + ": " + e);
        }
        return ptx;
    }
}
