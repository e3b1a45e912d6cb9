package fuse3d.tensor;

import java.util.Arrays;

/** Static helpers for shapes and strides: element counts, contiguous strides, broadcasting, dim wrapping. */
public final class Shape {
    private Shape() {}

    /** Number of elements of a shape; throws on overflow past int range, which a storage cannot hold. */
    public static int numel(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + str(shape));
            n *= d;
            if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + str(shape) + " has more than 2^31-1 elements");
        }
        return (int) n;
    }

    /** Row-major strides of a contiguous tensor of this shape. */
    public static int[] contiguousStrides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= Math.max(shape[i], 1);
        }
        return s;
    }

    /** NumPy broadcasting of two shapes; the op name goes into the error. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da == db || db == 1) out[i] = da;
            else if (da == 1) out[i] = db;
            else throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b)
                    + " cannot be broadcast: dim " + i + " has sizes " + da + " and " + db + " (must be equal or 1)");
        }
        return out;
    }

    /** Broadcasts any number of shapes. */
    public static int[] broadcast(String op, int[]... shapes) {
        int[] out = new int[0];
        for (int[] s : shapes) out = broadcast(op, out, s);
        return out;
    }

    /** Wraps a possibly negative dim into [0, rank); the op name goes into the error. */
    public static int wrapDim(String op, int dim, int rank) {
        int r = Math.max(rank, 1);
        if (dim < -r || dim >= r)
            throw new IllegalArgumentException(op + ": dim " + dim + " out of range for a tensor of rank " + rank
                    + " (expected [" + (-r) + ", " + (r - 1) + "])");
        return dim < 0 ? dim + r : dim;
    }

    /** Wraps a set of dims, rejecting repeats. */
    public static int[] wrapDims(String op, int[] dims, int rank) {
        int[] out = new int[dims.length];
        boolean[] seen = new boolean[Math.max(rank, 1)];
        for (int i = 0; i < dims.length; i++) {
            out[i] = wrapDim(op, dims[i], rank);
            if (seen[out[i]]) throw new IllegalArgumentException(op + ": dim " + dims[i] + " appears more than once in " + Arrays.toString(dims));
            seen[out[i]] = true;
        }
        Arrays.sort(out);
        return out;
    }

    /** The shape as PyTorch's repr writes it: [2, 3]. */
    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    public static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }
}
