package fuse3d.nn.optim;

import static fuse3d.nn.optim.OptimTesting.assertBits;
import static fuse3d.nn.optim.OptimTesting.grad;
import static fuse3d.nn.optim.OptimTesting.param;
import static fuse3d.nn.optim.OptimTesting.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Single steps worked by hand, properties of the update, parameter groups and state dicts. */
class OptimizerTest {

    // ------------------------------------------------------------------ single steps by hand

    @Test
    void sgdMomentumTwoStepsByHand() {
        float p0 = 1.5f, g0 = 0.25f, g1 = -0.5f;
        Var p = param(p0);
        Sgd opt = new Sgd(List.of(p), Map.of("lr", 0.1, "momentum", 0.9, "dampening", 0.5, "weight_decay", 0.01));
        // torch: d = g + wd * p;  buf = d (first step, no dampening);  p = p - lr * buf
        float d0 = Math.fma(0.01f, p0, g0);
        float p1 = Math.fma(-0.1f, d0, p0);
        grad(p, g0);
        opt.step();
        assertBits(new float[] {p1}, values(p), "step 1");
        assertBits(new float[] {d0}, opt.state(p).get("momentum_buffer").toFloatArray(), "buffer after step 1");
        // torch: buf = buf * momentum + (1 - dampening) * d;  p = p - lr * buf
        float d1 = Math.fma(0.01f, p1, g1);
        float buf = Math.fma(0.5f, d1, d0 * 0.9f);
        float p2 = Math.fma(-0.1f, buf, p1);
        grad(p, g1);
        opt.step();
        assertBits(new float[] {p2}, values(p), "step 2");
    }

    @Test
    void adamFirstStepIsSignedLr() {
        // torch, t = 1: m = (1-b1) g, v = (1-b2) g^2, step_size = lr / (1-b1), denom = sqrt(v) / sqrt(1-b2) + eps,
        // so p - lr * g / (|g| + eps) up to rounding; here the exact float32 sequence
        float p0 = 0.75f, g = -0.125f;
        Var p = param(p0);
        Adam opt = new Adam(List.of(p), Map.of("lr", 0.01));
        grad(p, g);
        opt.step();
        float m = Math.fma((float) (1 - 0.9), g, 0f);
        float v = Math.fma((float) (1 - 0.999) * g, g, 0f);
        float denom = (float) Math.sqrt(v) / (float) Math.sqrt(1 - 0.999) + 1e-8f;
        float expected = p0 + ((float) -(0.01 / (1 - 0.9)) * m) / denom;
        assertBits(new float[] {expected}, values(p), "Adam step 1");
        assertEquals(0.76f, values(p)[0], 1e-6f, "about p + lr for a negative gradient");
        assertEquals(1L, opt.state(p).get("step").getLong());
    }

    @Test
    void adamWDecaysBeforeTheUpdate() {
        float p0 = 2f, g = 0.5f;
        Var p = param(p0);
        AdamW opt = new AdamW(List.of(p), Map.of("lr", 0.1, "weight_decay", 0.5));
        grad(p, g);
        opt.step();
        // torch: p *= 1 - lr * wd; then the Adam update as above
        float decayed = p0 * (float) (1 - 0.1 * 0.5);
        float m = Math.fma((float) (1 - 0.9), g, 0f);
        float v = Math.fma((float) (1 - 0.999) * g, g, 0f);
        float denom = (float) Math.sqrt(v) / (float) Math.sqrt(1 - 0.999) + 1e-8f;
        float expected = decayed + ((float) -(0.1 / (1 - 0.9)) * m) / denom;
        assertBits(new float[] {expected}, values(p), "AdamW step 1");
        assertEquals(1.9f - 0.1f, values(p)[0], 1e-6f);
    }

    @Test
    void adamL2AddsDecayToTheGradient() {
        // With L2 decay, the first Adam step only sees the sign of g + wd * p: a decay that flips it flips the step.
        Var p = param(1f);
        Adam opt = new Adam(List.of(p), Map.of("lr", 0.01, "weight_decay", 1.0));
        grad(p, -0.5f); // g + wd * p = 0.5 > 0
        opt.step();
        assertEquals(0.99f, values(p)[0], 1e-6f);
    }

    // ------------------------------------------------------------------ properties

    @Test
    void zeroLearningRateLeavesParametersUnchanged() {
        Generator gen = new Generator(3);
        for (Map<String, ?> options : List.<Map<String, ?>>of(Map.of("lr", 0.0, "momentum", 0.9, "weight_decay", 0.1),
                Map.of("lr", 0.0, "momentum", 0.5, "nesterov", true))) {
            Var p = Var.leaf(gen.normal(0, 1, 50));
            float[] before = values(p);
            Sgd opt = new Sgd(List.of(p), options);
            for (int k = 0; k < 5; k++) {
                p.setGrad(gen.normal(0, 10, 50));
                opt.step();
            }
            assertBits(before, values(p), "SGD lr 0 " + options);
        }
        Var q = Var.leaf(gen.normal(0, 1, 50));
        float[] before = values(q);
        Adam adam = new Adam(List.of(q), Map.of("lr", 0.0));
        q.setGrad(gen.normal(0, 1, 50));
        adam.step();
        assertBits(before, values(q), "Adam lr 0");
    }

    @Test
    void parametersWithoutGradientAreSkipped() {
        Var a = param(1f, 2f), b = param(3f);
        AdamW opt = new AdamW(List.of(a, b), Map.of("lr", 0.1));
        grad(a, 1f, 1f);
        opt.step();
        assertBits(new float[] {3f}, values(b), "no grad: untouched, even by decoupled decay");
        assertTrue(opt.state(b).isEmpty());
        assertEquals(Map.of(0, List.of("step", "exp_avg", "exp_avg_sq")), stateKeys(opt.stateDict()), "only parameter 0 has state");
    }

    @Test
    void openPcdetStyleDecayReachesParametersWithoutGradient() {
        Var a = param(1f), b = param(3f);
        AdamW opt = new AdamW(List.of(a, b), Map.of("lr", 0.1, "weight_decay", 0.5, "decay_params_without_grad", true));
        grad(a, 1f);
        opt.step();
        assertBits(new float[] {3f * (float) (1 - 0.1 * 0.5)}, values(b), "decayed without a gradient");
        assertTrue(opt.state(b).isEmpty(), "but no moments or step count");
    }

    @Test
    void float64AndStridedParameters() {
        Var d = Var.leaf(Tensor.of(new double[] {1, -2}, 2));
        Adam opt = new Adam(List.of(d), Map.of("lr", 0.5));
        d.setGrad(Tensor.of(new double[] {3, -4}, 2));
        opt.step();
        assertEquals(DType.FLOAT64, opt.state(d).get("exp_avg").dtype());
        assertArrayEquals(new double[] {0.5, -1.5}, d.data().toDoubleArray(), 1e-7);

        // a transposed (non-contiguous) parameter is updated through its view
        Tensor base = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Var t = Var.leaf(base.t());
        Sgd sgd = new Sgd(List.of(t), Map.of("lr", 1.0));
        t.setGrad(Tensor.ones(3, 2));
        sgd.step();
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, base.toFloatArray());
    }

    // ------------------------------------------------------------------ groups and validation

    @Test
    void groupsOverrideDefaults() {
        Var a = param(1f), b = param(1f);
        Sgd opt = new Sgd(List.of(new ParamGroup(List.of(a)), new ParamGroup(List.of(b)).set("lr", 0.5)), Map.of("lr", 0.1));
        assertEquals(0.1, opt.paramGroups().get(0).lr());
        assertEquals(0.5, opt.paramGroups().get(1).lr());
        assertEquals(List.of("lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize"),
                new ArrayList<>(opt.paramGroups().get(1).options().keySet()), "every key, in the optimizer's order");
        grad(a, 1f);
        grad(b, 1f);
        opt.step();
        assertBits(new float[] {0.9f}, values(a), "group 0");
        assertBits(new float[] {0.5f}, values(b), "group 1");
    }

    @Test
    void badConfigurationsAreNamed() {
        Var a = param(1f);
        assertMessage(() -> new Sgd(List.of(a), Map.of()), "SGD group 0: lr is required");
        assertMessage(() -> new Adam(List.of(param(1f)), Map.of("beta1", 1.0)), "Adam group 0: beta1 must be in [0.0, 1.0)");
        assertMessage(() -> new Adam(List.of(param(1f)), Map.of("betas", 0.9)), "Adam: unknown hyper-parameter 'betas'");
        assertMessage(() -> new Adam(List.of(param(1f)), Map.of("amsgrad", 1)), "'amsgrad' must be a boolean");
        assertMessage(() -> new Sgd(List.of(param(1f)), Map.of("lr", 0.1, "nesterov", true)), "Nesterov momentum requires momentum > 0");
        assertMessage(() -> new Sgd(List.of(param(1f)), Map.of("lr", -0.1)), "SGD group 0: lr must be in [0.0, Infinity)");
        Var shared = param(1f);
        assertMessage(() -> new AdamW(List.of(new ParamGroup(List.of(shared)), new ParamGroup(List.of(shared))), Map.of()),
                "AdamW group 1 parameter 0 [1]: appears in more than one place");
        assertMessage(() -> new Adam(List.of(Var.of(Tensor.vector(1f))), Map.of()), "only leaf Vars that require grad");
        assertMessage(() -> new Adam(List.of(new ParamGroup(List.of(param(1f))).set("momentum", 0.9)), Map.of()),
                "Adam: unknown hyper-parameter 'momentum' in a parameter group");
        Adam ok = new Adam(List.of(param(1f)), Map.of());
        assertMessage(() -> ok.paramGroups().get(0).set("lr_max", 1.0), "Adam parameter group: has no hyper-parameter 'lr_max'");
        ok.paramGroups().get(0).set("lr", Double.NaN);
        assertMessage(ok::step, "Adam group 0: lr must be in");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable r, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r);
        assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should contain '" + part + "'");
    }

    // ------------------------------------------------------------------ state dicts

    private static Map<Integer, List<String>> stateKeys(OptimizerState s) {
        Map<Integer, List<String>> out = new LinkedHashMap<>();
        s.state().forEach((k, v) -> out.put(k, List.copyOf(v.keySet())));
        return out;
    }

    @Test
    void stateDictRoundTripResumesBitExactly() {
        for (String kind : List.of("sgd", "adam", "adamw")) {
            Generator gen = new Generator(11);
            Var a = Var.leaf(gen.normal(0, 1, 7)), b = Var.leaf(gen.normal(0, 1, 3, 2));
            Optimizer opt = make(kind, a, b);
            for (int k = 0; k < 3; k++) {
                a.setGrad(gen.normal(0, 1, 7));
                b.setGrad(gen.normal(0, 1, 3, 2));
                opt.step();
            }
            OptimizerState saved = opt.stateDict();
            Var a2 = Var.leaf(a.data().copy()), b2 = Var.leaf(b.data().copy());
            Optimizer resumed = make(kind, a2, b2);
            resumed.loadStateDict(saved);
            assertEquals(saved.paramGroups(), resumed.stateDict().paramGroups());
            for (int k = 0; k < 3; k++) {
                Tensor ga = gen.normal(0, 1, 7), gb = gen.normal(0, 1, 3, 2);
                a.setGrad(ga);
                b.setGrad(gb);
                a2.setGrad(ga.copy());
                b2.setGrad(gb.copy());
                opt.step();
                resumed.step();
            }
            assertBits(values(a), values(a2), kind + " parameter 0");
            assertBits(values(b), values(b2), kind + " parameter 1");
            // stateDict returns copies: stepping on does not change a saved state
            if (!kind.equals("sgd")) assertEquals(3L, saved.state().get(0).get("step").getLong(), kind + ": saved step count");
        }
    }

    private static Optimizer make(String kind, Var a, Var b) {
        List<ParamGroup> groups = List.of(new ParamGroup(List.of(a)), new ParamGroup(List.of(b)).set("weight_decay", 0.0));
        return switch (kind) {
            case "sgd" -> new Sgd(groups, Map.of("lr", 0.05, "momentum", 0.9, "nesterov", true, "weight_decay", 1e-3));
            case "adam" -> new Adam(groups, Map.of("lr", 0.01, "amsgrad", true, "weight_decay", 1e-2));
            default -> new AdamW(groups, Map.of("lr", 0.01, "weight_decay", 0.1));
        };
    }

    @Test
    void loadingAMisfitChangesNothing() {
        Var a = param(1f, 2f), b = param(3f);
        AdamW opt = new AdamW(List.of(a, b), Map.of("lr", 0.1));
        grad(a, 1f, 1f);
        grad(b, 1f);
        opt.step();
        OptimizerState good = opt.stateDict();

        Var c = param(1f, 2f, 3f), d = param(3f);
        AdamW other = new AdamW(List.of(c, d), Map.of("lr", 0.2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.loadStateDict(good));
        assertTrue(e.getMessage().contains("AdamW group 0 parameter 0 [3]: state 'exp_avg' has shape [2], the parameter [3]"), e.getMessage());
        assertEquals(0.2, other.paramGroups().get(0).lr(), "hyper-parameters untouched after a failed load");
        assertTrue(other.state(d).isEmpty());

        Adam adam = new Adam(List.of(param(1f, 2f), param(3f)), Map.of());
        e = assertThrows(IllegalArgumentException.class, () -> adam.loadStateDict(good));
        assertTrue(e.getMessage().contains("Adam: cannot load the state of a AdamW optimizer"), e.getMessage());

        Map<String, Object> negativeLr = new LinkedHashMap<>(good.paramGroups().get(0));
        negativeLr.put("lr", -1.0);
        e = assertThrows(IllegalArgumentException.class, () -> opt.loadStateDict(new OptimizerState("AdamW", List.of(negativeLr), Map.of())));
        assertTrue(e.getMessage().contains("AdamW group 0 (saved): lr must be in [0.0, Infinity), got -1.0"), e.getMessage());
        assertEquals(0.1, opt.paramGroups().get(0).lr());

        AdamW oneGroupTooMany = new AdamW(List.of(new ParamGroup(List.of(param(1f, 2f))), new ParamGroup(List.of(param(3f)))), Map.of());
        e = assertThrows(IllegalArgumentException.class, () -> oneGroupTooMany.loadStateDict(good));
        assertTrue(e.getMessage().contains("the state has 1 parameter groups, this optimizer 2"), e.getMessage());
    }

    @Test
    void torchStyleFloatStepLoads() {
        // torch 1.13 keeps 'step' as a float32 0-d tensor; such a state loads (as an integer count)
        Var a = param(1f);
        Adam opt = new Adam(List.of(a), Map.of());
        Map<String, Object> group = new LinkedHashMap<>(opt.stateDict().paramGroups().get(0));
        OptimizerState torchLike = new OptimizerState("Adam", List.of(group), Map.of(0, Map.of("step", Tensor.scalar(4f),
                "exp_avg", Tensor.vector(0.1f), "exp_avg_sq", Tensor.vector(0.01f))));
        opt.loadStateDict(torchLike);
        assertEquals(4L, opt.state(a).get("step").getLong());
        OptimizerState bad = new OptimizerState("Adam", List.of(group), Map.of(0, Map.of("step", Tensor.scalar(1.5f),
                "exp_avg", Tensor.vector(0.1f), "exp_avg_sq", Tensor.vector(0.01f))));
        assertMessage(() -> opt.loadStateDict(bad), "state 'step' must be a non-negative integer, got 1.5");
        OptimizerState missing = new OptimizerState("Adam", List.of(group), Map.of(0, Map.of("exp_avg", Tensor.vector(0.1f))));
        assertMessage(() -> opt.loadStateDict(missing), "per-parameter state has keys [exp_avg], expected");
    }
}
