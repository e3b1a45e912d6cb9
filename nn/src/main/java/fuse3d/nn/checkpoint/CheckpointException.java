package fuse3d.nn.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint that cannot be read, or that does not fit the model, optimizer, schedule or generators it is
 * restored into. The message reads {@code "<file>: <part>: <problem>"}, so a log line alone says which file
 * and which part of it to look at.
 */
public final class CheckpointException extends IOException {
    private final String file;
    private final String part;

    /** @param part what inside the checkpoint is at fault ({@code "model_state"}, {@code "optimizer"}), or null */
    public CheckpointException(String file, String part, String problem, Throwable cause) {
        super(file + ": " + (part == null ? "" : part + ": ") + problem, cause);
        this.file = file;
        this.part = part;
    }

    public CheckpointException(Path file, String part, String problem) { this(String.valueOf(file), part, problem, null); }

    public CheckpointException(Path file, String part, String problem, Throwable cause) { this(String.valueOf(file), part, problem, cause); }

    /** The checkpoint file (or {@code "<memory>"} for a checkpoint never written). */
    public String file() { return file; }

    /** The part of the checkpoint at fault, or null. */
    public String part() { return part; }
}
