package fuse3d.autograd;

import fuse3d.tensor.Tensor;

/**
 * One recorded op of the graph: its name (PyTorch's op name), the Vars it read and the rule that turns the
 * gradient of its output into gradients of its inputs. The rule's closure holds exactly the tensors the
 * formula reads; {@link #release()} drops them once backward has passed (unless the graph is retained).
 */
public final class Node {
    /** The derivative of one op: gradients for each input (null where an input gets none). */
    @FunctionalInterface
    public interface Rule {
        /**
         * @param grad  gradient of the op's output, shaped as the output
         * @param needs needs[i] is true when input i requires a gradient; a rule may skip the others
         */
        Tensor[] apply(Tensor grad, boolean[] needs);
    }

    private final String op;
    private Var[] inputs;
    private Rule rule;

    Node(String op, Var[] inputs, Rule rule) {
        this.op = op;
        this.inputs = inputs;
        this.rule = rule;
    }

    /** The op that produced the output (PyTorch's name, as in the op registry). */
    public String op() { return op; }

    Var[] inputs() {
        if (inputs == null) throw freed();
        return inputs;
    }

    Tensor[] apply(Tensor grad) {
        if (rule == null) throw freed();
        Var[] in = inputs;
        boolean[] needs = new boolean[in.length];
        for (int i = 0; i < in.length; i++) needs[i] = in[i].requiresGrad();
        Tensor[] grads = rule.apply(grad, needs);
        if (grads.length != in.length)
            throw new IllegalStateException(op + ": derivative returned " + grads.length + " gradients for " + in.length + " inputs");
        return grads;
    }

    boolean released() { return rule == null; }

    void release() {
        rule = null;
        inputs = null;
    }

    private IllegalStateException freed() {
        return new IllegalStateException("backward through " + op + " a second time: its saved tensors were freed after the first"
                + " backward; call backward(grad, true) (retain the graph) the first time");
    }

    @Override
    public String toString() { return op + "Backward"; }
}
