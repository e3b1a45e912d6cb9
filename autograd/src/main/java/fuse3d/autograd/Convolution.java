package fuse3d.autograd;

import fuse3d.tensor.F;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.ops.Args;
import java.util.Arrays;
import java.util.List;

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
            // only what the inputs need: no input gradient for an image, no weight gradient for a frozen layer
            Tensor[] r = F.convBackward(nd, xd, wd, g, stride, padding, dilation, groups, new boolean[] {n[0], n[1], b != null && n[2]});
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

    // ------------------------------------------------------------------ registry (arguments as TensorOps reads them)

    static int[] tuple(Args a, String key, int nd, int dflt) {
        int[] d = new int[nd];
        Arrays.fill(d, dflt);
        return a.getInts(key, nd, d);
    }

    static void register(VarOps r) {
        for (int nd = 1; nd <= 3; nd++) {
            final int n = nd;
            r.register("conv" + nd + "d", (in, a) -> {
                Var x = in.get(0), w = in.get(1), b = in.size() > 2 ? in.get(2) : null;
                int[] st = tuple(a, "stride", n, 1), p = tuple(a, "padding", n, 0), d = tuple(a, "dilation", n, 1);
                int groups = a.getInt("groups", 1);
                return List.of(switch (n) {
                    case 1 -> conv1d(x, w, b, st[0], p[0], d[0], groups);
                    case 2 -> conv2d(x, w, b, st, p, d, groups);
                    default -> conv3d(x, w, b, st, p, d, groups);
                });
            });
        }
        for (int nd = 2; nd <= 3; nd++) {
            final int n = nd;
            r.register("conv_transpose" + nd + "d", (in, a) -> {
                Var x = in.get(0), w = in.get(1), b = in.size() > 2 ? in.get(2) : null;
                int[] st = tuple(a, "stride", n, 1), p = tuple(a, "padding", n, 0), op = tuple(a, "output_padding", n, 0), d = tuple(a, "dilation", n, 1);
                int groups = a.getInt("groups", 1);
                return List.of(n == 2 ? convTranspose2d(x, w, b, st, p, op, groups, d) : convTranspose3d(x, w, b, st, p, op, groups, d));
            });
        }
    }
}
