package fuse3d.nn.optim;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * torch.optim.lr_scheduler.OneCycleLR (1.13): the learning rate rises from {@code max_lr / div_factor} to
 * {@code max_lr} and falls to {@code max_lr / div_factor / final_div_factor}, while the momentum (SGD's
 * {@code momentum}, Adam's {@code beta1}) moves the opposite way between {@code max_momentum} and
 * {@code base_momentum}.
 *
 * <p>Phases, as torch defines them (phase ends are float step numbers, {@code T} = total steps, {@code p} =
 * pct_start): two-phase: lr initial→max over [0, pT-1], max→min over [pT-1, T-1]; momentum max→base,
 * then base→max. Three-phase: initial→max over [0, pT-1], max→initial over [pT-1, 2pT-2], initial→min over
 * [2pT-2, T-1]; momentum max→base, base→max, then constant max. Within a phase that starts at {@code s}
 * and ends at {@code e}, step {@code t} uses {@code pct = (t - s) / (e - s)} and cosine
 * ({@code end + (start - end) / 2 * (cos(pi pct) + 1)}) or linear annealing. A step beyond {@code T} is an
 * error, as in torch; step {@code T} itself is allowed (it extrapolates the last phase, as torch does).
 */
public final class OneCycleLR extends LrSchedule {
    public static final String TYPE = "OneCycleLR";

    /** The options after {@code max_lr} and {@code total_steps}, with torch's defaults in {@link #defaults()}. */
    public record Options(double pctStart, boolean cosine, boolean cycleMomentum, double baseMomentum, double maxMomentum,
                          double divFactor, double finalDivFactor, boolean threePhase) {
        /** pct_start 0.3, cos, cycle_momentum, base 0.85, max 0.95, div_factor 25, final_div_factor 1e4, two-phase. */
        public static Options defaults() { return new Options(0.3, true, true, 0.85, 0.95, 25, 1e4, false); }

        public Options withPctStart(double v) { return new Options(v, cosine, cycleMomentum, baseMomentum, maxMomentum, divFactor, finalDivFactor, threePhase); }

        /** anneal_strategy: true for 'cos', false for 'linear'. */
        public Options withCosine(boolean v) { return new Options(pctStart, v, cycleMomentum, baseMomentum, maxMomentum, divFactor, finalDivFactor, threePhase); }

        public Options withCycleMomentum(boolean v) { return new Options(pctStart, cosine, v, baseMomentum, maxMomentum, divFactor, finalDivFactor, threePhase); }

        public Options withMomentum(double base, double max) { return new Options(pctStart, cosine, cycleMomentum, base, max, divFactor, finalDivFactor, threePhase); }

        public Options withDivFactors(double div, double finalDiv) { return new Options(pctStart, cosine, cycleMomentum, baseMomentum, maxMomentum, div, finalDiv, threePhase); }

        public Options withThreePhase(boolean v) { return new Options(pctStart, cosine, cycleMomentum, baseMomentum, maxMomentum, divFactor, finalDivFactor, v); }
    }

    private final double[] maxLrs;
    private final long totalSteps;
    private final Options o;
    /** Phase end steps, as torch computes them (floats). */
    private final double[] ends;

    /** The same {@code maxLr} for every group. */
    public OneCycleLR(Optimizer optimizer, double maxLr, long totalSteps, Options options) {
        this(optimizer, filled(optimizer, maxLr), totalSteps, options);
    }

    /** One {@code max_lr} per group. */
    public OneCycleLR(Optimizer optimizer, double[] maxLrs, long totalSteps, Options options) {
        super(TYPE, optimizer, initialLrs(optimizer, maxLrs, options));
        if (totalSteps <= 0) throw new IllegalArgumentException(TYPE + ": total_steps must be positive, got " + totalSteps);
        if (!(options.pctStart() >= 0 && options.pctStart() <= 1))
            throw new IllegalArgumentException(TYPE + ": pct_start must be in [0, 1], got " + options.pctStart());
        this.maxLrs = maxLrs.clone();
        this.totalSteps = totalSteps;
        this.o = options;
        double p = options.pctStart() * totalSteps;
        this.ends = options.threePhase() ? new double[] {p - 1, 2 * options.pctStart() * totalSteps - 2, totalSteps - 1}
                : new double[] {p - 1, totalSteps - 1};
        // torch divides by zero at the first step that lands in a zero-length phase; refuse such a cycle upfront
        double s = 0;
        for (int i = 0; i < ends.length; i++) {
            if (ends[i] == s)
                throw new IllegalArgumentException(TYPE + ": phase " + (i + 1) + " has zero length (pct_start " + options.pctStart()
                        + " x total_steps " + totalSteps + "); choose pct_start and total_steps so that every phase spans at least one step");
            s = ends[i];
        }
        start();
    }

    private static double[] filled(Optimizer optimizer, double v) {
        double[] a = new double[optimizer.paramGroups().size()];
        Arrays.fill(a, v);
        return a;
    }

    private static double[] initialLrs(Optimizer optimizer, double[] maxLrs, Options o) {
        if (maxLrs.length != optimizer.paramGroups().size())
            throw new IllegalArgumentException(TYPE + ": expected " + optimizer.paramGroups().size() + " values for max_lr, got " + maxLrs.length);
        if (!(o.divFactor() > 0) || !(o.finalDivFactor() > 0))
            throw new IllegalArgumentException(TYPE + ": div_factor and final_div_factor must be positive, got " + o.divFactor() + ", " + o.finalDivFactor());
        double[] init = new double[maxLrs.length];
        for (int i = 0; i < init.length; i++) init[i] = maxLrs[i] / o.divFactor();
        return init;
    }

    public long totalSteps() { return totalSteps; }

    @Override
    public boolean cyclesMomentum() { return o.cycleMomentum(); }

    @Override
    public double lr(int group, long t) {
        double initial = baseLr(group), max = maxLrs[group], min = initial / o.finalDivFactor();
        double[] from = o.threePhase() ? new double[] {initial, max, initial} : new double[] {initial, max};
        double[] to = o.threePhase() ? new double[] {max, initial, min} : new double[] {max, min};
        return annealAt(t, from, to);
    }

    @Override
    public double momentum(int group, long t) {
        double base = o.baseMomentum(), max = o.maxMomentum();
        double[] from = o.threePhase() ? new double[] {max, base, max} : new double[] {max, base};
        double[] to = o.threePhase() ? new double[] {base, max, max} : new double[] {base, max};
        return annealAt(t, from, to);
    }

    private double annealAt(long t, double[] from, double[] to) {
        if (t > totalSteps)
            throw new IllegalArgumentException(TYPE + ": tried to step " + (t + 1) + " times; the specified number of total steps is " + totalSteps);
        double start = 0;
        for (int i = 0; i < ends.length; i++) {
            if (t <= ends[i] || i == ends.length - 1) {
                double pct = (t - start) / (ends[i] - start);
                return o.cosine() ? annealCos(from[i], to[i], pct) : annealLinear(from[i], to[i], pct);
            }
            start = ends[i];
        }
        throw new AssertionError();
    }

    @Override
    protected Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("max_lrs", list(maxLrs));
        c.put("total_steps", totalSteps);
        c.put("pct_start", o.pctStart());
        c.put("anneal_strategy", o.cosine() ? "cos" : "linear");
        c.put("cycle_momentum", o.cycleMomentum());
        c.put("base_momentum", o.baseMomentum());
        c.put("max_momentum", o.maxMomentum());
        c.put("div_factor", o.divFactor());
        c.put("final_div_factor", o.finalDivFactor());
        c.put("three_phase", o.threePhase());
        return c;
    }
}
