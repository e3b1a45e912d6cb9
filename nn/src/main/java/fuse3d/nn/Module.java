package fuse3d.nn;

import fuse3d.autograd.GradMode;
import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node of the model tree, as torch.nn.Module: named parameters (leaf Vars), named buffers (tensors such as
 * BatchNorm's running statistics) and named children, a train/eval mode, and a state dict with PyTorch's
 * dotted names ({@code backbone.conv1.weight}, {@code bn.running_mean}) in PyTorch's order (a module's own
 * parameters, then its buffers, then each child's, depth first).
 */
public abstract class Module {
    private final Map<String, Var> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    // ------------------------------------------------------------------ registration (for subclasses)

    /**
     * Registers a parameter (a leaf Var requiring grad) under {@code name}; a null tensor registers nothing.
     * Layers read their parameters back through {@link #parameter} at forward time rather than keeping the
     * returned Var, because {@link #to(DType)} replaces them.
     */
    protected final Var registerParameter(String name, Tensor value) {
        checkName(name);
        if (value == null) return null;
        Var p = Var.leaf(value);
        parameters.put(name, p);
        return p;
    }

    /** Registers a persistent buffer (saved in the state dict, not trained). */
    protected final Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        buffers.put(name, value);
        return value;
    }

    /** Registers a child module under {@code name} and returns it. */
    protected final <M extends Module> M registerModule(String name, M child) {
        checkName(name);
        children.put(name, child);
        return child;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains("."))
            throw new IllegalArgumentException(getClass().getSimpleName() + ": a member name must be non-empty and without '.', got '" + name + "'");
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name))
            throw new IllegalArgumentException(getClass().getSimpleName() + ": '" + name + "' is already registered");
    }

    /** This module's own parameter (not a child's), or null. */
    protected final Var parameter(String name) { return parameters.get(name); }

    /** This module's own buffer, or null. */
    protected final Tensor buffer(String name) { return buffers.get(name); }

    // ------------------------------------------------------------------ the tree

    /** Direct children in registration order. */
    public final Map<String, Module> namedChildren() { return Collections.unmodifiableMap(children); }

    /** Every module of the tree with its dotted path ("" for this one), depth first. */
    public final Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", out);
        return out;
    }

    private void collectModules(String prefix, Map<String, Module> out) {
        out.put(prefix, this);
        for (Map.Entry<String, Module> c : children.entrySet()) c.getValue().collectModules(join(prefix, c.getKey()), out);
    }

    /** Every parameter with its dotted name; a parameter shared by two modules appears once, under its first name. */
    public final Map<String, Var> namedParameters() {
        Map<String, Var> out = new LinkedHashMap<>();
        Map<Var, Boolean> seen = new IdentityHashMap<>();
        for (Map.Entry<String, Module> m : namedModules().entrySet())
            for (Map.Entry<String, Var> p : m.getValue().parameters.entrySet())
                if (seen.put(p.getValue(), Boolean.TRUE) == null) out.put(join(m.getKey(), p.getKey()), p.getValue());
        return out;
    }

    public final List<Var> parameters() { return new ArrayList<>(namedParameters().values()); }

    /** Every buffer with its dotted name. */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Module> m : namedModules().entrySet())
            for (Map.Entry<String, Tensor> b : m.getValue().buffers.entrySet()) out.put(join(m.getKey(), b.getKey()), b.getValue());
        return out;
    }

    private static String join(String prefix, String name) { return prefix.isEmpty() ? name : prefix + "." + name; }

    // ------------------------------------------------------------------ modes

    /** Sets training mode on the whole tree (BatchNorm uses batch statistics, Dropout drops). */
    public Module train(boolean on) {
        for (Module m : namedModules().values()) m.training = on;
        return this;
    }

    public final Module train() { return train(true); }

    public final Module eval() { return train(false); }

    public final boolean isTraining() { return training; }

    /**
     * Converts every floating parameter and buffer of the tree to {@code dtype}, as module.double() and
     * module.float(); integer buffers (num_batches_tracked) keep their type. float64 copies of a layer serve
     * gradient checks. Each converted parameter becomes a new leaf without a gradient (one shared by two
     * modules stays shared), so build optimizers after converting.
     */
    public Module to(DType dtype) {
        if (!dtype.isFloating())
            throw new IllegalArgumentException(getClass().getSimpleName() + ".to: parameters must stay floating, got " + dtype.torchName());
        Map<Var, Var> converted = new IdentityHashMap<>();
        for (Module m : namedModules().values()) {
            for (Map.Entry<String, Var> p : m.parameters.entrySet())
                if (p.getValue().dtype() != dtype) p.setValue(converted.computeIfAbsent(p.getValue(), v -> Var.leaf(v.data().to(dtype))));
            for (Map.Entry<String, Tensor> b : m.buffers.entrySet())
                if (b.getValue().dtype().isFloating() && b.getValue().dtype() != dtype) b.setValue(b.getValue().to(dtype));
        }
        return this;
    }

    /** Clears every parameter's gradient. */
    public final void zeroGrad() {
        for (Var p : parameters()) p.zeroGrad();
    }

    /** The number of parameter elements (shared parameters counted once). */
    public final long parameterCount() {
        long n = 0;
        for (Var p : parameters()) n += p.numel();
        return n;
    }

    // ------------------------------------------------------------------ state dict

    /** Parameters and buffers by dotted name, in PyTorch's order; the tensors are the live ones, not copies. */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Module> m : namedModules().entrySet()) {
            for (Map.Entry<String, Var> p : m.getValue().parameters.entrySet()) out.put(join(m.getKey(), p.getKey()), p.getValue().data());
            for (Map.Entry<String, Tensor> b : m.getValue().buffers.entrySet()) out.put(join(m.getKey(), b.getKey()), b.getValue());
        }
        return out;
    }

    /** What a state-dict load found: keys the model wants but the dict lacks, keys it has that the model lacks, and shape clashes. */
    public record LoadReport(List<String> missing, List<String> unexpected, List<String> mismatched) {
        public boolean clean() { return missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty(); }

        @Override
        public String toString() {
            return "missing keys " + missing + ", unexpected keys " + unexpected + ", shape mismatches " + mismatched;
        }
    }

    /**
     * Copies matching entries of {@code state} into this model's parameters and buffers (converting dtype as
     * needed), as load_state_dict. Strict: any missing, unexpected or mis-shaped key fails the whole load
     * with a report and changes nothing. Non-strict: loads what matches and returns the report (mis-shaped
     * keys are reported and skipped, never loaded).
     */
    public final LoadReport loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = stateDict();
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), mismatched = new ArrayList<>();
        for (Map.Entry<String, Module> m : namedModules().entrySet()) {
            Module mod = m.getValue();
            for (String name : mod.parameters.keySet())
                if (!state.containsKey(join(m.getKey(), name)) && !mod.optionalInStateDict(name)) missing.add(join(m.getKey(), name));
            for (String name : mod.buffers.keySet())
                if (!state.containsKey(join(m.getKey(), name)) && !mod.optionalInStateDict(name)) missing.add(join(m.getKey(), name));
        }
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            Tensor mine = own.get(e.getKey());
            if (mine == null) unexpected.add(e.getKey());
            else if (!Arrays.equals(mine.shape(), e.getValue().shape()))
                mismatched.add(e.getKey() + ": checkpoint " + Shape.str(e.getValue().shape()) + " vs model " + Shape.str(mine.shape()));
        }
        LoadReport report = new LoadReport(List.copyOf(missing), List.copyOf(unexpected), List.copyOf(mismatched));
        if (strict && !report.clean())
            throw new IllegalArgumentException("load_state_dict (strict) into " + getClass().getSimpleName() + ": " + report);
        try (GradMode.Scope _ = GradMode.noGrad()) {
            for (Map.Entry<String, Tensor> e : own.entrySet()) {
                Tensor src = state.get(e.getKey());
                if (src != null && Arrays.equals(src.shape(), e.getValue().shape())) e.getValue().copy_(src.to(e.getValue().dtype()));
            }
        }
        return report;
    }

    /**
     * Whether a load may lack this module's own entry {@code name} without reporting it missing; the entry
     * then keeps its value. BatchNorm's num_batches_tracked is such an entry, as PyTorch fills it in for
     * checkpoints written before it existed.
     */
    protected boolean optionalInStateDict(String name) { return false; }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('(');
        String extra = extraRepr();
        sb.append(extra);
        if (!children.isEmpty()) {
            sb.append('\n');
            for (Map.Entry<String, Module> c : children.entrySet())
                sb.append("  (").append(c.getKey()).append("): ").append(c.getValue().toString().replace("\n", "\n  ")).append('\n');
        }
        return sb.append(')').toString();
    }

    /** The constructor arguments worth printing (PyTorch's extra_repr). */
    protected String extraRepr() { return ""; }
}
