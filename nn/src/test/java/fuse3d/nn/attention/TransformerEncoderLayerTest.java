package fuse3d.nn.attention;

import static fuse3d.tensor.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Var;
import fuse3d.nn.Functional;
import fuse3d.nn.LayerNorm;
import fuse3d.nn.attention.MultiheadAttention.Projections;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** TransformerEncoderLayer and TransformerEncoder against a direct composition of the functional ops. */
class TransformerEncoderLayerTest {
    private static final int D = 8, HEADS = 2, FF = 12;

    /** Every parameter replaced by a random value, so that LayerNorm's ones/zeros and the zero biases hide nothing. */
    private static void randomise(TransformerEncoderLayer layer, Generator g) {
        Map<String, Tensor> s = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : layer.stateDict().entrySet()) s.put(e.getKey(), g.uniform(-0.7, 0.7, e.getValue().shape()));
        layer.loadStateDict(s, true);
    }

    /** The layer written out by hand from its parameters (eval mode: no dropout); x is batch first. */
    private static Var direct(TransformerEncoderLayer layer, Var x, Tensor kpm, Tensor mask) {
        Map<String, Var> p = layer.namedParameters();
        int[] ln = {D};
        Projections attn = new Projections(p.get("self_attn.in_proj_weight"), null, null, null, p.get("self_attn.in_proj_bias"), null, null,
                p.get("self_attn.out_proj.weight"), p.get("self_attn.out_proj.bias"));
        UnaryOperator<Var> sa = y -> MultiheadAttention.multiHeadAttention(y, y, y, HEADS, attn, false, kpm, mask, 0.0, null, false, true).output();
        UnaryOperator<Var> ff = y -> {
            Var h = Functional.linear(y, p.get("linear1.weight"), p.get("linear1.bias"));
            h = layer.activation().equals("relu") ? h.relu() : h.gelu();
            return Functional.linear(h, p.get("linear2.weight"), p.get("linear2.bias"));
        };
        UnaryOperator<Var> norm1 = y -> Functional.layerNorm(y, ln, p.get("norm1.weight"), p.get("norm1.bias"), 1e-5);
        UnaryOperator<Var> norm2 = y -> Functional.layerNorm(y, ln, p.get("norm2.weight"), p.get("norm2.bias"), 1e-5);
        if (layer.normFirst) {
            Var y = x.add(sa.apply(norm1.apply(x)));
            return y.add(ff.apply(norm2.apply(y)));
        }
        Var y = norm1.apply(x.add(sa.apply(x)));
        return norm2.apply(y.add(ff.apply(y)));
    }

    @ParameterizedTest
    @CsvSource({"false, relu, false", "true, relu, false", "false, gelu, true", "true, gelu, true"})
    void matchesTheDirectComposition(boolean normFirst, String activation, boolean batchFirst) {
        Generator g = new Generator(normFirst ? 21 : 22);
        TransformerEncoderLayer layer = new TransformerEncoderLayer(D, HEADS, FF, 0.1, activation, 1e-5, batchFirst, normFirst, g);
        randomise(layer, g);
        layer.eval();
        int n = 2, s = 5;
        Var x = Var.of(g.uniform(-1, 1, n, s, D)); // batch first
        Tensor kpm = Tensor.ofBools(new boolean[] {false, false, false, true, true, false, false, false, false, false}, n, s);
        Tensor mask = TransformerEncoder.squareSubsequentMask(s);
        Var in = batchFirst ? x : x.transpose(0, 1);
        Var out = layer.forward(in, mask, kpm);
        Var expected = direct(layer, x, kpm, mask);
        assertClose(batchFirst ? out.data() : out.data().transpose(0, 1), expected.data(), 1e-5, 1e-6);
        // without masks apply() is forward(src, null, null)
        assertClose(layer.apply(in).data(), layer.forward(in, null, null).data(), 0, 0);
    }

    @Test
    void normFirstChangesTheResult() {
        Generator g = new Generator(23);
        TransformerEncoderLayer post = new TransformerEncoderLayer(D, HEADS, FF, 0.0, "relu", 1e-5, true, false, g);
        TransformerEncoderLayer pre = new TransformerEncoderLayer(D, HEADS, FF, 0.0, "relu", 1e-5, true, true, g);
        randomise(post, g);
        pre.loadStateDict(post.stateDict(), true);
        Var x = Var.of(g.uniform(-1, 1, 2, 3, D));
        Tensor diff = post.apply(x).data().sub(pre.apply(x).data()).abs();
        assertTrue(diff.max().item() > 1e-3);
    }

    @Test
    void namesAreTorchsAndDropoutOnlyActsInTraining() {
        Generator g = new Generator(24);
        TransformerEncoderLayer layer = new TransformerEncoderLayer(D, HEADS, g);
        assertEquals(List.of("self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
                "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"),
                List.copyOf(layer.stateDict().keySet()));
        assertEquals(List.of("self_attn", "linear1", "dropout", "linear2", "norm1", "norm2", "dropout1", "dropout2"), List.copyOf(layer.namedChildren().keySet()));
        assertEquals(2048, layer.stateDict().get("linear1.weight").size(0));
        Var x = Var.of(g.uniform(-1, 1, 4, 2, D));
        layer.eval();
        Tensor a = layer.apply(x).data();
        assertClose(layer.apply(x).data(), a, 0, 0);
        layer.train();
        assertTrue(layer.apply(x).data().sub(a).abs().max().item() > 1e-4);
        var ex = assertThrows(IllegalArgumentException.class, () -> new TransformerEncoderLayer(D, HEADS, FF, 0.1, "tanh", 1e-5, false, false, g));
        assertTrue(ex.getMessage().contains("relu/gelu") && ex.getMessage().contains("tanh"), ex.getMessage());
    }

    @Test
    void encoderStacksClonedLayersThenTheNorm() {
        Generator g = new Generator(25);
        List<TransformerEncoderLayer> made = new ArrayList<>();
        TransformerEncoder enc = new TransformerEncoder(() -> {
            TransformerEncoderLayer l = new TransformerEncoderLayer(D, HEADS, FF, 0.1, "gelu", 1e-5, true, false, g);
            made.add(l);
            return l;
        }, 3, new LayerNorm(D));
        List<String> keys = List.copyOf(enc.stateDict().keySet());
        assertEquals("layers.0.self_attn.in_proj_weight", keys.getFirst());
        assertTrue(keys.contains("layers.2.norm2.bias"));
        assertEquals(List.of("norm.weight", "norm.bias"), keys.subList(keys.size() - 2, keys.size()));
        // torch deep-copies one layer, so all start equal
        for (String k : made.get(0).stateDict().keySet())
            assertClose(made.get(2).stateDict().get(k), made.get(0).stateDict().get(k), 0, 0);

        for (TransformerEncoderLayer l : made) randomise(l, g);
        enc.eval();
        Var x = Var.leaf(g.uniform(-1, 1, 2, 4, D));
        Tensor kpm = Tensor.ofBools(new boolean[] {false, false, false, true, false, false, false, false}, 2, 4);
        Var y = x;
        for (TransformerEncoderLayer l : made) y = l.forward(y, null, kpm);
        y = enc.norm().apply(y);
        Var out = enc.forward(x, null, kpm);
        assertClose(out.data(), y.data(), 0, 0);
        out.sum().backward();
        for (Map.Entry<String, Var> p : enc.namedParameters().entrySet()) assertNotNull(p.getValue().grad(), p.getKey());
    }

    @Test
    void aCausalMaskHidesTheFuture() {
        Generator g = new Generator(26);
        TransformerEncoder enc = new TransformerEncoder(() -> new TransformerEncoderLayer(D, HEADS, FF, 0.0, "relu", 1e-5, true, true, g), 2, null);
        int s = 5;
        Tensor mask = TransformerEncoder.squareSubsequentMask(s);
        assertEquals(Double.NEGATIVE_INFINITY, mask.getDouble(1, 2));
        assertEquals(0.0, mask.getDouble(2, 1));
        Tensor x = g.uniform(-1, 1, 1, s, D);
        Tensor changed = x.copy();
        changed.select(1, 3).copy_(g.uniform(-1, 1, 1, D)); // only position 3 differs
        Tensor a = enc.forward(Var.of(x), mask, null).data(), b = enc.forward(Var.of(changed), mask, null).data();
        assertClose(b.narrow(1, 0, 3), a.narrow(1, 0, 3), 0, 0);
        assertTrue(b.narrow(1, 3, 2).sub(a.narrow(1, 3, 2)).abs().max().item() > 1e-4);
    }
}
