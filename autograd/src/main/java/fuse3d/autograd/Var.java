package fuse3d.autograd;

import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A tensor in the autograd graph: its value, whether it requires a gradient, the op that produced it (null
 * for a leaf) and, for leaves, the accumulated gradient. Ops on Vars compute with the tensor engine and,
 * when any input requires a gradient and {@link GradMode} is on, record a {@link Node} with the op's
 * derivative. The fluent methods here delegate to the op families ({@link Elementwise}, {@link Reductions},
 * {@link Views}, {@link Linalg}, ...), where each op's forward and derivative sit side by side.
 */
public final class Var {
    private final Tensor data;
    private final boolean requiresGrad;
    private final Node gradFn;
    private Tensor grad;
    private boolean retainGrad;
    private List<UnaryOperator<Tensor>> hooks;

    private Var(Tensor data, boolean requiresGrad, Node gradFn) {
        this.data = data;
        this.requiresGrad = requiresGrad;
        this.gradFn = gradFn;
    }

    // ------------------------------------------------------------------ construction

    /** A constant: never gets a gradient. */
    public static Var of(Tensor t) { return new Var(t, false, null); }

    /** A leaf that accumulates a gradient in {@link #grad()} (a parameter or an input under test). */
    public static Var leaf(Tensor t) {
        if (!t.dtype().isFloating())
            throw new IllegalArgumentException("requires_grad: only floating tensors can require gradients, got "
                    + t.dtype().torchName() + " of shape " + Shape.str(t.shape()));
        return new Var(t, true, null);
    }

    /**
     * The output of an op: records {@code rule} when recording is on and any input requires a gradient,
     * otherwise returns a constant. Integer and bool outputs never require gradients.
     */
    public static Var record(String op, Tensor out, Node.Rule rule, Var... inputs) {
        if (!GradMode.isEnabled() || !out.dtype().isFloating()) return of(out);
        for (Var v : inputs)
            if (v.requiresGrad) return new Var(out, true, new Node(op, inputs.clone(), rule));
        return of(out);
    }

    // ------------------------------------------------------------------ state

    /** The value (shared, not copied: changing it in place changes this Var's value). */
    public Tensor data() { return data; }

    public boolean requiresGrad() { return requiresGrad; }

    /** True for a Var made by {@link #of} or {@link #leaf}, not by an op. */
    public boolean isLeaf() { return gradFn == null; }

    /** The op that produced this Var, or null for a leaf. */
    public Node gradFn() { return gradFn; }

    /** The accumulated gradient (leaves, and non-leaves after {@link #retainGrad()}); null before backward. */
    public Tensor grad() { return grad; }

    /** Replaces the gradient (null clears it), as {@code param.grad = ...} does; shape must match. */
    public void setGrad(Tensor g) {
        if (g != null && !Arrays.equals(g.shape(), data.shape()))
            throw new IllegalArgumentException("grad: gradient of shape " + Shape.str(g.shape()) + " for a Var of shape " + Shape.str(data.shape()));
        grad = g;
    }

    /** Clears the gradient ({@code zero_grad(set_to_none=True)}). */
    public void zeroGrad() { grad = null; }

    /** Keeps this non-leaf's gradient in {@link #grad()} after backward, as PyTorch's retain_grad(). */
    public Var retainGrad() {
        retainGrad = true;
        return this;
    }

    /** A hook applied to this Var's gradient before it is accumulated or passed on; it may return a new one. */
    public Var registerHook(UnaryOperator<Tensor> hook) {
        if (!requiresGrad) throw new IllegalStateException("register_hook: a Var that does not require grad gets no gradient");
        if (hooks == null) hooks = new ArrayList<>();
        hooks.add(hook);
        return this;
    }

    /** The same value cut from the graph. */
    public Var detach() { return of(data); }

    public int[] shape() { return data.shape(); }

    public int size(int dim) { return data.size(dim); }

    public int dim() { return data.dim(); }

    public int numel() { return data.numel(); }

    public DType dtype() { return data.dtype(); }

    /** The value of a one-element Var. */
    public double item() { return data.item(); }

    @Override
    public String toString() {
        return "Var(" + Shape.str(data.shape()) + ", " + data.dtype().torchName()
                + (gradFn != null ? ", grad_fn=" + gradFn : requiresGrad ? ", requires_grad" : "") + ")";
    }

    // ------------------------------------------------------------------ backward

    /** Backpropagates from a one-element Var (a loss); frees the graph afterwards. */
    public void backward() {
        if (data.numel() != 1)
            throw new IllegalArgumentException("backward: grad can be implicitly created only for a one-element output, got shape "
                    + Shape.str(data.shape()) + "; pass the output's gradient");
        backward(Tensor.ones(data.dtype(), data.shape()), false);
    }

    /** Backpropagates {@code gradOutput} (shaped as this Var); frees the graph afterwards. */
    public void backward(Tensor gradOutput) { backward(gradOutput, false); }

    /**
     * Backpropagates {@code gradOutput}: leaves that require a gradient accumulate it in {@link #grad()}.
     *
     * @param retainGraph keep every node's saved tensors so that a second backward may pass again
     */
    public void backward(Tensor gradOutput, boolean retainGraph) {
        if (!requiresGrad)
            throw new IllegalStateException("backward: this Var does not require grad and has no grad_fn (" + this + ")");
        if (!Arrays.equals(gradOutput.shape(), data.shape()))
            throw new IllegalArgumentException("backward: gradient of shape " + Shape.str(gradOutput.shape())
                    + " for an output of shape " + Shape.str(data.shape()));
        // as PyTorch, a gradient of another floating dtype is cast to the output's: every rule then sees its
        // output's dtype
        Tensor g = gradOutput.dtype() == data.dtype() ? gradOutput : gradOutput.to(data.dtype());
        try (GradMode.Scope _ = GradMode.noGrad()) {
            run(g, retainGraph);
        }
    }

    private void run(Tensor gradOutput, boolean retainGraph) {
        List<Var> order = topologicalOrder();
        Map<Var, Tensor> pending = new IdentityHashMap<>();
        pending.put(this, gradOutput);
        for (Var v : order) {
            Tensor g = pending.remove(v);
            if (g == null) continue;
            if (v.hooks != null) for (UnaryOperator<Tensor> h : v.hooks) g = h.apply(g);
            if (v.gradFn == null) {
                v.accumulate(g);
                continue;
            }
            if (v.retainGrad) v.accumulate(g);
            Node node = v.gradFn;
            Var[] in = node.inputs();
            long t0 = BackwardProfile.ON ? System.nanoTime() : 0;
            Tensor[] grads = node.apply(g);
            if (BackwardProfile.ON) BackwardProfile.add(node.op(), System.nanoTime() - t0);
            for (int i = 0; i < in.length; i++) {
                if (!in[i].requiresGrad || grads[i] == null) continue;
                Tensor gi = grads[i];
                if (!Arrays.equals(gi.shape(), in[i].data.shape()))
                    throw new IllegalStateException(node.op() + ": derivative for input " + i + " has shape " + Shape.str(gi.shape())
                            + ", the input has shape " + Shape.str(in[i].data.shape()));
                if (gi.dtype() != in[i].data.dtype()) gi = gi.to(in[i].data.dtype());
                Tensor prev = pending.get(in[i]);
                pending.put(in[i], prev == null ? gi : prev.add(gi));
            }
            if (!retainGraph) node.release();
        }
    }

    private void accumulate(Tensor g) {
        if (grad != null) {
            grad = grad.add(g.to(data.dtype()));
            return;
        }
        // a gradient may be a broadcast view (expand) or a tensor that a rule also handed to another input (add
        // passes g to both sides) or the caller's gradOutput; store a tensor of its own so that changing one
        // leaf's grad in place (clipping, zero_) cannot change another's
        grad = g.dtype() == data.dtype() ? g.copy() : g.to(data.dtype());
    }

    /** Vars with a grad_fn reachable from this one, each after every Var that consumes it. */
    private List<Var> topologicalOrder() {
        List<Var> postOrder = new ArrayList<>();
        Map<Var, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {this, 0});
        seen.put(this, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Var v = (Var) top[0];
            int next = (Integer) top[1];
            Var[] in = v.gradFn == null ? new Var[0] : v.gradFn.inputs();
            if (next < in.length) {
                top[1] = next + 1;
                Var c = in[next];
                if (c.requiresGrad && seen.put(c, Boolean.TRUE) == null) stack.push(new Object[] {c, 0});
            } else {
                stack.pop();
                postOrder.add(v);
            }
        }
        java.util.Collections.reverse(postOrder);
        return postOrder;
    }

    // ------------------------------------------------------------------ elementwise (Elementwise)

    public Var neg() { return Elementwise.neg(this); }
    public Var abs() { return Elementwise.abs(this); }
    public Var square() { return Elementwise.square(this); }
    public Var exp() { return Elementwise.exp(this); }
    public Var log() { return Elementwise.log(this); }
    public Var log1p() { return Elementwise.log1p(this); }
    public Var expm1() { return Elementwise.expm1(this); }
    public Var sqrt() { return Elementwise.sqrt(this); }
    public Var rsqrt() { return Elementwise.rsqrt(this); }
    public Var reciprocal() { return Elementwise.reciprocal(this); }
    public Var sigmoid() { return Elementwise.sigmoid(this); }
    public Var tanh() { return Elementwise.tanh(this); }
    public Var relu() { return Elementwise.relu(this); }
    public Var leakyRelu(double slope) { return Elementwise.leakyRelu(this, slope); }
    public Var gelu() { return Elementwise.gelu(this); }
    public Var geluTanh() { return Elementwise.geluTanh(this); }
    public Var silu() { return Elementwise.silu(this); }
    public Var sin() { return Elementwise.sin(this); }
    public Var cos() { return Elementwise.cos(this); }
    /** Clamps into [min, max]; Double.NaN for a missing bound. */
    public Var clamp(double min, double max) { return Elementwise.clamp(this, min, max); }
    public Var clampMin(double min) { return Elementwise.clamp(this, min, Double.NaN); }
    public Var clampMax(double max) { return Elementwise.clamp(this, Double.NaN, max); }
    public Var pow(double exponent) { return Elementwise.pow(this, exponent); }
    public Var pow(Var exponent) { return Elementwise.pow(this, exponent); }
    public Var add(Var o) { return Elementwise.add(this, o); }
    public Var add(double s) { return Elementwise.addScalar(this, s); }
    public Var sub(Var o) { return Elementwise.sub(this, o); }
    public Var sub(double s) { return Elementwise.addScalar(this, -s); }
    public Var mul(Var o) { return Elementwise.mul(this, o); }
    public Var mul(double s) { return Elementwise.mulScalar(this, s); }
    public Var div(Var o) { return Elementwise.div(this, o); }
    public Var div(double s) { return Elementwise.mulScalar(this, 1.0 / s); }
    public Var add(Tensor o) { return Elementwise.add(this, of(o)); }
    public Var sub(Tensor o) { return Elementwise.sub(this, of(o)); }
    public Var mul(Tensor o) { return Elementwise.mul(this, of(o)); }
    public Var div(Tensor o) { return Elementwise.div(this, of(o)); }
    public Var maximum(Var o) { return Elementwise.maximum(this, o); }
    public Var minimum(Var o) { return Elementwise.minimum(this, o); }
    public Var atan2(Var o) { return Elementwise.atan2(this, o); }
    /** cond ? a : b with broadcasting (cond a bool tensor). */
    public static Var where(Tensor cond, Var a, Var b) { return Elementwise.where(cond, a, b); }
    public Var maskedFill(Tensor mask, double value) { return Elementwise.maskedFill(this, mask, value); }

    // ------------------------------------------------------------------ reductions (Reductions)

    public Var sum() { return Reductions.sum(this, null, false); }
    public Var sum(int dim) { return Reductions.sum(this, new int[] {dim}, false); }
    public Var sum(int[] dims, boolean keepdim) { return Reductions.sum(this, dims, keepdim); }
    public Var mean() { return Reductions.mean(this, null, false); }
    public Var mean(int dim) { return Reductions.mean(this, new int[] {dim}, false); }
    public Var mean(int[] dims, boolean keepdim) { return Reductions.mean(this, dims, keepdim); }
    public Var amax(int[] dims, boolean keepdim) { return Reductions.amax(this, dims, keepdim); }
    public Var amin(int[] dims, boolean keepdim) { return Reductions.amin(this, dims, keepdim); }
    public Var max() { return Reductions.amax(this, null, false); }
    public Var min() { return Reductions.amin(this, null, false); }
    public Var logsumexp(int[] dims, boolean keepdim) { return Reductions.logsumexp(this, dims, keepdim); }
    public Var var(int[] dims, int correction, boolean keepdim) { return Reductions.var(this, dims, correction, keepdim); }
    public Var std(int[] dims, int correction, boolean keepdim) { return Reductions.std(this, dims, correction, keepdim); }
    public Var norm(double p, int[] dims, boolean keepdim) { return Reductions.norm(this, p, dims, keepdim); }
    public Var norm() { return Reductions.norm(this, 2, null, false); }
    public Var prod() { return Reductions.prod(this); }
    public Var prod(int dim, boolean keepdim) { return Reductions.prod(this, dim, keepdim); }
    public Var softmax(int dim) { return Reductions.softmax(this, dim); }
    public Var logSoftmax(int dim) { return Reductions.logSoftmax(this, dim); }
    public Var cumsum(int dim) { return Reductions.cumsum(this, dim); }

    // ------------------------------------------------------------------ linear algebra (Linalg)

    public Var matmul(Var o) { return Linalg.matmul(this, o); }

    // ------------------------------------------------------------------ views and joins (Views)

    public Var reshape(int... shape) { return Views.reshape(this, shape); }
    public Var view(int... shape) { return Views.reshape(this, shape); }
    public Var permute(int... dims) { return Views.permute(this, dims); }
    public Var transpose(int d0, int d1) { return Views.transpose(this, d0, d1); }
    public Var t() { return Views.transpose(this, 0, 1); }
    public Var narrow(int dim, int start, int length) { return Views.narrow(this, dim, start, length); }
    public Var slice(int dim, int start, int end, int step) { return Views.slice(this, dim, start, end, step); }
    public Var select(int dim, int index) { return Views.select(this, dim, index); }
    public Var expand(int... shape) { return Views.expand(this, shape); }
    public Var squeeze() { return Views.squeeze(this); }
    public Var squeeze(int dim) { return Views.squeeze(this, dim); }
    public Var unsqueeze(int dim) { return Views.unsqueeze(this, dim); }
    public Var flatten() { return Views.flatten(this, 0, -1); }
    public Var flatten(int startDim, int endDim) { return Views.flatten(this, startDim, endDim); }
    public Var contiguous() { return Views.contiguous(this); }
    public Var to(DType dt) { return Views.to(this, dt); }
    public static Var cat(int dim, Var... xs) { return Views.cat(dim, xs); }
    public static Var cat(int dim, List<Var> xs) { return Views.cat(dim, xs.toArray(new Var[0])); }
    public static Var stack(int dim, Var... xs) { return Views.stack(dim, xs); }
    public List<Var> split(int size, int dim) { return Views.split(this, size, dim); }
    public List<Var> split(int[] sizes, int dim) { return Views.split(this, sizes, dim); }
    public List<Var> chunk(int chunks, int dim) { return Views.chunk(this, chunks, dim); }

    // ------------------------------------------------------------------ indexing and sorting (Indexing)

    /** Values that carry the gradient, with the int64 indices they were picked from (sort, topk, max/min, scatter_max). */
    public record ValuesIndices(Var values, Tensor indices) {}

    public Var indexSelect(int dim, Tensor index) { return Indexing.indexSelect(this, dim, index); }
    public Var gather(int dim, Tensor index) { return Indexing.gather(this, dim, index); }
    public Var scatter(int dim, Tensor index, Var src) { return Indexing.scatter(this, dim, index, src); }
    public Var scatterAdd(int dim, Tensor index, Var src) { return Indexing.scatterAdd(this, dim, index, src); }
    /** torch.scatter_reduce with reduce in sum, prod, mean, amax, amin. */
    public Var scatterReduce(int dim, Tensor index, Var src, String reduce, boolean includeSelf) {
        return Indexing.scatterReduce(this, dim, index, src, reduce, includeSelf);
    }
    /** torch_scatter's scatter_max of src into dimSize slots along dim. */
    public static ValuesIndices scatterMax(Var src, int dim, Tensor index, int dimSize) { return Indexing.scatterMax(src, dim, index, dimSize); }
    public Var indexPut(Tensor[] indices, Var values, boolean accumulate) { return Indexing.indexPut(this, indices, values, accumulate); }
    public Var maskedSelect(Tensor mask) { return Indexing.maskedSelect(this, mask); }
    public ValuesIndices sort(int dim, boolean descending, boolean stable) { return Indexing.sort(this, dim, descending, stable); }
    public ValuesIndices sort(int dim, boolean descending) { return Indexing.sort(this, dim, descending, false); }
    public ValuesIndices topk(int k, int dim, boolean largest, boolean sorted) { return Indexing.topk(this, k, dim, largest, sorted); }
    public ValuesIndices max(int dim, boolean keepdim) { return Indexing.max(this, dim, keepdim); }
    public ValuesIndices min(int dim, boolean keepdim) { return Indexing.min(this, dim, keepdim); }
}
