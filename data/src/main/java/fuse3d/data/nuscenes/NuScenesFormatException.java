package fuse3d.data.nuscenes;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A malformed nuScenes file (a JSON table, a results file, a LiDAR {@code .pcd.bin}, a radar {@code .pcd}), with the
 * file and the place in it: {@code "line L, column C"} for text and JSON, {@code "byte B"} for binary data.
 *
 * <p>The message always reads {@code "<file>: <where>: <problem>"} (or {@code "<file>: <problem>"} when the problem
 * is the whole file, e.g. a missing file), so a log line alone says which file to open and where to look.
 */
public final class NuScenesFormatException extends IOException {
    private final String file;
    private final String where;

    public NuScenesFormatException(Path file, String where, String problem) {
        this(file, where, problem, null);
    }

    public NuScenesFormatException(Path file, String where, String problem, Throwable cause) {
        super(file + ": " + (where == null ? "" : where + ": ") + problem, cause);
        this.file = String.valueOf(file);
        this.where = where;
    }

    /** A location in a text file, 1-based as editors show it. */
    static String line(long line, long column) {
        return column > 0 ? "line " + line + ", column " + column : "line " + line;
    }

    /** A location in a binary file, 0-based. */
    static String bytes(long offset) { return "byte " + offset; }

    /** The file that failed to read. */
    public String file() { return file; }

    /** Where in the file ({@code "line 12, column 5"}, {@code "byte 340"}), or null for the whole file. */
    public String where() { return where; }
}
