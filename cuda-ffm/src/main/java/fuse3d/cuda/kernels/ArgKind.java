package fuse3d.cuda.kernels;

/** The kind of one kernel parameter as the launch passes it: a device pointer or a scalar of one width. */
public enum ArgKind {
    POINTER(8), INT32(4), INT64(8), FLOAT32(4), FLOAT64(8);

    private final int bytes;

    ArgKind(int bytes) { this.bytes = bytes; }

    /** The size of the parameter in the kernel's parameter buffer. */
    public int bytes() { return bytes; }

    /** The one-letter code of {@link KernelCatalog}'s descriptors: p, i, l, f, d. */
    public char code() {
        return switch (this) {
            case POINTER -> 'p';
            case INT32 -> 'i';
            case INT64 -> 'l';
            case FLOAT32 -> 'f';
            case FLOAT64 -> 'd';
        };
    }

    static ArgKind ofCode(char c) {
        return switch (c) {
            case 'p' -> POINTER;
            case 'i' -> INT32;
            case 'l' -> INT64;
            case 'f' -> FLOAT32;
            case 'd' -> FLOAT64;
            default -> throw new IllegalArgumentException("kernel descriptor: unknown parameter code '" + c + "' (expected p, i, l, f or d)");
        };
    }
}
