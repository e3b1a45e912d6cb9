package fuse3d.tensor.cpu;

import java.util.Arrays;

/**
 * Row-wise sort, top-k, unique and unique-consecutive kernels over flat primitive arrays, following PyTorch
 * 1.13's ordering rules.
 *
 * <p>The sort and top-k kernels see {@code rows} independent rows of {@code len} contiguous elements, row
 * {@code r} starting at {@code r * len}; the Tensor layer moves the sorted dimension last and makes it
 * contiguous before calling them. Returned indices are positions within the row ({@code 0 <= i < len}), as
 * {@code torch.sort} returns them.
 *
 * <p>Ordering rules, shared by every kernel here:
 * <ul>
 *   <li>NaN compares larger than every other value, +infinity included: NaNs come last when ascending, first
 *       when descending, and count as the largest values for top-k. All NaNs compare equal to each other
 *       when sorting.</li>
 *   <li>{@code -0.0} and {@code 0.0} compare equal (so a stable sort keeps them in input order).</li>
 *   <li>Every sort here is in fact stable (equal elements keep their input order), whatever the
 *       {@code stable} flag says: stability costs nothing with the packed-key approach used, and an
 *       unstable sort may return any order of ties, this one included.</li>
 * </ul>
 *
 * <p>How: each element is mapped to an integer key whose signed order is the order above (see
 * {@link #floatKey}); descending order complements the key. For 32-bit dtypes the key and the in-row index
 * are packed into one {@code long} ({@code key << 32 | index}) and sorted with {@link Arrays#sort(long[])},
 * which orders by key and then by index, i.e. stably, without boxing. 64-bit keys do not leave room for the
 * index, so they are sorted as (key, index) pairs by a merge sort written here. Values are never compared as
 * floats, so the NaN and signed-zero rules hold everywhere by construction.
 *
 * <p>Output values are copies of the input elements (NaN payloads and the sign of zero are preserved).
 * {@code outValues} and {@code outIndices} may each be {@code null} when the caller needs only the other, and
 * {@code outValues} may be the input array itself (the row is copied first).
 */
public final class SortKernels {
    /** Rows × len below which the row loop stays on the calling thread (forking costs more than it saves). */
    static final int PARALLEL_THRESHOLD = 1 << 15;
    /** A single row at least this long is sorted with {@link Arrays#parallelSort(long[])}. */
    static final int PARALLEL_SINGLE_ROW = 1 << 18;
    /** Ranges this short are finished with insertion sort inside quickselect and the merge sort. */
    private static final int INSERTION_CUTOFF = 24;

    private SortKernels() {}

    // ------------------------------------------------------------------------------------------------------
    // Order-preserving keys.

    /**
     * A key whose signed int order is PyTorch's float order: -inf < ... < -0.0 == 0.0 < ... < +inf < NaN.
     * Flipping the magnitude bits of negative floats turns the sign-magnitude encoding into two's complement.
     */
    static int floatKey(float v) {
        if (v != v) return Integer.MAX_VALUE; // every NaN payload becomes one key, above +inf's
        if (v == 0f) return 0; // -0.0 == 0.0
        int bits = Float.floatToRawIntBits(v);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    /** The 64-bit twin of {@link #floatKey}. */
    static long doubleKey(double v) {
        if (v != v) return Long.MAX_VALUE;
        if (v == 0d) return 0L;
        long bits = Double.doubleToRawLongBits(v);
        return bits ^ ((bits >> 63) & 0x7fffffffffffffffL);
    }

    /** Complementing a key reverses its order exactly (~MAX == MIN), so NaN moves to the front. */
    private static int orient(int key, boolean descending) { return descending ? ~key : key; }

    private static long orient(long key, boolean descending) { return descending ? ~key : key; }

    /** Packs a 32-bit key above a non-negative index: signed long order is key order, then index order. */
    private static long pack(int key, int index) { return ((long) key << 32) | index; }

    private static int packedIndex(long p) { return (int) p; }

    private static int packedKey(long p) { return (int) (p >> 32); }

    // ------------------------------------------------------------------------------------------------------
    // sortRows

    /** Sorts each float row; see the class comment for the ordering rules, the output layout and nulls. */
    public static void sortRows(float[] values, int rows, int len, boolean descending, boolean stable,
                                float[] outValues, long[] outIndices) {
        int n = checkRows(values.length, rows, len, outValues == null ? -1 : outValues.length, outIndices);
        if (n == 0) return;
        forEachRowBlock(rows, len, (r0, r1) -> {
            long[] p = new long[len];
            float[] copy = outValues == values ? new float[len] : null;
            for (int r = r0; r < r1; r++) {
                int base = r * len;
                for (int j = 0; j < len; j++) p[j] = pack(orient(floatKey(values[base + j]), descending), j);
                sortPacked(p, len, rows == 1);
                float[] src = values;
                int srcBase = base;
                if (copy != null) { System.arraycopy(values, base, copy, 0, len); src = copy; srcBase = 0; }
                for (int t = 0; t < len; t++) {
                    int j = packedIndex(p[t]);
                    if (outValues != null) outValues[base + t] = src[srcBase + j];
                    if (outIndices != null) outIndices[base + t] = j;
                }
            }
        });
    }

    /** Sorts each int row; see the class comment. */
    public static void sortRows(int[] values, int rows, int len, boolean descending, boolean stable,
                                int[] outValues, long[] outIndices) {
        int n = checkRows(values.length, rows, len, outValues == null ? -1 : outValues.length, outIndices);
        if (n == 0) return;
        forEachRowBlock(rows, len, (r0, r1) -> {
            long[] p = new long[len];
            for (int r = r0; r < r1; r++) {
                int base = r * len;
                for (int j = 0; j < len; j++) p[j] = pack(orient(values[base + j], descending), j);
                sortPacked(p, len, rows == 1);
                // An int is its own key, so the sorted value is recovered from the key: aliasing is harmless.
                for (int t = 0; t < len; t++) {
                    if (outValues != null) outValues[base + t] = orient(packedKey(p[t]), descending);
                    if (outIndices != null) outIndices[base + t] = packedIndex(p[t]);
                }
            }
        });
    }

    /** Sorts each double row; see the class comment. */
    public static void sortRows(double[] values, int rows, int len, boolean descending, boolean stable,
                                double[] outValues, long[] outIndices) {
        int n = checkRows(values.length, rows, len, outValues == null ? -1 : outValues.length, outIndices);
        if (n == 0) return;
        forEachRowBlock(rows, len, (r0, r1) -> {
            WideScratch s = new WideScratch(len);
            double[] copy = outValues == values ? new double[len] : null;
            for (int r = r0; r < r1; r++) {
                int base = r * len;
                for (int j = 0; j < len; j++) {
                    s.keys[j] = orient(doubleKey(values[base + j]), descending);
                    s.idx[j] = j;
                }
                s.sort(len);
                double[] src = values;
                int srcBase = base;
                if (copy != null) { System.arraycopy(values, base, copy, 0, len); src = copy; srcBase = 0; }
                for (int t = 0; t < len; t++) {
                    int j = s.idx[t];
                    if (outValues != null) outValues[base + t] = src[srcBase + j];
                    if (outIndices != null) outIndices[base + t] = j;
                }
            }
        });
    }

    /** Sorts each long row; see the class comment. */
    public static void sortRows(long[] values, int rows, int len, boolean descending, boolean stable,
                                long[] outValues, long[] outIndices) {
        int n = checkRows(values.length, rows, len, outValues == null ? -1 : outValues.length, outIndices);
        if (n == 0) return;
        forEachRowBlock(rows, len, (r0, r1) -> {
            WideScratch s = new WideScratch(len);
            for (int r = r0; r < r1; r++) {
                int base = r * len;
                for (int j = 0; j < len; j++) {
                    s.keys[j] = orient(values[base + j], descending);
                    s.idx[j] = j;
                }
                s.sort(len);
                for (int t = 0; t < len; t++) {
                    if (outValues != null) outValues[base + t] = orient(s.keys[t], descending);
                    if (outIndices != null) outIndices[base + t] = s.idx[t];
                }
            }
        });
    }

    // ------------------------------------------------------------------------------------------------------
    // topkRows

    /**
     * The {@code k} largest (or smallest) elements of each float row, written to row {@code r} of
     * {@code outValues}/{@code outIndices} at {@code r * k}.
     *
     * <p>NaN counts as the largest value. Ties are broken by the lower index first, both in which tied
     * elements are selected at the boundary and, with {@code sorted}, in their output order: the result is
     * exactly the first {@code k} of a stable sort. PyTorch does not promise any tie order (its CPU kernel
     * returns ties in an order that depends on its partitioning, e.g. {@code topk([1,3,3,nan,2,3,nan], 4)}
     * gives indices {@code [6, 3, 5, 1]} in torch 1.13), so the tie order here is a deterministic choice that
     * the values match PyTorch and the indices are a valid answer of PyTorch's. With {@code sorted == false}
     * the k results come in an unspecified order.
     *
     * <p>Runs in O(len) expected time per row (quickselect on packed keys, falling back to a full sort of the
     * remaining range if partitioning degenerates), plus O(k log k) when {@code sorted}.
     */
    public static void topkRows(float[] values, int rows, int len, int k, boolean largest, boolean sorted,
                                float[] outValues, long[] outIndices) {
        checkTopk(values.length, rows, len, k, outValues == null ? -1 : outValues.length, outIndices);
        if (rows == 0 || k == 0) return;
        forEachRowBlock(rows, len, (r0, r1) -> {
            long[] p = new long[len];
            for (int r = r0; r < r1; r++) {
                int base = r * len;
                // "largest" selects the smallest complemented keys, so one selection routine serves both.
                for (int j = 0; j < len; j++) p[j] = pack(orient(floatKey(values[base + j]), largest), j);
                selectPacked(p, len, k, sorted);
                int ob = r * k;
                for (int t = 0; t < k; t++) {
                    int j = packedIndex(p[t]);
                    if (outValues != null) outValues[ob + t] = values[base + j];
                    if (outIndices != null) outIndices[ob + t] = j;
                }
            }
        });
    }

    /** Top-k of each int row; see {@link #topkRows(float[], int, int, int, boolean, boolean, float[], long[])}. */
    public static void topkRows(int[] values, int rows, int len, int k, boolean largest, boolean sorted,
                                int[] outValues, long[] outIndices) {
        checkTopk(values.length, rows, len, k, outValues == null ? -1 : outValues.length, outIndices);
        if (rows == 0 || k == 0) return;
        forEachRowBlock(rows, len, (r0, r1) -> {
            long[] p = new long[len];
            for (int r = r0; r < r1; r++) {
                int base = r * len;
                for (int j = 0; j < len; j++) p[j] = pack(orient(values[base + j], largest), j);
                selectPacked(p, len, k, sorted);
                int ob = r * k;
                for (int t = 0; t < k; t++) {
                    if (outValues != null) outValues[ob + t] = orient(packedKey(p[t]), largest);
                    if (outIndices != null) outIndices[ob + t] = packedIndex(p[t]);
                }
            }
        });
    }

    /** Top-k of each double row; see {@link #topkRows(float[], int, int, int, boolean, boolean, float[], long[])}. */
    public static void topkRows(double[] values, int rows, int len, int k, boolean largest, boolean sorted,
                                double[] outValues, long[] outIndices) {
        checkTopk(values.length, rows, len, k, outValues == null ? -1 : outValues.length, outIndices);
        if (rows == 0 || k == 0) return;
        forEachRowBlock(rows, len, (r0, r1) -> {
            WideScratch s = new WideScratch(len);
            for (int r = r0; r < r1; r++) {
                int base = r * len;
                for (int j = 0; j < len; j++) {
                    s.keys[j] = orient(doubleKey(values[base + j]), largest);
                    s.idx[j] = j;
                }
                s.select(len, k, sorted);
                int ob = r * k;
                for (int t = 0; t < k; t++) {
                    int j = s.idx[t];
                    if (outValues != null) outValues[ob + t] = values[base + j];
                    if (outIndices != null) outIndices[ob + t] = j;
                }
            }
        });
    }

    /** Top-k of each long row; see {@link #topkRows(float[], int, int, int, boolean, boolean, float[], long[])}. */
    public static void topkRows(long[] values, int rows, int len, int k, boolean largest, boolean sorted,
                                long[] outValues, long[] outIndices) {
        checkTopk(values.length, rows, len, k, outValues == null ? -1 : outValues.length, outIndices);
        if (rows == 0 || k == 0) return;
        forEachRowBlock(rows, len, (r0, r1) -> {
            WideScratch s = new WideScratch(len);
            for (int r = r0; r < r1; r++) {
                int base = r * len;
                for (int j = 0; j < len; j++) {
                    s.keys[j] = orient(values[base + j], largest);
                    s.idx[j] = j;
                }
                s.select(len, k, sorted);
                int ob = r * k;
                for (int t = 0; t < k; t++) {
                    if (outValues != null) outValues[ob + t] = orient(s.keys[t], largest);
                    if (outIndices != null) outIndices[ob + t] = s.idx[t];
                }
            }
        });
    }

    // ------------------------------------------------------------------------------------------------------
    // unique / uniqueConsecutive

    /**
     * The result of a unique kernel: the distinct values ({@code float[]}, {@code double[]}, {@code int[]} or
     * {@code long[]}, matching the input), for every input element the position of its value in
     * {@code values} ({@code inverse}, input length), and how many input elements each value stands for
     * ({@code counts}, same length as {@code values}). Arrays are shared, not copied; equality is identity.
     */
    public record UniqueResult<A>(A values, long[] inverse, long[] counts) {}

    /**
     * {@code torch.unique(x.flatten(), sorted=True, return_inverse=True, return_counts=True)} for float data.
     *
     * <p>{@code -0.0} and {@code 0.0} are one value, reported with the sign of its first occurrence in the
     * input. Every NaN is its own distinct value (NaN != NaN), listed last in input order, each with count 1:
     * torch 1.13's CPU values agree ({@code unique([nan, 1, nan])} lists two NaNs) but its inverse and counts
     * for NaNs are inconsistent with its own values output, so those follow from the definition instead.
     */
    public static UniqueResult<float[]> unique(float[] values) {
        int n = values.length;
        long[] p = new long[n];
        for (int j = 0; j < n; j++) p[j] = pack(floatKey(values[j]), j);
        sortPacked(p, n, true);
        float[] u = new float[n];
        long[] inverse = new long[n];
        long[] counts = new long[n];
        int m = -1;
        for (int t = 0; t < n; t++) {
            int j = packedIndex(p[t]);
            float v = values[j];
            if (m < 0 || packedKey(p[t]) != packedKey(p[t - 1]) || v != v) u[++m] = v;
            counts[m]++;
            inverse[j] = m;
        }
        return new UniqueResult<>(Arrays.copyOf(u, m + 1), inverse, Arrays.copyOf(counts, m + 1));
    }

    /** {@link #unique(float[])} for double data (same NaN and signed-zero rules). */
    public static UniqueResult<double[]> unique(double[] values) {
        int n = values.length;
        WideScratch s = new WideScratch(n);
        for (int j = 0; j < n; j++) {
            s.keys[j] = doubleKey(values[j]);
            s.idx[j] = j;
        }
        s.sort(n);
        double[] u = new double[n];
        long[] inverse = new long[n];
        long[] counts = new long[n];
        int m = -1;
        for (int t = 0; t < n; t++) {
            int j = s.idx[t];
            double v = values[j];
            if (m < 0 || s.keys[t] != s.keys[t - 1] || v != v) u[++m] = v;
            counts[m]++;
            inverse[j] = m;
        }
        return new UniqueResult<>(Arrays.copyOf(u, m + 1), inverse, Arrays.copyOf(counts, m + 1));
    }

    /** {@code torch.unique(x.flatten(), sorted=True, return_inverse=True, return_counts=True)} for int data. */
    public static UniqueResult<int[]> unique(int[] values) {
        int n = values.length;
        long[] p = new long[n];
        for (int j = 0; j < n; j++) p[j] = pack(values[j], j);
        sortPacked(p, n, true);
        int[] u = new int[n];
        long[] inverse = new long[n];
        long[] counts = new long[n];
        int m = -1;
        for (int t = 0; t < n; t++) {
            int key = packedKey(p[t]);
            if (m < 0 || key != u[m]) u[++m] = key;
            counts[m]++;
            inverse[packedIndex(p[t])] = m;
        }
        return new UniqueResult<>(Arrays.copyOf(u, m + 1), inverse, Arrays.copyOf(counts, m + 1));
    }

    /** {@code torch.unique(x.flatten(), sorted=True, return_inverse=True, return_counts=True)} for long data. */
    public static UniqueResult<long[]> unique(long[] values) {
        int n = values.length;
        WideScratch s = new WideScratch(n);
        System.arraycopy(values, 0, s.keys, 0, n);
        for (int j = 0; j < n; j++) s.idx[j] = j;
        s.sort(n);
        long[] u = new long[n];
        long[] inverse = new long[n];
        long[] counts = new long[n];
        int m = -1;
        for (int t = 0; t < n; t++) {
            if (m < 0 || s.keys[t] != u[m]) u[++m] = s.keys[t];
            counts[m]++;
            inverse[s.idx[t]] = m;
        }
        return new UniqueResult<>(Arrays.copyOf(u, m + 1), inverse, Arrays.copyOf(counts, m + 1));
    }

    /**
     * {@code torch.unique_consecutive(x.flatten(), return_inverse=True, return_counts=True)}: collapses runs of
     * equal neighbours, keeping the first element of each run. {@code -0.0 == 0.0}; NaN equals nothing.
     */
    public static UniqueResult<float[]> uniqueConsecutive(float[] values) {
        int n = values.length;
        float[] u = new float[n];
        long[] inverse = new long[n];
        long[] counts = new long[n];
        int m = -1;
        for (int j = 0; j < n; j++) {
            if (m < 0 || values[j] != u[m]) u[++m] = values[j]; // != is IEEE: NaN starts a run, -0.0 does not
            counts[m]++;
            inverse[j] = m;
        }
        return new UniqueResult<>(Arrays.copyOf(u, m + 1), inverse, Arrays.copyOf(counts, m + 1));
    }

    /** {@link #uniqueConsecutive(float[])} for double data. */
    public static UniqueResult<double[]> uniqueConsecutive(double[] values) {
        int n = values.length;
        double[] u = new double[n];
        long[] inverse = new long[n];
        long[] counts = new long[n];
        int m = -1;
        for (int j = 0; j < n; j++) {
            if (m < 0 || values[j] != u[m]) u[++m] = values[j];
            counts[m]++;
            inverse[j] = m;
        }
        return new UniqueResult<>(Arrays.copyOf(u, m + 1), inverse, Arrays.copyOf(counts, m + 1));
    }

    /** {@link #uniqueConsecutive(float[])} for int data. */
    public static UniqueResult<int[]> uniqueConsecutive(int[] values) {
        int n = values.length;
        int[] u = new int[n];
        long[] inverse = new long[n];
        long[] counts = new long[n];
        int m = -1;
        for (int j = 0; j < n; j++) {
            if (m < 0 || values[j] != u[m]) u[++m] = values[j];
            counts[m]++;
            inverse[j] = m;
        }
        return new UniqueResult<>(Arrays.copyOf(u, m + 1), inverse, Arrays.copyOf(counts, m + 1));
    }

    /** {@link #uniqueConsecutive(float[])} for long data. */
    public static UniqueResult<long[]> uniqueConsecutive(long[] values) {
        int n = values.length;
        long[] u = new long[n];
        long[] inverse = new long[n];
        long[] counts = new long[n];
        int m = -1;
        for (int j = 0; j < n; j++) {
            if (m < 0 || values[j] != u[m]) u[++m] = values[j];
            counts[m]++;
            inverse[j] = m;
        }
        return new UniqueResult<>(Arrays.copyOf(u, m + 1), inverse, Arrays.copyOf(counts, m + 1));
    }

    // ------------------------------------------------------------------------------------------------------
    // Packed (32-bit key + index) sorting and selection.

    private static void sortPacked(long[] p, int n, boolean mayParallelize) {
        if (mayParallelize && n >= PARALLEL_SINGLE_ROW) Arrays.parallelSort(p, 0, n);
        else Arrays.sort(p, 0, n);
    }

    /**
     * Moves the k smallest of {@code p[0, n)} into {@code p[0, k)}, sorted ascending if asked. Packed values
     * are distinct (the index is part of them), which keeps partitioning simple and well balanced even when
     * many keys tie.
     */
    static void selectPacked(long[] p, int n, int k, boolean sorted) {
        if (k >= n) {
            if (sorted) Arrays.sort(p, 0, n);
            return;
        }
        int lo = 0, hi = n - 1;
        // Quickselect with a depth budget: when partitions keep coming out lopsided, sort what is left.
        int budget = 2 * (32 - Integer.numberOfLeadingZeros(n)) + 4;
        while (hi > lo) {
            if (hi - lo < INSERTION_CUTOFF || budget-- == 0) {
                Arrays.sort(p, lo, hi + 1);
                break;
            }
            int mid = (lo + hi) >>> 1;
            long pivot = median(p[lo], p[mid], p[hi]);
            int i = lo, j = hi;
            while (i <= j) {
                while (p[i] < pivot) i++;
                while (p[j] > pivot) j--;
                if (i <= j) {
                    long t = p[i]; p[i] = p[j]; p[j] = t;
                    i++;
                    j--;
                }
            }
            // Now p[lo..j] <= pivot <= p[i..hi]; anything strictly between j and i equals the pivot.
            if (k - 1 <= j) hi = j;
            else if (k - 1 >= i) lo = i;
            else break;
        }
        if (sorted) Arrays.sort(p, 0, k);
    }

    private static long median(long a, long b, long c) {
        if (a < b) return b < c ? b : Math.max(a, c);
        return a < c ? a : Math.max(b, c);
    }

    // ------------------------------------------------------------------------------------------------------
    // Wide (64-bit key, separate index) sorting and selection.

    /** Parallel key/index arrays for 64-bit data plus the merge buffers; order is (key, index). */
    private static final class WideScratch {
        final long[] keys;
        final int[] idx;
        private long[] tmpKeys;
        private int[] tmpIdx;

        WideScratch(int n) {
            keys = new long[n];
            idx = new int[n];
        }

        private boolean less(int a, int b) {
            return keys[a] < keys[b] || (keys[a] == keys[b] && idx[a] < idx[b]);
        }

        private void swap(int a, int b) {
            long tk = keys[a]; keys[a] = keys[b]; keys[b] = tk;
            int ti = idx[a]; idx[a] = idx[b]; idx[b] = ti;
        }

        /** Sorts [0, n) by (key, index): a merge sort, so O(n log n) whatever the data. */
        void sort(int n) {
            if (n < 2) return;
            if (tmpKeys == null || tmpKeys.length < n) {
                tmpKeys = new long[n];
                tmpIdx = new int[n];
            }
            mergeSort(0, n);
        }

        private void mergeSort(int lo, int hi) {
            if (hi - lo <= INSERTION_CUTOFF) {
                insertionSort(lo, hi);
                return;
            }
            int mid = (lo + hi) >>> 1;
            mergeSort(lo, mid);
            mergeSort(mid, hi);
            if (!less(mid, mid - 1)) return; // already in order: common for sorted or constant rows
            System.arraycopy(keys, lo, tmpKeys, lo, mid - lo);
            System.arraycopy(idx, lo, tmpIdx, lo, mid - lo);
            int a = lo, b = mid, o = lo;
            while (a < mid && b < hi) {
                boolean takeRight = keys[b] < tmpKeys[a] || (keys[b] == tmpKeys[a] && idx[b] < tmpIdx[a]);
                if (takeRight) {
                    keys[o] = keys[b];
                    idx[o++] = idx[b++];
                } else {
                    keys[o] = tmpKeys[a];
                    idx[o++] = tmpIdx[a++];
                }
            }
            while (a < mid) {
                keys[o] = tmpKeys[a];
                idx[o++] = tmpIdx[a++];
            }
        }

        private void insertionSort(int lo, int hi) {
            for (int i = lo + 1; i < hi; i++) {
                long k = keys[i];
                int x = idx[i];
                int j = i - 1;
                while (j >= lo && (keys[j] > k || (keys[j] == k && idx[j] > x))) {
                    keys[j + 1] = keys[j];
                    idx[j + 1] = idx[j];
                    j--;
                }
                keys[j + 1] = k;
                idx[j + 1] = x;
            }
        }

        /** Moves the k smallest (key, index) pairs of [0, n) to [0, k), sorted if asked; see selectPacked. */
        void select(int n, int k, boolean sorted) {
            if (k >= n) {
                if (sorted) sort(n);
                return;
            }
            int lo = 0, hi = n - 1;
            int budget = 2 * (32 - Integer.numberOfLeadingZeros(n)) + 4;
            while (hi > lo) {
                if (hi - lo < INSERTION_CUTOFF || budget-- == 0) {
                    sortRange(lo, hi + 1);
                    break;
                }
                int mid = (lo + hi) >>> 1;
                // Median of three moved to lo, then used as the pivot value.
                if (less(mid, lo)) swap(mid, lo);
                if (less(hi, lo)) swap(hi, lo);
                if (less(hi, mid)) swap(hi, mid);
                swap(lo, mid);
                long pk = keys[lo];
                int pi = idx[lo];
                int i = lo, j = hi + 1;
                // Hoare partition around the pivot at lo; pairs are distinct, so no element equals it but itself.
                while (true) {
                    do i++; while (i <= hi && (keys[i] < pk || (keys[i] == pk && idx[i] < pi)));
                    do j--; while (keys[j] > pk || (keys[j] == pk && idx[j] > pi));
                    if (i >= j) break;
                    swap(i, j);
                }
                swap(lo, j); // the pivot lands at its final position j
                if (k - 1 < j) hi = j - 1;
                else if (k - 1 > j) lo = j + 1;
                else break;
            }
            if (sorted) sort(k);
        }

        private void sortRange(int lo, int hi) {
            if (tmpKeys == null || tmpKeys.length < keys.length) {
                tmpKeys = new long[keys.length];
                tmpIdx = new int[keys.length];
            }
            mergeSort(lo, hi);
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Argument checks and the row loop.

    private static int checkRows(int valuesLength, int rows, int len, int outValuesLength, long[] outIndices) {
        if (rows < 0 || len < 0) throw new IllegalArgumentException("rows and len must be >= 0, got rows=" + rows + " len=" + len);
        long total = (long) rows * len;
        if (total > valuesLength)
            throw new IllegalArgumentException("values holds " + valuesLength + " elements, rows*len = " + total);
        if (outValuesLength >= 0 && outValuesLength < total)
            throw new IllegalArgumentException("outValues holds " + outValuesLength + " elements, rows*len = " + total);
        if (outIndices != null && outIndices.length < total)
            throw new IllegalArgumentException("outIndices holds " + outIndices.length + " elements, rows*len = " + total);
        return (int) total;
    }

    private static void checkTopk(int valuesLength, int rows, int len, int k, int outValuesLength, long[] outIndices) {
        checkRows(valuesLength, rows, len, -1, null);
        if (k < 0 || k > len) throw new IllegalArgumentException("k = " + k + " is out of range for rows of length " + len);
        long total = (long) rows * k;
        if (outValuesLength >= 0 && outValuesLength < total)
            throw new IllegalArgumentException("outValues holds " + outValuesLength + " elements, rows*k = " + total);
        if (outIndices != null && outIndices.length < total)
            throw new IllegalArgumentException("outIndices holds " + outIndices.length + " elements, rows*k = " + total);
    }

    /** A block of rows [r0, r1) processed by one task with its own scratch arrays. */
    @FunctionalInterface
    private interface RowBlock {
        void run(int r0, int r1);
    }

    private static void forEachRowBlock(int rows, int len, RowBlock body) {
        long work = (long) rows * Math.max(len, 1);
        if (rows < 2 || work < PARALLEL_THRESHOLD) {
            body.run(0, rows);
        } else {
            Parallel.forRange(0, rows, Parallel.threads(), body::run);
        }
    }
}
