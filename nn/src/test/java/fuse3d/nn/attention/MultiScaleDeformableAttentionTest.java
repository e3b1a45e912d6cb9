package fuse3d.nn.attention;

import static fuse3d.tensor.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Var;
import fuse3d.nn.attention.MultiScaleDeformableAttention.Projections;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Multi-scale deformable attention: exact pixel reads, a naive bilinear reference, mmcv's names and init, gradients. */
class MultiScaleDeformableAttentionTest {
    private static Tensor shapes(int[][] hw) {
        long[] v = new long[hw.length * 2];
        for (int l = 0; l < hw.length; l++) {
            v[2 * l] = hw[l][0];
            v[2 * l + 1] = hw[l][1];
        }
        return Tensor.ofLongs(v, hw.length, 2);
    }

    private static Tensor starts(int[][] hw) {
        long[] v = new long[hw.length];
        for (int l = 1; l < hw.length; l++) v[l] = v[l - 1] + (long) hw[l - 1][0] * hw[l - 1][1];
        return Tensor.ofLongs(v, hw.length);
    }

    @Test
    void zeroOffsetsAtPixelCentresReadTheProjectedValueThere() {
        int c = 4, b = 2, lq = 5;
        int[][] hw = {{3, 4}, {2, 3}};
        Generator g = new Generator(31);
        for (int levels = 1; levels <= 2; levels++) {
            MultiScaleDeformableAttention m = new MultiScaleDeformableAttention(c, 2, levels, 1, 0.1, true, g);
            m.eval();
            m.samplingOffsets().bias().data().zero_(); // the weight is zero from init: every offset is 0
            int[][] lvl = Arrays.copyOf(hw, levels);
            int lv = 0;
            for (int[] s : lvl) lv += s[0] * s[1];
            Var query = Var.of(g.uniform(-1, 1, b, lq, c)), value = Var.of(g.uniform(-1, 1, b, lv, c));
            // each query picks one pixel (row, col) per level; the reference is that pixel's centre
            float[] ref = new float[b * lq * levels * 2];
            int[][][] pick = new int[b][lq][levels];
            for (int bi = 0; bi < b; bi++)
                for (int q = 0; q < lq; q++)
                    for (int l = 0, start = 0; l < levels; start += lvl[l][0] * lvl[l][1], l++) {
                        int row = (int) g.nextLong(lvl[l][0]), col = (int) g.nextLong(lvl[l][1]);
                        pick[bi][q][l] = start + row * lvl[l][1] + col;
                        ref[((bi * lq + q) * levels + l) * 2] = (col + 0.5f) / lvl[l][1];
                        ref[((bi * lq + q) * levels + l) * 2 + 1] = (row + 0.5f) / lvl[l][0];
                    }
            Var out = m.forward(query, value, Var.of(Tensor.ofFloats(ref, b, lq, levels, 2)), shapes(lvl), starts(lvl));
            // expected: output_proj(mean over levels of value_proj(value) at the picked pixels) + query
            Tensor projected = m.valueProj().apply(value).data();
            Tensor picked = Tensor.zeros(b, lq, c);
            for (int bi = 0; bi < b; bi++)
                for (int q = 0; q < lq; q++)
                    for (int l = 0; l < levels; l++)
                        picked.select(0, bi).select(0, q).copy_(picked.select(0, bi).select(0, q).add(projected.select(0, bi).select(0, pick[bi][q][l]).div(levels)));
            Tensor expected = m.outputProj().apply(Var.of(picked)).data().add(query.data());
            assertClose(out.data(), expected, 1e-5, 1e-6);
        }
    }

    @Test
    void fullyPaddedValueLeavesOnlyTheIdentity() {
        int c = 4;
        int[][] hw = {{2, 2}};
        Generator g = new Generator(32);
        MultiScaleDeformableAttention m = new MultiScaleDeformableAttention(c, 2, 1, 2, 0.0, false, g);
        Var query = Var.of(g.uniform(-1, 1, 3, 1, c)), value = Var.of(g.uniform(-1, 1, 4, 1, c));
        Var ref = Var.of(g.uniform(0, 1, 1, 3, 1, 2));
        Tensor pad = Tensor.ones(DType.BOOL, 1, 4);
        // value_proj output is zeroed, output_proj's bias is 0 at init: only the identity remains
        assertClose(m.forward(query, value, null, null, pad, ref, shapes(hw), null).data(), query.data(), 0, 0);
    }

    @Test
    void namesAndMmcvInitialisation() {
        Generator g = new Generator(33);
        MultiScaleDeformableAttention m = new MultiScaleDeformableAttention(16, 8, 2, 2, g);
        assertEquals(List.of("sampling_offsets.weight", "sampling_offsets.bias", "attention_weights.weight", "attention_weights.bias",
                "value_proj.weight", "value_proj.bias", "output_proj.weight", "output_proj.bias"), List.copyOf(m.stateDict().keySet()));
        assertEquals(List.of(64, 16), List.of(m.samplingOffsets().weight().size(0), m.samplingOffsets().weight().size(1)));
        assertEquals(0.0, m.samplingOffsets().weight().data().abs().max().item());
        assertEquals(0.0, m.attentionWeights().weight().data().abs().max().item());
        assertEquals(0.0, m.attentionWeights().bias().data().abs().max().item());
        assertEquals(0.0, m.valueProj().bias().data().abs().max().item());
        double bound = Math.sqrt(6.0 / 32);
        assertTrue(m.outputProj().weight().data().abs().max().item() <= bound);
        // bias [heads, levels, points, (x, y)]: head h points along 2 pi h / 8, pushed to the unit square, point p at p + 1
        Tensor bias = m.samplingOffsets().bias().data().reshape(8, 2, 2, 2);
        double[][] dir = {{1, 0}, {1, 1}, {0, 1}, {-1, 1}, {-1, 0}, {-1, -1}, {0, -1}, {1, -1}};
        for (int h = 0; h < 8; h++)
            for (int l = 0; l < 2; l++)
                for (int p = 0; p < 2; p++)
                    for (int k = 0; k < 2; k++) assertEquals(dir[h][k] * (p + 1), bias.getDouble(h, l, p, k), 1e-5, "head " + h); // float32 cos/sin
    }

    // ------------------------------------------------------------------ against a naive reference

    private static Projections randomProjections(int c, int heads, int levels, int points, Generator g, double offsetScale) {
        int no = heads * levels * points * 2, na = heads * levels * points;
        return new Projections(Var.leaf(g.uniform(DType.FLOAT64, -offsetScale, offsetScale, no, c)), Var.leaf(g.uniform(DType.FLOAT64, -offsetScale, offsetScale, no)),
                Var.leaf(g.uniform(DType.FLOAT64, -1, 1, na, c)), Var.leaf(g.uniform(DType.FLOAT64, -1, 1, na)),
                Var.leaf(g.uniform(DType.FLOAT64, -1, 1, c, c)), Var.leaf(g.uniform(DType.FLOAT64, -1, 1, c)),
                Var.leaf(g.uniform(DType.FLOAT64, -1, 1, c, c)), Var.leaf(g.uniform(DType.FLOAT64, -1, 1, c)));
    }

    private static double[] affine(Var w, Var b, double[] x) {
        int out = w.size(0), in = w.size(1);
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            y[o] = b.data().getDouble(o);
            for (int i = 0; i < in; i++) y[o] += w.data().getDouble(o, i) * x[i];
        }
        return y;
    }

    /**
     * The module written per sample with scalar loops: bilinear reads with zero padding at pixel coordinates
     * (x W - 0.5, y H - 0.5); batch-first query [B, Lq, C] and value [B, Lv, C] as double arrays.
     */
    private static double[][][] naive(Projections w, double[][][] query, double[][][] value, boolean[][] pad, double[][][][] ref,
                                       int[][] hw, int heads, int points) {
        int b = query.length, lq = query[0].length, c = query[0][0].length, levels = hw.length, d = c / heads;
        double[][][] out = new double[b][lq][];
        for (int bi = 0; bi < b; bi++) {
            double[][] v = new double[value[bi].length][];
            for (int t = 0; t < v.length; t++) v[t] = pad != null && pad[bi][t] ? new double[c] : affine(w.valueProjWeight(), w.valueProjBias(), value[bi][t]);
            for (int q = 0; q < lq; q++) {
                double[] off = affine(w.samplingOffsetsWeight(), w.samplingOffsetsBias(), query[bi][q]);
                double[] logits = affine(w.attentionWeightsWeight(), w.attentionWeightsBias(), query[bi][q]);
                double[] heads_ = new double[c];
                for (int h = 0; h < heads; h++) {
                    int k = levels * points;
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int i = 0; i < k; i++) max = Math.max(max, logits[h * k + i]);
                    double[] a = new double[k];
                    for (int i = 0; i < k; i++) sum += a[i] = Math.exp(logits[h * k + i] - max);
                    for (int l = 0, start = 0; l < levels; start += hw[l][0] * hw[l][1], l++) {
                        int hh = hw[l][0], ww = hw[l][1];
                        double[] r = ref[bi][q][l];
                        for (int p = 0; p < points; p++) {
                            int o = ((h * levels + l) * points + p) * 2;
                            double x, y;
                            if (r.length == 2) {
                                x = r[0] + off[o] / ww;
                                y = r[1] + off[o + 1] / hh;
                            } else {
                                x = r[0] + off[o] / points * r[2] * 0.5;
                                y = r[1] + off[o + 1] / points * r[3] * 0.5;
                            }
                            double px = x * ww - 0.5, py = y * hh - 0.5;
                            int x0 = (int) Math.floor(px), y0 = (int) Math.floor(py);
                            double fx = px - x0, fy = py - y0;
                            double weight = a[l * points + p] / sum;
                            for (int dy = 0; dy <= 1; dy++)
                                for (int dx = 0; dx <= 1; dx++) {
                                    int yy = y0 + dy, xx = x0 + dx;
                                    if (yy < 0 || yy >= hh || xx < 0 || xx >= ww) continue; // zero padding
                                    double bil = (dx == 1 ? fx : 1 - fx) * (dy == 1 ? fy : 1 - fy);
                                    for (int j = 0; j < d; j++) heads_[h * d + j] += weight * bil * v[start + yy * ww + xx][h * d + j];
                                }
                        }
                    }
                }
                double[] o = affine(w.outputProjWeight(), w.outputProjBias(), heads_);
                for (int j = 0; j < c; j++) o[j] += query[bi][q][j];
                out[bi][q] = o;
            }
        }
        return out;
    }

    private static double[][][] arrays3(Tensor t) {
        double[][][] a = new double[t.size(0)][t.size(1)][t.size(2)];
        for (int i = 0; i < a.length; i++) for (int j = 0; j < a[0].length; j++) for (int k = 0; k < a[0][0].length; k++) a[i][j][k] = t.getDouble(i, j, k);
        return a;
    }

    private static void matchesNaive(int refDim, boolean batchFirst, long seed) {
        int c = 6, heads = 2, points = 3, b = 2, lq = 4;
        int[][] hw = {{3, 5}, {2, 3}, {1, 2}};
        int levels = hw.length, lv = 15 + 6 + 2;
        Generator g = new Generator(seed);
        MultiScaleDeformableAttention m = new MultiScaleDeformableAttention(c, heads, levels, points, 0.3, batchFirst, g);
        m.eval();
        Projections w = randomProjections(c, heads, levels, points, g, refDim == 2 ? 1.0 : 2.0);
        Tensor q = g.uniform(DType.FLOAT64, -1, 1, b, lq, c), v = g.uniform(DType.FLOAT64, -1, 1, b, lv, c);
        Tensor ref = g.uniform(DType.FLOAT64, 0, 1, b, lq, levels, refDim);
        boolean[] padFlat = new boolean[b * lv];
        for (int i = 0; i < padFlat.length; i++) padFlat[i] = g.nextDouble() < 0.2;
        Tensor pad = Tensor.ofBools(padFlat, b, lv);
        Var out = m.forward(w, Var.of(batchFirst ? q : q.transpose(0, 1)), Var.of(batchFirst ? v : v.transpose(0, 1)), null, null, pad,
                Var.of(ref), shapes(hw), starts(hw));
        Tensor got = batchFirst ? out.data() : out.data().transpose(0, 1);

        boolean[][] padA = new boolean[b][lv];
        for (int i = 0; i < b; i++) for (int t = 0; t < lv; t++) padA[i][t] = padFlat[i * lv + t];
        double[][][][] refA = new double[b][lq][levels][refDim];
        for (int i = 0; i < b; i++) for (int j = 0; j < lq; j++) for (int l = 0; l < levels; l++) for (int k = 0; k < refDim; k++) refA[i][j][l][k] = ref.getDouble(i, j, l, k);
        double[][][] expected = naive(w, arrays3(q), arrays3(v), padA, refA, hw, heads, points);
        double[] flat = new double[b * lq * c];
        for (int i = 0; i < b; i++) for (int j = 0; j < lq; j++) System.arraycopy(expected[i][j], 0, flat, (i * lq + j) * c, c);
        assertClose(got, Tensor.of(flat, b, lq, c), 1e-10, 1e-10);
    }

    @Test
    void matchesANaivePerSampleBilinearReference() {
        matchesNaive(2, true, 34);
        matchesNaive(2, false, 35);
    }

    @Test
    void referenceBoxesScaleTheOffsetsByTheBoxSize() { matchesNaive(4, true, 36); }

    // ------------------------------------------------------------------ gradients

    @Test
    void gradientsWithRespectToValueQueryAndOffsetWeightsMatchCentralDifferences() {
        int c = 4, heads = 2, points = 2, b = 2, lq = 2;
        int[][] hw = {{2, 3}, {1, 2}};
        int levels = hw.length, lv = 8;
        Generator g = new Generator(37);
        MultiScaleDeformableAttention m = new MultiScaleDeformableAttention(c, heads, levels, points, 0.0, false, g);
        Projections w = randomProjections(c, heads, levels, points, g, 0.7);
        Var query = GradCheck.leaf(g, lq, b, c), value = GradCheck.leaf(g, lv, b, c);
        Var ref = Var.leaf(g.uniform(DType.FLOAT64, 0.1, 0.9, b, lq, levels, 2));
        Tensor ss = shapes(hw);
        GradCheck.check("deformable attention", xs -> m.forward(new Projections(xs.get(3), w.samplingOffsetsBias(), xs.get(4), w.attentionWeightsBias(),
                        w.valueProjWeight(), w.valueProjBias(), w.outputProjWeight(), w.outputProjBias()), xs.get(0), xs.get(1), null, null, null, xs.get(2), ss, null),
                List.of(query, value, ref, w.samplingOffsetsWeight(), w.attentionWeightsWeight()));
    }

    @Test
    void theSamplingCoreIsDifferentiableInValueLocationsAndWeights() {
        int b = 1, lq = 2, heads = 2, d = 2, points = 2;
        int[][] hw = {{2, 2}, {3, 1}};
        Generator g = new Generator(38);
        Var value = GradCheck.leaf(g, b, 7, heads, d);
        // locations reach a little outside [0, 1] so the zero padding is crossed too
        Var loc = Var.leaf(g.uniform(DType.FLOAT64, -0.2, 1.2, b, lq, heads, hw.length, points, 2));
        Var aw = GradCheck.leaf(g, b, lq, heads, hw.length, points);
        GradCheck.check("multi_scale_deformable_attn", xs -> MultiScaleDeformableAttention.multiScaleDeformableAttn(xs.get(0), hw, xs.get(1), xs.get(2)),
                List.of(value, loc, aw));
    }

    @Test
    void errorsNameTheOpAndShapes() {
        Generator g = new Generator(39);
        MultiScaleDeformableAttention m = new MultiScaleDeformableAttention(4, 2, 2, 1, 0.0, true, g);
        Var q = Var.of(g.uniform(-1, 1, 1, 3, 4)), v = Var.of(g.uniform(-1, 1, 1, 10, 4)), ref = Var.of(g.uniform(0, 1, 1, 3, 2, 2));
        var ex = assertThrows(IllegalArgumentException.class, () -> m.forward(q, v, ref, shapes(new int[][] {{2, 2}, {2, 2}}), null));
        assertTrue(ex.getMessage().contains("MultiScaleDeformableAttention") && ex.getMessage().contains("sum to 8"), ex.getMessage());
        ex = assertThrows(IllegalArgumentException.class, () -> m.forward(q, v, ref, shapes(new int[][] {{2, 3}, {2, 2}}), Tensor.ofLongs(new long[] {0, 4}, 2)));
        assertTrue(ex.getMessage().contains("level_start_index"), ex.getMessage());
        ex = assertThrows(IllegalArgumentException.class, () -> m.forward(q, v, Var.of(g.uniform(0, 1, 1, 3, 2, 3)), shapes(new int[][] {{2, 3}, {2, 2}}), null));
        assertTrue(ex.getMessage().contains("reference_points") && ex.getMessage().contains("[1, 3, 2, 3]"), ex.getMessage());
        assertEquals(3, m.forward(q, v, ref, shapes(new int[][] {{2, 3}, {2, 2}}), starts(new int[][] {{2, 3}, {2, 2}})).size(1));
    }
}
