package fuse3d.nn;

import static fuse3d.tensor.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** GroupNorm and Embedding: values, padding_idx, state dicts and float64 gradchecks. */
class NormEmbeddingTest {

    @Test
    void groupNormNormalisesEachGroupOfChannels() {
        GroupNorm gn = new GroupNorm(2, 4);
        // group 0 = channels 0, 1 = values 0..7 (mean 3.5, biased var 5.25); group 1 = 8..15, the same after centring
        Tensor x = Tensor.arange(0, 16, 1, DType.FLOAT32).reshape(1, 4, 2, 2);
        Tensor y = gn.apply(Var.of(x)).data();
        float[] e = new float[16];
        for (int i = 0; i < 16; i++) e[i] = (float) (((i % 8) - 3.5) / Math.sqrt(5.25 + 1e-5));
        assertClose(y, Tensor.of(e, 1, 4, 2, 2)); // PyTorch: -1.5275238, -1.0910884, ...
        assertEquals(List.of("weight", "bias"), new ArrayList<>(gn.stateDict().keySet()));
        assertThrows(IllegalArgumentException.class, () -> new GroupNorm(3, 4));
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> gn.apply(Var.of(Tensor.zeros(1, 6, 2))));
        assertTrue(e2.getMessage().startsWith("GroupNorm(2, 4") && e2.getMessage().contains("[1, 6, 2]"), e2.getMessage());
    }

    @Test
    void groupNormPassesGradcheck() {
        GroupNorm gn = new GroupNorm(2, 6);
        gn.to(DType.FLOAT64);
        gn.weight().data().copy_(new Generator(1).normal(DType.FLOAT64, 1, 0.5, 6));
        gn.bias().data().copy_(new Generator(2).normal(DType.FLOAT64, 0, 0.5, 6));
        Var x = GradCheck.input(3, 2, 6, 3);
        List<Var> leaves = new ArrayList<>(List.of(x));
        leaves.addAll(gn.parameters());
        GradCheck.check("GroupNorm", () -> gn.apply(x), leaves);
    }

    @Test
    void embeddingLooksUpRowsForAnyIndexShape() {
        Embedding emb = new Embedding(5, 3, new Generator(4));
        Tensor idx = Tensor.ofLongs(new long[] {4, 0, 4, 2, 1, 1}, 2, 3);
        Tensor y = emb.apply(idx).data();
        assertArrayEquals(new int[] {2, 3, 3}, y.shape());
        Tensor w = emb.weight().data();
        assertClose(y.select(0, 0).select(0, 2), w.select(0, 4), 0, 0);
        assertClose(y.select(0, 1).select(0, 0), w.select(0, 2), 0, 0);
        assertEquals(List.of("weight"), new ArrayList<>(emb.stateDict().keySet()));
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> emb.apply(Tensor.ofLongs(new long[] {5}, 1)));
        assertTrue(e.getMessage().contains("5 embeddings"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> emb.apply(Tensor.ones(2)));
    }

    @Test
    void embeddingGradientAccumulatesRepeatsAndSkipsThePaddingRow() {
        Embedding emb = new Embedding(4, 2, -1, new Generator(5)); // padding_idx -1 is row 3
        assertEquals(3, emb.paddingIdx());
        assertClose(emb.weight().data().select(0, 3), Tensor.zeros(2), 0, 0);
        Var y = emb.apply(Tensor.ofLongs(new long[] {1, 3, 1, 0}, 4));
        y.backward(Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2));
        // row 1 gets rows 0 and 2 of the gradient; row 3 is padding; row 2 is never used
        assertClose(emb.weight().grad(), Tensor.of(new float[] {7, 8, 6, 8, 0, 0, 0, 0}, 4, 2), 0, 0);
        assertTrue(emb.toString().contains("padding_idx=3"), emb.toString());
    }

    @Test
    void embeddingPassesGradcheck() {
        Embedding emb = new Embedding(6, 3, 2, new Generator(6));
        emb.to(DType.FLOAT64);
        Tensor idx = Tensor.ofLongs(new long[] {0, 2, 5, 5, 1, 2, 0, 3}, 2, 4);
        // the padding row's numeric derivative is real but PyTorch defines its gradient as zero: check the others
        Var w = emb.weight();
        GradCheck.check("Embedding", () -> Functional.embedding(idx, w, null), List.of(w));
        w.zeroGrad();
        emb.apply(idx).sum().backward();
        assertClose(w.grad().select(0, 2), Tensor.zeros(DType.FLOAT64, 3), 0, 0);
        assertClose(w.grad().select(0, 5), Tensor.full(2, DType.FLOAT64, 3), 0, 0);
    }
}
