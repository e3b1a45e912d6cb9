package fuse3d.tensor.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A malformed or unsupported array file (safetensors, .npy, .npz), with the file, the entry and the problem.
 *
 * <p>The message always reads {@code "<file>: <entry>: <problem>"} (or {@code "<file>: <problem>"} when the
 * problem is not tied to one tensor), so that a log line alone says which file to look at and why.
 */
public final class ArrayFileException extends IOException {
    private final String file;
    private final String entry;

    /** @param entry what inside the file is wrong, e.g. {@code "tensor 'w'"}, or {@code null} for the file */
    public ArrayFileException(Path file, String entry, String problem) {
        this(String.valueOf(file), entry, problem, null);
    }

    public ArrayFileException(Path file, String entry, String problem, Throwable cause) {
        this(String.valueOf(file), entry, problem, cause);
    }

    /** @param file the file's path, or a description of a stream that has none */
    public ArrayFileException(String file, String entry, String problem) {
        this(file, entry, problem, null);
    }

    public ArrayFileException(String file, String entry, String problem, Throwable cause) {
        super(file + ": " + (entry == null ? "" : entry + ": ") + problem, cause);
        this.file = file;
        this.entry = entry;
    }

    /** The file (or stream description) that failed to read or write. */
    public String file() { return file; }

    /** The part of the file at fault ({@code "tensor 'w'"}, {@code "entry 'a.npy'"}, {@code "header"}), or null. */
    public String entry() { return entry; }
}
