package fuse3d.sparse.conv;

import static fuse3d.sparse.conv.SparseFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.F;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Sparse convolutions against the engine's dense convolutions (spconv's own test: copy the weight into a dense
 * Conv3d and compare), first by hand, then on random sparse inputs over kernels, strides, paddings, dilations.
 */
class SparseConvDenseTest {

    // ------------------------------------------------------------------ by hand

    /** A row of four sites along x with sites 0, 1, 3 active: values 1, 2, 4, one channel. */
    private static SparseTensor row() {
        Tensor ind = Tensor.ofInts(new int[] {0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 3}, 3, 4);
        return SparseTensor.of(Tensor.of(new float[] {1, 2, 4}, 3, 1), ind, new int[] {1, 1, 4}, 1);
    }

    @Test
    void submanifoldByHand() {
        // kernel (1, 1, 3) weights (1, 10, 100): out[x] = in[x-1] + 10 in[x] + 100 in[x+1], only at x = 0, 1, 3
        SubMConv3d conv = new SubMConv3d(1, 1, new int[] {1, 1, 3}, null, false, "subm", new Generator(1));
        conv.weight().data().copy_(Tensor.of(new float[] {1, 10, 100}, 1, 1, 1, 3, 1));
        SparseTensor y = conv.apply(row());
        assertArrayEquals(new float[] {210, 21, 40}, y.features().data().toFloatArray());
        assertArrayEquals(row().indices().toIntArray(), y.indices().toIntArray(), "submanifold keeps the sites");
    }

    @Test
    void stridedByHand() {
        // kernel (1, 1, 2) stride 2 weights (1, 10): out0 = in0 + 10 in1 = 21, out1 = in2 + 10 in3 = 40
        SparseConv3d conv = new SparseConv3d(1, 1, new int[] {1, 1, 2}, new int[] {1, 1, 2}, null, null, false, "down", new Generator(1));
        conv.weight().data().copy_(Tensor.of(new float[] {1, 10}, 1, 1, 1, 2, 1));
        SparseTensor y = conv.apply(row());
        assertArrayEquals(new int[] {1, 1, 2}, y.spatialShape());
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 0, 0, 1}, y.indices().toIntArray());
        assertArrayEquals(new float[] {21, 40}, y.features().data().toFloatArray());
        // inverse (weight 1, 1): each original site gets its output's value times its tap weight
        SparseInverseConv3d inv = new SparseInverseConv3d(1, 1, new int[] {1, 1, 2}, false, "down", new Generator(1));
        inv.weight().data().copy_(Tensor.of(new float[] {1, 2}, 1, 1, 1, 2, 1));
        SparseTensor z = inv.apply(y);
        assertArrayEquals(row().indices().toIntArray(), z.indices().toIntArray(), "inverse restores the sites");
        assertArrayEquals(new int[] {1, 1, 4}, z.spatialShape());
        // x=0 tap 0 of out0: 21; x=1 tap 1 of out0: 42; x=3 tap 1 of out1: 80
        assertArrayEquals(new float[] {21, 42, 80}, z.features().data().toFloatArray());
    }

    @Test
    void stridedOutputSizeFollowsTheConvFormula() {
        // OpenPCDet's grid: (41, 1600, 1408) -> k3 s2 p1 -> (21, 800, 704) -> (11, 400, 352) -> p(0,1,1) (5, 200, 176)
        int[] s = {41, 1600, 1408};
        s = Rulebook.convOutputShape("t", s, fill(3, 3), fill(3, 2), fill(3, 1), fill(3, 1));
        assertArrayEquals(new int[] {21, 800, 704}, s);
        s = Rulebook.convOutputShape("t", s, fill(3, 3), fill(3, 2), fill(3, 1), fill(3, 1));
        assertArrayEquals(new int[] {11, 400, 352}, s);
        s = Rulebook.convOutputShape("t", s, fill(3, 3), fill(3, 2), new int[] {0, 1, 1}, fill(3, 1));
        assertArrayEquals(new int[] {5, 200, 176}, s);
        s = Rulebook.convOutputShape("t", s, new int[] {3, 1, 1}, new int[] {2, 1, 1}, fill(3, 0), fill(3, 1));
        assertArrayEquals(new int[] {2, 200, 176}, s);
    }

    // ------------------------------------------------------------------ properties: 3-d

    @Property(tries = 40)
    void submanifoldEqualsDenseAtActiveSites(@ForAll long seed, @ForAll @IntRange(min = 0, max = 2) int kz, @ForAll @IntRange(min = 0, max = 2) int ky,
                                            @ForAll @IntRange(min = 0, max = 1) int kx, @ForAll @IntRange(min = 1, max = 2) int dil,
                                            @ForAll boolean bias) {
        Generator g = new Generator(seed);
        int[] shape = {1 + (int) g.nextLong(5), 1 + (int) g.nextLong(6), 1 + (int) g.nextLong(6)};
        int[] k = {2 * kz + 1, 2 * ky + 1, 2 * kx + 1};
        int[] d = {dil, 1, dil};
        int cin = 1 + (int) g.nextLong(4), cout = 1 + (int) g.nextLong(4), batch = 1 + (int) g.nextLong(2);
        Tensor ind = randomIndices(g, batch, shape, 0.1 + 0.5 * g.nextDouble());
        SparseTensor x = SparseTensor.of(dyadic(g, DType.FLOAT32, ind.size(0), cin), ind, shape, batch);
        SubMConv3d conv = new SubMConv3d(cin, cout, k, d, bias, "s", new Generator(seed));
        conv.weight().data().copy_(dyadic(g, DType.FLOAT32, conv.weight().shape()));
        SparseTensor y = conv.apply(x);
        int[] pad = new int[3];
        for (int i = 0; i < 3; i++) pad[i] = (k[i] - 1) / 2 * d[i];
        Tensor dense = F.conv3d(x.dense().data(), krscToTorch(conv.weight().data()), bias ? conv.bias().data() : null, fill(3, 1), pad, d, 1);
        assertArrayEquals(x.indices().toIntArray(), y.indices().toIntArray());
        assertFeaturesAtSites(y, dense, bias ? 1e-5 : 0);
    }

    @Property(tries = 40)
    void stridedEqualsDenseEverywhere(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int k0, @ForAll @IntRange(min = 1, max = 3) int k2,
                                      @ForAll @IntRange(min = 1, max = 3) int s0, @ForAll @IntRange(min = 1, max = 2) int s2,
                                      @ForAll @IntRange(min = 0, max = 2) int p0, @ForAll @IntRange(min = 1, max = 2) int dil) {
        Generator g = new Generator(seed);
        int[] shape = {1 + (int) g.nextLong(6), 1 + (int) g.nextLong(5), 1 + (int) g.nextLong(7)};
        int[] k = {k0, 2, k2}, s = {s0, 2, s2}, p = {p0, 1, 0}, d = {dil, 1, 1};
        boolean nonEmpty = true;
        for (int i = 0; i < 3; i++) nonEmpty &= shape[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1 >= 0;
        Assume.that(nonEmpty);
        Assume.that(p[0] <= (k[0] - 1) * d[0] / 2 + 1);
        int cin = 1 + (int) g.nextLong(4), cout = 1 + (int) g.nextLong(4), batch = 1 + (int) g.nextLong(2);
        Tensor ind = randomIndices(g, batch, shape, 0.05 + 0.4 * g.nextDouble());
        SparseTensor x = SparseTensor.of(dyadic(g, DType.FLOAT32, ind.size(0), cin), ind, shape, batch);
        SparseConv3d conv = new SparseConv3d(cin, cout, k, s, p, d, false, "down", new Generator(seed));
        conv.weight().data().copy_(dyadic(g, DType.FLOAT32, conv.weight().shape()));
        SparseTensor y = conv.apply(x);
        Tensor dense = F.conv3d(x.dense().data(), krscToTorch(conv.weight().data()), null, s, p, d, 1);
        assertArrayEquals(dense.shape(), y.dense().shape(), "output grid");
        assertArrayEquals(dense.toFloatArray(), y.dense().data().toFloatArray(), "dense values (zero off the output sites)");
        // spconv's rule: an output site exists iff its receptive field holds an active input
        Tensor occ = F.conv3d(SparseTensor.of(Tensor.ones(x.numActive(), 1), ind, shape, batch).dense().data(),
                Tensor.ones(1, 1, k[0], k[1], k[2]), null, s, p, d, 1);
        Set<String> expected = new HashSet<>(), actual = new HashSet<>();
        int[] os = y.spatialShape();
        for (int b = 0; b < batch; b++)
            for (int z = 0; z < os[0]; z++)
                for (int yy = 0; yy < os[1]; yy++)
                    for (int xx = 0; xx < os[2]; xx++)
                        if (occ.getDouble(b, 0, z, yy, xx) > 0) expected.add(b + "," + z + "," + yy + "," + xx);
        int[] oi = y.indicesArray();
        for (int i = 0; i < y.numActive(); i++) actual.add(oi[i * 4] + "," + oi[i * 4 + 1] + "," + oi[i * 4 + 2] + "," + oi[i * 4 + 3]);
        assertEquals(expected, actual);
        assertEquals(y.numActive(), actual.size(), "output sites are unique");
        // and sorted by (batch, z, y, x), so the layout is deterministic
        for (int i = 1; i < y.numActive(); i++) assertTrue(Arrays.compare(oi, (i - 1) * 4, i * 4, oi, i * 4, (i + 1) * 4) < 0);
    }

    @Property(tries = 30)
    void inverseEqualsTransposedConvAtTheOriginalSites(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int k0,
                                                       @ForAll @IntRange(min = 1, max = 3) int st, @ForAll @IntRange(min = 0, max = 1) int p0,
                                                       @ForAll boolean bias) {
        Generator g = new Generator(seed);
        int[] shape = {2 + (int) g.nextLong(5), 2 + (int) g.nextLong(5), 2 + (int) g.nextLong(5)};
        int[] k = {k0, 3, 2}, s = {st, 2, 2}, p = {p0, 1, 0}, d = fill(3, 1);
        Assume.that(shape[0] + 2 * p0 - (k0 - 1) - 1 >= 0);
        int cin = 1 + (int) g.nextLong(3), mid = 1 + (int) g.nextLong(3), cout = 1 + (int) g.nextLong(3), batch = 1 + (int) g.nextLong(2);
        Tensor ind = randomIndices(g, batch, shape, 0.1 + 0.4 * g.nextDouble());
        SparseTensor x = SparseTensor.of(dyadic(g, DType.FLOAT32, ind.size(0), cin), ind, shape, batch);
        SparseConv3d down = new SparseConv3d(cin, mid, k, s, p, d, false, "k", new Generator(seed));
        down.weight().data().copy_(dyadic(g, DType.FLOAT32, down.weight().shape()));
        SparseInverseConv3d up = new SparseInverseConv3d(mid, cout, k, bias, "k", new Generator(seed + 1));
        up.weight().data().copy_(dyadic(g, DType.FLOAT32, up.weight().shape()));
        SparseTensor y = down.apply(x);
        SparseTensor z = up.apply(y);
        assertArrayEquals(x.indices().toIntArray(), z.indices().toIntArray(), "inverse conv restores the input sites in order");
        assertArrayEquals(shape, z.spatialShape());
        int[] os = y.spatialShape(), op = new int[3];
        for (int i = 0; i < 3; i++) op[i] = shape[i] - ((os[i] - 1) * s[i] - 2 * p[i] + (k[i] - 1) + 1);
        Tensor dense = F.convTranspose3d(y.dense().data(), krscToTorchTransposed(up.weight().data()), bias ? up.bias().data() : null, s, p, op, 1, d);
        assertArrayEquals(new int[] {batch, cout, shape[0], shape[1], shape[2]}, dense.shape());
        assertFeaturesAtSites(z, dense, bias ? 1e-5 : 0);
    }

    // ------------------------------------------------------------------ properties: 2-d

    @Property(tries = 25)
    void twoDimensionalVariantsEqualDense(@ForAll long seed, @ForAll @IntRange(min = 0, max = 2) int kh, @ForAll @IntRange(min = 1, max = 3) int ks,
                                          @ForAll @IntRange(min = 1, max = 2) int st) {
        Generator g = new Generator(seed);
        int[] shape = {3 + (int) g.nextLong(6), 3 + (int) g.nextLong(6)};
        int cin = 1 + (int) g.nextLong(3), cout = 1 + (int) g.nextLong(3);
        Tensor ind = randomIndices(g, 2, shape, 0.3);
        SparseTensor x = SparseTensor.of(dyadic(g, DType.FLOAT32, ind.size(0), cin), ind, shape, 2);
        SubMConv2d subm = new SubMConv2d(cin, cout, new int[] {2 * kh + 1, 3}, null, false, "s2", new Generator(seed));
        subm.weight().data().copy_(dyadic(g, DType.FLOAT32, subm.weight().shape()));
        Tensor denseS = F.conv2d(x.dense().data(), krscToTorch(subm.weight().data()), null, fill(2, 1), new int[] {kh, 1}, fill(2, 1), 1);
        assertFeaturesAtSites(subm.apply(x), denseS, 0);
        SparseConv2d conv = new SparseConv2d(cin, cout, new int[] {ks, ks}, new int[] {st, st}, new int[] {ks / 2, 0}, null, false, "d2", new Generator(seed));
        conv.weight().data().copy_(dyadic(g, DType.FLOAT32, conv.weight().shape()));
        Tensor denseC = F.conv2d(x.dense().data(), krscToTorch(conv.weight().data()), null, new int[] {st, st}, new int[] {ks / 2, 0}, fill(2, 1), 1);
        assertArrayEquals(denseC.toFloatArray(), conv.apply(x).dense().data().toFloatArray());
    }
}
