package fuse3d.tensor.ops;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** Every op the engine exposes to the generic test suites, keyed by PyTorch's name. */
public final class OpRegistry {
    private final Map<String, OpSpec> ops = new LinkedHashMap<>();
    private static volatile OpRegistry global;

    /** The registry with the tensor module's ops and those of every OpFamily on the class path. */
    public static OpRegistry global() {
        OpRegistry g = global;
        if (g == null) {
            synchronized (OpRegistry.class) {
                if (global == null) {
                    OpRegistry r = new OpRegistry();
                    new TensorOps().register(r);
                    for (OpFamily f : ServiceLoader.load(OpFamily.class)) if (!(f instanceof TensorOps)) f.register(r);
                    global = r;
                }
                g = global;
            }
        }
        return g;
    }

    public void register(OpSpec spec) {
        if (ops.putIfAbsent(spec.name(), spec) != null)
            throw new IllegalStateException("op '" + spec.name() + "' is registered twice");
    }

    public OpSpec get(String name) {
        OpSpec s = ops.get(name);
        if (s == null) throw new IllegalArgumentException("no op named '" + name + "' is registered");
        return s;
    }

    public boolean contains(String name) { return ops.containsKey(name); }

    public Collection<OpSpec> all() { return List.copyOf(ops.values()); }

    public List<OpSpec> family(String family) {
        List<OpSpec> r = new ArrayList<>();
        for (OpSpec s : ops.values()) if (s.family().equals(family)) r.add(s);
        return r;
    }
}
