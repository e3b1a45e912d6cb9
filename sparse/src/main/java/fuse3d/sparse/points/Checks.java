package fuse3d.sparse.points;

import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;

/** Door checks shared by the point ops: every error names the op, the argument, its shape and what was expected. */
final class Checks {
    private Checks() {}

    /** Requires {@code t} to have rank {@code rank}; {@code lastDim} >= 0 also fixes the last dimension. */
    static void rank(String op, String name, Tensor t, int rank, int lastDim) {
        if (t == null) throw new IllegalArgumentException(op + ": " + name + " is null");
        int[] s = t.shape();
        if (s.length != rank || (lastDim >= 0 && s[rank - 1] != lastDim))
            throw new IllegalArgumentException(op + ": " + name + " must be " + expected(rank, lastDim) + ", got " + Shape.str(s));
    }

    /** Requires {@code t} to be at least rank-2 with a last dimension of at least {@code minLast} (points with extra columns). */
    static void atLeastColumns(String op, String name, Tensor t, int rank, int minLast) {
        if (t == null) throw new IllegalArgumentException(op + ": " + name + " is null");
        int[] s = t.shape();
        if (s.length != rank || s[rank - 1] < minLast)
            throw new IllegalArgumentException(op + ": " + name + " must have rank " + rank + " and at least " + minLast
                    + " columns in its last dimension, got " + Shape.str(s));
    }

    static void floating(String op, String name, Tensor t) {
        if (!t.dtype().isFloating())
            throw new IllegalArgumentException(op + ": " + name + " must be floating, got " + t.dtype().torchName() + " of shape " + Shape.str(t.shape()));
    }

    static void integral(String op, String name, Tensor t) {
        if (!t.dtype().isIntegral())
            throw new IllegalArgumentException(op + ": " + name + " must be int32 or int64, got " + t.dtype().torchName() + " of shape " + Shape.str(t.shape()));
    }

    static void sameDim(String op, String a, Tensor ta, int da, String b, Tensor tb, int db) {
        if (ta.size(da) != tb.size(db))
            throw new IllegalArgumentException(op + ": " + a + " " + Shape.str(ta.shape()) + " and " + b + " " + Shape.str(tb.shape())
                    + " disagree: dim " + da + " is " + ta.size(da) + ", dim " + db + " is " + tb.size(db));
    }

    static void positive(String op, String name, int v) {
        if (v <= 0) throw new IllegalArgumentException(op + ": " + name + " must be positive, got " + v);
    }

    /** Every index in {@code idx} lies in [0, n). */
    static void indicesInRange(String op, String name, int[] idx, int n, Tensor t) {
        for (int i : idx)
            if (i < 0 || i >= n)
                throw new IllegalArgumentException(op + ": " + name + " " + Shape.str(t.shape()) + " holds index " + i
                        + ", outside [0, " + n + ")");
    }

    private static String expected(int rank, int lastDim) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < rank; i++) {
            if (i > 0) b.append(", ");
            b.append(i == rank - 1 && lastDim >= 0 ? Integer.toString(lastDim) : "*");
        }
        return b.append("]").toString();
    }
}
