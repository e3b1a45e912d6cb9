package fuse3d.sparse.conv;

import static fuse3d.sparse.conv.SparseFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import fuse3d.autograd.Gradcheck;
import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Structural laws of rulebooks and sparse convolutions: submanifold symmetry, gradients (float64 gradcheck),
 * determinism and row-order invariance, indice-key sharing, empty inputs and the errors for bad input.
 */
class SparseConvPropertiesTest {

    private static SparseTensor random(Generator g, DType dt, int batch, int[] shape, double density, int c) {
        Tensor ind = randomIndices(g, batch, shape, density);
        return SparseTensor.of(dyadic(g, dt, ind.size(0), c), ind, shape, batch);
    }

    // ------------------------------------------------------------------ rulebooks

    @Property(tries = 40)
    void submanifoldRulebookIsSymmetric(@ForAll long seed, @ForAll @IntRange(min = 0, max = 2) int kh, @ForAll @IntRange(min = 1, max = 2) int dil) {
        Generator g = new Generator(seed);
        SparseTensor x = random(g, DType.FLOAT32, 2, new int[] {4, 5, 6}, 0.3, 1);
        Rulebook rb = Rulebook.submanifold(x, new int[] {3, 2 * kh + 1, 3}, new int[] {1, dil, dil});
        int kv = rb.kernelVolume();
        for (int k = 0; k < kv; k++) {
            int[][] a = rb.pairs(k), b = rb.pairs(kv - 1 - k);
            Set<Long> fwd = new HashSet<>(), mirrored = new HashSet<>();
            for (int p = 0; p < a[0].length; p++) fwd.add((long) a[0][p] << 32 | a[1][p]);
            for (int p = 0; p < b[0].length; p++) mirrored.add((long) b[1][p] << 32 | b[0][p]);
            assertEquals(fwd, mirrored, "(i, j) at offset " + k + " <=> (j, i) at " + (kv - 1 - k));
        }
        int[][] centre = rb.pairs(kv / 2);
        for (int i = 0; i < x.numActive(); i++) {
            assertEquals(i, centre[0][i]);
            assertEquals(i, centre[1][i]);
        }
    }

    @Property(tries = 30)
    void submanifoldRulebookEqualsBruteForce(@ForAll long seed) {
        Generator g = new Generator(seed);
        int[] shape = {3, 4, 5};
        SparseTensor x = random(g, DType.FLOAT32, 2, shape, 0.35, 1);
        Rulebook rb = Rulebook.submanifold(x, fill(3, 3), fill(3, 1));
        int[] ind = x.indicesArray();
        for (int k = 0; k < 27; k++) {
            int dz = k / 9 - 1, dy = k / 3 % 3 - 1, dx = k % 3 - 1;
            Set<Long> expected = new HashSet<>(), actual = new HashSet<>();
            for (int o = 0; o < x.numActive(); o++)
                for (int i = 0; i < x.numActive(); i++)
                    if (ind[i * 4] == ind[o * 4] && ind[i * 4 + 1] == ind[o * 4 + 1] + dz && ind[i * 4 + 2] == ind[o * 4 + 2] + dy
                            && ind[i * 4 + 3] == ind[o * 4 + 3] + dx) expected.add((long) i << 32 | o);
            int[][] p = rb.pairs(k);
            for (int j = 0; j < p[0].length; j++) actual.add((long) p[0][j] << 32 | p[1][j]);
            assertEquals(expected, actual, "offset " + k);
            assertEquals(p[0].length, actual.size(), "no duplicate pairs");
        }
    }

    @Property(tries = 40)
    void fastRulebooksEqualTheHashReferences(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int k, @ForAll @IntRange(min = 1, max = 2) int s,
                                             @ForAll @IntRange(min = 0, max = 1) int p, @ForAll @IntRange(min = 1, max = 2) int dil) {
        Generator g = new Generator(seed);
        int[] shape = {2 + (int) g.nextLong(5), 2 + (int) g.nextLong(6), 3 + (int) g.nextLong(6)};
        SparseTensor x = random(g, DType.FLOAT32, 1 + (int) g.nextLong(3), shape, 0.05 + 0.5 * g.nextDouble(), 1);
        int[] ks = {2 * (k / 2) + 1, 3, 2 * k - 1};
        int[] d = {dil, 1, dil};
        Rulebook fast = Rulebook.submanifold(x, ks, d), ref = Rulebook.submanifoldReference(x, ks, d);
        assertEquals(ref.kernelVolume(), fast.kernelVolume());
        for (int o = 0; o < ref.kernelVolume(); o++) assertEquals(pairSet(ref.pairs(o)), pairSet(fast.pairs(o)), "submanifold offset " + o);
        int[] kr = {k, 2, 3}, st = {s, 2, 1}, pd = {p, 1, 0};
        boolean nonEmpty = true;
        for (int i = 0; i < 3; i++) nonEmpty &= shape[i] + 2 * pd[i] - d[i] * (kr[i] - 1) - 1 >= 0;
        net.jqwik.api.Assume.that(nonEmpty);
        Rulebook rf = Rulebook.regular(x, kr, st, pd, d), rr = Rulebook.regularReference(x, kr, st, pd, d);
        assertArrayEquals(rr.outIndices, rf.outIndices);
        assertArrayEquals(rr.pairStart, rf.pairStart);
        assertArrayEquals(rr.pairIn, rf.pairIn);
        assertArrayEquals(rr.pairOut, rf.pairOut);
        assertSameRulebook(rr, Rulebook.regularBySort(x, kr, st, pd, d));
        Rulebook rb = Rulebook.regularByBitmap(x, kr, st, pd, d);
        if (rb != null) assertSameRulebook(rr, rb);
    }

    /** Inputs over several chunks of the bitmap builder (and so over threads): all regular builders agree. */
    @Property(tries = 6)
    void regularBuildersAgreeOnLargeInputs(@ForAll long seed, @ForAll @IntRange(min = 1, max = 2) int s) {
        Generator g = new Generator(seed);
        int[] shape = {8 + (int) g.nextLong(6), 50 + (int) g.nextLong(30), 50 + (int) g.nextLong(30)};
        SparseTensor x = random(g, DType.FLOAT32, 2, shape, 0.25 + 0.3 * g.nextDouble(), 1);
        int[] ks = {3, 3, 3}, st = {s, s, s}, pd = {1, 1, 1}, d = {1, 1, 1};
        Rulebook rr = Rulebook.regularReference(x, ks, st, pd, d);
        Rulebook rb = Rulebook.regularByBitmap(x, ks, st, pd, d);
        assertTrue(rb != null, "the bitmap builder takes this grid");
        assertTrue(x.numActive() > 2 * 4096, "several chunks: " + x.numActive());
        assertSameRulebook(rr, rb);
        assertSameRulebook(rr, Rulebook.regularBySort(x, ks, st, pd, d));
        assertSameRulebook(rr, Rulebook.regular(x, ks, st, pd, d));
    }

    /** The register-blocked pair kernel equals the plain one bit for bit (all block widths, odd pair counts). */
    @Property(tries = 30)
    void blockedPairKernelEqualsThePlainOne(@ForAll long seed, @ForAll @IntRange(min = 1, max = 8) int widthVectors,
                                            @ForAll @IntRange(min = 1, max = 70) int cols, @ForAll @IntRange(min = 0, max = 37) int pairs) {
        Generator g = new Generator(seed);
        int outCols = widthVectors * SparseConvFunction.pairKernelLanes(), rsB = outCols + (int) g.nextLong(3) * 4;
        int nIn = 50, nOut = pairs + 10;
        float[] s = g.uniform(-1, 1, nIn * cols).toFloatArray(), w = g.uniform(-1, 1, cols * rsB).toFloatArray();
        float[] d = g.uniform(-1, 1, nOut * outCols).toFloatArray(), e = d.clone();
        int[] in = new int[pairs], out = new int[pairs];
        int[] perm = new int[nOut];
        for (int i = 0; i < nOut; i++) perm[i] = i;
        for (int i = nOut - 1; i > 0; i--) {
            int j = (int) g.nextLong(i + 1), t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        for (int p = 0; p < pairs; p++) {
            in[p] = (int) g.nextLong(nIn);
            out[p] = perm[p]; // distinct output rows, as within one offset
        }
        SparseConvFunction.pairRowsF32(s, cols, in, out, 0, pairs, w, rsB, outCols, d);
        SparseConvFunction.pairRowsSimpleF32(s, cols, in, out, 0, pairs, w, rsB, outCols, e);
        assertArrayEquals(e, d);
    }

    /**
     * The blocked float32 weight gradient over several chunks and blocks per offset: close to the float64 one,
     * and bit-identical for 1 and 3 threads.
     */
    @Property(tries = 6)
    void blockedWeightGradientMatchesFloat64AndIgnoresThreads(@ForAll long seed, @ForAll @IntRange(min = 1, max = 7) int cinVectors,
                                                             @ForAll @IntRange(min = 1, max = 3) int coutQuads, @ForAll boolean strided) {
        Generator g = new Generator(seed);
        int cin = cinVectors * SparseConvFunction.pairKernelLanes(), cout = 4 * coutQuads;
        Tensor ind = randomIndices(g, 2, new int[] {8, 50, 50}, 0.3);
        int n = ind.size(0);
        Tensor x = g.uniform(-1, 1, n, cin);
        int[] k3 = {3, 3, 3}, ones = {1, 1, 1};
        SparseTensor st = SparseTensor.of(x, ind, new int[] {8, 50, 50}, 2);
        Rulebook rb = strided ? Rulebook.regular(st, k3, new int[] {2, 2, 2}, ones, ones) : Rulebook.submanifold(st, k3, ones);
        assertTrue(rb.pairCount(13) > 2 * SparseConvFunction.WEIGHT_GRAD_CHUNK || strided, "several chunks at the centre");
        Tensor gy = g.uniform(-1, 1, rb.numOut(), cout);
        int[] ws = {cout, 3, 3, 3, cin};
        Tensor one = SparseConvFunction.backwardWeightF32(x, gy, rb, ws, 1, true);
        Tensor three = SparseConvFunction.backwardWeightF32(x, gy, rb, ws, 3, true);
        assertArrayEquals(one.toFloatArray(), three.toFloatArray());
        Tensor ref = SparseConvFunction.backwardWeight(x.to(DType.FLOAT64), gy.to(DType.FLOAT64), rb, ws);
        Tensor gemm = SparseConvFunction.backwardWeightF32(x, gy, rb, ws, 2, false);
        float[] a = one.toFloatArray(), b = gemm.toFloatArray();
        double[] r = ref.toDoubleArray();
        for (int i = 0; i < r.length; i++) {
            assertEquals(r[i], a[i], 1e-4 * (1 + Math.abs(r[i])), "blocked at " + i);
            assertEquals(r[i], b[i], 1e-4 * (1 + Math.abs(r[i])), "sgemm at " + i);
        }
    }

    private static void assertSameRulebook(Rulebook expected, Rulebook actual) {
        assertEquals(expected.numOut, actual.numOut);
        assertArrayEquals(expected.outIndices, actual.outIndices);
        assertArrayEquals(expected.pairStart, actual.pairStart);
        assertArrayEquals(expected.pairIn, actual.pairIn);
        assertArrayEquals(expected.pairOut, actual.pairOut);
    }

    private static Set<Long> pairSet(int[][] p) {
        Set<Long> s = new HashSet<>();
        for (int j = 0; j < p[0].length; j++) s.add((long) p[0][j] << 32 | p[1][j]);
        assertEquals(p[0].length, s.size(), "no duplicate pairs");
        return s;
    }

    // ------------------------------------------------------------------ gradients

    /** Gradcheck of features, weight and bias through one rulebook (float64). */
    private static void gradcheck(String op, SparseTensor x, Rulebook rb, int cout, Generator g) {
        int cin = x.channels();
        int[] ws = new int[rb.kernelSize.length + 2];
        ws[0] = cout;
        System.arraycopy(rb.kernelSize, 0, ws, 1, rb.kernelSize.length);
        ws[ws.length - 1] = cin;
        Tensor w = g.normal(DType.FLOAT64, 0, 1, ws), b = g.normal(DType.FLOAT64, 0, 1, cout);
        Tensor f = g.normal(DType.FLOAT64, 0, 1, x.numActive(), cin);
        Gradcheck.assertGradients(op, in -> List.of(SparseConvFunction.apply(op, in.get(0), in.get(1), in.get(2), rb)), List.of(f, w, b));
        Gradcheck.assertGradients(op + " (no bias)", in -> List.of(SparseConvFunction.apply(op, in.get(0), in.get(1), null, rb)), List.of(f, w));
    }

    @Property(tries = 8)
    void gradientsOfSubmanifoldStridedAndInverse(@ForAll long seed) {
        Generator g = new Generator(seed);
        SparseTensor x = random(g, DType.FLOAT64, 2, new int[] {3, 4, 4}, 0.3, 2);
        gradcheck("subm", x, Rulebook.submanifold(x, new int[] {3, 3, 1}, new int[] {1, 1, 1}), 2, g);
        Rulebook down = Rulebook.regular(x, new int[] {2, 3, 2}, new int[] {2, 2, 1}, new int[] {0, 1, 0}, new int[] {1, 1, 1});
        gradcheck("strided", x, down, 3, g);
        SparseTensor y = SparseTensor.derived(Var.of(Tensor.zeros(DType.FLOAT64, down.numOut, 3)), down.outIndices, down.numOut,
                down.outSpatialShape, 2, x.rulebooks());
        gradcheck("inverse", y, down.inverse(), 2, g);
    }

    /** The float32 kernels (fused parallel gather-GEMM-scatter, chunked weight gradient) agree with the float64 ones. */
    @Property(tries = 4)
    void float32KernelsAgreeWithFloat64(@ForAll long seed) {
        Generator g = new Generator(seed);
        // about 4000 sites: the centre offset spans two weight-gradient chunks and the loops run in parallel
        SparseTensor x = random(g, DType.FLOAT64, 1, new int[] {16, 16, 16}, 0.5 + 0.2 * g.nextDouble(), 8);
        Rulebook[] books = {Rulebook.submanifold(x, fill(3, 3), fill(3, 1)),
                Rulebook.regular(x, fill(3, 3), fill(3, 2), fill(3, 1), fill(3, 1))};
        for (Rulebook rb : books) {
            Tensor w = g.normal(DType.FLOAT64, 0, 1, 6, 3, 3, 3, 8), f = x.features().data();
            Tensor y64 = SparseConvFunction.forward(f, w, null, rb), y32 = SparseConvFunction.forward(f.toFloat(), w.toFloat(), null, rb);
            assertClose(y64, y32, rb + " forward");
            Tensor gy = g.normal(DType.FLOAT64, 0, 1, rb.numOut(), 6);
            assertClose(SparseConvFunction.backwardInput(gy, w, rb), SparseConvFunction.backwardInput(gy.toFloat(), w.toFloat(), rb), rb + " input grad");
            assertClose(SparseConvFunction.backwardWeight(f, gy, rb, w.shape()), SparseConvFunction.backwardWeight(f.toFloat(), gy.toFloat(), rb, w.shape()),
                    rb + " weight grad");
        }
    }

    private static void assertClose(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], 1e-3 * (1 + Math.abs(e[i])), what + " element " + i);
    }

    @Test
    void denseIsDifferentiable() {
        Generator g = new Generator(3);
        SparseTensor x = random(g, DType.FLOAT64, 2, new int[] {2, 3, 3}, 0.4, 2);
        Tensor ind = x.indices();
        Gradcheck.assertGradients("sparse_dense", in -> List.of(SparseTensor.of(in.get(0), ind, new int[] {2, 3, 3}, 2).dense()),
                List.of(g.normal(DType.FLOAT64, 0, 1, x.numActive(), 2)));
    }

    @Test
    void layersBackpropagateThroughASequenceWithBatchNorm() {
        Generator g = new Generator(5);
        SparseTensor x = random(g, DType.FLOAT64, 1, new int[] {3, 4, 4}, 0.4, 2);
        SparseSequential net = new SparseSequential(new SubMConv3d(2, 3, 3, false, "a", g), new fuse3d.nn.BatchNorm1d(3, 1e-3, 0.01),
                new fuse3d.nn.ReLU(), new SparseConv3d(3, 2, 2, 2, 0, true, "b", g));
        net.to(DType.FLOAT64);
        Var feats = Var.leaf(x.features().data());
        List<Var> leaves = new java.util.ArrayList<>(net.parameters());
        leaves.add(feats);
        Tensor ind = x.indices();
        // ReLU kinks: keep the check to the smooth region by its default tolerance on a fixed seed
        Gradcheck.assertLeafGradients("SparseSequential", () -> net.apply(SparseTensor.of(feats, ind, new int[] {3, 4, 4}, 1)).features().sum(),
                leaves, new Gradcheck.Options(1e-6, 1e-5, 1e-3, 1, 7));
    }

    // ------------------------------------------------------------------ determinism, invariance

    @Property(tries = 30)
    void rowOrderDoesNotChangeTheResult(@ForAll long seed) {
        Generator g = new Generator(seed);
        int[] shape = {4, 5, 5};
        SparseTensor x = random(g, DType.FLOAT32, 2, shape, 0.3, 3);
        int n = x.numActive();
        int[] perm = g.randperm(n).toIntArray();
        Tensor pInd = x.indices().indexSelect(0, Tensor.ofInts(perm, n)), pFeat = x.features().data().indexSelect(0, Tensor.ofInts(perm, n));
        SparseTensor px = SparseTensor.of(pFeat, pInd, shape, 2);
        SubMConv3d subm = new SubMConv3d(3, 4, 3, true, "s", new Generator(seed));
        SparseConv3d down = new SparseConv3d(4, 2, 3, 2, 1, false, "d", new Generator(seed + 1));
        SparseTensor a = down.apply(subm.apply(x)), b = down.apply(subm.apply(px));
        // strided outputs are sorted by site, so any input row order gives the same rows
        assertArrayEquals(a.indices().toIntArray(), b.indices().toIntArray());
        assertArrayEquals(a.features().data().toFloatArray(), b.features().data().toFloatArray(), 1e-5f);
        // determinism: the same input twice gives the same bits
        SparseTensor again = SparseTensor.of(x.features().data(), x.indices(), shape, 2); // a fresh chain: a strided key is built once per chain
        assertArrayEquals(a.features().data().toFloatArray(), down.apply(subm.apply(again)).features().data().toFloatArray());
    }

    // ------------------------------------------------------------------ indice keys

    @Test
    void layersSharingAnIndiceKeyShareOneRulebook() {
        Generator g = new Generator(1);
        SparseTensor x = random(g, DType.FLOAT32, 1, new int[] {4, 4, 4}, 0.3, 2);
        SubMConv3d a = new SubMConv3d(2, 2, 3, false, "subm1", g), b = new SubMConv3d(2, 2, 3, false, "subm1", g);
        SparseTensor y = a.apply(x);
        Rulebook first = x.rulebooks().get("subm1");
        assertNotNull(first);
        b.apply(y);
        assertSame(first, y.rulebooks().get("subm1"), "the second layer reuses the cached rulebook");
        assertEquals(1, x.rulebooks().size());
    }

    @Test
    void indiceKeyMisuseIsAClearError() {
        Generator g = new Generator(1);
        SparseTensor x = random(g, DType.FLOAT32, 1, new int[] {4, 4, 4}, 0.3, 2);
        SparseConv3d d1 = new SparseConv3d(2, 2, 3, 2, 1, false, "down", g), d2 = new SparseConv3d(2, 2, 3, 2, 1, false, "down", g);
        SparseTensor y = d1.apply(x);
        var e = assertThrows(IllegalArgumentException.class, () -> d2.apply(y));
        assertTrue(e.getMessage().contains("only submanifold"), e.getMessage());
        var inv = new SparseInverseConv3d(2, 2, 3, false, "nokey", g);
        e = assertThrows(IllegalArgumentException.class, () -> inv.apply(y));
        assertTrue(e.getMessage().contains("no rulebook under this key"), e.getMessage());
        var badKernel = new SparseInverseConv3d(2, 2, 2, false, "down", g);
        assertThrows(IllegalArgumentException.class, () -> badKernel.apply(y));
        SubMConv3d s = new SubMConv3d(2, 2, 3, false, "down", g);
        e = assertThrows(IllegalArgumentException.class, () -> s.apply(x));
        assertTrue(e.getMessage().contains("down"), e.getMessage());
    }

    // ------------------------------------------------------------------ edge cases and bad input

    @Test
    void emptyInputGivesEmptyOutput() {
        Generator g = new Generator(1);
        SparseTensor x = SparseTensor.of(Tensor.zeros(0, 3), Tensor.ofInts(new int[0], 0, 4), new int[] {5, 6, 7}, 2);
        SparseTensor s = new SubMConv3d(3, 4, 3, true, "s", g).apply(x);
        assertArrayEquals(new int[] {0, 4}, s.features().shape());
        SparseTensor d = new SparseConv3d(4, 5, 3, 2, 1, true, "d", g).apply(s);
        assertArrayEquals(new int[] {0, 5}, d.features().shape());
        assertArrayEquals(new int[] {3, 3, 4}, d.spatialShape());
        SparseTensor u = new SparseInverseConv3d(5, 3, 3, true, "d", g).apply(d);
        assertArrayEquals(new int[] {0, 3}, u.features().shape());
        Var dense = d.dense();
        assertArrayEquals(new int[] {2, 5, 3, 3, 4}, dense.shape());
        assertEquals(0, dense.data().abs().sum().item());
    }

    @Test
    void badCoordinatesAreClearErrors() {
        Tensor f = Tensor.zeros(2, 1);
        var dup = assertThrows(IllegalArgumentException.class,
                () -> SparseTensor.of(f, Tensor.ofInts(new int[] {0, 1, 1, 1, 0, 1, 1, 1}, 2, 4), new int[] {2, 2, 2}, 1));
        assertTrue(dup.getMessage().contains("duplicate coordinate (0, 1, 1, 1)"), dup.getMessage());
        var out = assertThrows(IllegalArgumentException.class,
                () -> SparseTensor.of(f, Tensor.ofInts(new int[] {0, 1, 1, 1, 0, 2, 0, 0}, 2, 4), new int[] {2, 2, 2}, 1));
        assertTrue(out.getMessage().contains("outside"), out.getMessage());
        var batch = assertThrows(IllegalArgumentException.class,
                () -> SparseTensor.of(f, Tensor.ofInts(new int[] {0, 1, 1, 1, 1, 0, 0, 0}, 2, 4), new int[] {2, 2, 2}, 1));
        assertTrue(batch.getMessage().contains("batch"), batch.getMessage());
        var neg = assertThrows(IllegalArgumentException.class,
                () -> SparseTensor.of(f, Tensor.ofInts(new int[] {0, 1, 1, 1, 0, -1, 0, 0}, 2, 4), new int[] {2, 2, 2}, 1));
        assertTrue(neg.getMessage().contains("(0, -1, 0, 0)"), neg.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SparseTensor.of(f, Tensor.ofInts(new int[] {0, 1, 1}, 1, 3), new int[] {2, 2, 2}, 1));
        SparseTensor x = SparseTensor.of(f, Tensor.ofInts(new int[] {0, 1, 1, 1, 0, 0, 0, 0}, 2, 4), new int[] {2, 2, 2}, 1);
        var ch = assertThrows(IllegalArgumentException.class, () -> new SubMConv3d(2, 2, 3, false, null, new Generator(1)).apply(x));
        assertTrue(ch.getMessage().contains("SubMConv3d") && ch.getMessage().contains("channels"), ch.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SubMConv3d(1, 1, 2, false, null, new Generator(1)));
        // a grid too small for the kernel gives an error naming the op, not an empty or negative grid
        var grid = assertThrows(IllegalArgumentException.class, () -> new SparseConv3d(1, 1, 3, 1, 0, false, null, new Generator(1)).apply(x));
        assertTrue(grid.getMessage().contains("SparseConv3d") && grid.getMessage().contains("[2, 2, 2]"), grid.getMessage());
    }

    @Test
    void findLooksUpRows() {
        SparseTensor x = SparseTensor.of(Tensor.zeros(2, 1), Tensor.ofInts(new int[] {0, 1, 1, 1, 1, 0, 0, 1}, 2, 4), new int[] {2, 2, 2}, 2);
        assertEquals(0, x.find(0, 1, 1, 1));
        assertEquals(1, x.find(1, 0, 0, 1));
        assertEquals(-1, x.find(1, 0, 0, 0));
        assertEquals(-1, x.find(0, 5, 0, 0));
        assertEquals(-1, x.find(3, 0, 0, 0));
    }
}
