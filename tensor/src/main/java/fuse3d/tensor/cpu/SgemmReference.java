package fuse3d.tensor.cpu;

/**
 * The plain scalar twin of {@link Sgemm}: the kernel that runs under {@code -Dfuse3d.simd=false} and the
 * oracle the SIMD kernel is tested against.
 *
 * <p>Same contract as {@link Sgemm#multiply(int, int, int, float[], int, int, int, float[], int, int, int,
 * float[], int, int, boolean)}. Each output element is one float sum over {@code p} in increasing order,
 * added to the old C value at the end when accumulating.
 */
public final class SgemmReference {
    private SgemmReference() {}

    /** C = (accumulate ? C : 0) + A·B with strided A and B and row-major C; single-threaded. */
    public static void multiply(int m, int n, int k,
                                float[] a, int aOff, int rsA, int csA,
                                float[] b, int bOff, int rsB, int csB,
                                float[] c, int cOff, int ldc, boolean accumulate) {
        Sgemm.checkArgs(m, n, k, a.length, aOff, rsA, csA, b.length, bOff, rsB, csB, c.length, cOff, ldc);
        rows(0, m, n, k, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc, accumulate);
    }

    /** Same, with rows split over {@code threads} workers (each row is computed the same way). */
    public static void multiply(int m, int n, int k,
                                float[] a, int aOff, int rsA, int csA,
                                float[] b, int bOff, int rsB, int csB,
                                float[] c, int cOff, int ldc, boolean accumulate, int threads) {
        Sgemm.checkArgs(m, n, k, a.length, aOff, rsA, csA, b.length, bOff, rsB, csB, c.length, cOff, ldc);
        int t = (long) m * n * k < Sgemm.PARALLEL_MIN_WORK ? 1 : threads;
        Parallel.forRange(0, m, t,
                (lo, hi) -> rows(lo, hi, n, k, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc, accumulate));
    }

    static void rows(int i0, int i1, int n, int k,
                     float[] a, int aOff, int rsA, int csA,
                     float[] b, int bOff, int rsB, int csB,
                     float[] c, int cOff, int ldc, boolean accumulate) {
        // i-p-j order with a row of partial sums: the same float operations as one dot product per
        // element, but B is walked along its rows, which keeps the scalar path usable on large problems.
        float[] row = new float[n];
        for (int i = i0; i < i1; i++) {
            java.util.Arrays.fill(row, 0f);
            int ai = aOff + i * rsA;
            for (int p = 0; p < k; p++) {
                float aip = a[ai + p * csA];
                int bp = bOff + p * rsB;
                for (int j = 0; j < n; j++) {
                    row[j] += aip * b[bp + j * csB];
                }
            }
            int ci = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                c[ci + j] = accumulate ? c[ci + j] + row[j] : row[j];
            }
        }
    }
}
