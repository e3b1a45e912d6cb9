package fuse3d.nn;

import fuse3d.autograd.Var;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * A module that maps one Var to one Var. Callers use {@link #apply}, which runs forward pre-hooks, then
 * {@link #forward}, then forward hooks, as calling a torch.nn.Module does; subclasses implement forward.
 */
public abstract class Layer extends Module implements UnaryOperator<Var> {
    private List<UnaryOperator<Var>> preHooks;
    private List<BiFunction<Var, Var, Var>> hooks;

    /** The layer's computation. */
    protected abstract Var forward(Var x);

    @Override
    public final Var apply(Var x) {
        if (preHooks != null) for (UnaryOperator<Var> h : preHooks) x = h.apply(x);
        Var y = forward(x);
        if (hooks != null) for (BiFunction<Var, Var, Var> h : hooks) {
            Var r = h.apply(x, y);
            if (r != null) y = r;
        }
        return y;
    }

    /** A hook run on the input before forward; it may return a replacement input. */
    public final Layer registerForwardPreHook(UnaryOperator<Var> hook) {
        if (preHooks == null) preHooks = new ArrayList<>();
        preHooks.add(hook);
        return this;
    }

    /** A hook (input, output) run after forward; a non-null result replaces the output (feature taps, distillation). */
    public final Layer registerForwardHook(BiFunction<Var, Var, Var> hook) {
        if (hooks == null) hooks = new ArrayList<>();
        hooks.add(hook);
        return this;
    }
}
