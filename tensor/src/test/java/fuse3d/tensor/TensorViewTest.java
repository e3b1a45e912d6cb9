package fuse3d.tensor;

import static fuse3d.tensor.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Views share storage and copy nothing; a view must read exactly like the copy PyTorch would produce. */
class TensorViewTest {
    private static Tensor iota(int... shape) {
        return Tensor.arange(0, Shape.numel(shape), 1, DType.FLOAT32).reshape(shape);
    }

    @Test
    void transposeIsAViewWithSwappedStrides() {
        Tensor x = iota(2, 3);
        Tensor t = x.t();
        assertSame(x.storage(), t.storage());
        assertArrayEquals(new int[] {3, 2}, t.shape());
        assertArrayEquals(new int[] {1, 3}, t.strides());
        assertFalse(t.isContiguous());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, t.contiguous().toFloatArray());
    }

    @Test
    void reshapeOfTransposedCopiesAndViewRefuses() {
        Tensor t = iota(2, 3).t();
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, t.reshape(6).toFloatArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.view(6));
        assertTrue(e.getMessage().startsWith("view: shape [6]"), e.getMessage());
    }

    @Test
    void viewSplitsAndMergesCompatibleDims() {
        Tensor x = iota(4, 6).narrow(1, 0, 6); // contiguous
        Tensor v = x.view(2, 2, 3, 2);
        assertSame(x.storage(), v.storage());
        assertEquals(17f, v.getFloat(1, 0, 2, 1));
        Tensor p = iota(2, 3, 4).permute(1, 0, 2); // [3,2,4], last dim still contiguous
        Tensor q = p.view(3, 2, 2, 2);
        assertSame(p.storage(), q.storage());
        assertClose(q.contiguous(), p.contiguous().reshape(3, 2, 2, 2));
    }

    @Test
    void sliceSelectNarrowExpandSqueeze() {
        Tensor x = iota(4, 5);
        assertArrayEquals(new float[] {6, 8}, x.slice(1, 1, 4, 2).select(0, 1).toFloatArray());
        assertArrayEquals(new float[] {15, 16}, x.slice(0, -1, 100, 1).narrow(1, 0, 2).toFloatArray());
        Tensor e = Tensor.vector(1, 2, 3).unsqueeze(1).expand(3, 4);
        assertArrayEquals(new int[] {1, 0}, e.strides());
        assertEquals(3f, e.getFloat(2, 3));
        assertArrayEquals(new int[] {3}, iota(1, 3, 1).squeeze().shape());
        assertArrayEquals(new int[] {3, 1}, iota(1, 3, 1).squeeze(0).shape());
        assertArrayEquals(new int[] {2, 12}, iota(2, 3, 4).flatten(1, 2).shape());
        assertArrayEquals(new int[] {3, 2, 4}, iota(2, 3, 4).movedim(1, 0).shape());
    }

    @Test
    void writesThroughViewsReachTheBase() {
        Tensor x = Tensor.zeros(3, 4);
        x.narrow(1, 1, 2).fill_(7);
        x.select(0, 2).copy_(Tensor.vector(1, 2, 3, 4));
        assertArrayEquals(new float[] {0, 7, 7, 0, 0, 7, 7, 0, 1, 2, 3, 4}, x.toFloatArray());
    }

    @Test
    void badViewsNameOpAndShapes() {
        Tensor x = iota(2, 3);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> x.reshape(4, -1)).getMessage().contains("reshape: shape [4, -1] is invalid for input of shape [2, 3]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> x.expand(3, 3)).getMessage().startsWith("expand: shape [2, 3]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> x.permute(0, 0)).getMessage().startsWith("permute"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> x.narrow(1, 2, 2)).getMessage().startsWith("narrow"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> x.sum(2)).getMessage().contains("dim 2 out of range"));
    }

    @Provide
    Arbitrary<int[]> shapes() {
        return Arbitraries.integers().between(1, 5).array(int[].class).ofMinSize(1).ofMaxSize(4);
    }

    /** Any permutation followed by contiguous() equals element-by-element reading through the view. */
    @Property(tries = 80)
    void permutedViewReadsLikeItsCopy(@ForAll("shapes") int[] shape, @ForAll long seed) {
        Generator g = new Generator(seed);
        Tensor x = g.normal(0, 1, shape);
        int[] order = g.randperm(shape.length).toIntArray();
        Tensor v = x.permute(order);
        Tensor c = v.contiguous();
        int[] idx = new int[shape.length];
        for (int flat = 0; flat < c.numel(); flat++) {
            int rem = flat;
            for (int d = shape.length - 1; d >= 0; d--) {
                idx[d] = rem % v.shape()[d];
                rem /= v.shape()[d];
            }
            int[] src = new int[shape.length];
            for (int d = 0; d < shape.length; d++) src[order[d]] = idx[d];
            assertEquals(x.getDouble(src), c.getDouble(idx));
            assertEquals(x.getDouble(src), v.getDouble(idx));
        }
    }

    /** reshape of any view equals reshape of its contiguous copy; a view is returned whenever one exists. */
    @Property(tries = 80)
    void reshapeAgreesWithCopy(@ForAll("shapes") int[] shape, @ForAll long seed, @ForAll @IntRange(min = 0, max = 3) int split) {
        Generator g = new Generator(seed);
        Tensor x = g.normal(0, 1, shape);
        Tensor v = x.permute(g.randperm(shape.length).toIntArray());
        int n = v.numel();
        int[] target = n % 2 == 0 && split > 0 ? new int[] {2, -1} : new int[] {-1};
        Tensor r = v.reshape(target);
        assertClose(r, v.contiguous().reshape(target), 0, 0);
        if (v.isContiguous()) assertSame(v.storage(), r.storage());
    }

    /** Broadcasting: a op b == expand(a) op expand(b), and the result shape is symmetric. */
    @Property(tries = 80)
    void broadcastEqualsExplicitExpand(@ForAll("shapes") int[] shape, @ForAll long seed) {
        Generator g = new Generator(seed);
        int[] other = shape.clone();
        for (int i = 0; i < other.length; i++) if (g.nextLong(2) == 0) other[i] = 1;
        int drop = (int) g.nextLong(other.length);
        other = java.util.Arrays.copyOfRange(other, drop, other.length);
        Tensor a = g.normal(0, 1, shape), b = g.normal(0, 1, other);
        Tensor sum = a.add(b);
        assertArrayEquals(Shape.broadcast("t", shape, other), Shape.broadcast("t", other, shape));
        assertClose(sum, a.contiguous().add(b.expand(shape).contiguous()), 0, 0);
        assertClose(sum, b.add(a), 0, 0);
    }

    @Test
    void chunkOfEmptyDimGivesNEmptyChunks() {
        // torch 1.13: torch.chunk(zeros(0), 3) and torch.chunk(zeros(2, 0), 3, 1) give 3 empty chunks
        java.util.List<Tensor> c = Tensor.zeros(0).chunk(3, 0);
        assertEquals(3, c.size());
        for (Tensor t : c) assertArrayEquals(new int[] {0}, t.shape());
        java.util.List<Tensor> d = Tensor.zeros(2, 0).chunk(3, 1);
        assertEquals(3, d.size());
        for (Tensor t : d) assertArrayEquals(new int[] {2, 0}, t.shape());
        // non-empty: ceil(size / n) per chunk, possibly fewer chunks (torch.chunk(arange(5), 4) -> 2, 2, 1)
        assertEquals(3, Tensor.arange(5).chunk(4, 0).size());
    }

    @Test
    void emptyViewPastStorageEndReadsAsEmpty() {
        // torch 1.13: torch.zeros(3, 0)[2].tolist() == []; the view's offset (2) lies past the empty storage
        Tensor e = Tensor.zeros(3, 0).select(0, 2);
        assertEquals(0, e.toFloatArray().length);
        assertEquals(0, e.toLongArray().length);
        assertEquals(0, Tensor.zeros(2, 3, 0).slice(1, 2, 3, 1).toDoubleArray().length);
    }

    @Test
    void transposeOfZeroDimIsItself() {
        // torch 1.13: torch.tensor(3.).transpose(0, -1) -> tensor(3.)
        Tensor s = Tensor.scalar(3);
        assertArrayEquals(new int[0], s.transpose(0, -1).shape());
        assertEquals(3.0, s.transpose(0, 0).item());
        assertThrows(IllegalArgumentException.class, () -> s.transpose(0, 1));
    }

    @Test
    void integerArangeTruncatesItsArgumentsFirst() {
        // torch 1.13: arange(0, 4.5, 1.5, dtype=int64) = [0, 1, 2, 3]; arange(2.7, 6, 1, dtype=int64) = [2, 3, 4, 5];
        // arange(-0.5, 2, 1.5, dtype=int64) = [0, 1]; arange(0, 2, 0.5, dtype=int64) raises "step must be nonzero";
        // float32 keeps the fractions: arange(0, 4.5, 1.5) = [0, 1.5, 3]
        assertArrayEquals(new long[] {0, 1, 2, 3}, Tensor.arange(0, 4.5, 1.5, DType.INT64).toLongArray());
        assertArrayEquals(new long[] {2, 3, 4, 5}, Tensor.arange(2.7, 6, 1, DType.INT64).toLongArray());
        assertArrayEquals(new int[] {0, 1}, Tensor.arange(-0.5, 2, 1.5, DType.INT32).toIntArray());
        assertThrows(IllegalArgumentException.class, () -> Tensor.arange(0, 2, 0.5, DType.INT64));
        assertArrayEquals(new float[] {0, 1.5f, 3}, Tensor.arange(0, 4.5, 1.5, DType.FLOAT32).toFloatArray());
    }
}
