package fuse3d.tensor;

import java.util.Arrays;
import java.util.Locale;

/**
 * Image and volume operators with torch.nn.functional's names and semantics: convolution, transposed
 * convolution, pooling, interpolation and grid sampling. Each checks its arguments here and lifts 1-d and
 * 2-d problems to the backend's single [N, C, D, H, W] kernel.
 */
public final class F {
    private F() {}

    // ------------------------------------------------------------------ convolution

    public static Tensor conv1d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        return conv("conv1d", 1, x, weight, bias, new int[] {stride}, new int[] {padding}, new int[] {dilation}, groups);
    }

    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        return conv("conv2d", 2, x, weight, bias, stride, padding, dilation, groups);
    }

    /** conv2d with square stride, padding and dilation. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        return conv2d(x, weight, bias, new int[] {stride, stride}, new int[] {padding, padding}, new int[] {1, 1}, 1);
    }

    public static Tensor conv3d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        return conv("conv3d", 3, x, weight, bias, stride, padding, dilation, groups);
    }

    private static Tensor conv(String op, int nd, Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        boolean batched = checkRank(op, x, nd);
        Tensor xb = batched ? x : x.unsqueeze(0);
        checkConvArgs(op, nd, x, xb, weight, bias, stride, padding, dilation, groups);
        Tensor y = x.backend().conv(lift(xb, nd), lift(weight, nd), bias, pad3(stride, nd, 1), pad3(padding, nd, 0), pad3(dilation, nd, 1), groups);
        y = drop(y, nd);
        return batched ? y : y.squeeze(0);
    }

    private static void checkConvArgs(String op, int nd, Tensor x, Tensor xb, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        int[] xs = xb.shape(), ws = weight.shape();
        if (weight.dim() != nd + 2)
            throw new IllegalArgumentException(op + ": weight must be [out, in/groups" + ", k".repeat(nd) + "], got " + Shape.str(ws));
        checkTuple(op, "stride", stride, nd, 1);
        checkTuple(op, "padding", padding, nd, 0);
        checkTuple(op, "dilation", dilation, nd, 1);
        if (groups < 1) throw new IllegalArgumentException(op + ": groups must be >= 1, got " + groups);
        int cin = xs[1], cout = ws[0];
        if (cin % groups != 0 || cout % groups != 0)
            throw new IllegalArgumentException(op + ": in channels " + cin + " and out channels " + cout + " must be divisible by groups " + groups);
        if (ws[1] * groups != cin)
            throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape()) + " has " + cin + " channels but weight " + Shape.str(ws)
                    + " expects " + ws[1] * groups + " (in/groups=" + ws[1] + ", groups=" + groups + ")");
        checkBias(op, bias, cout);
        requireSameDtype(op, x, weight, bias);
        for (int i = 0; i < nd; i++) {
            int in = xs[2 + i] + 2 * padding[i], k = dilation[i] * (ws[2 + i] - 1) + 1;
            if (in < k)
                throw new IllegalArgumentException(op + ": padded input size " + in + " in spatial dim " + i + " is smaller than the dilated kernel " + k
                        + " (input " + Shape.str(x.shape()) + ", weight " + Shape.str(ws) + ")");
        }
    }

    // ------------------------------------------------------------------ convolution backward

    /**
     * Gradients of conv1d/2d/3d (nd = 1, 2, 3) at x and weight for gradOut: {gradInput, gradWeight, gradBias}
     * (gradBias is returned whether or not the forward had a bias).
     */
    public static Tensor[] convBackward(int nd, Tensor x, Tensor weight, Tensor gradOut, int[] stride, int[] padding, int[] dilation, int groups) {
        return convBackward(nd, x, weight, gradOut, stride, padding, dilation, groups, new boolean[] {true, true, true});
    }

    /** {@link #convBackward} computing only the gradients {@code outputMask} ({input, weight, bias}) asks for; the rest are null. */
    public static Tensor[] convBackward(int nd, Tensor x, Tensor weight, Tensor gradOut, int[] stride, int[] padding, int[] dilation, int groups,
                                        boolean[] outputMask) {
        String op = "conv" + nd + "d_backward";
        if (nd < 1 || nd > 3) throw new IllegalArgumentException(op + ": nd must be 1, 2 or 3");
        boolean batched = checkRank(op, x, nd);
        Tensor xb = batched ? x : x.unsqueeze(0), gb = batched ? gradOut : gradOut.unsqueeze(0);
        checkConvArgs(op, nd, x, xb, weight, null, stride, padding, dilation, groups);
        int[] expect = new int[nd + 2];
        expect[0] = xb.shape()[0];
        expect[1] = weight.shape()[0];
        for (int i = 0; i < nd; i++)
            expect[2 + i] = Math.floorDiv(xb.shape()[2 + i] + 2 * padding[i] - dilation[i] * (weight.shape()[2 + i] - 1) - 1, stride[i]) + 1;
        requireGradShape(op, gb, expect, gradOut);
        Tensor[] r = x.backend().convBackward(lift(gb, nd).to(x.dtype()), lift(xb, nd), lift(weight, nd), pad3(stride, nd, 1), pad3(padding, nd, 0),
                pad3(dilation, nd, 1), groups, outputMask);
        Tensor gi = r[0] == null ? null : drop(r[0], nd);
        return new Tensor[] {gi == null || batched ? gi : gi.squeeze(0), r[1] == null ? null : drop(r[1], nd), r[2]};
    }

    /** Gradients of conv_transpose2d/3d: {gradInput, gradWeight, gradBias}. */
    public static Tensor[] convTransposeBackward(int nd, Tensor x, Tensor weight, Tensor gradOut, int[] stride, int[] padding, int[] outputPadding, int groups, int[] dilation) {
        String op = "conv_transpose" + nd + "d_backward";
        if (nd < 1 || nd > 3) throw new IllegalArgumentException(op + ": nd must be 1, 2 or 3");
        Tensor probe = convTranspose(op, nd, x, weight, null, stride, padding, outputPadding, groups, dilation); // validates, gives the output shape
        boolean batched = x.dim() == nd + 2;
        Tensor xb = batched ? x : x.unsqueeze(0), gb = batched ? gradOut : gradOut.unsqueeze(0);
        requireGradShape(op, gb, (batched ? probe : probe.unsqueeze(0)).shape(), gradOut);
        Tensor[] r = x.backend().convTransposeBackward(lift(gb, nd).to(x.dtype()), lift(xb, nd), lift(weight, nd), pad3(stride, nd, 1), pad3(padding, nd, 0),
                pad3(outputPadding, nd, 0), pad3(dilation, nd, 1), groups);
        Tensor gi = drop(r[0], nd);
        return new Tensor[] {batched ? gi : gi.squeeze(0), drop(r[1], nd), r[2]};
    }

    private static void requireGradShape(String op, Tensor gb, int[] expect, Tensor gradOut) {
        if (!Arrays.equals(gb.shape(), expect))
            throw new IllegalArgumentException(op + ": grad_out " + Shape.str(gradOut.shape()) + " does not match the forward output " + Shape.str(expect));
    }

    public static Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding, int groups, int[] dilation) {
        return convTranspose("conv_transpose2d", 2, x, weight, bias, stride, padding, outputPadding, groups, dilation);
    }

    public static Tensor convTranspose3d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding, int groups, int[] dilation) {
        return convTranspose("conv_transpose3d", 3, x, weight, bias, stride, padding, outputPadding, groups, dilation);
    }

    private static Tensor convTranspose(String op, int nd, Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding, int groups, int[] dilation) {
        boolean batched = checkRank(op, x, nd);
        Tensor xb = batched ? x : x.unsqueeze(0);
        int[] xs = xb.shape(), ws = weight.shape();
        if (weight.dim() != nd + 2)
            throw new IllegalArgumentException(op + ": weight must be [in, out/groups" + ", k".repeat(nd) + "], got " + Shape.str(ws));
        checkTuple(op, "stride", stride, nd, 1);
        checkTuple(op, "padding", padding, nd, 0);
        checkTuple(op, "output_padding", outputPadding, nd, 0);
        checkTuple(op, "dilation", dilation, nd, 1);
        if (groups < 1 || xs[1] % groups != 0)
            throw new IllegalArgumentException(op + ": in channels " + xs[1] + " must be divisible by groups " + groups);
        if (ws[0] != xs[1])
            throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape()) + " has " + xs[1] + " channels but weight " + Shape.str(ws) + " expects " + ws[0]);
        for (int i = 0; i < nd; i++)
            if (outputPadding[i] >= Math.max(stride[i], dilation[i]))
                throw new IllegalArgumentException(op + ": output_padding " + Arrays.toString(outputPadding) + " must be smaller than stride or dilation in every dim");
        int cout = ws[1] * groups;
        checkBias(op, bias, cout);
        requireSameDtype(op, x, weight, bias);
        for (int i = 0; i < nd; i++) {
            int o = (xs[2 + i] - 1) * stride[i] - 2 * padding[i] + dilation[i] * (ws[2 + i] - 1) + outputPadding[i] + 1;
            if (o <= 0) throw new IllegalArgumentException(op + ": output size " + o + " in spatial dim " + i + " is not positive (input " + Shape.str(x.shape()) + ")");
        }
        Tensor y = x.backend().convTranspose(lift(xb, nd), lift(weight, nd), bias, pad3(stride, nd, 1), pad3(padding, nd, 0),
                pad3(outputPadding, nd, 0), pad3(dilation, nd, 1), groups);
        y = drop(y, nd);
        return batched ? y : y.squeeze(0);
    }

    // ------------------------------------------------------------------ pooling

    /** Max pooling with the flat spatial index of each maximum (torch's return_indices=True). */
    public static Tensor.ValuesIndices maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        return maxPool("max_pool2d", 2, x, kernel, stride, padding, dilation, ceilMode);
    }

    public static Tensor.ValuesIndices maxPool3d(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        return maxPool("max_pool3d", 3, x, kernel, stride, padding, dilation, ceilMode);
    }

    private static Tensor.ValuesIndices maxPool(String op, int nd, Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        boolean batched = checkRank(op, x, nd);
        int[] st = stride == null || stride.length == 0 ? kernel : stride;
        checkTuple(op, "kernel_size", kernel, nd, 1);
        checkTuple(op, "stride", st, nd, 1);
        checkTuple(op, "padding", padding, nd, 0);
        checkTuple(op, "dilation", dilation, nd, 1);
        for (int i = 0; i < nd; i++)
            if (padding[i] * 2 > kernel[i])
                throw new IllegalArgumentException(op + ": padding " + Arrays.toString(padding) + " must be at most half of kernel_size " + Arrays.toString(kernel));
        Tensor xb = batched ? x : x.unsqueeze(0);
        checkPoolOutput(op, xb, nd, kernel, st, padding, dilation, ceilMode);
        Tensor[] r = x.backend().maxPool(lift(xb, nd), pad3(kernel, nd, 1), pad3(st, nd, 1), pad3(padding, nd, 0), pad3(dilation, nd, 1), ceilMode);
        Tensor v = drop(r[0], nd), i = drop(r[1], nd);
        return batched ? new Tensor.ValuesIndices(v, i) : new Tensor.ValuesIndices(v.squeeze(0), i.squeeze(0));
    }

    public static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad, int divisorOverride) {
        return avgPool("avg_pool2d", 2, x, kernel, stride, padding, ceilMode, countIncludePad, divisorOverride);
    }

    public static Tensor avgPool3d(Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad, int divisorOverride) {
        return avgPool("avg_pool3d", 3, x, kernel, stride, padding, ceilMode, countIncludePad, divisorOverride);
    }

    private static Tensor avgPool(String op, int nd, Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad, int divisorOverride) {
        boolean batched = checkRank(op, x, nd);
        int[] st = stride == null || stride.length == 0 ? kernel : stride;
        checkTuple(op, "kernel_size", kernel, nd, 1);
        checkTuple(op, "stride", st, nd, 1);
        checkTuple(op, "padding", padding, nd, 0);
        if (divisorOverride < 0) throw new IllegalArgumentException(op + ": divisor_override must be positive (0 = none), got " + divisorOverride);
        for (int i = 0; i < nd; i++)
            if (padding[i] * 2 > kernel[i])
                throw new IllegalArgumentException(op + ": padding " + Arrays.toString(padding) + " must be at most half of kernel_size " + Arrays.toString(kernel));
        Tensor xb = batched ? x : x.unsqueeze(0);
        int[] ones = new int[nd];
        Arrays.fill(ones, 1);
        checkPoolOutput(op, xb, nd, kernel, st, padding, ones, ceilMode);
        Tensor y = drop(x.backend().avgPool(lift(xb, nd), pad3(kernel, nd, 1), pad3(st, nd, 1), pad3(padding, nd, 0), ceilMode, countIncludePad, divisorOverride), nd);
        return batched ? y : y.squeeze(0);
    }

    public static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        return adaptive("adaptive_avg_pool2d", 2, x, new int[] {outH, outW}, false).values();
    }

    public static Tensor adaptiveAvgPool3d(Tensor x, int outD, int outH, int outW) {
        return adaptive("adaptive_avg_pool3d", 3, x, new int[] {outD, outH, outW}, false).values();
    }

    public static Tensor.ValuesIndices adaptiveMaxPool2d(Tensor x, int outH, int outW) {
        return adaptive("adaptive_max_pool2d", 2, x, new int[] {outH, outW}, true);
    }

    private static Tensor.ValuesIndices adaptive(String op, int nd, Tensor x, int[] out, boolean max) {
        boolean batched = checkRank(op, x, nd);
        checkTuple(op, "output_size", out, nd, 1);
        Tensor xb = batched ? x : x.unsqueeze(0);
        for (int i = 0; i < nd; i++)
            if (xb.shape()[2 + i] == 0) throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape()) + " has an empty spatial dim");
        Tensor[] r = max ? x.backend().adaptiveMaxPool(lift(xb, nd), pad3(out, nd, 1))
                : new Tensor[] {x.backend().adaptiveAvgPool(lift(xb, nd), pad3(out, nd, 1)), null};
        Tensor v = drop(r[0], nd), i = r[1] == null ? null : drop(r[1], nd);
        if (!batched) {
            v = v.squeeze(0);
            if (i != null) i = i.squeeze(0);
        }
        return new Tensor.ValuesIndices(v, i);
    }

    private static void checkPoolOutput(String op, Tensor xb, int nd, int[] k, int[] s, int[] p, int[] d, boolean ceil) {
        for (int i = 0; i < nd; i++) {
            int o = poolOutSize(xb.shape()[2 + i], k[i], s[i], p[i], d[i], ceil);
            if (o <= 0)
                throw new IllegalArgumentException(op + ": input " + Shape.str(xb.shape()) + " is too small for kernel " + Arrays.toString(k)
                        + " (output size " + o + " in spatial dim " + i + ")");
        }
    }

    /** PyTorch's pooling output size, including the rule that the last window must start inside the input. */
    public static int poolOutSize(int in, int k, int s, int p, int d, boolean ceil) {
        int eff = d * (k - 1) + 1;
        int num = in + 2 * p - eff;
        int o = (ceil ? Math.floorDiv(num + s - 1, s) : Math.floorDiv(num, s)) + 1;
        if (ceil && (o - 1) * s >= in + p) o--;
        return o;
    }

    // ------------------------------------------------------------------ relu backward

    /**
     * relu's gradient from its output: grad where output > 0, else 0 (NaN outputs pass the gradient, as torch's
     * threshold_backward). One vectorised pass for float32 tensors of one shape; other cases compose tensor ops.
     */
    public static Tensor reluBackward(Tensor grad, Tensor output) {
        if (!Arrays.equals(grad.shape(), output.shape()))
            throw new IllegalArgumentException("relu_backward: grad " + Shape.str(grad.shape()) + " and output " + Shape.str(output.shape()) + " differ");
        if (grad.dtype() != DType.FLOAT32 || output.dtype() != DType.FLOAT32)
            return Tensor.where(output.le(0.0), Tensor.scalar(0.0, grad.dtype()), grad);
        Tensor g = grad.contiguous(), y = output.contiguous();
        float[] out = new float[g.numel()];
        fuse3d.tensor.cpu.ElementwiseKernels.reluBackward(g.storage().floats(), g.offset(), y.storage().floats(), y.offset(), out, out.length);
        return Tensor.ofFloats(out, grad.shape());
    }

    // ------------------------------------------------------------------ batch norm backward

    /**
     * BatchNorm's gradients for float32 x and g [N, C, ...] (contiguous or not) with the forward's per-channel mean
     * and invStd [C] and scale = invStd * weight [C]: {dx (null unless needX), sum(g) [C], sum(g * xhat) [C]}. With
     * training the dx carries the batch-statistics terms; without, dx = g * scale.
     */
    public static Tensor[] batchNormBackward(Tensor g, Tensor x, Tensor mean, Tensor invStd, Tensor scale, boolean training, boolean needX) {
        String op = "batch_norm_backward";
        if (x.dtype() != DType.FLOAT32 || g.dtype() != DType.FLOAT32 || x.dim() < 2 || !Arrays.equals(g.shape(), x.shape()))
            throw new IllegalArgumentException(op + ": expects float32 x and grad of one shape [N, C, ...], got " + Shape.str(x.shape()) + " and "
                    + Shape.str(g.shape()));
        int n = x.size(0), c = x.size(1), plane = c == 0 || n == 0 ? 0 : x.numel() / (n * c);
        for (Tensor t : new Tensor[] {mean, invStd, scale})
            if (t.numel() != c) throw new IllegalArgumentException(op + ": per-channel statistics must have " + c + " entries, got " + Shape.str(t.shape()));
        Tensor xc = x.contiguous(), gc = g.contiguous();
        float[] dx = needX ? new float[x.numel()] : null, sg = new float[c], sgx = new float[c];
        fuse3d.tensor.cpu.BatchNormKernels.backward(gc.storage().floats(), gc.offset(), xc.storage().floats(), xc.offset(), n, c, plane,
                mean.toFloatArray(), invStd.toFloatArray(), scale.toFloatArray(), training, dx, sg, sgx);
        return new Tensor[] {dx == null ? null : Tensor.ofFloats(dx, x.shape()), Tensor.ofFloats(sg, c), Tensor.ofFloats(sgx, c)};
    }

    /**
     * BatchNorm's output x · scale + shift with per-channel scale and shift (any shape holding C values) over
     * x [N, C, ...]; equal, bit for bit, to x.mul(scale).add(shift) with both broadcast along dim 1.
     */
    public static Tensor channelAffine(Tensor x, Tensor scale, Tensor shift) {
        int c = x.dim() < 2 ? -1 : x.size(1);
        if (x.dtype() != DType.FLOAT32 || scale.dtype() != DType.FLOAT32 || shift.dtype() != DType.FLOAT32 || c < 0
                || scale.numel() != c || shift.numel() != c || x.numel() == 0) {
            int[] perChannel = new int[Math.max(x.dim(), 2)];
            Arrays.fill(perChannel, 1);
            if (c >= 0) perChannel[1] = c;
            if (c < 0 || scale.numel() != c || shift.numel() != c)
                throw new IllegalArgumentException("channel_affine: expects x [N, C, ...] and C scales and shifts, got " + Shape.str(x.shape()) + ", "
                        + Shape.str(scale.shape()) + " and " + Shape.str(shift.shape()));
            return x.mul(scale.reshape(perChannel)).add(shift.reshape(perChannel));
        }
        int n = x.size(0), plane = x.numel() / (n * c);
        Tensor xc = x.contiguous();
        float[] y = new float[x.numel()];
        fuse3d.tensor.cpu.BatchNormKernels.affine(xc.storage().floats(), xc.offset(), n, c, plane, scale.toFloatArray(), shift.toFloatArray(), y);
        return Tensor.ofFloats(y, x.shape());
    }

    // ------------------------------------------------------------------ softmax backward

    /**
     * Gradient of softmax (log = false) or log_softmax (log = true) along dim, given the forward's output and
     * the output gradient (the autograd module's derivative calls this).
     */
    public static Tensor softmaxBackward(Tensor gradOut, Tensor output, int dim, boolean log) {
        String op = log ? "log_softmax_backward" : "softmax_backward";
        if (!Arrays.equals(gradOut.shape(), output.shape()))
            throw new IllegalArgumentException(op + ": grad_out " + Shape.str(gradOut.shape()) + " and output " + Shape.str(output.shape()) + " differ");
        int d = output.dim() == 0 ? 0 : Shape.wrapDim(op, dim, output.dim());
        return output.backend().softmaxBackward(output, gradOut.to(output.dtype()), d, log);
    }

    // ------------------------------------------------------------------ pooling backward

    /**
     * Gradient of max pooling (max_pool1d/2d/3d or adaptive_max_pool) for an input of inputShape: gradOut is
     * scattered to the flat spatial indices the forward returned; repeated indices add up.
     */
    public static Tensor maxPoolBackward(Tensor gradOut, Tensor indices, int[] inputShape) {
        String op = "max_pool_backward";
        int nd = inputShape.length - 2;
        if (nd < 1 || nd > 3 || gradOut.dim() != inputShape.length || !Arrays.equals(gradOut.shape(), indices.shape())
                || gradOut.shape()[0] != inputShape[0] || gradOut.shape()[1] != inputShape[1])
            throw new IllegalArgumentException(op + ": grad_out " + Shape.str(gradOut.shape()) + ", indices " + Shape.str(indices.shape())
                    + " and input shape " + Arrays.toString(inputShape) + " do not fit ([N, C, spatial...] with equal N, C and equal grad/indices shapes)");
        if (indices.dtype() != DType.INT64) throw new IllegalArgumentException(op + ": indices must be int64, got " + indices.dtype().torchName());
        Tensor r = gradOut.backend().maxPoolBackward(lift(gradOut, nd), lift(indices, nd), liftShape(inputShape, nd));
        return r.view(inputShape);
    }

    /** Gradient of avg_pool1d/2d/3d (nd from the input shape) with the forward's arguments. */
    public static Tensor avgPoolBackward(Tensor gradOut, int[] inputShape, int[] kernel, int[] stride, int[] padding, boolean ceilMode,
                                         boolean countIncludePad, int divisorOverride) {
        int nd = inputShape.length - 2;
        String op = "avg_pool" + nd + "d_backward";
        Tensor probe = avgPool(op, nd, Tensor.zeros(gradOut.dtype(), inputShape), kernel, stride, padding, ceilMode, countIncludePad, divisorOverride);
        requireGradShape(op, gradOut, probe.shape(), gradOut);
        int[] st = stride == null || stride.length == 0 ? kernel : stride;
        return gradOut.backend().avgPoolBackward(lift(gradOut, nd), liftShape(inputShape, nd), pad3(kernel, nd, 1), pad3(st, nd, 1), pad3(padding, nd, 0),
                ceilMode, countIncludePad, divisorOverride).view(inputShape);
    }

    /** Gradient of adaptive_avg_pool2d/3d for an input of inputShape. */
    public static Tensor adaptiveAvgPoolBackward(Tensor gradOut, int[] inputShape) {
        int nd = inputShape.length - 2;
        if (nd < 1 || nd > 3 || gradOut.dim() != inputShape.length || gradOut.shape()[0] != inputShape[0] || gradOut.shape()[1] != inputShape[1])
            throw new IllegalArgumentException("adaptive_avg_pool_backward: grad_out " + Shape.str(gradOut.shape()) + " does not fit input shape " + Arrays.toString(inputShape));
        return gradOut.backend().adaptiveAvgPoolBackward(lift(gradOut, nd), liftShape(inputShape, nd)).view(inputShape);
    }

    private static int[] liftShape(int[] s, int nd) {
        int[] r = new int[5];
        r[0] = s[0];
        r[1] = s[1];
        for (int i = 0; i < 3; i++) r[2 + i] = i < 3 - nd ? 1 : s[2 + i - (3 - nd)];
        return r;
    }

    // ------------------------------------------------------------------ resampling

    /**
     * torch.nn.functional.interpolate. Give either size (one entry per spatial dim) or scaleFactor; mode is
     * "nearest", "nearest-exact", "linear", "bilinear" or "trilinear"; alignCorners only for the linear
     * modes (null = false).
     */
    public static Tensor interpolate(Tensor x, int[] size, double[] scaleFactor, String mode, Boolean alignCorners) {
        String op = "interpolate";
        int nd = x.dim() - 2;
        if (nd < 1 || nd > 3)
            throw new IllegalArgumentException(op + ": expects a [N, C, spatial...] tensor with 1 to 3 spatial dims, got " + Shape.str(x.shape()));
        String m = mode.toLowerCase(Locale.ROOT);
        int need = switch (m) {
            case "nearest", "nearest-exact" -> nd;
            case "linear" -> 1;
            case "bilinear" -> 2;
            case "trilinear" -> 3;
            default -> throw new IllegalArgumentException(op + ": unknown mode '" + mode + "' (nearest, nearest-exact, linear, bilinear, trilinear)");
        };
        if (need != nd)
            throw new IllegalArgumentException(op + ": mode '" + mode + "' expects " + (need + 2) + "-d input, got " + Shape.str(x.shape()));
        if (alignCorners != null && m.startsWith("nearest"))
            throw new IllegalArgumentException(op + ": align_corners applies only to linear modes, not '" + mode + "'");
        if ((size == null) == (scaleFactor == null))
            throw new IllegalArgumentException(op + ": give exactly one of size and scale_factor");
        int[] out = new int[nd];
        double[] scales = null;
        if (size != null) {
            if (size.length == 1 && nd > 1) { size = filled(size[0], nd); }
            checkTuple(op, "size", size, nd, 1);
            out = size.clone();
        } else {
            if (scaleFactor.length == 1 && nd > 1) {
                double s0 = scaleFactor[0];
                scaleFactor = new double[nd];
                Arrays.fill(scaleFactor, s0);
            }
            if (scaleFactor.length != nd) throw new IllegalArgumentException(op + ": scale_factor needs " + nd + " entries, got " + Arrays.toString(scaleFactor));
            scales = scaleFactor.clone();
            for (int i = 0; i < nd; i++) {
                if (!(scaleFactor[i] > 0)) throw new IllegalArgumentException(op + ": scale_factor must be positive, got " + Arrays.toString(scaleFactor));
                out[i] = (int) Math.floor(x.shape()[2 + i] * scaleFactor[i]);
                if (out[i] <= 0) throw new IllegalArgumentException(op + ": scale_factor " + Arrays.toString(scaleFactor) + " gives an empty output for input " + Shape.str(x.shape()));
            }
        }
        String kernelMode = m.startsWith("nearest") ? m : "linear";
        return x.backend().interpolate(x, out, kernelMode, alignCorners != null && alignCorners, scales);
    }

    /**
     * torch.nn.functional.grid_sample: x [N, C, H, W] with grid [N, Ho, Wo, 2] or x [N, C, D, H, W] with
     * grid [N, Do, Ho, Wo, 3]; mode "bilinear" or "nearest"; padding "zeros", "border" or "reflection".
     */
    public static Tensor gridSample(Tensor x, Tensor grid, String mode, String paddingMode, boolean alignCorners) {
        String op = "grid_sample";
        int nd = x.dim() - 2;
        if (nd != 2 && nd != 3)
            throw new IllegalArgumentException(op + ": expects 4-d or 5-d input, got " + Shape.str(x.shape()));
        if (grid.dim() != nd + 2 || grid.shape()[0] != x.shape()[0] || grid.shape()[nd + 1] != nd)
            throw new IllegalArgumentException(op + ": grid " + Shape.str(grid.shape()) + " must be [N" + ", out".repeat(nd) + ", " + nd
                    + "] with N = " + x.shape()[0] + " for input " + Shape.str(x.shape()));
        String m = mode.toLowerCase(Locale.ROOT), p = paddingMode.toLowerCase(Locale.ROOT);
        if (!m.equals("bilinear") && !m.equals("nearest")) throw new IllegalArgumentException(op + ": unknown mode '" + mode + "' (bilinear, nearest)");
        if (!p.equals("zeros") && !p.equals("border") && !p.equals("reflection"))
            throw new IllegalArgumentException(op + ": unknown padding_mode '" + paddingMode + "' (zeros, border, reflection)");
        if (x.dtype() != grid.dtype() || !x.dtype().isFloating())
            throw new IllegalArgumentException(op + ": input and grid must share a floating dtype, got " + x.dtype().torchName() + " and " + grid.dtype().torchName());
        return x.backend().gridSample(x, grid, m, p, alignCorners);
    }

    /**
     * Gradient of {@link #interpolate} with respect to its input: gradOut [N, C, out...] to [N, C, inSpatial...]
     * (the autograd module's derivative calls this; it is exposed for tests and custom backward code).
     */
    public static Tensor interpolateBackward(Tensor gradOut, int[] inSpatial, String mode, Boolean alignCorners, double[] scaleFactor) {
        int nd = gradOut.dim() - 2;
        if (nd < 1 || nd > 3 || inSpatial.length != nd)
            throw new IllegalArgumentException("interpolate_backward: grad_out " + Shape.str(gradOut.shape()) + " and input size " + Arrays.toString(inSpatial) + " do not fit");
        String m = mode.toLowerCase(Locale.ROOT);
        return gradOut.backend().interpolateBackward(gradOut, inSpatial, m.startsWith("nearest") ? m : "linear", alignCorners != null && alignCorners, scaleFactor);
    }

    /** Gradients of {@link #gridSample} with respect to input and grid. */
    public static Tensor[] gridSampleBackward(Tensor gradOut, Tensor x, Tensor grid, String mode, String paddingMode, boolean alignCorners) {
        Tensor probe = gridSample(x, grid, mode, paddingMode, alignCorners); // validates the arguments and the grad's shape
        if (!Arrays.equals(probe.shape(), gradOut.shape()))
            throw new IllegalArgumentException("grid_sample_backward: grad_out " + Shape.str(gradOut.shape()) + " must have the output's shape " + Shape.str(probe.shape()));
        return x.backend().gridSampleBackward(gradOut.to(x.dtype()), x, grid, mode.toLowerCase(Locale.ROOT), paddingMode.toLowerCase(Locale.ROOT), alignCorners);
    }


    // ------------------------------------------------------------------ helpers

    private static boolean checkRank(String op, Tensor x, int nd) {
        if (x.dim() == nd + 2) return true;
        if (x.dim() == nd + 1) return false;
        throw new IllegalArgumentException(op + ": expects a " + (nd + 1) + "-d (unbatched) or " + (nd + 2) + "-d (batched) input, got " + Shape.str(x.shape()));
    }

    private static void checkTuple(String op, String name, int[] v, int nd, int min) {
        if (v == null || v.length != nd)
            throw new IllegalArgumentException(op + ": " + name + " needs " + nd + " entries, got " + (v == null ? "null" : Arrays.toString(v)));
        for (int e : v) if (e < min) throw new IllegalArgumentException(op + ": " + name + " entries must be >= " + min + ", got " + Arrays.toString(v));
    }

    private static void checkBias(String op, Tensor bias, int cout) {
        if (bias != null && (bias.dim() != 1 || bias.shape()[0] != cout))
            throw new IllegalArgumentException(op + ": bias must be [" + cout + "], got " + Shape.str(bias.shape()));
    }

    private static void requireSameDtype(String op, Tensor x, Tensor w, Tensor b) {
        if (!x.dtype().isFloating() || x.dtype() != w.dtype() || (b != null && b.dtype() != x.dtype()))
            throw new IllegalArgumentException(op + ": input, weight and bias must share a floating dtype, got " + x.dtype().torchName() + ", "
                    + w.dtype().torchName() + (b == null ? "" : ", " + b.dtype().torchName()));
    }

    private static int[] filled(int v, int n) {
        int[] r = new int[n];
        Arrays.fill(r, v);
        return r;
    }

    /** [N, C, s...] with nd spatial dims viewed as [N, C, D, H, W]. */
    private static Tensor lift(Tensor t, int nd) {
        Tensor r = t;
        for (int i = nd; i < 3; i++) r = r.unsqueeze(2);
        return r;
    }

    private static Tensor drop(Tensor t, int nd) {
        Tensor r = t;
        for (int i = nd; i < 3; i++) r = r.squeeze(2);
        return r;
    }

    /** A per-dim parameter of an nd problem widened to 3 dims with the neutral value in front. */
    private static int[] pad3(int[] v, int nd, int neutral) {
        int[] r = new int[3];
        Arrays.fill(r, neutral);
        System.arraycopy(v, 0, r, 3 - nd, nd);
        return r;
    }
}
