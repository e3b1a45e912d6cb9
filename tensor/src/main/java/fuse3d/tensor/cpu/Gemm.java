package fuse3d.tensor.cpu;

/** Entry point of the engine's matrix products; routes float32 to SGEMM and float64 to DGEMM. */
final class Gemm {
    private Gemm() {}

    static void sgemm(int m, int n, int k, float[] a, int ao, int rsA, int csA, float[] b, int bo, int rsB, int csB, float[] c, int co, int ldc) {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                float acc = 0;
                for (int p = 0; p < k; p++) acc += a[ao + i * rsA + p * csA] * b[bo + p * rsB + j * csB];
                c[co + i * ldc + j] = acc;
            }
    }

    static void dgemm(int m, int n, int k, double[] a, int ao, int rsA, int csA, double[] b, int bo, int rsB, int csB, double[] c, int co, int ldc) {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int p = 0; p < k; p++) acc += a[ao + i * rsA + p * csA] * b[bo + p * rsB + j * csB];
                c[co + i * ldc + j] = acc;
            }
    }
}
