package fuse3d.nn.attention;

import static fuse3d.tensor.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Var;
import fuse3d.nn.attention.MultiheadAttention.Output;
import fuse3d.nn.attention.MultiheadAttention.Projections;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** MultiheadAttention: a hand-computed case, masks, layouts, symmetry, torch's names and init, gradients. */
class MultiheadAttentionTest {
    private static Var rand(Generator g, int... shape) { return Var.of(g.uniform(-1, 1, shape)); }

    /** E x E identity stacked three times: q = k = v = the inputs. */
    private static void makeIdentity(MultiheadAttention m, int e) {
        Map<String, Tensor> s = new LinkedHashMap<>();
        s.put("in_proj_weight", Tensor.cat(0, Tensor.eye(e), Tensor.eye(e), Tensor.eye(e)));
        s.put("in_proj_bias", Tensor.zeros(3 * e));
        s.put("out_proj.weight", Tensor.eye(e));
        s.put("out_proj.bias", Tensor.zeros(e));
        m.loadStateDict(s, true);
    }

    @Test
    void oneHeadIdentityProjectionsIsSoftmaxOfScaledScoresTimesValues() {
        int e = 4, l = 3, s = 5;
        Generator g = new Generator(1);
        MultiheadAttention m = new MultiheadAttention(e, 1, g);
        makeIdentity(m, e);
        Var q = rand(g, l, 1, e), k = rand(g, s, 1, e), v = rand(g, s, 1, e);
        Output o = m.forward(q, k, v);
        double[] expectOut = new double[l * e], expectW = new double[l * s];
        for (int i = 0; i < l; i++) {
            double[] sc = new double[s];
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < s; j++) {
                for (int c = 0; c < e; c++) sc[j] += q.data().getDouble(i, 0, c) * k.data().getDouble(j, 0, c);
                sc[j] /= Math.sqrt(e);
                max = Math.max(max, sc[j]);
            }
            for (int j = 0; j < s; j++) sum += sc[j] = Math.exp(sc[j] - max);
            for (int j = 0; j < s; j++) {
                expectW[i * s + j] = sc[j] / sum;
                for (int c = 0; c < e; c++) expectOut[i * e + c] += sc[j] / sum * v.data().getDouble(j, 0, c);
            }
        }
        assertClose(o.output().data(), Tensor.of(expectOut, l, 1, e).toFloat(), 1e-5, 1e-6);
        assertClose(o.weights().data(), Tensor.of(expectW, 1, l, s).toFloat(), 1e-5, 1e-6);
    }

    @Test
    void aMaskedKeyGetsZeroWeightAndDropsOutOfTheResult() {
        int e = 6, heads = 2, n = 2, l = 3, s = 4;
        Generator g = new Generator(2);
        MultiheadAttention m = new MultiheadAttention(e, heads, g);
        Var q = rand(g, l, n, e), k = rand(g, s, n, e), v = rand(g, s, n, e);
        boolean[] mask = new boolean[l * s];
        for (int i = 0; i < l; i++) mask[i * s + 2] = true; // nobody may attend to key 2
        Output o = m.forward(q, k, v, null, true, Tensor.ofBools(mask, l, s), false);
        for (int b = 0; b < n; b++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < l; i++) assertEquals(0.0, o.weights().data().getDouble(b, h, i, 2));
        // the same as attending over the sequence without key 2
        Var k3 = Var.cat(0, k.narrow(0, 0, 2), k.narrow(0, 3, 1)), v3 = Var.cat(0, v.narrow(0, 0, 2), v.narrow(0, 3, 1));
        assertClose(o.output().data(), m.forward(q, k3, v3).output().data(), 1e-5, 1e-6);
        // a float mask of -inf and 0 is the same mask
        Tensor additive = Tensor.where(Tensor.ofBools(mask, l, s), Tensor.scalar(Double.NEGATIVE_INFINITY), Tensor.scalar(0.0));
        assertClose(m.forward(q, k, v, null, true, additive, false).output().data(), o.output().data(), 0, 0);
    }

    @Test
    void keyPaddingMaskEqualsTheEquivalentAttentionMask() {
        int e = 4, heads = 2, n = 2, l = 3, s = 4;
        Generator g = new Generator(3);
        MultiheadAttention m = new MultiheadAttention(e, heads, g);
        Var q = rand(g, l, n, e), k = rand(g, s, n, e), v = rand(g, s, n, e);
        boolean[] pad = {false, false, true, true, false, false, false, true}; // [N, S]
        Tensor kpm = Tensor.ofBools(pad, n, s);
        // per batch-head rows of [N * heads, L, S], the layout torch uses for 3-d masks
        boolean[] full = new boolean[n * heads * l * s];
        for (int b = 0; b < n; b++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < l; i++)
                    for (int j = 0; j < s; j++) full[((b * heads + h) * l + i) * s + j] = pad[b * s + j];
        Output viaPadding = m.forward(q, k, v, kpm, true, null, false);
        Output viaMask = m.forward(q, k, v, null, true, Tensor.ofBools(full, n * heads, l, s), false);
        assertClose(viaPadding.output().data(), viaMask.output().data(), 0, 0);
        assertClose(viaPadding.weights().data(), viaMask.weights().data(), 0, 0);
        // combined with a float attention mask, padding fills -inf (torch's masked_fill), the rest adds
        Tensor bias = new Generator(4).uniform(-1, 1, l, s);
        Output both = m.forward(q, k, v, kpm, true, bias, false);
        Tensor merged = Tensor.where(kpm.reshape(n, 1, 1, s), Tensor.scalar(Double.NEGATIVE_INFINITY), bias.reshape(1, 1, l, s)).reshape(n * 1, 1, l, s)
                .expand(n, heads, l, s).contiguous().reshape(n * heads, l, s);
        assertClose(both.output().data(), m.forward(q, k, v, null, true, merged, false).output().data(), 0, 0);
    }

    @Test
    void aFullyMaskedRowIsNaNAsInTorch113AndOtherRowsAreUntouched() {
        int e = 4, n = 1, l = 2, s = 3;
        Generator g = new Generator(5);
        MultiheadAttention m = new MultiheadAttention(e, 2, g);
        Var q = rand(g, l, n, e), k = rand(g, s, n, e), v = rand(g, s, n, e);
        Tensor mask = Tensor.ofBools(new boolean[] {true, true, true, false, true, false}, l, s);
        Output o = m.forward(q, k, v, null, true, mask, true);
        for (int c = 0; c < e; c++) {
            assertTrue(Double.isNaN(o.output().data().getDouble(0, 0, c)));
            assertFalse(Double.isNaN(o.output().data().getDouble(1, 0, c)));
        }
        assertTrue(Double.isNaN(o.weights().data().getDouble(0, 0, 0)));
        assertEquals(1.0, o.weights().data().getDouble(0, 1, 0) + o.weights().data().getDouble(0, 1, 2), 1e-6);
    }

    @Property(tries = 25)
    void selfAttentionIsPermutationEquivariant(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int l, @ForAll @IntRange(min = 1, max = 3) int n,
                                               @ForAll boolean batchFirst) {
        int e = 4;
        Generator g = new Generator(seed);
        MultiheadAttention m = new MultiheadAttention(e, 2, 0.0, batchFirst, g);
        int seqDim = batchFirst ? 1 : 0;
        Var x = rand(g, batchFirst ? new int[] {n, l, e} : new int[] {l, n, e});
        Tensor perm = g.randperm(l);
        Var xp = Var.of(x.data().indexSelect(seqDim, perm));
        Tensor out = m.forward(x, x, x).output().data();
        Tensor outP = m.forward(xp, xp, xp).output().data();
        assertClose(outP, out.indexSelect(seqDim, perm), 1e-5, 1e-6);
        // permuting keys and values together leaves a fixed query's output unchanged
        Var q = rand(g, batchFirst ? new int[] {n, 2, e} : new int[] {2, n, e});
        assertClose(m.forward(q, xp, xp).output().data(), m.forward(q, x, x).output().data(), 1e-5, 1e-6);
    }

    @Test
    void batchFirstAndUnbatchedAgreeWithSequenceFirst() {
        int e = 6, heads = 3, n = 2, l = 4, s = 5;
        Generator g = new Generator(6);
        MultiheadAttention seqFirst = new MultiheadAttention(e, heads, g);
        MultiheadAttention batchFirst = new MultiheadAttention(e, heads, 0.0, true, g);
        batchFirst.loadStateDict(seqFirst.stateDict(), true);
        Var q = rand(g, l, n, e), k = rand(g, s, n, e), v = rand(g, s, n, e);
        Tensor kpm = Tensor.ofBools(new boolean[] {false, true, false, false, false, false, false, false, true, false}, n, s);
        Output a = seqFirst.forward(q, k, v, kpm, true, null, true);
        Output b = batchFirst.forward(q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1), kpm, true, null, true);
        assertClose(b.output().data(), a.output().data().transpose(0, 1), 0, 0);
        assertClose(b.weights().data(), a.weights().data(), 0, 0);
        // an unbatched call is the batch of one
        Output u = seqFirst.forward(q.select(1, 1), k.select(1, 1), v.select(1, 1), kpm.select(0, 1), true, null, false);
        Output one = seqFirst.forward(q.narrow(1, 1, 1), k.narrow(1, 1, 1), v.narrow(1, 1, 1), kpm.narrow(0, 1, 1), true, null, false);
        assertClose(u.output().data(), one.output().data().select(1, 0), 0, 0);
        assertClose(u.weights().data(), one.weights().data().select(0, 0), 0, 0);
    }

    @Test
    void averagedWeightsAreTheHeadMeanAndRowsSumToOne() {
        int e = 8, heads = 4, n = 2, l = 3, s = 5;
        Generator g = new Generator(7);
        MultiheadAttention m = new MultiheadAttention(e, heads, g);
        Var q = rand(g, l, n, e), k = rand(g, s, n, e), v = rand(g, s, n, e);
        Tensor perHead = m.forward(q, k, v, null, true, null, false).weights().data();
        Tensor avg = m.forward(q, k, v, null, true, null, true).weights().data();
        assertEquals(List.of(n, heads, l, s), List.of(perHead.size(0), perHead.size(1), perHead.size(2), perHead.size(3)));
        assertClose(avg, perHead.mean(new int[] {1}, false), 1e-6, 1e-7);
        assertClose(avg.sum(new int[] {2}, false), Tensor.ones(n, l), 1e-6, 1e-6);
        assertNull(m.forward(q, k, v, null, false, null, true).weights());
    }

    @Test
    void trainingDropsAttentionWeightsAndEvalDoesNot() {
        int e = 4, n = 2, l = 6, s = 7;
        Generator g = new Generator(8);
        MultiheadAttention m = new MultiheadAttention(e, 2, 0.5, false, g);
        Var q = rand(g, l, n, e), k = rand(g, s, n, e), v = rand(g, s, n, e);
        m.eval();
        Tensor clean = m.forward(q, k, v, null, true, null, false).weights().data();
        assertClose(m.forward(q, k, v, null, true, null, false).weights().data(), clean, 0, 0);
        m.train();
        Tensor dropped = m.forward(q, k, v, null, true, null, false).weights().data();
        double[] c = clean.toDoubleArray(), d = dropped.toDoubleArray();
        int zeros = 0;
        for (int i = 0; i < c.length; i++) {
            if (d[i] == 0) zeros++;
            else assertEquals(2 * c[i], d[i], 1e-6, "kept weights are scaled by 1 / (1 - p)");
        }
        assertTrue(zeros > 0 && zeros < c.length, "some but not all weights dropped: " + zeros);
    }

    @Test
    void parameterNamesShapesAndInitAreTorchs() {
        Generator g = new Generator(9);
        MultiheadAttention m = new MultiheadAttention(8, 2, g);
        assertEquals(List.of("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"), List.copyOf(m.stateDict().keySet()));
        assertEquals(List.of(24, 8), List.of(m.stateDict().get("in_proj_weight").size(0), m.stateDict().get("in_proj_weight").size(1)));
        assertEquals(0.0, m.stateDict().get("in_proj_bias").abs().max().item());
        assertEquals(0.0, m.stateDict().get("out_proj.bias").abs().max().item());
        double bound = Math.sqrt(6.0 / (8 + 24)); // xavier_uniform over fan_in 8, fan_out 24
        assertTrue(m.stateDict().get("in_proj_weight").abs().max().item() <= bound);
        assertTrue(m.stateDict().get("in_proj_weight").abs().max().item() > bound * 0.8);

        MultiheadAttention sep = new MultiheadAttention(8, 2, 0.0, true, true, true, 3, 5, false, g);
        assertEquals(List.of("q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "bias_k", "bias_v", "out_proj.weight", "out_proj.bias"),
                List.copyOf(sep.stateDict().keySet()));
        assertEquals(List.of(8, 3), List.of(sep.stateDict().get("k_proj_weight").size(0), sep.stateDict().get("k_proj_weight").size(1)));
        MultiheadAttention noBias = new MultiheadAttention(8, 2, 0.0, false, false, false, 8, 8, false, g);
        assertEquals(List.of("in_proj_weight", "out_proj.weight"), List.copyOf(noBias.stateDict().keySet()));
    }

    @Test
    void errorsNameTheOpAndShapes() {
        Generator g = new Generator(10);
        MultiheadAttention m = new MultiheadAttention(4, 2, g);
        Var q = rand(g, 3, 2, 4), k = rand(g, 5, 2, 4);
        var ex = assertThrows(IllegalArgumentException.class, () -> m.forward(q, k, rand(g, 5, 2, 3)));
        assertTrue(ex.getMessage().contains("multi_head_attention") && ex.getMessage().contains("vdim 3"), ex.getMessage());
        ex = assertThrows(IllegalArgumentException.class, () -> m.forward(q, k, k, null, true, Tensor.zeros(DType.BOOL, 3, 4), true));
        assertTrue(ex.getMessage().contains("attn_mask") && ex.getMessage().contains("[3, 5]"), ex.getMessage());
        ex = assertThrows(IllegalArgumentException.class, () -> m.forward(q, k, k, Tensor.zeros(DType.BOOL, 5, 2), true, null, true));
        assertTrue(ex.getMessage().contains("key_padding_mask") && ex.getMessage().contains("[2, 5]"), ex.getMessage());
        ex = assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention(6, 4, g));
        assertTrue(ex.getMessage().contains("divisible"), ex.getMessage());
    }

    // ------------------------------------------------------------------ gradients

    private static Projections float64(Projections p) {
        return new Projections(copy(p.inProjWeight()), copy(p.qProjWeight()), copy(p.kProjWeight()), copy(p.vProjWeight()), copy(p.inProjBias()),
                copy(p.biasK()), copy(p.biasV()), copy(p.outProjWeight()), copy(p.outProjBias()));
    }

    private static Var copy(Var v) { return v == null ? null : GradCheck.leaf(v.data()); }

    /** A random non-zero bias so that the bias gradients are exercised at a generic point. */
    private static Var jitter(Var v, Generator g) {
        return v == null ? null : Var.leaf(v.data().add(g.uniform(DType.FLOAT64, -0.5, 0.5, v.shape())));
    }

    @Test
    void gradientsWithRespectToInputsAndParametersMatchCentralDifferences() {
        int e = 4, heads = 2, n = 2, l = 3, s = 4;
        Generator g = new Generator(11);
        Projections p = float64(new MultiheadAttention(e, heads, g).projections());
        Var bIn = jitter(p.inProjBias(), g), bOut = jitter(p.outProjBias(), g);
        Var q = GradCheck.leaf(g, n, l, e), k = GradCheck.leaf(g, n, s, e), v = GradCheck.leaf(g, n, s, e);
        Tensor kpm = Tensor.ofBools(new boolean[] {false, false, false, true, false, true, false, false}, n, s);
        Tensor bias = g.uniform(DType.FLOAT64, -1, 1, l, s);
        GradCheck.check("cross attention with masks", xs -> MultiheadAttention.multiHeadAttention(xs.get(0), xs.get(1), xs.get(2), heads,
                new Projections(xs.get(3), null, null, null, xs.get(4), null, null, xs.get(5), xs.get(6)), false, kpm, bias, 0.0, null, false, true).output(),
                List.of(q, k, v, p.inProjWeight(), bIn, p.outProjWeight(), bOut));
        // the returned (per-head) weights are differentiable too
        GradCheck.check("attention weights", xs -> MultiheadAttention.multiHeadAttention(xs.get(0), xs.get(1), xs.get(1), heads,
                new Projections(xs.get(2), null, null, null, bIn, null, null, p.outProjWeight(), bOut), false, kpm, null, 0.0, null, true, false).weights(),
                List.of(q, k, p.inProjWeight()));
        // self-attention takes the fused projection
        GradCheck.check("self attention", xs -> MultiheadAttention.multiHeadAttention(xs.get(0), xs.get(0), xs.get(0), heads,
                new Projections(xs.get(1), null, null, null, xs.get(2), null, null, p.outProjWeight(), bOut), false, null, null, 0.0, null, false, true).output(),
                List.of(q, p.inProjWeight(), bIn));
    }

    @Test
    void gradientsOfTheSeparateProjectionAndBiasKvVariant() {
        int e = 4, heads = 2, n = 2, l = 2, s = 3, kd = 3, vd = 5;
        Generator g = new Generator(12);
        Projections p = float64(new MultiheadAttention(e, heads, 0.0, true, true, true, kd, vd, true, g).projections());
        Var bIn = jitter(p.inProjBias(), g);
        Var q = GradCheck.leaf(g, n, l, e), k = GradCheck.leaf(g, n, s, kd), v = GradCheck.leaf(g, n, s, vd);
        Tensor kpm = Tensor.ofBools(new boolean[] {false, true, false, false, false, true}, n, s);
        GradCheck.check("kdim/vdim, bias_kv, zero attention", xs -> MultiheadAttention.multiHeadAttention(xs.get(0), xs.get(1), xs.get(2), heads,
                new Projections(null, xs.get(3), xs.get(4), xs.get(5), bIn, xs.get(6), xs.get(7), p.outProjWeight(), p.outProjBias()), true,
                kpm, null, 0.0, null, false, true).output(),
                List.of(q, k, v, p.qProjWeight(), p.kProjWeight(), p.vProjWeight(), p.biasK(), p.biasV()));
    }

    @Test
    void moduleForwardIsTheFunctionalWithItsOwnParametersAndBackpropagatesIntoThem() {
        Generator g = new Generator(13);
        MultiheadAttention m = new MultiheadAttention(4, 2, g);
        Var x = Var.leaf(g.uniform(-1, 1, 3, 2, 4));
        Output o = m.forward(x, x, x);
        Output f = MultiheadAttention.multiHeadAttention(x.transpose(0, 1), x.transpose(0, 1), x.transpose(0, 1), 2, m.projections(), false,
                null, null, 0.0, null, true, true);
        assertClose(o.output().data(), f.output().data().transpose(0, 1), 0, 0);
        o.output().sum().backward();
        for (Map.Entry<String, Var> p : m.namedParameters().entrySet()) assertTrue(p.getValue().grad() != null, p.getKey() + " got no gradient");
        assertTrue(x.grad() != null);
    }

    /**
     * to(DType) replaces every parameter Var; forward must use the replacements (it once kept the originals in
     * fields, so a float64 copy still computed with, and sent its gradients to, the float32 parameters).
     */
    @Test
    void afterToFloat64ForwardUsesAndTrainsTheConvertedParameters() {
        for (boolean separate : new boolean[] {false, true}) {
            Generator g = new Generator(14);
            int kv = separate ? 3 : 4;
            MultiheadAttention m = new MultiheadAttention(4, 2, 0.0, true, true, false, kv, kv, false, g);
            m.to(DType.FLOAT64);
            Var q = Var.leaf(g.uniform(-1, 1, 3, 2, 4).to(DType.FLOAT64)), v = Var.leaf(g.uniform(-1, 1, 5, 2, kv).to(DType.FLOAT64));
            Output o = m.forward(q, separate ? v : q, separate ? v : q);
            assertEquals(DType.FLOAT64, o.output().dtype());
            o.output().sum().backward();
            for (Map.Entry<String, Var> p : m.namedParameters().entrySet()) {
                assertEquals(DType.FLOAT64, p.getValue().dtype(), p.getKey());
                assertTrue(p.getValue().grad() != null, p.getKey() + " got no gradient");
            }
        }
    }
}
