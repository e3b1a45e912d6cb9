package fuse3d.nn.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Linear warmup followed by cosine annealing, per group with base rate {@code base} ({@code W} warmup steps,
 * {@code T} total steps, {@code f} the warmup start factor):
 * <pre>
 *   t &lt; W      :  lr = base * (f + (1 - f) * t / W)                      (f * base up to base)
 *   W &lt;= t &lt;= T :  lr = eta_min + (base - eta_min) * (1 + cos(pi (t - W) / (T - W))) / 2
 *   t &gt; T      :  lr = eta_min
 * </pre>
 * Both pieces give {@code base} at {@code t = W}, so the rate is continuous; with {@code W = 0} this is
 * torch's CosineAnnealingLR (closed form) over {@code T} steps, held at {@code eta_min} afterwards.
 */
public final class WarmupCosineLR extends LrSchedule {
    public static final String TYPE = "WarmupCosineLR";

    private final long warmupSteps, totalSteps;
    private final double warmupStartFactor, etaMin;

    public WarmupCosineLR(Optimizer optimizer, long warmupSteps, long totalSteps, double warmupStartFactor, double etaMin) {
        super(TYPE, optimizer, null);
        if (warmupSteps < 0 || totalSteps <= warmupSteps)
            throw new IllegalArgumentException(TYPE + ": need 0 <= warmup_steps < total_steps, got " + warmupSteps + " and " + totalSteps);
        if (!(warmupStartFactor >= 0 && warmupStartFactor <= 1))
            throw new IllegalArgumentException(TYPE + ": warmup start factor must be in [0, 1], got " + warmupStartFactor);
        if (!(etaMin >= 0)) throw new IllegalArgumentException(TYPE + ": eta_min must be >= 0, got " + etaMin);
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
        this.warmupStartFactor = warmupStartFactor;
        this.etaMin = etaMin;
        start();
    }

    @Override
    public double lr(int group, long t) {
        double base = baseLr(group);
        if (t < warmupSteps) return base * (warmupStartFactor + (1 - warmupStartFactor) * t / warmupSteps);
        if (t > totalSteps) return etaMin;
        return etaMin + (base - etaMin) * (1 + StrictMath.cos(Math.PI * (t - warmupSteps) / (totalSteps - warmupSteps))) / 2;
    }

    @Override
    protected Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("warmup_steps", warmupSteps);
        c.put("total_steps", totalSteps);
        c.put("warmup_start_factor", warmupStartFactor);
        c.put("eta_min", etaMin);
        return c;
    }
}
