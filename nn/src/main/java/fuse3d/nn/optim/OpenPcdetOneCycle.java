package fuse3d.nn.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * OpenPCDet's one-cycle schedule ({@code OPTIMIZER: adam_onecycle}; its fastai-derived {@code OneCycle}),
 * which differs from torch's {@link OneCycleLR} in where the phases meet and where the cycle ends.
 *
 * <p>With {@code T} total steps, {@code a = floor(T * pct_start)} and {@code low = lr_max / div_factor}:
 * <pre>
 *   t &lt; a :  lr = cos_anneal(low, lr_max, t / a)           mom = cos_anneal(moms[0], moms[1], t / a)
 *   t &gt;= a:  lr = cos_anneal(lr_max, low / 1e4, (t-a) / (T-a))   mom = cos_anneal(moms[1], moms[0], (t-a) / (T-a))
 *   cos_anneal(s, e, pct) = e + (s - e) / 2 * (cos(pi pct) + 1)
 * </pre>
 * so the rate starts at {@code low}, reaches {@code lr_max} exactly at step {@code a} (both phases give it
 * there), and would reach {@code low / 1e4} at step {@code T}; the momentum (Adam's beta1, typically
 * 0.95 → 0.85 → 0.95) moves inversely. Every group gets the same values, as OpenPCDet's OptimWrapper sets
 * them on all groups. Steps past {@code T} continue the cosine (OpenPCDet never asks for them). OpenPCDet
 * calls its {@code step(accumulated_iter)} before each optimizer step: here {@link #setStep(long)}.
 */
public final class OpenPcdetOneCycle extends LrSchedule {
    public static final String TYPE = "OpenPcdetOneCycle";

    private final long totalSteps, warmupEnd;
    private final double lrMax, mom0, mom1, divFactor, pctStart;

    /**
     * @param lrMax     OPTIMIZATION.LR
     * @param moms      OPTIMIZATION.MOMS, e.g. {0.95, 0.85}
     * @param divFactor OPTIMIZATION.DIV_FACTOR, e.g. 10
     * @param pctStart  OPTIMIZATION.PCT_START, e.g. 0.4
     */
    public OpenPcdetOneCycle(Optimizer optimizer, long totalSteps, double lrMax, double[] moms, double divFactor, double pctStart) {
        super(TYPE, optimizer, uniform(optimizer, lrMax / divFactor));
        if (moms.length != 2) throw new IllegalArgumentException(TYPE + ": MOMS must hold two values, got " + moms.length);
        if (!(divFactor > 0)) throw new IllegalArgumentException(TYPE + ": DIV_FACTOR must be positive, got " + divFactor);
        this.totalSteps = totalSteps;
        this.lrMax = lrMax;
        this.mom0 = moms[0];
        this.mom1 = moms[1];
        this.divFactor = divFactor;
        this.pctStart = pctStart;
        // Python's int() of the float product truncates, as the cast does
        this.warmupEnd = (long) (totalSteps * pctStart);
        if (warmupEnd < 1 || warmupEnd >= totalSteps)
            throw new IllegalArgumentException(TYPE + ": int(total_steps " + totalSteps + " * PCT_START " + pctStart + ") = " + warmupEnd
                    + " leaves an empty phase; it must be in [1, total_steps - 1]");
        start();
    }

    private static double[] uniform(Optimizer o, double v) {
        double[] a = new double[o.paramGroups().size()];
        java.util.Arrays.fill(a, v);
        return a;
    }

    public long totalSteps() { return totalSteps; }

    /** The step at which the rate peaks: {@code floor(T * pct_start)}. */
    public long peakStep() { return warmupEnd; }

    @Override
    public boolean cyclesMomentum() { return true; }

    @Override
    public double lr(int group, long t) {
        double low = lrMax / divFactor;
        return t < warmupEnd ? annealCos(low, lrMax, pct(t, 0, warmupEnd)) : annealCos(lrMax, low / 1e4, pct(t, warmupEnd, totalSteps));
    }

    @Override
    public double momentum(int group, long t) {
        return t < warmupEnd ? annealCos(mom0, mom1, pct(t, 0, warmupEnd)) : annealCos(mom1, mom0, pct(t, warmupEnd, totalSteps));
    }

    /** (t - start) / (end - start) as Python's true division of two integers. */
    private static double pct(long t, long start, long end) { return (double) (t - start) / (double) (end - start); }

    @Override
    protected Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("total_steps", totalSteps);
        c.put("lr_max", lrMax);
        c.put("moms", list(mom0, mom1));
        c.put("div_factor", divFactor);
        c.put("pct_start", pctStart);
        return c;
    }
}
