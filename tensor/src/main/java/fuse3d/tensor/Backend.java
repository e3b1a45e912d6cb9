package fuse3d.tensor;

import java.util.List;

/**
 * The kernels a device provides. {@link Tensor} checks shapes, broadcasts and promotes dtypes at the door,
 * then calls exactly one of these with arguments already valid; a backend never re-validates user input.
 *
 * <p>Inputs may be arbitrary strided views; every returned tensor is fresh and contiguous. The CPU backend
 * is the reference; a CUDA backend plugs in through {@link java.util.ServiceLoader} (see {@link Backends}).
 */
public interface Backend {
    /** Short name for logs ("cpu", "cuda"). */
    String name();

    /** True when this backend owns tensors on that device. */
    boolean supports(Device device);

    /** A new zero-filled contiguous tensor. */
    Tensor zeros(int[] shape, DType dtype);

    /** A new zero-filled contiguous tensor on {@code device} (a backend owning several devices picks the right one). */
    default Tensor zeros(Device device, int[] shape, DType dtype) { return zeros(shape, dtype); }

    /** A contiguous copy of {@code x} converted to {@code dtype}. */
    Tensor copy(Tensor x, DType dtype);

    /** Writes {@code src} (same shape as dst, any dtype) into the view {@code dst}. */
    void copyInto(Tensor dst, Tensor src);

    /** Fills a view with a constant. */
    void fill(Tensor dst, double value);

    /** Elementwise unary op; {@code outType} is the result dtype chosen by the front end. */
    Tensor unary(UnaryOp op, Tensor x, double p0, double p1, DType outType);

    /** Elementwise binary op on two tensors of equal shape (broadcast views), computed in {@code computeType}. */
    Tensor binary(BinaryOp op, Tensor a, Tensor b, DType computeType, DType outType);

    /** cond ? a : b, all three of one shape; a and b already of the output dtype. */
    Tensor where(Tensor cond, Tensor a, Tensor b);

    /** Reduction over sorted distinct dims. {@code p} is NORM's exponent. */
    Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepdim, double p, DType outType);

    /** Max or min along one dim with the index of the first extreme (NaN counts as extreme). */
    Tensor[] extremeWithIndex(boolean max, Tensor x, int dim, boolean keepdim);

    Tensor cumsum(Tensor x, int dim, DType outType);

    Tensor softmax(Tensor x, int dim, boolean log);

    /**
     * Gradient of softmax (log = false) or log_softmax (log = true) along dim, from the forward's output y and
     * the output gradient g: y * (g - sum(g * y)) or g - exp(y) * sum(g). The default composes tensor ops; a
     * backend may fuse it.
     */
    default Tensor softmaxBackward(Tensor y, Tensor g, int dim, boolean log) {
        int[] d = {dim};
        return log ? g.sub(y.exp().mul(g.sum(d, true))) : y.mul(g.sub(g.mul(y).sum(d, true)));
    }

    /** Batched matrix product: a [B, M, K] x b [B, K, N] -> [B, M, N] (views; batch strides may be 0). */
    Tensor bmm(Tensor a, Tensor b);

    Tensor gather(Tensor x, int dim, Tensor index);

    /** Scatter with reduction: "none" (assign), "sum", "prod", "mean", "amax", "amin". */
    Tensor scatterReduce(Tensor x, int dim, Tensor index, Tensor src, String reduce, boolean includeSelf);

    /** torch_scatter's scatter_max: values [.., dimSize, ..] (empty groups 0) and argmax (empty groups = src.size(dim)). */
    Tensor[] scatterMax(Tensor src, int dim, Tensor index, int dimSize);

    /** x with x[i0, i1, ...] set (or accumulated) from values; indices are int64, broadcast to one shape. */
    Tensor indexPut(Tensor x, Tensor[] indices, Tensor values, boolean accumulate);

    /** Rows [N, rank] of the coordinates of nonzero elements, in row-major order. */
    Tensor nonzero(Tensor x);

    Tensor maskedSelect(Tensor x, Tensor mask);

    /** Sort along the last dim of a contiguous tensor: values and int64 indices. */
    Tensor[] sortLastDim(Tensor x, boolean descending, boolean stable);

    Tensor[] topkLastDim(Tensor x, int k, boolean largest, boolean sorted);

    /** Sorted unique values of the flattened tensor, int64 inverse (shape of x) and int64 counts. */
    Tensor[] unique(Tensor x);

    /** Convolution of [N, C, D, H, W] (rank-5 views of 1/2/3-d problems). */
    Tensor conv(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups);

    Tensor convTranspose(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding,
                         int[] dilation, int groups);

    /** Max pooling of [N, C, D, H, W]: values and int64 flat spatial indices. */
    Tensor[] maxPool(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode);

    Tensor avgPool(Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad,
                   int divisorOverride);

    Tensor adaptiveAvgPool(Tensor x, int[] outSpatial);

    Tensor[] adaptiveMaxPool(Tensor x, int[] outSpatial);

    /** Resize [N, C, spatial...] with mode "nearest", "nearest-exact" or "linear" (bi/tri by rank). */
    Tensor interpolate(Tensor x, int[] outSpatial, String mode, boolean alignCorners, double[] scales);

    /** grid_sample of [N, C, spatial...] at grid [N, out..., rank]. */
    Tensor gridSample(Tensor x, Tensor grid, String mode, String paddingMode, boolean alignCorners);

    // ---- backward kernels (the autograd module's derivatives call these through F)

    /** Gradients of {@link #conv}: {gradInput, gradWeight, gradBias} for x [N, C, D, H, W] and gradOut [N, Cout, oD, oH, oW]. */
    Tensor[] convBackward(Tensor gradOut, Tensor x, Tensor weight, int[] stride, int[] padding, int[] dilation, int groups);

    /**
     * Only the gradients {@code outputMask} asks for ({input, weight, bias}; the others are null), as PyTorch's
     * convolution_backward(output_mask): a frozen layer or an input image needs no input or weight gradient.
     * The default computes all three and drops the unwanted ones.
     */
    default Tensor[] convBackward(Tensor gradOut, Tensor x, Tensor weight, int[] stride, int[] padding, int[] dilation, int groups,
                                  boolean[] outputMask) {
        Tensor[] all = convBackward(gradOut, x, weight, stride, padding, dilation, groups);
        for (int i = 0; i < 3; i++) if (!outputMask[i]) all[i] = null;
        return all;
    }

    /** Gradients of {@link #convTranspose}: {gradInput, gradWeight, gradBias}. */
    Tensor[] convTransposeBackward(Tensor gradOut, Tensor x, Tensor weight, int[] stride, int[] padding, int[] outputPadding,
                                   int[] dilation, int groups);

    /** Gradient of max pooling (plain or adaptive): gradOut scattered to the saved flat spatial indices of an input of inputShape. */
    Tensor maxPoolBackward(Tensor gradOut, Tensor indices, int[] inputShape);

    Tensor avgPoolBackward(Tensor gradOut, int[] inputShape, int[] kernel, int[] stride, int[] padding, boolean ceilMode,
                           boolean countIncludePad, int divisorOverride);

    Tensor adaptiveAvgPoolBackward(Tensor gradOut, int[] inputShape);

    /** Gradient of {@link #interpolate} with respect to its input. */
    Tensor interpolateBackward(Tensor gradOut, int[] inSpatial, String mode, boolean alignCorners, double[] scales);

    /** Gradients of {@link #gridSample}: {gradInput, gradGrid}. */
    Tensor[] gridSampleBackward(Tensor gradOut, Tensor x, Tensor grid, String mode, String paddingMode, boolean alignCorners);

    /**
     * A contiguous copy of {@code x} on {@code target}, where either x's device or target is this backend's (the other
     * may be the host). The CPU backend owns no other device, so it has nothing to transfer.
     */
    default Tensor transfer(Tensor x, Device target) {
        throw new UnsupportedOperationException(name() + ": no transfer of " + x.device() + " tensors to " + target);
    }

    /** The other kernels a backend may add later, keyed by name, for ops of higher modules. */
    default List<String> extraKernels() { return List.of(); }
}
