package fuse3d.tensor;

import static fuse3d.tensor.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** Gather/scatter family, advanced indexing and joins, against naive loops and hand cases. */
class IndexingTest {
    @Test
    void handCases() {
        Tensor x = Tensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new float[] {3, 1, 6, 4}, x.indexSelect(1, Tensor.ofLongs(new long[] {2, 0}, 2)).toFloatArray());
        assertArrayEquals(new float[] {2, 2, 6, 4}, x.gather(1, Tensor.ofLongs(new long[] {1, 1, 2, 0}, 2, 2)).toFloatArray());
        Tensor sa = Tensor.zeros(3).scatterAdd(0, Tensor.ofLongs(new long[] {0, 2, 0, 2}, 4), Tensor.vector(1, 2, 3, 4));
        assertArrayEquals(new float[] {4, 0, 6}, sa.toFloatArray());
        assertArrayEquals(new long[] {1, 3}, Tensor.vector(0, 5, 0, 7).ne(0).nonzero().toLongArray());
        assertArrayEquals(new float[] {5, 7}, Tensor.vector(0, 5, 0, 7).maskedSelect(Tensor.vector(0, 5, 0, 7).gt(0)).toFloatArray());
        Tensor ip = Tensor.zeros(2, 2).indexPut(new Tensor[] {Tensor.ofLongs(new long[] {1, 1}, 2), Tensor.ofLongs(new long[] {0, 0}, 2)}, Tensor.vector(1, 2), true);
        assertArrayEquals(new float[] {0, 0, 3, 0}, ip.toFloatArray());
        Tensor masked = Tensor.zeros(3, 2).indexPut(new Tensor[] {Tensor.vector(1, 0, 1).gt(0)}, Tensor.scalar(5), false);
        assertArrayEquals(new float[] {5, 5, 0, 0, 5, 5}, masked.toFloatArray());
    }

    @Test
    void scatterMaxFollowsTorchScatter() {
        Tensor src = Tensor.vector(1, 5, 2, 5, -1);
        Tensor idx = Tensor.ofLongs(new long[] {0, 0, 2, 0, 2}, 5);
        Tensor.ValuesIndices r = Tensor.scatterMax(src, 0, idx, 4);
        assertArrayEquals(new float[] {5, 0, 2, 0}, r.values().toFloatArray());
        assertArrayEquals(new long[] {1, 5, 2, 5}, r.indices().toLongArray()); // empty slots: src.size(dim)
    }

    @Test
    void scatterReduceMeanAndExcludeSelf() {
        Tensor base = Tensor.vector(10, 10, 10);
        Tensor idx = Tensor.ofLongs(new long[] {0, 0, 1}, 3);
        Tensor src = Tensor.vector(2, 4, 6);
        assertArrayEquals(new float[] {3, 6, 10}, base.scatterReduce(0, idx, src, "mean", false).toFloatArray());
        assertArrayEquals(new float[] {16f / 3, 8, 10}, base.scatterReduce(0, idx, src, "mean", true).toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {4, 6, 10}, base.scatterReduce(0, idx, src, "amax", false).toFloatArray());
        assertArrayEquals(new float[] {10, 10, 10}, base.scatterReduce(0, idx, src, "amax", true).toFloatArray());
    }

    @Test
    void joinsAndSplits() {
        Tensor a = Tensor.ones(2, 3), b = Tensor.zeros(2, 1);
        Tensor c = Tensor.cat(1, a, b);
        assertArrayEquals(new int[] {2, 4}, c.shape());
        assertArrayEquals(new int[] {2, 2, 3}, Tensor.stack(0, a, a).shape());
        List<Tensor> parts = Tensor.arange(7).split(3, 0);
        assertEquals(3, parts.size());
        assertArrayEquals(new long[] {6}, parts.get(2).toLongArray());
        assertEquals(3, Tensor.arange(7).chunk(3, 0).size());
        assertEquals(2, Tensor.arange(4).chunk(3, 0).size()); // ceil(4/3)=2 per chunk: 2 chunks, as torch
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.cat(0, a, Tensor.zeros(2, 2)));
        assertTrue(e.getMessage().startsWith("cat: sizes must match except in dim 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> a.gather(1, Tensor.ofLongs(new long[] {0}, 1)));
        assertTrue(e.getMessage().startsWith("gather: index of shape [1]"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> a.indexSelect(1, Tensor.ofLongs(new long[] {3}, 1)));
    }

    /** gather equals the defining loop out[i][j] = x[i][index[i][j]] (dim 1) or x[index[i][j]][j] (dim 0). */
    @Property(tries = 60)
    void gatherMatchesDefinition(@ForAll long seed) {
        Generator g = new Generator(seed);
        int r = 1 + (int) g.nextLong(5), c = 1 + (int) g.nextLong(5);
        Tensor x = g.normal(0, 1, r, c);
        int dim = (int) g.nextLong(2);
        int[] is = {1 + (int) g.nextLong(r), 1 + (int) g.nextLong(c)};
        Tensor idx = g.randint(0, dim == 0 ? r : c, is);
        Tensor out = x.gather(dim, idx);
        for (int i = 0; i < is[0]; i++)
            for (int j = 0; j < is[1]; j++) {
                int k = (int) idx.getLong(i, j);
                assertEquals(dim == 0 ? x.getFloat(k, j) : x.getFloat(i, k), out.getFloat(i, j));
            }
    }

    /** scatter_add then gather: sums per target equal a loop; total mass is conserved. */
    @Property(tries = 60)
    void scatterAddConservesMass(@ForAll long seed) {
        Generator g = new Generator(seed);
        int n = 1 + (int) g.nextLong(20), bins = 1 + (int) g.nextLong(6);
        Tensor src = g.randint(-8, 8, n).toFloat();
        Tensor idx = g.randint(0, bins, n);
        Tensor out = Tensor.zeros(bins).scatterAdd(0, idx, src);
        float[] expect = new float[bins];
        for (int i = 0; i < n; i++) expect[(int) idx.getLong(i)] += src.getFloat(i);
        assertArrayEquals(expect, out.toFloatArray());
        assertEquals(src.sum().item(), out.sum().item(), 0);
    }

    /** cat of a split gives back the tensor; split pieces are views. */
    @Property(tries = 40)
    void splitThenCatIsIdentity(@ForAll long seed) {
        Generator g = new Generator(seed);
        Tensor x = g.normal(0, 1, 3, 1 + (int) g.nextLong(9), 2);
        List<Tensor> parts = x.split(1 + (int) g.nextLong(4), 1);
        assertClose(Tensor.cat(1, parts.toArray(new Tensor[0])), x, 0, 0);
        assertTrue(parts.stream().allMatch(p -> p.storage() == x.storage()));
    }

    /** nonzero lists exactly the true positions in row-major order, and masked_select agrees with it. */
    @Property(tries = 40)
    void nonzeroAgreesWithMaskedSelect(@ForAll long seed) {
        Generator g = new Generator(seed);
        Tensor x = g.normal(0, 1, 3, 4, 2);
        Tensor m = x.gt(0.3);
        Tensor nz = m.nonzero();
        Tensor sel = x.maskedSelect(m);
        assertEquals(sel.numel(), nz.size(0));
        for (int i = 0; i < nz.size(0); i++)
            assertEquals(sel.getFloat(i), x.getFloat((int) nz.getLong(i, 0), (int) nz.getLong(i, 1), (int) nz.getLong(i, 2)));
    }

    @Test
    void scatterReduceAmaxAminOnInt32WithoutSelf() {
        // torch 1.13: tensor([5, 6], int32).scatter_reduce(0, [0, 0], tensor([-1, -2], int32), 'amax',
        // include_self=False) = [-1, 6]; with 'amin' and src [3, 4]: [3, 6]
        Tensor x = Tensor.ofInts(new int[] {5, 6}, 2), idx = Tensor.ofLongs(new long[] {0, 0}, 2);
        assertArrayEquals(new int[] {-1, 6}, x.scatterReduce(0, idx, Tensor.ofInts(new int[] {-1, -2}, 2), "amax", false).toIntArray());
        assertArrayEquals(new int[] {3, 6}, x.scatterReduce(0, idx, Tensor.ofInts(new int[] {3, 4}, 2), "amin", false).toIntArray());
    }

    @Test
    void catOfOnlyEmptyVectorsPromotes() {
        // torch 1.13: torch.cat([zeros(0, dtype=int64), zeros(0)]).dtype == float32
        Tensor c = Tensor.cat(0, Tensor.zeros(DType.INT64, 0), Tensor.zeros(0));
        assertEquals(DType.FLOAT32, c.dtype());
        assertArrayEquals(new int[] {0}, c.shape());
    }

    /** torch.gather, scatter and index_select refuse negative indices; index_put counts them from the end. */
    @Test
    void negativeIndicesOnlyWhereTorchAllowsThem() {
        Tensor x = Tensor.vector(1, 2, 3);
        Tensor neg = Tensor.ofLongs(new long[] {-1}, 1);
        assertThrows(IndexOutOfBoundsException.class, () -> x.gather(0, neg));
        assertThrows(IndexOutOfBoundsException.class, () -> x.indexSelect(0, neg));
        assertThrows(IndexOutOfBoundsException.class, () -> x.scatterAdd(0, neg, Tensor.vector(1)));
        assertArrayEquals(new float[] {1, 2, 9}, x.indexPut(new Tensor[] {neg}, Tensor.scalar(9), false).toFloatArray());
    }
}
