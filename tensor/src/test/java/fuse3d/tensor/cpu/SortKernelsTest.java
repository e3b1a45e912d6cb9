package fuse3d.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import fuse3d.tensor.cpu.SortKernels.UniqueResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.IntBinaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Checks the sort, top-k and unique kernels against boxed {@link java.util.Arrays#sort} / TreeMap references
 * that spell out PyTorch's rules (NaN largest, -0.0 == 0.0, stable ties) independently of the packed keys.
 */
class SortKernelsTest {

    // ---------------------------------------------------------------------------------------------------
    // Reference order: a stable boxed sort of the in-row indices under PyTorch's comparison.

    /** PyTorch's float comparison: NaN above everything, all NaNs equal, -0.0 == 0.0. */
    static int cmpTorch(double a, double b) {
        boolean na = Double.isNaN(a), nb = Double.isNaN(b);
        if (na || nb) return na == nb ? 0 : na ? 1 : -1;
        return a < b ? -1 : a > b ? 1 : 0;
    }

    /** Indices 0..len-1 sorted by {@code cmp} with TimSort (stable), reversed comparison when descending. */
    static int[] refOrder(int len, IntBinaryOperator cmp, boolean descending) {
        Integer[] idx = new Integer[len];
        for (int i = 0; i < len; i++) idx[i] = i;
        Comparator<Integer> c = (a, b) -> cmp.applyAsInt(a, b);
        Arrays.sort(idx, descending ? c.reversed() : c);
        return Arrays.stream(idx).mapToInt(Integer::intValue).toArray();
    }

    // ---------------------------------------------------------------------------------------------------
    // Generators: small value pools so that ties, NaNs and signed zeros are frequent.

    record Rows<A>(A values, int rows, int len) {}

    static final float[] FLOAT_POOL = {Float.NaN, Float.intBitsToFloat(0xffc00123), -0.0f, 0.0f, 1f, -1f, 2.5f,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MAX_VALUE, Float.MAX_VALUE};

    static Arbitrary<Float> floats() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.of(Arrays.asList(box(FLOAT_POOL)))),
                net.jqwik.api.Tuple.of(1, Arbitraries.floats()));
    }

    static Arbitrary<Double> doubles() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.of(Double.NaN, Double.longBitsToDouble(0xfff0000000000abcL),
                        -0.0, 0.0, 1.0, -1.0, 0.1, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                        Double.MIN_VALUE, -Double.MAX_VALUE)),
                net.jqwik.api.Tuple.of(1, Arbitraries.doubles()));
    }

    static Arbitrary<Integer> ints() {
        return Arbitraries.oneOf(Arbitraries.integers().between(-3, 3),
                Arbitraries.of(Integer.MIN_VALUE, Integer.MAX_VALUE, -1, 0), Arbitraries.integers());
    }

    static Arbitrary<Long> longs() {
        return Arbitraries.oneOf(Arbitraries.longs().between(-3, 3),
                Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, -1L, 0L), Arbitraries.longs());
    }

    static <T, A> Arbitrary<Rows<A>> rowsOf(Arbitrary<T> elems, java.util.function.Function<List<T>, A> toArray,
                                            int maxRows, int maxLen) {
        return Combinators.combine(Arbitraries.integers().between(0, maxRows), Arbitraries.integers().between(0, maxLen))
                .flatAs((r, l) -> elems.list().ofSize(r * l).map(list -> new Rows<>(toArray.apply(list), r, l)));
    }

    static float[] toFloats(List<Float> l) {
        float[] a = new float[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = l.get(i);
        return a;
    }

    static double[] toDoubles(List<Double> l) { return l.stream().mapToDouble(Double::doubleValue).toArray(); }

    static int[] toInts(List<Integer> l) { return l.stream().mapToInt(Integer::intValue).toArray(); }

    static long[] toLongs(List<Long> l) { return l.stream().mapToLong(Long::longValue).toArray(); }

    static Float[] box(float[] a) {
        Float[] b = new Float[a.length];
        for (int i = 0; i < a.length; i++) b[i] = a[i];
        return b;
    }

    @Provide Arbitrary<Rows<float[]>> floatRows() { return rowsOf(floats(), SortKernelsTest::toFloats, 4, 40); }

    @Provide Arbitrary<Rows<double[]>> doubleRows() { return rowsOf(doubles(), SortKernelsTest::toDoubles, 4, 40); }

    @Provide Arbitrary<Rows<int[]>> intRows() { return rowsOf(ints(), SortKernelsTest::toInts, 4, 40); }

    @Provide Arbitrary<Rows<long[]>> longRows() { return rowsOf(longs(), SortKernelsTest::toLongs, 4, 40); }

    /** One long row, so quickselect partitions many times before its insertion-sort cutoff. */
    @Provide Arbitrary<Rows<float[]>> longFloatRow() { return rowsOf(floats(), SortKernelsTest::toFloats, 1, 3000)
            .filter(r -> r.rows() == 1); }

    @Provide Arbitrary<Rows<double[]>> longDoubleRow() { return rowsOf(doubles(), SortKernelsTest::toDoubles, 1, 3000)
            .filter(r -> r.rows() == 1); }

    // ---------------------------------------------------------------------------------------------------
    // sortRows against the reference (exact indices, so stability is checked too).

    @Property
    void floatSortMatchesStableReference(@ForAll("floatRows") Rows<float[]> in, @ForAll boolean desc, @ForAll boolean stable) {
        float[] v = in.values();
        int n = v.length;
        float[] ov = new float[n];
        long[] oi = new long[n];
        SortKernels.sortRows(v, in.rows(), in.len(), desc, stable, ov, oi);
        for (int r = 0; r < in.rows(); r++) {
            int base = r * in.len();
            int[] ref = refOrder(in.len(), (a, b) -> cmpTorch(v[base + a], v[base + b]), desc);
            for (int t = 0; t < in.len(); t++) {
                assertEquals(ref[t], oi[base + t], "row " + r + " position " + t);
                assertEquals(Float.floatToRawIntBits(v[base + ref[t]]), Float.floatToRawIntBits(ov[base + t]));
            }
        }
    }

    @Property
    void doubleSortMatchesStableReference(@ForAll("doubleRows") Rows<double[]> in, @ForAll boolean desc) {
        double[] v = in.values();
        int n = v.length;
        double[] ov = new double[n];
        long[] oi = new long[n];
        SortKernels.sortRows(v, in.rows(), in.len(), desc, true, ov, oi);
        for (int r = 0; r < in.rows(); r++) {
            int base = r * in.len();
            int[] ref = refOrder(in.len(), (a, b) -> cmpTorch(v[base + a], v[base + b]), desc);
            for (int t = 0; t < in.len(); t++) {
                assertEquals(ref[t], oi[base + t]);
                assertEquals(Double.doubleToRawLongBits(v[base + ref[t]]), Double.doubleToRawLongBits(ov[base + t]));
            }
        }
    }

    @Property
    void intSortMatchesStableReference(@ForAll("intRows") Rows<int[]> in, @ForAll boolean desc) {
        int[] v = in.values();
        int[] ov = new int[v.length];
        long[] oi = new long[v.length];
        SortKernels.sortRows(v, in.rows(), in.len(), desc, true, ov, oi);
        for (int r = 0; r < in.rows(); r++) {
            int base = r * in.len();
            int[] ref = refOrder(in.len(), (a, b) -> Integer.compare(v[base + a], v[base + b]), desc);
            for (int t = 0; t < in.len(); t++) {
                assertEquals(ref[t], oi[base + t]);
                assertEquals(v[base + ref[t]], ov[base + t]);
            }
        }
    }

    @Property
    void longSortMatchesStableReference(@ForAll("longRows") Rows<long[]> in, @ForAll boolean desc) {
        long[] v = in.values();
        long[] ov = new long[v.length];
        long[] oi = new long[v.length];
        SortKernels.sortRows(v, in.rows(), in.len(), desc, true, ov, oi);
        for (int r = 0; r < in.rows(); r++) {
            int base = r * in.len();
            int[] ref = refOrder(in.len(), (a, b) -> Long.compare(v[base + a], v[base + b]), desc);
            for (int t = 0; t < in.len(); t++) {
                assertEquals(ref[t], oi[base + t]);
                assertEquals(v[base + ref[t]], ov[base + t]);
            }
        }
    }

    /** The basic contract, checked without any reference sort: a permutation, gathered values, ordered, stable. */
    @Property
    void floatSortIsAStableOrderedPermutation(@ForAll("floatRows") Rows<float[]> in, @ForAll boolean desc) {
        float[] v = in.values();
        float[] ov = new float[v.length];
        long[] oi = new long[v.length];
        SortKernels.sortRows(v, in.rows(), in.len(), desc, true, ov, oi);
        for (int r = 0; r < in.rows(); r++) {
            int base = r * in.len();
            boolean[] seen = new boolean[in.len()];
            for (int t = 0; t < in.len(); t++) {
                int j = (int) oi[base + t];
                assertTrue(j >= 0 && j < in.len() && !seen[j], "not a permutation: " + Arrays.toString(oi));
                seen[j] = true;
                assertEquals(Float.floatToRawIntBits(v[base + j]), Float.floatToRawIntBits(ov[base + t]));
                if (t > 0) {
                    int c = cmpTorch(ov[base + t - 1], ov[base + t]) * (desc ? -1 : 1);
                    assertTrue(c <= 0, "out of order at " + t);
                    if (c == 0) assertTrue(oi[base + t - 1] < j, "ties must keep input order at " + t);
                }
            }
        }
    }

    @Property(tries = 20)
    void sortIntoInputArrayAndNullOutputs(@ForAll("floatRows") Rows<float[]> in, @ForAll("doubleRows") Rows<double[]> d) {
        float[] v = in.values().clone();
        float[] expected = new float[v.length];
        long[] idx = new long[v.length];
        SortKernels.sortRows(v, in.rows(), in.len(), false, true, expected, idx);
        long[] idxOnly = new long[v.length];
        SortKernels.sortRows(v, in.rows(), in.len(), false, true, null, idxOnly);
        assertArrayEquals(idx, idxOnly);
        SortKernels.sortRows(v, in.rows(), in.len(), false, true, v, null); // in place
        assertArrayEquals(expected, v);

        double[] dv = d.values().clone();
        double[] dExpected = new double[dv.length];
        SortKernels.sortRows(dv, d.rows(), d.len(), true, true, dExpected, null);
        SortKernels.sortRows(dv, d.rows(), d.len(), true, true, dv, null);
        assertArrayEquals(dExpected, dv);
    }

    /** Big enough to take the forked row loop; the reference is the same as for small inputs. */
    @Property(tries = 3)
    void parallelRowLoopMatchesReference(@ForAll long seed, @ForAll boolean desc) {
        int rows = 48, len = 1500;
        assertTrue((long) rows * len >= SortKernels.PARALLEL_THRESHOLD);
        Random rnd = new Random(seed);
        float[] v = new float[rows * len];
        long[] lv = new long[rows * len];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextInt(10) == 0 ? Float.NaN : rnd.nextInt(50) - 25;
            lv[i] = rnd.nextInt(100);
        }
        float[] ov = new float[v.length];
        long[] oi = new long[v.length];
        SortKernels.sortRows(v, rows, len, desc, true, ov, oi);
        long[] lov = new long[v.length];
        long[] loi = new long[v.length];
        SortKernels.sortRows(lv, rows, len, desc, true, lov, loi);
        float[] tv = new float[rows * 7];
        long[] ti = new long[rows * 7];
        SortKernels.topkRows(v, rows, len, 7, desc, true, tv, ti);
        for (int r = 0; r < rows; r++) {
            int base = r * len;
            int[] ref = refOrder(len, (a, b) -> cmpTorch(v[base + a], v[base + b]), desc);
            int[] lref = refOrder(len, (a, b) -> Long.compare(lv[base + a], lv[base + b]), desc);
            for (int t = 0; t < len; t++) {
                assertEquals(ref[t], oi[base + t]);
                assertEquals(lref[t], loi[base + t]);
                if (t < 7) assertEquals(ref[t], ti[r * 7 + t]);
            }
        }
    }

    /** A single row long enough for Arrays.parallelSort. */
    @Test
    void longSingleRowUsesParallelSortCorrectly() {
        int len = SortKernels.PARALLEL_SINGLE_ROW + 17;
        Random rnd = new Random(7);
        int[] v = new int[len];
        for (int i = 0; i < len; i++) v[i] = rnd.nextInt(1000) - 500;
        int[] ov = new int[len];
        long[] oi = new long[len];
        SortKernels.sortRows(v, 1, len, false, true, ov, oi);
        int[] expected = v.clone();
        Arrays.sort(expected);
        assertArrayEquals(expected, ov);
        for (int t = 1; t < len; t++) {
            if (ov[t] == ov[t - 1] && oi[t] <= oi[t - 1]) fail("unstable at " + t);
            assertEquals(v[(int) oi[t]], ov[t]);
        }
    }

    /** Outputs recorded from torch 1.13 (CPU) for this input; stable sort is fully determined. */
    @Test
    void stableSortMatchesRecordedTorchOutput() {
        float nan = Float.NaN;
        float[] x = {1f, 3f, 3f, nan, 2f, 3f, nan, -0.0f, 0.0f, 1f};
        float[] ov = new float[10];
        long[] oi = new long[10];
        SortKernels.sortRows(x, 1, 10, false, true, ov, oi);
        assertArrayEquals(new long[] {7, 8, 0, 9, 4, 1, 2, 5, 3, 6}, oi);
        assertArrayEquals(new float[] {-0.0f, 0.0f, 1, 1, 2, 3, 3, 3, nan, nan}, ov);
        SortKernels.sortRows(x, 1, 10, true, true, ov, oi);
        assertArrayEquals(new long[] {3, 6, 1, 2, 5, 4, 0, 9, 7, 8}, oi);
        // torch.topk(x, 6) values: [nan, nan, 3, 3, 3, 2]; its tie order differs (indices [6, 3, 1, 5, 2, 4]).
        float[] tv = new float[6];
        long[] ti = new long[6];
        SortKernels.topkRows(x, 1, 10, 6, true, true, tv, ti);
        assertArrayEquals(new float[] {nan, nan, 3, 3, 3, 2}, tv);
        assertArrayEquals(new long[] {3, 6, 1, 2, 5, 4}, ti);
        // torch.topk(x, 4, largest=False): values [-0., 0., 1., 1.], indices [7, 8, 0, 9].
        SortKernels.topkRows(x, 1, 10, 4, false, true, tv, ti);
        assertArrayEquals(new float[] {-0.0f, 0.0f, 1, 1}, Arrays.copyOf(tv, 4));
        assertArrayEquals(new long[] {7, 8, 0, 9}, Arrays.copyOf(ti, 4));
    }

    // ---------------------------------------------------------------------------------------------------
    // topkRows: the first k of the stable full sort.

    private static void assertTopkIsPrefixOfSort(long[] sortIdx, long[] topIdx, int rows, int len, int k,
                                                 boolean sorted) {
        for (int r = 0; r < rows; r++) {
            long[] want = Arrays.copyOfRange(sortIdx, r * len, r * len + k);
            long[] got = Arrays.copyOfRange(topIdx, r * k, r * k + k);
            for (long g : got) assertTrue(g >= 0 && g < len, "index out of range: " + g);
            if (!sorted) {
                Arrays.sort(want);
                Arrays.sort(got);
            }
            assertArrayEquals(want, got, "row " + r + " k=" + k + " sorted=" + sorted);
        }
    }

    @Property
    void floatTopkIsPrefixOfStableSort(@ForAll("floatRows") Rows<float[]> in, @ForAll boolean largest,
                                       @ForAll boolean sorted, @ForAll @IntRange(max = 40) int kWanted) {
        floatTopk(in, largest, sorted, kWanted);
    }

    @Property(tries = 40)
    void floatTopkOnLongRows(@ForAll("longFloatRow") Rows<float[]> in, @ForAll boolean largest,
                             @ForAll boolean sorted, @ForAll @IntRange(max = 3000) int kWanted) {
        floatTopk(in, largest, sorted, kWanted);
    }

    private static void floatTopk(Rows<float[]> in, boolean largest, boolean sorted, int kWanted) {
        float[] v = in.values();
        int k = Math.min(kWanted, in.len());
        long[] si = new long[v.length];
        SortKernels.sortRows(v, in.rows(), in.len(), largest, true, null, si);
        float[] tv = new float[in.rows() * k];
        long[] ti = new long[in.rows() * k];
        SortKernels.topkRows(v, in.rows(), in.len(), k, largest, sorted, tv, ti);
        assertTopkIsPrefixOfSort(si, ti, in.rows(), in.len(), k, sorted);
        for (int r = 0; r < in.rows(); r++)
            for (int t = 0; t < k; t++)
                assertEquals(Float.floatToRawIntBits(v[r * in.len() + (int) ti[r * k + t]]),
                        Float.floatToRawIntBits(tv[r * k + t]));
    }

    @Property
    void doubleTopkIsPrefixOfStableSort(@ForAll("doubleRows") Rows<double[]> in, @ForAll boolean largest,
                                        @ForAll boolean sorted, @ForAll @IntRange(max = 40) int kWanted) {
        doubleTopk(in, largest, sorted, kWanted);
    }

    @Property(tries = 40)
    void doubleTopkOnLongRows(@ForAll("longDoubleRow") Rows<double[]> in, @ForAll boolean largest,
                              @ForAll boolean sorted, @ForAll @IntRange(max = 3000) int kWanted) {
        doubleTopk(in, largest, sorted, kWanted);
    }

    private static void doubleTopk(Rows<double[]> in, boolean largest, boolean sorted, int kWanted) {
        double[] v = in.values();
        int k = Math.min(kWanted, in.len());
        long[] si = new long[v.length];
        SortKernels.sortRows(v, in.rows(), in.len(), largest, true, null, si);
        double[] tv = new double[in.rows() * k];
        long[] ti = new long[in.rows() * k];
        SortKernels.topkRows(v, in.rows(), in.len(), k, largest, sorted, tv, ti);
        assertTopkIsPrefixOfSort(si, ti, in.rows(), in.len(), k, sorted);
        for (int r = 0; r < in.rows(); r++)
            for (int t = 0; t < k; t++)
                assertEquals(Double.doubleToRawLongBits(v[r * in.len() + (int) ti[r * k + t]]),
                        Double.doubleToRawLongBits(tv[r * k + t]));
    }

    @Property
    void intTopkIsPrefixOfStableSort(@ForAll("intRows") Rows<int[]> in, @ForAll boolean largest,
                                     @ForAll boolean sorted, @ForAll @IntRange(max = 40) int kWanted) {
        int[] v = in.values();
        int k = Math.min(kWanted, in.len());
        long[] si = new long[v.length];
        SortKernels.sortRows(v, in.rows(), in.len(), largest, true, null, si);
        int[] tv = new int[in.rows() * k];
        long[] ti = new long[in.rows() * k];
        SortKernels.topkRows(v, in.rows(), in.len(), k, largest, sorted, tv, ti);
        assertTopkIsPrefixOfSort(si, ti, in.rows(), in.len(), k, sorted);
        for (int r = 0; r < in.rows(); r++)
            for (int t = 0; t < k; t++) assertEquals(v[r * in.len() + (int) ti[r * k + t]], tv[r * k + t]);
    }

    @Property
    void longTopkIsPrefixOfStableSort(@ForAll("longRows") Rows<long[]> in, @ForAll boolean largest,
                                      @ForAll boolean sorted, @ForAll @IntRange(max = 40) int kWanted) {
        long[] v = in.values();
        int k = Math.min(kWanted, in.len());
        long[] si = new long[v.length];
        SortKernels.sortRows(v, in.rows(), in.len(), largest, true, null, si);
        long[] tv = new long[in.rows() * k];
        long[] ti = new long[in.rows() * k];
        SortKernels.topkRows(v, in.rows(), in.len(), k, largest, sorted, tv, ti);
        assertTopkIsPrefixOfSort(si, ti, in.rows(), in.len(), k, sorted);
        for (int r = 0; r < in.rows(); r++)
            for (int t = 0; t < k; t++) assertEquals(v[r * in.len() + (int) ti[r * k + t]], tv[r * k + t]);
    }

    @Test
    void badArgumentsAreRejected() {
        float[] v = new float[6];
        assertThrows(IllegalArgumentException.class, () -> SortKernels.topkRows(v, 2, 3, 4, true, true, new float[8], null));
        assertThrows(IllegalArgumentException.class, () -> SortKernels.topkRows(v, 2, 3, -1, true, true, null, null));
        assertThrows(IllegalArgumentException.class, () -> SortKernels.sortRows(v, 3, 3, false, true, null, null));
        assertThrows(IllegalArgumentException.class, () -> SortKernels.sortRows(v, 2, 3, false, true, new float[5], null));
        assertThrows(IllegalArgumentException.class, () -> SortKernels.sortRows(v, 2, 3, false, true, null, new long[5]));
        // k == 0 and empty rows are fine, as in torch.
        SortKernels.topkRows(v, 2, 3, 0, true, true, new float[0], new long[0]);
        SortKernels.sortRows(new long[0], 5, 0, true, false, new long[0], new long[0]);
    }

    // ---------------------------------------------------------------------------------------------------
    // unique: against a TreeMap; inverse reconstructs the input; counts sum to numel.

    @Provide Arbitrary<float[]> flatFloats() { return floats().list().ofMaxSize(60).map(SortKernelsTest::toFloats); }

    @Provide Arbitrary<double[]> flatDoubles() { return doubles().list().ofMaxSize(60).map(SortKernelsTest::toDoubles); }

    @Provide Arbitrary<int[]> flatInts() { return ints().list().ofMaxSize(60).map(SortKernelsTest::toInts); }

    @Provide Arbitrary<long[]> flatLongs() { return longs().list().ofMaxSize(60).map(SortKernelsTest::toLongs); }

    /** The expected unique list: a TreeMap of the non-NaN values (-0.0 == 0.0), then one entry per NaN. */
    private static void checkUniqueReal(double[] in, double[] values, long[] inverse, long[] counts) {
        TreeMap<Double, Long> ref = new TreeMap<>(SortKernelsTest::cmpTorch);
        int nans = 0;
        for (double x : in) {
            if (Double.isNaN(x)) nans++;
            else ref.merge(x, 1L, Long::sum);
        }
        assertEquals(ref.size() + nans, values.length, "unique count");
        assertEquals(values.length, counts.length);
        int u = 0;
        for (Map.Entry<Double, Long> e : ref.entrySet()) {
            assertEquals(0, cmpTorch(e.getKey(), values[u]), "value " + u);
            assertEquals(e.getValue(), counts[u], "count " + u);
            u++;
        }
        for (; u < values.length; u++) {
            assertTrue(Double.isNaN(values[u]));
            assertEquals(1, counts[u]);
        }
        assertEquals(in.length, Arrays.stream(counts).sum());
        assertEquals(in.length, inverse.length);
        boolean[] nanUsed = new boolean[values.length];
        for (int j = 0; j < in.length; j++) {
            double back = values[(int) inverse[j]];
            assertEquals(0, cmpTorch(in[j], back), "inverse of element " + j);
            if (Double.isNaN(in[j])) {
                assertTrue(!nanUsed[(int) inverse[j]], "two NaNs share a unique entry");
                nanUsed[(int) inverse[j]] = true;
            }
        }
    }

    @Property
    void floatUniqueMatchesTreeMap(@ForAll("flatFloats") float[] in) {
        UniqueResult<float[]> u = SortKernels.unique(in);
        double[] din = new double[in.length];
        for (int i = 0; i < in.length; i++) din[i] = in[i];
        double[] dv = new double[u.values().length];
        for (int i = 0; i < dv.length; i++) dv[i] = u.values()[i];
        checkUniqueReal(din, dv, u.inverse(), u.counts());
        // A signed zero is reported with the sign of its first occurrence.
        for (int j = 0; j < in.length; j++) {
            if (in[j] == 0f) {
                float z = u.values()[(int) u.inverse()[j]];
                assertEquals(Float.floatToRawIntBits(in[j]), Float.floatToRawIntBits(z));
                break;
            }
        }
    }

    @Property
    void doubleUniqueMatchesTreeMap(@ForAll("flatDoubles") double[] in) {
        UniqueResult<double[]> u = SortKernels.unique(in);
        checkUniqueReal(in, u.values(), u.inverse(), u.counts());
    }

    @Property
    void intUniqueMatchesTreeMap(@ForAll("flatInts") int[] in) {
        UniqueResult<int[]> u = SortKernels.unique(in);
        TreeMap<Integer, Long> ref = new TreeMap<>();
        for (int x : in) ref.merge(x, 1L, Long::sum);
        assertArrayEquals(ref.keySet().stream().mapToInt(Integer::intValue).toArray(), u.values());
        assertArrayEquals(ref.values().stream().mapToLong(Long::longValue).toArray(), u.counts());
        for (int j = 0; j < in.length; j++) assertEquals(in[j], u.values()[(int) u.inverse()[j]]);
    }

    @Property
    void longUniqueMatchesTreeMap(@ForAll("flatLongs") long[] in) {
        UniqueResult<long[]> u = SortKernels.unique(in);
        TreeMap<Long, Long> ref = new TreeMap<>();
        for (long x : in) ref.merge(x, 1L, Long::sum);
        assertArrayEquals(ref.keySet().stream().mapToLong(Long::longValue).toArray(), u.values());
        assertArrayEquals(ref.values().stream().mapToLong(Long::longValue).toArray(), u.counts());
        for (int j = 0; j < in.length; j++) assertEquals(in[j], u.values()[(int) u.inverse()[j]]);
        assertEquals(in.length, Arrays.stream(u.counts()).sum());
    }

    @Property
    void uniqueConsecutiveMatchesRunScan(@ForAll("flatInts") int[] in, @ForAll("flatFloats") float[] fin) {
        UniqueResult<int[]> u = SortKernels.uniqueConsecutive(in);
        List<Integer> runs = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        for (int j = 0; j < in.length; j++) {
            if (j == 0 || in[j] != in[j - 1]) { runs.add(in[j]); counts.add(0L); }
            counts.set(counts.size() - 1, counts.getLast() + 1);
            assertEquals(runs.size() - 1, u.inverse()[j]);
        }
        assertArrayEquals(runs.stream().mapToInt(Integer::intValue).toArray(), u.values());
        assertArrayEquals(counts.stream().mapToLong(Long::longValue).toArray(), u.counts());

        UniqueResult<float[]> f = SortKernels.uniqueConsecutive(fin);
        for (int j = 0; j < fin.length; j++) {
            float back = f.values()[(int) f.inverse()[j]];
            assertTrue(back == fin[j] || (Float.isNaN(back) && Float.isNaN(fin[j])));
            if (j > 0) {
                boolean sameRun = f.inverse()[j] == f.inverse()[j - 1];
                assertEquals(fin[j] == fin[j - 1], sameRun, "run boundary at " + j);
            }
        }
        assertEquals(fin.length, Arrays.stream(f.counts()).sum());
    }

    /** Values recorded from torch 1.13: unique([3,1,3,2]) and unique_consecutive([3,3,1,3,2,2]). */
    @Test
    void uniqueMatchesRecordedTorchOutput() {
        UniqueResult<long[]> u = SortKernels.unique(new long[] {3, 1, 3, 2});
        assertArrayEquals(new long[] {1, 2, 3}, u.values());
        assertArrayEquals(new long[] {2, 0, 2, 1}, u.inverse());
        assertArrayEquals(new long[] {1, 1, 2}, u.counts());
        UniqueResult<long[]> c = SortKernels.uniqueConsecutive(new long[] {3, 3, 1, 3, 2, 2});
        assertArrayEquals(new long[] {3, 1, 3, 2}, c.values());
        assertArrayEquals(new long[] {0, 0, 1, 2, 3, 3}, c.inverse());
        assertArrayEquals(new long[] {2, 1, 1, 2}, c.counts());
        UniqueResult<float[]> e = SortKernels.unique(new float[0]);
        assertEquals(0, e.values().length);
        assertEquals(0, e.counts().length);
    }
}
