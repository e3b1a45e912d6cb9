package fuse3d.tensor.cpu;

/**
 * Walks several equally shaped strided views row by row: dims are coalesced first (size-1 dims dropped,
 * adjacent dims merged when every operand is contiguous across them), so a contiguous tensor is one row
 * and kernels spend their time in a tight inner loop over the last dim.
 */
public final class StridedLoop {
    /** Receives the storage offset of each operand's first element in the row and the row length. */
    @FunctionalInterface
    public interface Row {
        void run(int[] base, int n);
    }

    private final int[] shape;
    private final int[][] strides;
    private final int[] offsets;
    private final int numel;

    private StridedLoop(int[] shape, int[][] strides, int[] offsets, int numel) {
        this.shape = shape;
        this.strides = strides;
        this.offsets = offsets;
        this.numel = numel;
    }

    /** Plans the walk over {@code shape} for operands with the given strides and offsets. */
    public static StridedLoop of(int[] shape, int[] offsets, int[]... strides) {
        int k = strides.length;
        int numel = 1;
        for (int d : shape) numel *= d;
        int[] s = new int[shape.length];
        int[][] st = new int[k][shape.length];
        int r = 0;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 1) continue;
            if (r > 0) {
                boolean merge = true;
                for (int j = 0; j < k; j++) if (st[j][r - 1] != strides[j][i] * shape[i]) { merge = false; break; }
                if (merge) {
                    s[r - 1] *= shape[i];
                    for (int j = 0; j < k; j++) st[j][r - 1] = strides[j][i];
                    continue;
                }
            }
            s[r] = shape[i];
            for (int j = 0; j < k; j++) st[j][r] = strides[j][i];
            r++;
        }
        if (r == 0) { // a scalar or all size-1 dims: one row of length 1
            s = new int[] {1};
            st = new int[k][1];
            for (int j = 0; j < k; j++) st[j][0] = 1;
            r = 1;
        }
        int[] cs = java.util.Arrays.copyOf(s, r);
        int[][] cst = new int[k][];
        for (int j = 0; j < k; j++) cst[j] = java.util.Arrays.copyOf(st[j], r);
        return new StridedLoop(cs, cst, offsets.clone(), numel);
    }

    /** Stride of operand k along the row. */
    public int innerStride(int k) { return strides[k][shape.length - 1]; }

    public int rowLength() { return shape[shape.length - 1]; }

    /** Number of rows the walk visits. */
    public int rowCount() { return rowLength() == 0 ? 0 : numel / rowLength(); }

    /**
     * Like {@link #forEachRow}, but a single long row (the contiguous case) is cut into pieces that run on
     * the compute pool; for elementwise kernels, whose outputs depend only on their own inputs, the result
     * is the same for any thread count.
     */
    public void forEachRowParallel(Row row) {
        int n = rowLength();
        if (rowCount() != 1 || n < Parallel.MIN_PARALLEL_WORK || Parallel.threads() < 2) {
            forEachRow(row);
            return;
        }
        int k = offsets.length;
        int[] inner = new int[k];
        for (int j = 0; j < k; j++) inner[j] = innerStride(j);
        // pieces of a multiple of 64 elements keep the vector loops free of partial tails but the last
        int pieces = Parallel.threads();
        int step = ((n / pieces) + 63) & ~63;
        Parallel.forRange(0, (n + step - 1) / step, pieces, (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int start = p * step, len = Math.min(step, n - start);
                int[] base = new int[k];
                for (int j = 0; j < k; j++) base[j] = offsets[j] + start * inner[j];
                row.run(base, len);
            }
        });
    }

    /** Calls {@code row} once per row in row-major order. */
    public void forEachRow(Row row) {
        if (numel == 0) return;
        int r = shape.length, k = offsets.length;
        int n = shape[r - 1];
        int[] base = offsets.clone();
        int[] idx = new int[r];
        while (true) {
            row.run(base, n);
            int d = r - 2;
            while (d >= 0) {
                idx[d]++;
                for (int j = 0; j < k; j++) base[j] += strides[j][d];
                if (idx[d] < shape[d]) break;
                for (int j = 0; j < k; j++) base[j] -= strides[j][d] * shape[d];
                idx[d] = 0;
                d--;
            }
            if (d < 0) return;
        }
    }
}
