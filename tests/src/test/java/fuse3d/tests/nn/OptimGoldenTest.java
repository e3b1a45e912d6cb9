package fuse3d.tests.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fuse3d.autograd.Var;
import fuse3d.nn.Functional;
import fuse3d.nn.loss.MseLoss;
import fuse3d.nn.loss.Reduction;
import fuse3d.nn.optim.Adam;
import fuse3d.nn.optim.AdamW;
import fuse3d.nn.optim.GradClip;
import fuse3d.nn.optim.LrSchedule;
import fuse3d.nn.optim.OneCycleLR;
import fuse3d.nn.optim.OpenPcdetOneCycle;
import fuse3d.nn.optim.OpenPcdetStepDecay;
import fuse3d.nn.optim.Optimizer;
import fuse3d.nn.optim.Sgd;
import fuse3d.nn.optim.StepLR;
import fuse3d.nn.optim.WarmupCosineLR;
import fuse3d.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Optimizers, schedules and clipping against PyTorch 1.13 (nn_optim.safetensors from gen_nn_optim.py): five
 * training steps of Linear(6, 3) under an MSE loss, each step's loss, gradients and updated parameters, the
 * optimizer state after the fifth, and the learning-rate (and momentum) series of every schedule.
 */
class OptimGoldenTest {
    private static final NnGolden G = NnGolden.load("nn_optim.safetensors");

    /** Runs the fixture's five steps of one case with the optimizer {@code make} builds over [weight, bias]. */
    private static void fiveSteps(String name, Function<List<Var>, Optimizer> make, LrSchedule[] schedule) {
        Var w = Var.leaf(G.get("init/weight").copy()), b = Var.leaf(G.get("init/bias").copy());
        Optimizer opt = make.apply(List.of(w, b));
        LrSchedule s = schedule == null ? null : schedule[0];
        Tensor losses = G.get(name + "/losses");
        for (int k = 0; k < 5; k++) {
            if (s != null) s.setStep(k);
            opt.zeroGrad();
            Var loss = MseLoss.mseLoss(Functional.linear(Var.of(G.get("data/x")), w, b), Var.of(G.get("data/y")), Reduction.MEAN);
            loss.backward();
            NnGolden.assertClose(loss.data(), losses.select(0, k), name + " loss at step " + k);
            NnGolden.assertClose(w.grad(), G.get(name + "/step" + k + "/grad.weight"), name + " weight grad at step " + k);
            NnGolden.assertClose(b.grad(), G.get(name + "/step" + k + "/grad.bias"), name + " bias grad at step " + k);
            opt.step();
            NnGolden.assertClose(w.data(), G.get(name + "/step" + k + "/weight"), name + " weight after step " + k);
            NnGolden.assertClose(b.data(), G.get(name + "/step" + k + "/bias"), name + " bias after step " + k);
        }
        if (G.has(name + "/final_state/exp_avg.weight") || G.has(name + "/final_state/momentum_buffer.weight")) {
            for (Map.Entry<String, Tensor> e : G.under(name + "/final_state").entrySet()) {
                String[] stateParam = e.getKey().split("\\.", 2);
                Var p = stateParam[1].equals("weight") ? w : b;
                Tensor ours = opt.state(p).get(stateParam[0]);
                NnGolden.assertClose(ours.to(e.getValue().dtype()), e.getValue(), name + " state " + e.getKey());
            }
        }
    }

    @TestFactory
    List<DynamicTest> optimizersMatchFiveTorchSteps() {
        return List.of(
                DynamicTest.dynamicTest("adamw", () -> fiveSteps("adamw", ps -> new AdamW(ps, Map.of("lr", 1e-2, "weight_decay", 0.01)), null)),
                DynamicTest.dynamicTest("adamw_amsgrad", () -> fiveSteps("adamw_amsgrad",
                        ps -> new AdamW(ps, Map.of("lr", 1e-2, "weight_decay", 0.01, "amsgrad", true)), null)),
                DynamicTest.dynamicTest("adam_wd", () -> fiveSteps("adam_wd", ps -> new Adam(ps, Map.of("lr", 1e-2, "weight_decay", 0.01)), null)),
                DynamicTest.dynamicTest("adam", () -> fiveSteps("adam", ps -> new Adam(ps, Map.of("lr", 1e-2)), null)),
                DynamicTest.dynamicTest("sgd_nesterov", () -> fiveSteps("sgd_nesterov",
                        ps -> new Sgd(ps, Map.of("lr", 0.05, "momentum", 0.9, "nesterov", true, "weight_decay", 1e-4)), null)),
                DynamicTest.dynamicTest("sgd_momentum", () -> fiveSteps("sgd_momentum",
                        ps -> new Sgd(ps, Map.of("lr", 0.05, "momentum", 0.9, "dampening", 0.1, "weight_decay", 1e-3)), null)),
                DynamicTest.dynamicTest("sgd_plain", () -> fiveSteps("sgd_plain", ps -> new Sgd(ps, Map.of("lr", 0.1)), null)));
    }

    /** OpenPCDet's adam_onecycle: decoupled decay of every parameter by lr(t) wd, then Adam with beta1 = mom(t). */
    @Test
    void openPcdetOneCycleMatchesFiveSteps() {
        LrSchedule[] s = new LrSchedule[1];
        fiveSteps("pcdet_onecycle", ps -> {
            AdamW opt = new AdamW(ps, Map.of("lr", 3e-3, "beta1", 0.9, "beta2", 0.99, "weight_decay", 0.01, "decay_params_without_grad", true));
            s[0] = new OpenPcdetOneCycle(opt, 20, 0.01, new double[] {0.95, 0.85}, 10, 0.4);
            return opt;
        }, s);
        Tensor lr = G.get("pcdet_onecycle/lr"), mom = G.get("pcdet_onecycle/mom");
        for (int t = 0; t < 20; t++) {
            assertEquals(lr.getDouble(t), s[0].lr(0, t), 1e-15, "OpenPCDet one-cycle lr at step " + t);
            assertEquals(mom.getDouble(t), s[0].momentum(0, t), 1e-15, "OpenPCDet one-cycle momentum at step " + t);
        }
    }

    private static Optimizer adamOn(Tensor init) { return new Adam(List.of(Var.leaf(init.copy())), Map.of("lr", 0.01)); }

    private static void series(String name, LrSchedule s, boolean momentum) {
        Tensor expected = G.get(name + "/lr");
        for (int t = 0; t < expected.numel(); t++)
            assertEquals(expected.getDouble(t), s.lr(0, t), 1e-12 * Math.abs(expected.getDouble(t)) + 1e-18, name + " lr at step " + t);
        if (momentum) {
            Tensor mom = G.get(name + "/mom");
            for (int t = 0; t < mom.numel(); t++) assertEquals(mom.getDouble(t), s.momentum(0, t), 1e-12, name + " momentum at step " + t);
        }
    }

    @Test
    void schedulesGiveTorchsSeries() {
        Tensor p = G.get("init/bias");
        series("torch_onecycle", new OneCycleLR(adamOn(p), 0.01, 20,
                OneCycleLR.Options.defaults().withPctStart(0.4).withDivFactors(10, 1e4).withMomentum(0.85, 0.95)), true);
        series("cosine_warmup", new WarmupCosineLR(adamOn(p), 4, 20, 0.1, 1e-4), false);
        series("steplr", new StepLR(adamOn(p), 5, 0.5), false);
        series("cosine_annealing", new WarmupCosineLR(adamOn(p), 0, 20, 1.0, 1e-4), false);
        series("pcdet_step_decay", new OpenPcdetStepDecay(adamOn(p), new long[] {8, 14}, 0.1, 5e-5, 0, 0), false);
    }

    @Test
    void clippingGivesTorchsNormsAndGradients() {
        for (String c : List.of("clip_l2", "clip_l2_noop", "clip_inf", "clip_l1")) {
            Map<String, Object> info = G.info(c);
            List<Var> params = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Tensor gi = G.get("clip/grad" + i);
                Var v = Var.leaf(Tensor.zeros(gi.shape()));
                v.setGrad(gi.copy());
                params.add(v);
            }
            double maxNorm = ((Number) info.get("max_norm")).doubleValue();
            Object nt = info.get("norm_type");
            double normType = nt instanceof Number n ? n.doubleValue() : Double.POSITIVE_INFINITY;
            double total = GradClip.clipGradNorm(params, maxNorm, normType, false);
            assertEquals(G.get(c + "/total_norm").item(), total, 1e-6 * Math.abs(total), c + " total norm");
            for (int i = 0; i < 3; i++) NnGolden.assertClose(params.get(i).grad(), G.get(c + "/clipped" + i), c + " clipped grad " + i);
        }
    }
}
