package fuse3d.autograd;

import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.Arrays;

/** Helpers that derivative rules share: undoing broadcasting, and re-expanding reduced gradients. */
public final class Grads {
    private Grads() {}

    /** Sums a broadcast gradient back to the shape of the operand that was broadcast. */
    public static Tensor sumTo(Tensor g, int[] shape) {
        int[] gs = g.shape();
        if (Arrays.equals(gs, shape)) return g;
        int lead = gs.length - shape.length;
        if (lead < 0) throw new IllegalArgumentException("sum_to: gradient " + Shape.str(gs) + " has fewer dims than " + Shape.str(shape));
        int count = 0;
        int[] dims = new int[gs.length];
        for (int i = 0; i < gs.length; i++)
            if (i < lead || (shape[i - lead] == 1 && gs[i] != 1)) dims[count++] = i;
        Tensor r = count == 0 ? g : g.sum(Arrays.copyOf(dims, count), true);
        return r.reshape(shape);
    }

    /** A gradient of a reduction over {@code dims} (null = all) re-expanded to the input's shape. */
    public static Tensor unreduce(Tensor g, int[] inputShape, int[] dims, boolean keepdim) {
        return keepdimShape(g, inputShape, dims, keepdim).expand(inputShape);
    }

    /** The reduced tensor with the reduced dims put back as size 1 (a no-op under keepdim). */
    public static Tensor keepdimShape(Tensor g, int[] inputShape, int[] dims, boolean keepdim) {
        // with keepdim the shape is already right; without, a reshape puts the size-1 dims back in place
        return keepdim ? g : g.reshape(keepdimSizes(inputShape, dims));
    }

    /** inputShape with the reduced dims set to 1. */
    public static int[] keepdimSizes(int[] inputShape, int[] dims) {
        int[] k = inputShape.clone();
        if (dims == null || dims.length == 0) {
            Arrays.fill(k, 1);
            return k;
        }
        for (int d : Shape.wrapDims("reduce", dims, inputShape.length)) k[d] = 1;
        return k;
    }

    /** Number of elements reduced over (dims null or empty = all). */
    public static int reducedCount(int[] inputShape, int[] dims) {
        if (dims == null || dims.length == 0) return Shape.numel(inputShape);
        int n = 1;
        for (int d : Shape.wrapDims("reduce", dims, inputShape.length)) n *= inputShape[d];
        return n;
    }
}
