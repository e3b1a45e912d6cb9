package fuse3d.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sums and sums of squared deviations of a contiguous float tensor over its leading dims: x viewed as
 * [rows, cols], one result per column (BatchNorm over [N, C], means over a batch). The general reduction
 * first transposes the reduced dims last, a strided copy that cost more than the sum; here rows are added
 * straight into per-column accumulators. Rows go in fixed blocks (floats within a block, doubles across
 * blocks, added in block order), so the bits do not depend on the thread count.
 */
final class LeadingReduce {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int BLOCK = 256;

    private LeadingReduce() {}

    /** Column sums of x[off .. off + rows*cols) viewed as [rows, cols]. */
    static double[] sum(float[] x, int off, int rows, int cols) {
        int blocks = (rows + BLOCK - 1) / BLOCK;
        double[][] partial = new double[blocks][];
        Parallel.forWork(blocks, (long) rows * cols, (b0, b1) -> {
            float[] acc = new float[cols];
            for (int b = b0; b < b1; b++) {
                java.util.Arrays.fill(acc, 0f);
                int r1 = Math.min(rows, (b + 1) * BLOCK);
                for (int r = b * BLOCK; r < r1; r++) addRow(x, off + r * cols, acc, cols);
                double[] p = new double[cols];
                for (int c = 0; c < cols; c++) p[c] = acc[c];
                partial[b] = p;
            }
        });
        return combine(partial, cols);
    }

    /** Column sums of (x - mean)^2 with the column means computed first, in float64 (as torch's var). */
    static double[] sumSquaredDeviation(float[] x, int off, int rows, int cols) {
        double[] mean = sum(x, off, rows, cols);
        for (int c = 0; c < cols; c++) mean[c] /= rows;
        int blocks = (rows + BLOCK - 1) / BLOCK;
        double[][] partial = new double[blocks][];
        Parallel.forWork(blocks, (long) rows * cols * 2, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                double[] acc = new double[cols];
                int r1 = Math.min(rows, (b + 1) * BLOCK);
                for (int r = b * BLOCK; r < r1; r++) {
                    int base = off + r * cols;
                    for (int c = 0; c < cols; c++) {
                        double d = x[base + c] - mean[c];
                        acc[c] += d * d;
                    }
                }
                partial[b] = acc;
            }
        });
        return combine(partial, cols);
    }

    private static void addRow(float[] x, int base, float[] acc, int cols) {
        int c = 0;
        if (Simd.ENABLED) {
            int bound = F.loopBound(cols);
            for (; c < bound; c += F.length())
                FloatVector.fromArray(F, acc, c).add(FloatVector.fromArray(F, x, base + c)).intoArray(acc, c);
        }
        for (; c < cols; c++) acc[c] += x[base + c];
    }

    private static double[] combine(double[][] partial, int cols) {
        double[] out = new double[cols];
        for (double[] p : partial) for (int c = 0; c < cols; c++) out[c] += p[c];
        return out;
    }
}
