package fuse3d.nn.optim;

import fuse3d.autograd.Var;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A set of parameters optimised with one set of hyper-parameters, as an entry of torch's
 * {@code optimizer.param_groups}: values set here override the optimizer's defaults for these parameters
 * only (e.g. a smaller {@code lr} for a pretrained backbone, {@code weight_decay = 0} for norms and biases).
 *
 * <p>Hyper-parameters are named as in PyTorch ({@code lr}, {@code weight_decay}, {@code momentum}, ...)
 * except that Adam's {@code betas} tuple is split into {@code beta1} and {@code beta2}. Values are doubles
 * or booleans. Before a group joins an optimizer any key may be set; once it has joined, only the
 * optimizer's own keys are accepted, so that a misspelt key fails instead of being silently ignored.
 */
public final class ParamGroup {
    private final List<Var> params;
    private final Map<String, Object> options = new LinkedHashMap<>();
    /** The owning optimizer's keys once the group has joined one, else null. */
    private Set<String> allowed;
    private String owner;

    public ParamGroup(Collection<Var> params) {
        this.params = Collections.unmodifiableList(new ArrayList<>(params));
        for (int i = 0; i < this.params.size(); i++)
            if (this.params.get(i) == null) throw new IllegalArgumentException("ParamGroup: parameter " + i + " is null");
    }

    public static ParamGroup of(Collection<Var> params) { return new ParamGroup(params); }

    /** The parameters, in the order the optimizer numbers them. */
    public List<Var> params() { return params; }

    /** Every hyper-parameter of the group (after joining an optimizer: defaults filled in), read-only. */
    public Map<String, Object> options() { return Collections.unmodifiableMap(options); }

    public boolean has(String key) { return options.containsKey(key); }

    /** Sets a numeric hyper-parameter. */
    public ParamGroup set(String key, double value) { return put(key, value); }

    /** Sets a boolean hyper-parameter (amsgrad, nesterov, maximize, ...). */
    public ParamGroup set(String key, boolean value) { return put(key, value); }

    /** A numeric hyper-parameter. */
    public double get(String key) {
        Object v = options.get(key);
        if (v instanceof Double d) return d;
        if (v == null) throw new IllegalArgumentException(who() + "has no hyper-parameter '" + key + "' (has " + options.keySet() + ")");
        throw new IllegalArgumentException(who() + "hyper-parameter '" + key + "' is " + v + ", not a number");
    }

    /** A boolean hyper-parameter. */
    public boolean flag(String key) {
        Object v = options.get(key);
        if (v instanceof Boolean b) return b;
        if (v == null) throw new IllegalArgumentException(who() + "has no hyper-parameter '" + key + "' (has " + options.keySet() + ")");
        throw new IllegalArgumentException(who() + "hyper-parameter '" + key + "' is " + v + ", not a boolean");
    }

    public double lr() { return get("lr"); }

    public ParamGroup setLr(double lr) { return set("lr", lr); }

    private ParamGroup put(String key, Object value) {
        if (allowed != null) {
            if (!allowed.contains(key))
                throw new IllegalArgumentException(who() + "has no hyper-parameter '" + key + "' (has " + allowed + ")");
            Object old = options.get(key);
            if (old != null && old.getClass() != value.getClass())
                throw new IllegalArgumentException(who() + "hyper-parameter '" + key + "' is a " + kind(old) + ", got " + value);
        }
        options.put(key, value);
        return this;
    }

    /** Called once by the optimizer the group joins: fills in defaults and checks every override. */
    void attach(String optimizer, Map<String, Object> defaults) {
        if (allowed != null) throw new IllegalArgumentException(optimizer + ": this parameter group already belongs to " + owner);
        for (Map.Entry<String, Object> e : options.entrySet()) {
            Object d = defaults.get(e.getKey());
            if (d == null)
                throw new IllegalArgumentException(optimizer + ": unknown hyper-parameter '" + e.getKey() + "' in a parameter group (known: "
                        + defaults.keySet() + ")");
            if (d.getClass() != e.getValue().getClass())
                throw new IllegalArgumentException(optimizer + ": hyper-parameter '" + e.getKey() + "' must be a " + kind(d) + ", got " + e.getValue());
        }
        // Defaults first, overrides after, so that every group lists its keys in the optimizer's order.
        Map<String, Object> merged = new LinkedHashMap<>(defaults);
        merged.putAll(options);
        options.clear();
        options.putAll(merged);
        allowed = Set.copyOf(defaults.keySet());
        owner = optimizer;
    }

    private String who() { return (owner == null ? "parameter group: " : owner + " parameter group: "); }

    static String kind(Object v) { return v instanceof Boolean ? "boolean" : "number"; }

    @Override
    public String toString() { return "ParamGroup(" + params.size() + " params, " + options + ")"; }
}
