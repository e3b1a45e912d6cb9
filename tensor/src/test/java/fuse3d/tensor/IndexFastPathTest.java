package fuse3d.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The block-copy paths of index_select / index_add and the typed max/min-with-index loop give bit-identical
 * results to the strided (view) paths they shortcut: PyTorch's torch.index_select / torch.index_add / torch.max(dim).
 */
class IndexFastPathTest {
    @Test
    void indexAddHandCases() {
        Tensor x = Tensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        // torch.index_add(x, 0, [2, 0, 2], [[1,1],[10,10],[100,100]]) = [[11,12],[3,4],[106,107]]
        Tensor y = x.indexAdd(0, Tensor.ofLongs(new long[] {2, 0, 2}, 3), Tensor.ofFloats(new float[] {1, 1, 10, 10, 100, 100}, 3, 2));
        assertArrayEquals(new float[] {11, 12, 3, 4, 106, 107}, y.toFloatArray());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, x.toFloatArray(), "index_add is out of place");
        // along dim 1: torch.index_add(x, 1, [1, 1], ones(3, 2)) adds 2 to column 1
        Tensor z = x.indexAdd(1, Tensor.ofInts(new int[] {1, 1}, 2), Tensor.ones(3, 2));
        assertArrayEquals(new float[] {1, 4, 3, 6, 5, 8}, z.toFloatArray());
        // scatter_reduce(sum, include_self=False) starts the written positions from 0, not from x (the row path must not apply)
        Tensor r = Tensor.vector(1, 2, 3).scatterReduce(0, Tensor.ofLongs(new long[] {0, 0}, 2), Tensor.vector(5, 6), "sum", false);
        assertArrayEquals(new float[] {11, 2, 3}, r.toFloatArray());
        Tensor l = Tensor.ofLongs(new long[] {1, 2, 3}, 3).indexAdd(0, Tensor.ofLongs(new long[] {0, 0}, 2), Tensor.ofLongs(new long[] {5, 6}, 2));
        assertArrayEquals(new long[] {12, 2, 3}, l.toLongArray(), "integer tensors take the scatter path");
    }

    @Test
    void indexAddRefusesBadInput() {
        Tensor x = Tensor.zeros(3, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> x.indexAdd(0, Tensor.ofLongs(new long[] {0, 1}, 2), Tensor.zeros(3, 2)));
        assertEquals("index_add: source of shape [3, 2] does not match input [3, 2] with 2 indices along dim 0 (expected [2, 2])", e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> x.indexAdd(0, Tensor.ofLongs(new long[] {3}, 1), Tensor.zeros(1, 2)));
        assertThrows(IndexOutOfBoundsException.class, () -> x.indexAdd(0, Tensor.ofLongs(new long[] {-1}, 1), Tensor.zeros(1, 2)));
    }

    /** index_select on a contiguous tensor equals index_select on a non-contiguous copy (the per-slice path). */
    @Property(tries = 60)
    void indexSelectBlockCopyMatchesStridedPath(@ForAll long seed) {
        Generator g = new Generator(seed);
        int a = 1 + (int) g.nextLong(5), b = 1 + (int) g.nextLong(6), c = 1 + (int) g.nextLong(4);
        int dim = (int) g.nextLong(3);
        int[] s = {a, b, c};
        Tensor x = g.normal(0, 1, s);
        Tensor strided = x.transpose(0, 2).contiguous().transpose(0, 2); // same values, not contiguous
        Tensor idx = g.randint(0, s[dim], 1 + (int) g.nextLong(7));
        assertArrayEquals(strided.indexSelect(dim, idx).toFloatArray(), x.indexSelect(dim, idx).toFloatArray());
        Tensor xl = x.mul(100).to(DType.INT64);
        assertArrayEquals(xl.transpose(0, 2).contiguous().transpose(0, 2).indexSelect(dim, idx).toLongArray(), xl.indexSelect(dim, idx).toLongArray());
    }

    /** index_add equals scatter_add over the index broadcast along dim, bit for bit (same summation order). */
    @Property(tries = 60)
    void indexAddMatchesScatterAdd(@ForAll long seed) {
        Generator g = new Generator(seed);
        int a = 1 + (int) g.nextLong(4), b = 1 + (int) g.nextLong(5), c = 1 + (int) g.nextLong(4);
        int dim = (int) g.nextLong(3);
        int[] s = {a, b, c};
        int n = 1 + (int) g.nextLong(9);
        Tensor idx = g.randint(0, s[dim], n);
        int[] ss = s.clone();
        ss[dim] = n;
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = g.normal(dt, 0, 1, s), src = g.normal(dt, 0, 1, ss);
            int[] along = {1, 1, 1};
            along[dim] = n;
            Tensor expected = x.scatterAdd(dim, idx.reshape(along).expand(ss), src);
            Tensor actual = x.indexAdd(dim, idx, src.transpose(0, 2).contiguous().transpose(0, 2));
            assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray());
        }
    }

    /**
     * scatter_add with index and src shaped as the input except along dim (the row path) equals the general
     * strided path, which the same scatter into a wider input (then narrowed back) takes.
     */
    @Property(tries = 60)
    void scatterAddRowPathMatchesGeneralPath(@ForAll long seed) {
        Generator g = new Generator(seed);
        int[] s = {1 + (int) g.nextLong(4), 1 + (int) g.nextLong(5), 1 + (int) g.nextLong(4)};
        int dim = (int) g.nextLong(3), other = (dim + 1) % 3;
        int[] is = s.clone();
        is[dim] = 1 + (int) g.nextLong(7);
        Tensor idx = g.randint(0, s[dim], is);
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = g.normal(dt, 0, 1, s), src = g.normal(dt, 0, 1, is);
            int[] ws = s.clone();
            ws[other] += 2;
            Tensor wide = Tensor.cat(other, x, Tensor.zeros(dt, ws).narrow(other, 0, 2));
            Tensor general = wide.scatterAdd(dim, idx, src).narrow(other, 0, s[other]);
            assertArrayEquals(general.toDoubleArray(), x.scatterAdd(dim, idx, src).toDoubleArray());
            Tensor strided = src.transpose(0, 2).contiguous().transpose(0, 2);
            assertArrayEquals(general.toDoubleArray(), x.scatterAdd(dim, idx, strided).toDoubleArray());
        }
    }

    /** max/min with index over a float32 dim equals the float64 loop's answer, NaN and ties included. */
    @Property(tries = 40)
    void typedExtremeMatchesDoubleLoop(@ForAll long seed) {
        Generator g = new Generator(seed);
        int a = 1 + (int) g.nextLong(4), b = 1 + (int) g.nextLong(6), c = 1 + (int) g.nextLong(5);
        Tensor x = g.randint(-3, 4, a, b, c).to(DType.FLOAT32); // small integers: many ties
        if (g.nextLong(2) == 0) x = Tensor.where(x.ne(3), x, Tensor.scalar(Double.NaN));
        int dim = (int) g.nextLong(3);
        for (boolean max : new boolean[] {true, false}) {
            Tensor.ValuesIndices f = max ? x.max(dim, false) : x.min(dim, false);
            Tensor.ValuesIndices d = max ? x.to(DType.FLOAT64).max(dim, false) : x.to(DType.FLOAT64).min(dim, false);
            assertArrayEquals(d.values().toDoubleArray(), f.values().toDoubleArray());
            assertArrayEquals(d.indices().toLongArray(), f.indices().toLongArray());
        }
    }
}
