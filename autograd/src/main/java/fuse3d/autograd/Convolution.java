package fuse3d.autograd;

import fuse3d.tensor.F;
import fuse3d.tensor.Tensor;

/**
 * Convolutions (conv1d/2d/3d, conv_transpose2d/3d) with their derivatives, which are the tensor engine's
 * backward kernels ({@link F#convBackward}, {@link F#convTransposeBackward}). The bias gradient is the output
 * gradient summed over batch and space.
 */
public final class Convolution {
    private Convolution() {}

    public static Var conv1d(Var x, Var w, Var b, int stride, int padding, int dilation, int groups) {
        Tensor y = F.conv1d(x.data(), w.data(), b == null ? null : b.data(), stride, padding, dilation, groups);
        return record("conv1d", 1, y, x, w, b, new int[] {stride}, new int[] {padding}, new int[] {dilation}, groups);
    }

    public static Var conv2d(Var x, Var w, Var b, int[] stride, int[] padding, int[] dilation, int groups) {
        Tensor y = F.conv2d(x.data(), w.data(), b == null ? null : b.data(), stride, padding, dilation, groups);
        return record("conv2d", 2, y, x, w, b, stride, padding, dilation, groups);
    }

    public static Var conv3d(Var x, Var w, Var b, int[] stride, int[] padding, int[] dilation, int groups) {
        Tensor y = F.conv3d(x.data(), w.data(), b == null ? null : b.data(), stride, padding, dilation, groups);
        return record("conv3d", 3, y, x, w, b, stride, padding, dilation, groups);
    }

    private static Var record(String op, int nd, Tensor y, Var x, Var w, Var b, int[] stride, int[] padding, int[] dilation, int groups) {
        Tensor xd = x.data(), wd = w.data();
        Node.Rule rule = (g, n) -> {
            Tensor[] r = F.convBackward(nd, xd, wd, g, stride, padding, dilation, groups);
            return b == null ? new Tensor[] {r[0], r[1]} : new Tensor[] {r[0], r[1], r[2]};
        };
        return b == null ? Var.record(op, y, rule, x, w) : Var.record(op, y, rule, x, w, b);
    }

    public static Var convTranspose2d(Var x, Var w, Var b, int[] stride, int[] padding, int[] outputPadding, int groups, int[] dilation) {
        Tensor y = F.convTranspose2d(x.data(), w.data(), b == null ? null : b.data(), stride, padding, outputPadding, groups, dilation);
        return recordTranspose("conv_transpose2d", 2, y, x, w, b, stride, padding, outputPadding, groups, dilation);
    }

    public static Var convTranspose3d(Var x, Var w, Var b, int[] stride, int[] padding, int[] outputPadding, int groups, int[] dilation) {
        Tensor y = F.convTranspose3d(x.data(), w.data(), b == null ? null : b.data(), stride, padding, outputPadding, groups, dilation);
        return recordTranspose("conv_transpose3d", 3, y, x, w, b, stride, padding, outputPadding, groups, dilation);
    }

    private static Var recordTranspose(String op, int nd, Tensor y, Var x, Var w, Var b, int[] stride, int[] padding, int[] outputPadding,
                                       int groups, int[] dilation) {
        Tensor xd = x.data(), wd = w.data();
        Node.Rule rule = (g, n) -> {
            Tensor[] r = F.convTransposeBackward(nd, xd, wd, g, stride, padding, outputPadding, groups, dilation);
            return b == null ? new Tensor[] {r[0], r[1]} : new Tensor[] {r[0], r[1], r[2]};
        };
        return b == null ? Var.record(op, y, rule, x, w) : Var.record(op, y, rule, x, w, b);
    }
}
