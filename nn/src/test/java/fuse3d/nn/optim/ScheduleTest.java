package fuse3d.nn.optim;

import static fuse3d.nn.optim.OptimTesting.param;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Schedule shapes: where they peak, continuity at phase boundaries, end points, momentum, state dicts. */
class ScheduleTest {

    private static AdamW adamW() { return new AdamW(List.of(param(1f)), Map.of("lr", 1.0, "beta1", 0.9, "beta2", 0.99)); }

    /** max |f(t+1) - f(t)| over the whole range, against the value range: a jump shows up as a large step. */
    private static void assertSmoothSteps(Function<Long, Double> f, long from, long to, double maxStep, String what) {
        for (long t = from; t < to; t++) {
            double d = Math.abs(f.apply(t + 1) - f.apply(t));
            assertTrue(d <= maxStep, what + ": jump of " + d + " between steps " + t + " and " + (t + 1));
        }
    }

    @Test
    void openPcdetOneCycle() {
        AdamW opt = adamW();
        // OpenPCDet defaults: LR 0.003, MOMS [0.95, 0.85], DIV_FACTOR 10, PCT_START 0.4
        OpenPcdetOneCycle s = new OpenPcdetOneCycle(opt, 100, 0.003, new double[] {0.95, 0.85}, 10, 0.4);
        assertEquals(40, s.peakStep());
        assertEquals(0.0003, opt.paramGroups().get(0).lr(), 1e-18, "construction applies step 0: lr_max / div_factor");
        assertEquals(0.95, opt.paramGroups().get(0).get("beta1"), "and beta1 = moms[0]");
        assertEquals(0.003, s.lr(0, 40), "lr_max exactly at floor(T * pct_start)");
        assertEquals(0.85, s.momentum(0, 40), "momentum at its low there");
        // mid phase 2: cos(pi/2) + 1 = 1 (+ 6e-17): (lr_max + low/1e4) / 2
        assertEquals((0.003 + 3e-8) / 2, s.lr(0, 70), 1e-15);
        assertEquals(3e-8, s.lr(0, 100), 1e-20, "would end at lr_max / div_factor / 1e4");
        for (long t = 0; t < 40; t++) {
            assertTrue(s.lr(0, t + 1) > s.lr(0, t), "rises in phase 1 at " + t);
            assertTrue(s.momentum(0, t + 1) < s.momentum(0, t), "momentum falls in phase 1 at " + t);
        }
        for (long t = 40; t < 100; t++) {
            assertTrue(s.lr(0, t + 1) < s.lr(0, t), "falls in phase 2 at " + t);
            assertTrue(s.momentum(0, t + 1) > s.momentum(0, t), "momentum rises in phase 2 at " + t);
        }
        // continuity: the step into phase 2 is no larger than the largest step inside the phases
        assertSmoothSteps(t -> s.lr(0, t), 0, 99, 0.003 * Math.PI / 2 / 40 * 1.01, "lr");
        assertSmoothSteps(t -> s.momentum(0, t), 0, 99, 0.1 * Math.PI / 2 / 40 * 1.01, "momentum");

        s.setStep(57);
        assertEquals(s.lr(0, 57), opt.paramGroups().get(0).lr());
        assertEquals(s.momentum(0, 57), opt.paramGroups().get(0).get("beta1"));
        s.step();
        assertEquals(58, s.currentStep());
        assertEquals(s.lr(0, 58), opt.paramGroups().get(0).lr());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new OpenPcdetOneCycle(adamW(), 10, 0.003, new double[] {0.95, 0.85}, 10, 0.05));
        assertTrue(e.getMessage().contains("int(total_steps 10 * PCT_START 0.05) = 0 leaves an empty phase"), e.getMessage());
    }

    @Test
    void openPcdetOptimizerGroups() {
        var model = new fuse3d.nn.Linear(3, 2, new fuse3d.tensor.Generator(1));
        AdamW opt = OpenPcdet.adamOneCycle(model, 0.01, OpenPcdet.BATCH_NORM);
        assertEquals(2, opt.paramGroups().size(), "non-BN group and (here empty) BN group");
        assertEquals(model.parameters(), opt.paramGroups().get(0).params());
        assertEquals(0.99, opt.paramGroups().get(1).get("beta2"));
        assertTrue(opt.paramGroups().get(0).flag("decay_params_without_grad"));
        OpenPcdetOneCycle s = new OpenPcdetOneCycle(opt, 50, 0.01, new double[] {0.95, 0.85}, 10, 0.4);
        for (ParamGroup g : opt.paramGroups()) assertEquals(0.001, g.lr(), 1e-18, "every group gets the schedule's values");
        assertEquals(20, s.peakStep());
    }

    @Test
    void torchOneCycle() {
        Sgd opt = new Sgd(List.of(new ParamGroup(List.of(param(1f))), new ParamGroup(List.of(param(1f)))), Map.of("lr", 1.0, "momentum", 0.5));
        OneCycleLR s = new OneCycleLR(opt, new double[] {0.1, 0.2}, 100, OneCycleLR.Options.defaults());
        // cos annealing at pct 0 computes max + (initial - max) / 2 * 2, which torch too gets only to an ulp or so
        assertEquals(0.1 / 25, opt.paramGroups().get(0).lr(), 1e-17);
        assertEquals(0.2 / 25, opt.paramGroups().get(1).lr(), 1e-17);
        assertEquals(0.95, opt.paramGroups().get(0).get("momentum"), "SGD's momentum starts at max_momentum");
        // torch's phase 1 ends at step pct_start * T - 1 = 29: max_lr there
        assertEquals(0.1, s.lr(0, 29), 1e-17);
        assertEquals(0.85, s.momentum(0, 29), 1e-16);
        assertEquals(0.1 / 25 / 1e4, s.lr(0, 99), 1e-20, "min_lr at T - 1");
        assertSmoothSteps(t -> s.lr(1, t), 0, 99, 0.2 * Math.PI / 2 / 29 * 1.01, "lr");
        assertThrows(IllegalArgumentException.class, () -> s.setStep(101), "beyond total_steps");
        s.setStep(100); // torch allows step == total_steps

        OneCycleLR lin = new OneCycleLR(adamW(), 1.0, 10, OneCycleLR.Options.defaults().withCosine(false).withPctStart(0.5));
        assertEquals(0.04 + (1.0 - 0.04) * 2 / 4, lin.lr(0, 2), 1e-15, "linear: halfway up at step 2 of [0, 4]");
        OneCycleLR three = new OneCycleLR(adamW(), 1.0, 20, OneCycleLR.Options.defaults().withThreePhase(true).withPctStart(0.25));
        assertEquals(1.0, three.lr(0, 4), 1e-15, "peak at pT - 1");
        assertEquals(0.04, three.lr(0, 8), 1e-15, "back to initial at 2pT - 2");
        assertEquals(0.95, three.momentum(0, 15), "momentum held at max in phase 3");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new OneCycleLR(adamW(), 1.0, 10, OneCycleLR.Options.defaults().withPctStart(0.1)));
        assertTrue(e.getMessage().contains("phase 1 has zero length"), e.getMessage());
    }

    @Test
    void warmupCosine() {
        AdamW opt = adamW();
        opt.paramGroups().get(0).setLr(0.1);
        WarmupCosineLR s = new WarmupCosineLR(opt, 10, 110, 0.01, 1e-5);
        assertEquals(0.001, s.lr(0, 0), 1e-18, "starts at factor * base");
        assertEquals(0.1 * (0.01 + 0.99 * 5 / 10), s.lr(0, 5), 1e-17, "linear in the warmup");
        assertEquals(0.1, s.lr(0, 10), "base at the end of the warmup");
        assertEquals(1e-5 + (0.1 - 1e-5) / 2, s.lr(0, 60), 1e-15, "half way down the cosine");
        assertEquals(1e-5, s.lr(0, 110), 1e-18);
        assertEquals(1e-5, s.lr(0, 500), "held at eta_min afterwards");
        assertSmoothSteps(t -> s.lr(0, t), 0, 120, 0.1 * 0.99 / 10 * 1.001, "lr");
    }

    @Test
    void stepSchedules() {
        Sgd opt = new Sgd(List.of(param(1f)), Map.of("lr", 0.5));
        StepLR step = new StepLR(opt, 3, 0.1);
        assertEquals(0.5, step.lr(0, 2));
        assertEquals(0.05, step.lr(0, 3), 1e-17);
        assertEquals(0.005, step.lr(0, 8), 1e-17);
        Sgd opt2 = new Sgd(List.of(param(1f)), Map.of("lr", 0.5));
        MultiStepLR multi = new MultiStepLR(opt2, new long[] {10, 4, 10}, 0.5);
        assertEquals(0.5, multi.lr(0, 3));
        assertEquals(0.25, multi.lr(0, 4));
        assertEquals(0.0625, multi.lr(0, 10), "a milestone listed twice counts twice");

        Adam adam = new Adam(List.of(param(1f)), Map.of("lr", 0.003));
        // OpenPCDet adam: DECAY_STEP_LIST [35, 45] epochs x 10 iterations, LR_DECAY 0.1, LR_CLIP 1e-7, 5 warmup epochs
        OpenPcdetStepDecay d = new OpenPcdetStepDecay(adam, new long[] {350, 450}, 0.1, 1e-7, 50, 0.003 / 10);
        assertEquals(0.0003, d.lr(0, 0), 1e-18, "warmup starts at LR / DIV_FACTOR");
        assertEquals(0.003, d.lr(0, 50));
        assertEquals(0.003 * 0.1, d.lr(0, 350), 1e-18);
        assertEquals(0.003 * (0.1 * 0.1), d.lr(0, 450), 1e-18);
        assertSmoothSteps(t -> d.lr(0, t), 0, 349, 0.0027 * Math.PI / 2 / 50 * 1.01, "warmup into the plateau");
        OpenPcdetStepDecay clipped = new OpenPcdetStepDecay(new Adam(List.of(param(1f)), Map.of("lr", 0.003)), new long[] {1, 2, 3, 4, 5, 6}, 0.1, 1e-7, 0, 0);
        assertEquals(1e-7, clipped.lr(0, 10), 1e-20, "floored at LR_CLIP");
    }

    @Test
    void stateDictRoundTrip() {
        AdamW a = adamW();
        OneCycleLR s = new OneCycleLR(a, 0.01, 50, OneCycleLR.Options.defaults());
        for (int i = 0; i < 7; i++) s.step();
        Map<String, Object> saved = s.stateDict();
        assertEquals(7L, saved.get("step"));

        AdamW b = adamW();
        OneCycleLR r = new OneCycleLR(b, 0.01, 50, OneCycleLR.Options.defaults());
        r.loadStateDict(saved);
        assertEquals(7, r.currentStep());
        s.step();
        r.step();
        assertEquals(a.paramGroups().get(0).lr(), b.paramGroups().get(0).lr());
        assertEquals(a.paramGroups().get(0).get("beta1"), b.paramGroups().get(0).get("beta1"));

        OneCycleLR other = new OneCycleLR(adamW(), 0.01, 60, OneCycleLR.Options.defaults());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.loadStateDict(saved));
        assertTrue(e.getMessage().contains("OneCycleLR: saved total_steps = 50 differs from this schedule's 60"), e.getMessage());
        assertEquals(0, other.currentStep(), "a failed load changes nothing");
        WarmupCosineLR cos = new WarmupCosineLR(adamW(), 1, 10, 0.1, 0);
        e = assertThrows(IllegalArgumentException.class, () -> cos.loadStateDict(saved));
        assertTrue(e.getMessage().contains("WarmupCosineLR: cannot load the state of a schedule of type OneCycleLR"), e.getMessage());
    }
}
