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
