package fuse3d.autograd;

import fuse3d.tensor.ops.Args;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Var-level twin of the tensor engine's op registry: for each differentiable op, keyed by the same PyTorch
 * name, an invoker on Vars that reads its keyword arguments exactly as the op's {@code OpSpec} invoker does (same
 * names, same defaults), so that its forward equals the OpSpec's and the generic suites (gradcheck over every
 * registered sample) can run it. Integer and bool inputs come in as constant Vars ({@link Var#of}); outputs that
 * carry no gradient (indices) go out as constant Vars.
 */
public final class VarOps {
    /** Calls one op on Vars and keyword arguments; returns its outputs in PyTorch's order. */
    @FunctionalInterface
    public interface Invoker {
        List<Var> apply(List<Var> inputs, Args args);
    }

    private final Map<String, Invoker> ops = new LinkedHashMap<>();
    private boolean frozen;

    /** An empty registry, e.g. for a family's own tests or for ops outside the built-in families. */
    public VarOps() {}

    /** The registry of every op family of this module (shared and read-only). */
    public static VarOps builtin() { return Builtin.OPS; }

    /** Built on first use (the JVM's lazy class initialisation makes it thread-safe). */
    private static final class Builtin {
        static final VarOps OPS = build();
    }

    private static VarOps build() {
        VarOps r = new VarOps();
        Elementwise.register(r);
        Reductions.register(r);
        Views.register(r);
        Linalg.register(r);
        Indexing.register(r);
        Convolution.register(r);
        Pooling.register(r);
        Resampling.register(r);
        r.frozen = true;
        return r;
    }

    /** Adds an op; a name can be registered once. */
    public void register(String name, Invoker invoker) {
        if (frozen) throw new IllegalStateException("VarOps.builtin() is read-only; register '" + name + "' in a new VarOps()");
        if (ops.putIfAbsent(name, invoker) != null) throw new IllegalStateException("Var op '" + name + "' is registered twice");
    }

    public boolean contains(String name) { return ops.containsKey(name); }

    /** The op's invoker; an error naming the op when there is none. */
    public Invoker get(String name) {
        Invoker inv = ops.get(name);
        if (inv == null) throw new IllegalArgumentException("no Var op named '" + name + "' is registered (no derivative for it yet)");
        return inv;
    }

    /** Calls the op named {@code name}. */
    public List<Var> apply(String name, List<Var> inputs, Args args) { return get(name).apply(inputs, args); }

    /** The registered names, in registration order. */
    public Set<String> names() { return Collections.unmodifiableSet(ops.keySet()); }
}
