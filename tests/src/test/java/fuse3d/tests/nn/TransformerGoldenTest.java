package fuse3d.tests.nn;

import static fuse3d.tests.nn.NnGolden.assertClose;
import static fuse3d.tests.nn.NnGolden.assertGrads;
import static fuse3d.tests.nn.NnGolden.gradOf;
import static fuse3d.tests.nn.NnGolden.loadStrict;
import static org.junit.jupiter.api.Assertions.assertEquals;

import fuse3d.autograd.GradMode;
import fuse3d.autograd.Var;
import fuse3d.nn.attention.MultiheadAttention;
import fuse3d.nn.attention.TransformerEncoderLayer;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * nn_transformer.safetensors (tests/golden/nn/gen_nn_transformer.py): TransformerEncoderLayer and
 * MultiheadAttention (E 32, 4 heads, batch first, dropout 0, so train mode is deterministic) against PyTorch
 * 1.13: outputs, attention weights and every gradient, with each mask kind.
 */
class TransformerGoldenTest {
    private static final List<String> ENCODER_CASES = List.of("enc", "enc_masked", "enc_bool_mask", "enc_norm_first_gelu");
    private static final List<String> MHA_CASES = List.of("mha_plain", "mha_kpm", "mha_attn_float", "mha_attn_bool", "mha_kpm_attn_float",
            "mha_kpm_attn_bool", "mha_per_head", "mha_cross");
    private static NnGolden golden;

    static Stream<String> encoderCases() { return ENCODER_CASES.stream(); }

    static Stream<String> mhaCases() { return MHA_CASES.stream(); }

    @BeforeAll
    static void load() { golden = NnGolden.load("nn_transformer.safetensors"); }

    /** The layer the case's metadata describes, with the case's parameters loaded strictly. */
    private static TransformerEncoderLayer encoder(String c) {
        Map<String, Object> info = golden.info(c);
        TransformerEncoderLayer layer = new TransformerEncoderLayer(((Number) info.get("d_model")).intValue(), ((Number) info.get("nhead")).intValue(),
                ((Number) info.get("dim_feedforward")).intValue(), ((Number) info.get("dropout")).doubleValue(), (String) info.get("activation"),
                ((Number) info.get("layer_norm_eps")).doubleValue(), (Boolean) info.get("batch_first"), (Boolean) info.get("norm_first"), new Generator(0));
        loadStrict(layer, golden.under(c + "/state"));
        return layer;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("encoderCases")
    void encoderLayerMatchesOutputAndEveryGradient(String c) {
        TransformerEncoderLayer layer = encoder(c);
        layer.train();
        Var x = Var.leaf(golden.get(c + "/input"));
        Var out = layer.forward(x, golden.optional(c + "/src_mask"), golden.optional(c + "/src_key_padding_mask"));
        assertClose(out.data(), golden.get(c + "/output"), c + " output");
        out.backward(golden.get(c + "/grad_output"));
        assertGrads(layer, golden.under(c + "/grad"), c);
        assertClose(gradOf(x, c + " input"), golden.get(c + "/grad_input"), c + " grad_input");
    }

    /**
     * torch 1.13 takes its fused inference kernel for eval + no_grad; we compute as its regular path, and the
     * two must agree.
     */
    @Test
    void encoderLayerEvalOutputMatchesTorchsFastPath() {
        TransformerEncoderLayer layer = encoder("enc");
        layer.eval();
        try (GradMode.Scope _ = GradMode.noGrad()) {
            Var out = layer.apply(Var.of(golden.get("enc/input")));
            assertClose(out.data(), golden.get("enc/eval_output"), "enc eval output");
        }
    }

    /** One MultiheadAttention call of a case: the module, its input leaves and its result. */
    private record MhaRun(MultiheadAttention mha, Var[] inputs, MultiheadAttention.Output result) {}

    /**
     * Builds the case's module, loads its parameters strictly and runs it on fresh input leaves: self-attention
     * passes one leaf as query, key and value (so its gradient sums the three uses, as the fixture's), the
     * cross case three.
     */
    private static MhaRun runMha(String c) {
        Map<String, Object> info = golden.info(c);
        MultiheadAttention mha = new MultiheadAttention(((Number) info.get("embed_dim")).intValue(), ((Number) info.get("num_heads")).intValue(),
                ((Number) info.get("dropout")).doubleValue(), (Boolean) info.get("batch_first"), new Generator(0));
        loadStrict(mha, golden.under(c + "/state"));
        mha.train();
        Tensor kpm = golden.optional(c + "/key_padding_mask"), attnMask = golden.optional(c + "/attn_mask");
        boolean average = (Boolean) info.get("average_attn_weights");
        if (golden.has(c + "/query")) {
            Var q = Var.leaf(golden.get(c + "/query")), k = Var.leaf(golden.get(c + "/key")), v = Var.leaf(golden.get(c + "/value"));
            return new MhaRun(mha, new Var[] {q, k, v}, mha.forward(q, k, v, kpm, true, attnMask, average));
        }
        Var x = Var.leaf(golden.get(c + "/input"));
        return new MhaRun(mha, new Var[] {x}, mha.forward(x, x, x, kpm, true, attnMask, average));
    }

    private static List<String> inputNames(String c) { return golden.has(c + "/query") ? List.of("query", "key", "value") : List.of("input"); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mhaCases")
    void multiheadAttentionMatchesOutputWeightsAndTheGradientsOfTheOutput(String c) {
        MhaRun run = runMha(c);
        assertClose(run.result().output().data(), golden.get(c + "/output"), c + " output");
        assertClose(run.result().weights().data(), golden.get(c + "/weights"), c + " weights");
        run.result().output().backward(golden.get(c + "/grad_output"));
        assertGrads(run.mha(), golden.under(c + "/grad"), c);
        List<String> names = inputNames(c);
        for (int i = 0; i < names.size(); i++)
            assertClose(gradOf(run.inputs()[i], c + " " + names.get(i)), golden.get(c + "/grad_" + names.get(i)), c + " grad_" + names.get(i));
    }

    /**
     * The separate backward of sum(weights * grad_weights): only the q and k projections feed the weights, so
     * out_proj (and, in cross-attention, the value) receive nothing, which the fixture stores as zeros.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("mhaCases")
    void multiheadAttentionMatchesTheGradientsOfTheAttentionWeights(String c) {
        MhaRun run = runMha(c);
        run.result().weights().backward(golden.get(c + "/grad_weights"));
        assertGrads(run.mha(), golden.under(c + "/grad_w"), c + " (weights loss)");
        List<String> names = inputNames(c);
        for (int i = 0; i < names.size(); i++) {
            Var in = run.inputs()[i];
            Tensor g = in.grad() != null ? in.grad() : Tensor.zeros(in.dtype(), in.shape());
            assertClose(g, golden.get(c + "/grad_w_" + names.get(i)), c + " grad_w_" + names.get(i));
        }
    }

    /** The parameterized cases above are every case the fixture holds. */
    @Test
    void everyCaseOfTheFixtureIsReplayed() {
        assertEquals(ENCODER_CASES.stream().sorted().toList(), golden.casesOf("TransformerEncoderLayer"));
        assertEquals(MHA_CASES.stream().sorted().toList(), golden.casesOf("MultiheadAttention"));
    }
}
