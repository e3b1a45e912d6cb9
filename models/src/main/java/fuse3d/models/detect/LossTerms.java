package fuse3d.models.detect;

import fuse3d.autograd.Var;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named scalar loss terms in the order they were added (OpenPCDet's tb_dict names: rpn_loss_cls, rpn_loss_loc,
 * rpn_loss_dir, rcnn_loss_cls, rcnn_loss_reg, rcnn_loss_corner, ...); their sum is the training loss.
 */
public final class LossTerms {
    private final Map<String, Var> terms = new LinkedHashMap<>();

    /** Adds a scalar term; a name may be added once. */
    public LossTerms add(String name, Var scalar) {
        if (scalar.data().numel() != 1)
            throw new IllegalArgumentException("LossTerms: term " + name + " must be a scalar, got " + java.util.Arrays.toString(scalar.data().shape()));
        if (terms.putIfAbsent(name, scalar) != null) throw new IllegalArgumentException("LossTerms: term " + name + " added twice");
        return this;
    }

    /** Adds every term of another set (names must not clash). */
    public LossTerms addAll(LossTerms other) {
        other.terms.forEach(this::add);
        return this;
    }

    /** The terms by name, in insertion order. */
    public Map<String, Var> terms() { return Collections.unmodifiableMap(terms); }

    /** The sum of all terms, the Var to call backward on. */
    public Var total() {
        if (terms.isEmpty()) throw new IllegalStateException("LossTerms: no terms");
        Var sum = null;
        for (Var v : terms.values()) sum = sum == null ? v : sum.add(v);
        return sum;
    }

    /** The terms' current values as doubles, in insertion order (for logs and progress bars). */
    public Map<String, Double> values() {
        Map<String, Double> out = new LinkedHashMap<>();
        terms.forEach((k, v) -> out.put(k, v.item()));
        return out;
    }
}
