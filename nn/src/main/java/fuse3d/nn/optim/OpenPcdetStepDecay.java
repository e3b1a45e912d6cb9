package fuse3d.nn.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenPCDet's schedule for {@code OPTIMIZER: adam} and {@code sgd}: step decay with a floor, optionally
 * after a cosine warmup. With {@code base} the group's rate at construction (OPTIMIZATION.LR), decay
 * steps {@code d_j = DECAY_STEP_LIST[j] * iters_per_epoch} and {@code W = WARMUP_EPOCH * iters_per_epoch}:
 * <pre>
 *   t &lt; W :  lr = eta_min + (base - eta_min) * (1 - cos(pi t / W)) / 2       eta_min = base / DIV_FACTOR
 *   else  :  lr = base * max(LR_DECAY^#{j : t &gt;= d_j}, LR_CLIP / base)
 * </pre>
 * The decay factor is a running product, as OpenPCDet's lambda computes it. OpenPCDet switches from its
 * CosineWarmupLR to the LambdaLR by epoch ({@code cur_epoch < WARMUP_EPOCH}), which is the same as
 * {@code t < W}. (Upstream, LR_WARMUP builds T_max from {@code len()} of an integer and fails; this
 * implements the evident intent.) OpenPCDet steps it with the iteration number: {@link #setStep(long)}.
 */
public final class OpenPcdetStepDecay extends LrSchedule {
    public static final String TYPE = "OpenPcdetStepDecay";

    private final long[] decaySteps;
    private final double lrDecay, lrClip, warmupStartLr;
    private final long warmupSteps;

    /**
     * @param decaySteps    DECAY_STEP_LIST already multiplied by the iterations per epoch
     * @param lrDecay       LR_DECAY
     * @param lrClip        LR_CLIP (an absolute rate)
     * @param warmupSteps   WARMUP_EPOCH * iterations per epoch, or 0 without LR_WARMUP
     * @param warmupStartLr LR / DIV_FACTOR (ignored without warmup)
     */
    public OpenPcdetStepDecay(Optimizer optimizer, long[] decaySteps, double lrDecay, double lrClip, long warmupSteps, double warmupStartLr) {
        super(TYPE, optimizer, null);
        if (warmupSteps < 0) throw new IllegalArgumentException(TYPE + ": warmup steps must be >= 0, got " + warmupSteps);
        for (double b : baseLrs())
            if (b == 0) throw new IllegalArgumentException(TYPE + ": a base learning rate of 0 makes LR_CLIP / LR undefined");
        this.decaySteps = decaySteps.clone();
        this.lrDecay = lrDecay;
        this.lrClip = lrClip;
        this.warmupSteps = warmupSteps;
        this.warmupStartLr = warmupStartLr;
        start();
    }

    @Override
    public double lr(int group, long t) {
        double base = baseLr(group);
        if (t < warmupSteps) return warmupStartLr + (base - warmupStartLr) * (1 - StrictMath.cos(Math.PI * t / warmupSteps)) / 2;
        double decay = 1;
        for (long d : decaySteps) if (t >= d) decay = decay * lrDecay;
        return base * Math.max(decay, lrClip / base);
    }

    @Override
    protected Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        List<Long> ds = new ArrayList<>();
        for (long d : decaySteps) ds.add(d);
        c.put("decay_steps", ds);
        c.put("lr_decay", lrDecay);
        c.put("lr_clip", lrClip);
        c.put("warmup_steps", warmupSteps);
        c.put("warmup_start_lr", warmupStartLr);
        return c;
    }
}
