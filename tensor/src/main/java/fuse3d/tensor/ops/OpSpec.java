package fuse3d.tensor.ops;

import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.List;

/**
 * One registered op (in the spirit of PyTorch's OpInfo): how to call it from tensors and keyword
 * arguments, and how to draw random sample calls. Registering an op enrols it in every generic suite:
 * golden fixtures against PyTorch, view/copy invariance, determinism, and later gradcheck and backend parity.
 *
 * @param name          PyTorch's name of the op (the golden fixtures' "op" field)
 * @param family        the group it belongs to (elementwise, reduction, indexing, conv, ...)
 * @param differentiable whether autograd must provide (and gradcheck must verify) a derivative
 * @param invoker       calls the op
 * @param sampler       draws random valid calls for the generic property suites
 */
public record OpSpec(String name, String family, boolean differentiable, Invoker invoker, Sampler sampler) {
    /** Calls the op on tensor inputs and keyword arguments; returns its outputs in PyTorch's order. */
    @FunctionalInterface
    public interface Invoker {
        List<Tensor> apply(List<Tensor> inputs, Args args);
    }

    /** Draws a few random valid calls. */
    @FunctionalInterface
    public interface Sampler {
        List<Sample> samples(Generator g);
    }

    /** One call: tensor inputs and keyword arguments. */
    public record Sample(List<Tensor> inputs, Args args) {}

    public List<Tensor> apply(List<Tensor> inputs, Args args) { return invoker.apply(inputs, args); }
}
