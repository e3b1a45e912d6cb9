package fuse3d.tensor.cpu;

import java.util.Arrays;

/** Argument checks and the fork-join loop shared by {@link Interpolate} and {@link GridSample}. */
final class ResampleSupport {
    private ResampleSupport() {}

    /** The body of a parallel loop: handles the half-open index range [from, to). */
    @FunctionalInterface
    interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over [0, count) split into contiguous ranges on the shared compute pool ({@link Parallel}). Every
     * index is handled by exactly one range, and callers make each output element depend only on its own
     * index, so the result does not depend on how many threads there are.
     */
    static void parallelFor(int count, long workPerIndex, RangeBody body) {
        Parallel.forWork(count, (long) count * Math.max(1, workPerIndex), body::run);
    }

    /** Formats an NC(D)HW shape for error messages. */
    static String shape(int n, int c, int[] spatial) {
        StringBuilder sb = new StringBuilder().append('[').append(n).append(", ").append(c);
        if (spatial != null) {
            for (int s : spatial) {
                sb.append(", ").append(s);
            }
        }
        return sb.append(']').toString();
    }

    /** Checks a spatial shape's rank and sizes and returns its element count (fails if it overflows an int). */
    static long spatialCount(String op, String what, int[] spatial, int minRank, int maxRank) {
        if (spatial == null) {
            throw new IllegalArgumentException(op + ": " + what + " is null");
        }
        if (spatial.length < minRank || spatial.length > maxRank) {
            throw new IllegalArgumentException(op + ": " + what + " " + Arrays.toString(spatial) + " has "
                    + spatial.length + " dimensions, expected " + (minRank == maxRank ? "" + minRank
                    : minRank + " to " + maxRank));
        }
        long count = 1;
        for (int s : spatial) {
            if (s <= 0) {
                throw new IllegalArgumentException(op + ": " + what + " " + Arrays.toString(spatial)
                        + " has a non-positive size");
            }
            count *= s;
        }
        return count;
    }

    /** Checks n and c and returns n * c * spatialCount as an int, failing when an array could not hold it. */
    static int total(String op, String what, int n, int c, long spatialCount, int[] spatial) {
        if (n <= 0 || c <= 0) {
            throw new IllegalArgumentException(op + ": " + what + " " + shape(n, c, spatial)
                    + " has a non-positive batch or channel count");
        }
        long total = (long) n * c * spatialCount;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(op + ": " + what + " " + shape(n, c, spatial)
                    + " has more elements than a Java array can hold");
        }
        return (int) total;
    }

    /** Fails unless an array has the expected length. */
    static void checkLength(String op, String what, int actual, long expected, String shapeText) {
        if (actual != expected) {
            throw new IllegalArgumentException(op + ": " + what + " has " + actual + " elements but shape "
                    + shapeText + " needs " + expected);
        }
    }

    /** Rounds to float when emulating float32 arithmetic; every +, -, *, / of two floats done in double and
     *  rounded once is the correctly rounded float result, so this reproduces float32 kernels exactly. */
    static double rnd(boolean f32, double v) {
        return f32 ? (double) (float) v : v;
    }
}
