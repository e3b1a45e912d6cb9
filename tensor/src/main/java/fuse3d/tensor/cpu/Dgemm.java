package fuse3d.tensor.cpu;

/**
 * Double-precision matrix multiply with the same strided contract as {@link Sgemm}, for float64 tensors
 * (gradient checks and references), where clarity matters more than peak speed.
 *
 * <p>Plain i-p-j loops over a per-row accumulator: B is walked along its rows, and each element is one
 * sum over p in increasing order, so the result does not depend on the thread count.
 */
public final class Dgemm {
    private Dgemm() {}

    /** C = (accumulate ? C : 0) + A·B on {@link Parallel#threads()} threads. */
    public static void multiply(int m, int n, int k,
                                double[] a, int aOff, int rsA, int csA,
                                double[] b, int bOff, int rsB, int csB,
                                double[] c, int cOff, int ldc, boolean accumulate) {
        multiply(m, n, k, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc, accumulate, Parallel.threads());
    }

    /** C = (accumulate ? C : 0) + A·B on at most {@code threads} threads. */
    public static void multiply(int m, int n, int k,
                                double[] a, int aOff, int rsA, int csA,
                                double[] b, int bOff, int rsB, int csB,
                                double[] c, int cOff, int ldc, boolean accumulate, int threads) {
        Sgemm.checkArgs(m, n, k, a.length, aOff, rsA, csA, b.length, bOff, rsB, csB, c.length, cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        int t = (long) m * n * k < Sgemm.PARALLEL_MIN_WORK ? 1 : threads;
        Parallel.forRange(0, m, t, (lo, hi) -> {
            double[] row = new double[n];
            for (int i = lo; i < hi; i++) {
                java.util.Arrays.fill(row, 0d);
                int ai = aOff + i * rsA;
                for (int p = 0; p < k; p++) {
                    double aip = a[ai + p * csA];
                    int bp = bOff + p * rsB;
                    if (csB == 1) {
                        for (int j = 0; j < n; j++) {
                            row[j] += aip * b[bp + j];
                        }
                    } else {
                        for (int j = 0; j < n; j++) {
                            row[j] += aip * b[bp + j * csB];
                        }
                    }
                }
                int ci = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    c[ci + j] = accumulate ? c[ci + j] + row[j] : row[j];
                }
            }
        });
    }
}
