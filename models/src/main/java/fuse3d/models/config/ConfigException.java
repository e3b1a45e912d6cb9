package fuse3d.models.config;

/**
 * A configuration error that names where it happened: the file, the line and the full key path, e.g.
 * {@code voxel_rcnn_small.yaml:42: MODEL.DENSE_HEAD.NUM_DIR_BINS: expected an integer, got 'two'}.
 */
public final class ConfigException extends RuntimeException {
    private final String file;
    private final int line;
    private final String keyPath;

    public ConfigException(String file, int line, String keyPath, String message, Throwable cause) {
        super(file + ":" + line + ": " + (keyPath.isEmpty() ? "" : keyPath + ": ") + message, cause);
        this.file = file;
        this.line = line;
        this.keyPath = keyPath;
    }

    public ConfigException(String file, int line, String keyPath, String message) { this(file, line, keyPath, message, null); }

    /** An error located at a node of the tree. */
    static ConfigException at(ConfigNode node, String keyPath, String message) {
        return new ConfigException(node.file(), node.line(), keyPath, message);
    }

    /** The file (name as loaded, or "--set") the offending value came from. */
    public String file() { return file; }

    /** The 1-based line of the offending value (0 when unknown). */
    public int line() { return line; }

    /** The dotted key path from the root of the document, e.g. {@code OPTIMIZATION.LR}. */
    public String keyPath() { return keyPath; }
}
