package fuse3d.tensor;

/** The element types a tensor can hold: float32 is the working type, float64 serves gradient checks. */
public enum DType {
    FLOAT32(4, true), FLOAT64(8, true), INT32(4, false), INT64(8, false), BOOL(1, false);

    private final int byteSize;
    private final boolean floating;

    DType(int byteSize, boolean floating) {
        this.byteSize = byteSize;
        this.floating = floating;
    }

    public int byteSize() { return byteSize; }

    public boolean isFloating() { return floating; }

    public boolean isIntegral() { return this == INT32 || this == INT64; }

    /** PyTorch's type promotion for two tensor operands of the same category rank. */
    public static DType promote(DType a, DType b) {
        if (a == b) return a;
        if (a == FLOAT64 || b == FLOAT64) return FLOAT64;
        if (a == FLOAT32 || b == FLOAT32) return FLOAT32;
        if (a == INT64 || b == INT64) return INT64;
        if (a == INT32 || b == INT32) return INT32;
        return BOOL;
    }

    /** Lower-case name as PyTorch prints it (float32, int64, bool). */
    public String torchName() { return name().toLowerCase(java.util.Locale.ROOT); }
}
