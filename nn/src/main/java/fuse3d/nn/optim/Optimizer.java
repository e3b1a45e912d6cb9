package fuse3d.nn.optim;

import fuse3d.autograd.GradMode;
import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The base of the gradient-descent optimizers: parameter groups with their hyper-parameters, per-parameter
 * state, {@link #step()} under no-grad updating each parameter's tensor in place, and a state dict from which
 * training resumes bit for bit, all as torch.optim.Optimizer.
 *
 * <p>Subclasses implement one parameter's update with explicit float32 (or float64) arithmetic that follows
 * PyTorch 1.13's CPU kernels operation by operation: each Python scalar is rounded to the tensor's dtype
 * before use, and the ops that PyTorch's kernels fuse (add with {@code alpha}, {@code addcmul}) use a fused
 * multiply-add. Elements are independent, so results do not depend on the thread count.
 */
public abstract class Optimizer {
    private final String type;
    private final Map<String, Object> defaults;
    private final List<ParamGroup> groups = new ArrayList<>();
    /** Per-parameter state by identity (two equal-looking parameters are still two parameters). */
    private final Map<Var, Map<String, Tensor>> state = new IdentityHashMap<>();

    /**
     * @param type     the optimizer's name, used in messages and checked when a state dict is loaded
     * @param builtIn  every hyper-parameter with its default (Double or Boolean), in display order
     * @param groups   the parameter groups; their values override {@code defaults}, which override {@code builtIn}
     * @param defaults the caller's defaults for all groups (numbers or booleans), may be empty
     */
    protected Optimizer(String type, Map<String, Object> builtIn, List<ParamGroup> groups, Map<String, ?> defaults) {
        this.type = type;
        Map<String, Object> d = new LinkedHashMap<>(builtIn);
        for (Map.Entry<String, ?> e : defaults.entrySet()) {
            Object base = builtIn.get(e.getKey());
            if (base == null) throw new IllegalArgumentException(type + ": unknown hyper-parameter '" + e.getKey() + "' (known: " + builtIn.keySet() + ")");
            d.put(e.getKey(), coerce(type, e.getKey(), base, e.getValue()));
        }
        this.defaults = Collections.unmodifiableMap(d);
        if (groups.isEmpty()) throw new IllegalArgumentException(type + ": got no parameter groups");
        for (ParamGroup g : groups) addParamGroup(g);
    }

    /** Wraps a plain parameter list as a single group. */
    protected static List<ParamGroup> single(Collection<Var> params) { return List.of(new ParamGroup(params)); }

    private static Object coerce(String type, String key, Object base, Object value) {
        if (base instanceof Boolean) {
            if (value instanceof Boolean b) return b;
        } else if (value instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException(type + ": hyper-parameter '" + key + "' must be a " + ParamGroup.kind(base) + ", got " + value);
    }

    /** The optimizer's name as torch spells the class ({@code "AdamW"}). */
    public final String type() { return type; }

    /** The defaults every group started from. */
    public final Map<String, Object> defaults() { return defaults; }

    /** The groups, live: schedules and callers change hyper-parameters through them. */
    public final List<ParamGroup> paramGroups() { return Collections.unmodifiableList(groups); }

    /**
     * The group key a momentum schedule cycles ({@code "momentum"} for SGD, {@code "beta1"} for Adam), or
     * null when the optimizer has none.
     */
    public abstract String momentumKey();

    /** Adds a group (torch's add_param_group): its parameters must be new to this optimizer and trainable. */
    public final void addParamGroup(ParamGroup g) {
        Set<Var> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ParamGroup other : groups) seen.addAll(other.params());
        Set<Var> mine = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < g.params().size(); i++) {
            Var p = g.params().get(i);
            String where = type + " group " + groups.size() + " parameter " + i + " " + Shape.str(p.shape());
            if (!p.isLeaf() || !p.requiresGrad())
                throw new IllegalArgumentException(where + ": only leaf Vars that require grad (parameters) can be optimized");
            if (seen.contains(p) || !mine.add(p))
                throw new IllegalArgumentException(where + ": appears in more than one place; each parameter may be optimized once");
        }
        g.attach(type, defaults);
        validate(type + " group " + groups.size(), g);
        groups.add(g);
    }

    /** Checks a group's hyper-parameters (before every step too, since schedules and callers change them). */
    protected abstract void validate(String where, ParamGroup g);

    /**
     * Updates one parameter in place. {@code grad} has the parameter's shape and dtype and is contiguous;
     * {@code data} is the parameter's contiguous tensor (written back by the caller if it is a copy);
     * {@code st} is the parameter's state, empty before its first update.
     */
    protected abstract void update(String where, ParamGroup g, Tensor data, Tensor grad, Map<String, Tensor> st);

    /**
     * Called for a parameter whose gradient is null, which torch's optimizers skip; a subclass may still
     * change it (OpenPCDet's decoupled weight decay does). The default does nothing.
     */
    protected void updateWithoutGrad(String where, ParamGroup g, Tensor data) {}

    /**
     * Checks a loaded per-parameter state against the parameter: allowed keys, shapes, dtypes. Throws
     * IllegalArgumentException naming {@code where} (optimizer, group, parameter index).
     */
    protected abstract void checkState(String where, ParamGroup g, Var p, Map<String, Tensor> st);

    /** Performs one optimization step on every parameter that has a gradient. */
    public final void step() {
        try (GradMode.Scope _ = GradMode.noGrad()) {
            for (int gi = 0; gi < groups.size(); gi++) {
                ParamGroup g = groups.get(gi);
                validate(type + " group " + gi, g);
                List<Var> ps = g.params();
                for (int i = 0; i < ps.size(); i++) {
                    Var p = ps.get(i);
                    String where = type + " group " + gi + " parameter " + i;
                    Tensor data = p.data();
                    boolean direct = data.isContiguous();
                    Tensor work = direct ? data : data.copy();
                    if (p.grad() == null) {
                        updateWithoutGrad(where, g, work);
                    } else {
                        Tensor grad = p.grad();
                        if (!Arrays.equals(grad.shape(), data.shape()))
                            throw new IllegalStateException(where + ": gradient " + Shape.str(grad.shape()) + " does not match the parameter " + Shape.str(data.shape()));
                        grad = grad.to(data.dtype()).contiguous();
                        update(where, g, work, grad, state.computeIfAbsent(p, k -> new LinkedHashMap<>()));
                    }
                    if (!direct) data.copy_(work);
                }
            }
        }
    }

    /** Clears every parameter's gradient (torch's {@code zero_grad(set_to_none=True)}). */
    public final void zeroGrad() {
        for (ParamGroup g : groups) for (Var p : g.params()) p.zeroGrad();
    }

    /** The live state of one parameter (empty map if it has none yet); for tests and diagnostics. */
    public final Map<String, Tensor> state(Var p) {
        Map<String, Tensor> s = state.get(p);
        return s == null ? Map.of() : Collections.unmodifiableMap(s);
    }

    // ------------------------------------------------------------------ state dict

    /** Hyper-parameters and per-parameter state (copied), with torch's numbering of parameters. */
    public final OptimizerState stateDict() {
        List<Map<String, Object>> gs = new ArrayList<>();
        Map<Integer, Map<String, Tensor>> st = new LinkedHashMap<>();
        int index = 0;
        for (ParamGroup g : groups) {
            Map<String, Object> m = new LinkedHashMap<>(g.options());
            List<Integer> ids = new ArrayList<>();
            for (Var p : g.params()) {
                Map<String, Tensor> s = state.get(p);
                if (s != null && !s.isEmpty()) {
                    Map<String, Tensor> copy = new LinkedHashMap<>();
                    for (Map.Entry<String, Tensor> e : s.entrySet()) copy.put(e.getKey(), e.getValue().copy());
                    st.put(index, copy);
                }
                ids.add(index++);
            }
            m.put("params", List.copyOf(ids));
            gs.add(m);
        }
        return new OptimizerState(type, gs, st);
    }

    /**
     * Checks that {@code s} fits this optimizer (type, group count and sizes, hyper-parameter keys and
     * types, state keys and shapes) without changing anything; throws IllegalArgumentException naming the
     * first problem.
     */
    public final void checkStateDict(OptimizerState s) { resolve(s); }

    /**
     * Restores hyper-parameters and per-parameter state from {@code s}, as torch's load_state_dict: the
     * i-th parameter of the i-th saved group becomes the state of this optimizer's i-th parameter of its
     * i-th group; floating state is converted to the parameter's dtype. Everything is checked first, so a
     * state that does not fit changes nothing.
     */
    public final void loadStateDict(OptimizerState s) {
        Map<Var, Map<String, Tensor>> resolved = resolve(s);
        for (int gi = 0; gi < groups.size(); gi++) {
            ParamGroup g = groups.get(gi);
            for (Map.Entry<String, Object> e : s.paramGroups().get(gi).entrySet()) {
                if (e.getKey().equals("params")) continue;
                if (e.getValue() instanceof Boolean b) g.set(e.getKey(), b);
                else g.set(e.getKey(), ((Number) e.getValue()).doubleValue());
            }
        }
        state.clear();
        state.putAll(resolved);
    }

    /** Validates {@code s} and maps it onto this optimizer's parameters, with state tensors already converted. */
    private Map<Var, Map<String, Tensor>> resolve(OptimizerState s) {
        if (!type.equals(s.type()))
            throw new IllegalArgumentException(type + ": cannot load the state of a " + s.type() + " optimizer");
        if (s.paramGroups().size() != groups.size())
            throw new IllegalArgumentException(type + ": the state has " + s.paramGroups().size() + " parameter groups, this optimizer " + groups.size());
        Map<Integer, Var> byIndex = new LinkedHashMap<>();
        Map<Integer, Integer> groupOf = new LinkedHashMap<>();
        Map<Integer, String> whereOf = new LinkedHashMap<>();
        List<ParamGroup> probes = new ArrayList<>();
        for (int gi = 0; gi < groups.size(); gi++) {
            String where = type + " group " + gi;
            ParamGroup g = groups.get(gi);
            Map<String, Object> saved = s.paramGroups().get(gi);
            if (!(saved.get("params") instanceof List<?> ids))
                throw new IllegalArgumentException(where + ": the saved group has no \"params\" list");
            if (ids.size() != g.params().size())
                throw new IllegalArgumentException(where + ": the saved group has " + ids.size() + " parameters, this one " + g.params().size());
            Set<String> want = new HashSet<>(defaults.keySet());
            Set<String> got = new HashSet<>(saved.keySet());
            got.remove("params");
            if (!got.equals(want)) {
                Set<String> missing = new HashSet<>(want);
                missing.removeAll(got);
                got.removeAll(want);
                throw new IllegalArgumentException(where + ": the saved hyper-parameters do not match " + type + "'s: missing " + missing + ", unknown " + got);
            }
            // The saved values, as a detached group: checked now, since loading makes them this group's values.
            ParamGroup probe = new ParamGroup(List.of());
            for (String k : defaults.keySet()) {
                Object v = saved.get(k);
                Object d = defaults.get(k);
                if (d instanceof Boolean && v instanceof Boolean b) probe.set(k, b);
                else if (!(d instanceof Boolean) && v instanceof Number n) probe.set(k, n.doubleValue());
                else throw new IllegalArgumentException(where + ": saved hyper-parameter '" + k + "' must be a " + ParamGroup.kind(d) + ", got " + v);
            }
            validate(where + " (saved)", probe);
            probes.add(probe);
            for (int i = 0; i < ids.size(); i++) {
                if (!(ids.get(i) instanceof Integer id))
                    throw new IllegalArgumentException(where + ": saved parameter index " + ids.get(i) + " is not an integer");
                if (byIndex.put(id, g.params().get(i)) != null)
                    throw new IllegalArgumentException(where + ": saved parameter index " + id + " appears twice");
                groupOf.put(id, gi);
                whereOf.put(id, where + " parameter " + i);
            }
        }
        Map<Var, Map<String, Tensor>> out = new IdentityHashMap<>();
        for (Map.Entry<Integer, Map<String, Tensor>> e : s.state().entrySet()) {
            Var p = byIndex.get(e.getKey());
            if (p == null)
                throw new IllegalArgumentException(type + ": the state has an entry for parameter index " + e.getKey() + ", which no group lists");
            String where = whereOf.get(e.getKey()) + " " + Shape.str(p.shape());
            Map<String, Tensor> converted = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> t : e.getValue().entrySet()) {
                Tensor v = t.getValue();
                if (t.getKey().equals("step")) {
                    converted.put("step", stepTensor(where, v));
                } else {
                    if (!v.dtype().isFloating())
                        throw new IllegalArgumentException(where + ": state '" + t.getKey() + "' has dtype " + v.dtype().torchName() + ", expected a floating dtype");
                    converted.put(t.getKey(), v.to(p.dtype()).copy());
                }
            }
            // checked against the saved group's flags (amsgrad decides Adam's keys): they are the ones that will apply
            checkState(where, probes.get(groupOf.get(e.getKey())), p, converted);
            out.put(p, converted);
        }
        return out;
    }

    /** A saved step count (any numeric 0-d or 1-element tensor holding a non-negative integer) as an INT64 0-d tensor. */
    private static Tensor stepTensor(String where, Tensor v) {
        if (v.numel() != 1 || v.dtype() == DType.BOOL)
            throw new IllegalArgumentException(where + ": state 'step' must be one number, got " + v.dtype().torchName() + " " + Shape.str(v.shape()));
        double d = v.toDoubleArray()[0];
        if (!(d >= 0) || d != Math.rint(d) || d > 0x1p62)
            throw new IllegalArgumentException(where + ": state 'step' must be a non-negative integer, got " + d);
        return Tensor.scalar(d, DType.INT64);
    }

    // ------------------------------------------------------------------ helpers for subclasses

    /** Reads a step counter kept as an INT64 0-d tensor. */
    protected static long getStep(Tensor step) { return step.storage().getLong(step.offset()); }

    protected static void setStep(Tensor step, long value) { step.storage().setLong(step.offset(), value); }

    /** Requires {@code st} to hold exactly {@code keys}, each shaped as the parameter (step: one element). */
    protected static void requireState(String where, Var p, Map<String, Tensor> st, Set<String> keys) {
        if (!st.keySet().equals(keys))
            throw new IllegalArgumentException(where + ": per-parameter state has keys " + st.keySet() + ", expected " + keys);
        for (Map.Entry<String, Tensor> e : st.entrySet()) {
            if (e.getKey().equals("step")) continue;
            if (!Arrays.equals(e.getValue().shape(), p.shape()))
                throw new IllegalArgumentException(where + ": state '" + e.getKey() + "' has shape " + Shape.str(e.getValue().shape())
                        + ", the parameter " + Shape.str(p.shape()));
        }
    }

    protected static void requireRange(String where, ParamGroup g, String key, double lo, double hi, boolean hiOpen) {
        double v = g.get(key);
        if (!(v >= lo && (hiOpen ? v < hi : v <= hi)))
            throw new IllegalArgumentException(where + ": " + key + " must be in [" + lo + ", " + hi + (hiOpen ? ")" : "]") + ", got " + v);
    }
}
