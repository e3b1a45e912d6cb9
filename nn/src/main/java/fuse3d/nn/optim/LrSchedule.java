package fuse3d.nn.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A learning-rate schedule that writes each parameter group's {@code lr} (and, for the cyclic ones, its
 * momentum or beta1) as a closed-form function of the step number, as torch's lr_scheduler classes do.
 *
 * <p>Use: construct after the optimizer (this applies step 0), then either call {@link #step()} after
 * each optimizer step, as with torch ({@code opt.step(); sched.step();}), or call {@link #setStep(long)}
 * with the iteration number before each optimizer step, as OpenPCDet does
 * ({@code sched.setStep(it); opt.step();}); both give the k-th optimizer step the value at step k.
 *
 * <p>Because every value is a function of the step number and the base learning rates, the state dict is
 * just those plus the schedule's configuration; loading checks that the configuration matches, so a resumed
 * run cannot silently continue a different schedule. Loading does not rewrite the groups (the optimizer's
 * own state dict restores them, as in torch); the next {@link #step()} continues from the saved step.
 */
public abstract class LrSchedule {
    private final String type;
    private final Optimizer optimizer;
    private final double[] baseLrs;
    private long step = -1;

    /**
     * @param baseLrs the per-group base learning rates, or null to take each group's current {@code lr}
     *                (torch's {@code initial_lr})
     */
    protected LrSchedule(String type, Optimizer optimizer, double[] baseLrs) {
        this.type = type;
        this.optimizer = optimizer;
        int n = optimizer.paramGroups().size();
        if (baseLrs == null) {
            baseLrs = new double[n];
            for (int i = 0; i < n; i++) baseLrs[i] = optimizer.paramGroups().get(i).lr();
        } else if (baseLrs.length != n) {
            throw new IllegalArgumentException(type + ": got " + baseLrs.length + " learning rates for " + n + " parameter groups");
        }
        for (double b : baseLrs)
            if (!(b >= 0 && b < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException(type + ": base learning rate must be finite and >= 0, got " + b);
        this.baseLrs = baseLrs.clone();
    }

    /** Applies step 0; every subclass constructor ends with it, once its own fields are set. */
    protected final void start() {
        if (cyclesMomentum() && optimizer.momentumKey() == null)
            throw new IllegalArgumentException(type + ": cycles momentum, but " + optimizer.type() + " has no momentum");
        setStep(0);
    }

    /** The schedule's name ({@code "OneCycleLR"}), checked when a state dict is loaded. */
    public final String type() { return type; }

    public final Optimizer optimizer() { return optimizer; }

    /** The step whose values the groups hold now. */
    public final long currentStep() { return step; }

    /** The base learning rate of each group. */
    public final double[] baseLrs() { return baseLrs.clone(); }

    protected final double baseLr(int group) { return baseLrs[group]; }

    /** Advances one step and writes the new values into the groups. */
    public final void step() { setStep(step + 1); }

    /** Writes the values of step {@code t} into the groups and makes it the current step. */
    public final void setStep(long t) {
        if (t < 0) throw new IllegalArgumentException(type + ": step must be >= 0, got " + t);
        List<ParamGroup> groups = optimizer.paramGroups();
        if (groups.size() != baseLrs.length)
            throw new IllegalStateException(type + ": built for " + baseLrs.length + " parameter groups, the optimizer now has " + groups.size());
        double[] lrs = new double[groups.size()], moms = new double[groups.size()];
        // all values first, so that a step out of range changes nothing
        for (int i = 0; i < lrs.length; i++) {
            lrs[i] = lr(i, t);
            if (cyclesMomentum()) moms[i] = momentum(i, t);
        }
        for (int i = 0; i < lrs.length; i++) {
            groups.get(i).setLr(lrs[i]);
            if (cyclesMomentum()) groups.get(i).set(optimizer.momentumKey(), moms[i]);
        }
        step = t;
    }

    /** The learning rate of group {@code group} at step {@code t}. */
    public abstract double lr(int group, long t);

    /** Whether the schedule also sets the optimizer's momentum key. */
    public boolean cyclesMomentum() { return false; }

    /** The momentum (or beta1) of group {@code group} at step {@code t}; only called when {@link #cyclesMomentum()}. */
    public double momentum(int group, long t) { throw new UnsupportedOperationException(type + " does not schedule momentum"); }

    /** The configuration (numbers, booleans, strings, lists of numbers) that defines the schedule. */
    protected abstract Map<String, Object> config();

    // ------------------------------------------------------------------ state dict

    /** {@code type}, {@code step}, {@code base_lrs} and {@code config}: plain values, ready for JSON. */
    public final Map<String, Object> stateDict() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("step", step);
        List<Double> b = new ArrayList<>();
        for (double v : baseLrs) b.add(v);
        m.put("base_lrs", b);
        m.put("config", new LinkedHashMap<>(config()));
        return m;
    }

    /** Checks that a saved state fits this schedule (same type, configuration and group count), changing nothing. */
    public final void checkStateDict(Map<String, Object> s) { parse(s); }

    /** Restores the step and base learning rates saved by {@link #stateDict()}. */
    public final void loadStateDict(Map<String, Object> s) {
        Parsed p = parse(s);
        System.arraycopy(p.baseLrs, 0, baseLrs, 0, baseLrs.length);
        step = p.step;
    }

    private record Parsed(long step, double[] baseLrs) {}

    private Parsed parse(Map<String, Object> s) {
        if (!type.equals(s.get("type"))) throw new IllegalArgumentException(type + ": cannot load the state of a schedule of type " + s.get("type"));
        if (!(s.get("step") instanceof Number st) || st.doubleValue() != Math.rint(st.doubleValue()) || st.longValue() < 0)
            throw new IllegalArgumentException(type + ": saved step " + s.get("step") + " is not a non-negative integer");
        if (!(s.get("base_lrs") instanceof List<?> b) || b.size() != baseLrs.length)
            throw new IllegalArgumentException(type + ": saved base_lrs " + s.get("base_lrs") + " do not give one value for each of the "
                    + baseLrs.length + " parameter groups");
        double[] bases = new double[b.size()];
        for (int i = 0; i < bases.length; i++) {
            if (!(b.get(i) instanceof Number n)) throw new IllegalArgumentException(type + ": saved base_lrs[" + i + "] is " + b.get(i) + ", not a number");
            bases[i] = n.doubleValue();
        }
        if (!(s.get("config") instanceof Map<?, ?> c)) throw new IllegalArgumentException(type + ": the saved state has no config");
        Map<String, Object> mine = config();
        if (!c.keySet().equals(mine.keySet()))
            throw new IllegalArgumentException(type + ": saved config keys " + c.keySet() + " differ from " + mine.keySet());
        for (Map.Entry<String, Object> e : mine.entrySet())
            if (!sameValue(e.getValue(), c.get(e.getKey())))
                throw new IllegalArgumentException(type + ": saved " + e.getKey() + " = " + c.get(e.getKey()) + " differs from this schedule's " + e.getValue());
        return new Parsed(st.longValue(), bases);
    }

    /** Equality across the number types JSON reading produces (Integer, Long, Double for one saved Double or Long). */
    private static boolean sameValue(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            if ((x instanceof Double || x instanceof Float) || (y instanceof Double || y instanceof Float))
                return Double.compare(x.doubleValue(), y.doubleValue()) == 0;
            return x.longValue() == y.longValue();
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) return false;
            for (int i = 0; i < x.size(); i++) if (!sameValue(x.get(i), y.get(i))) return false;
            return true;
        }
        return a != null && a.equals(b);
    }

    // ------------------------------------------------------------------ shared formulas

    /** Cosine annealing from {@code start} to {@code end} as {@code pct} goes 0 to 1, in torch's and fastai's order of operations. */
    static double annealCos(double start, double end, double pct) {
        double cosOut = StrictMath.cos(Math.PI * pct) + 1;
        return end + (start - end) / 2.0 * cosOut;
    }

    /** Linear annealing, in torch's order of operations. */
    static double annealLinear(double start, double end, double pct) { return (end - start) * pct + start; }

    static List<Double> list(double... v) {
        List<Double> l = new ArrayList<>();
        for (double d : v) l.add(d);
        return l;
    }
}
