package fuse3d.data.kitti;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A KITTI file that cannot be read: the message always starts with the file and the line (text formats) or the
 * byte offset (binary formats), then says what was wrong, so that a log line alone says where to look.
 */
public final class KittiFormatException extends IOException {
    private final String file;

    public KittiFormatException(String file, String where, String problem) {
        this(file, where, problem, null);
    }

    public KittiFormatException(String file, String where, String problem, Throwable cause) {
        super(file + (where == null ? "" : " " + where) + ": " + problem, cause);
        this.file = file;
    }

    static KittiFormatException atLine(Path file, int line, String problem) {
        return new KittiFormatException(String.valueOf(file), "line " + line, problem);
    }

    static KittiFormatException atByte(Path file, long offset, String problem) {
        return new KittiFormatException(String.valueOf(file), "byte " + offset, problem);
    }

    /** The file that failed to read. */
    public String file() { return file; }
}
