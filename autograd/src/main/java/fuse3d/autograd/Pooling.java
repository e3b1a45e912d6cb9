package fuse3d.autograd;

import fuse3d.tensor.F;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.ops.Args;
import java.util.List;

/**
 * Max, average and adaptive pooling with their derivatives (the tensor engine's pooling backward kernels).
 * Max pools return the values as a Var and the flat spatial argmax indices as a plain tensor.
 */
public final class Pooling {
    private Pooling() {}

    /** Pooled values and the int64 indices of the maxima (flat over each input plane or volume). */
    public record Pooled(Var values, Tensor indices) {}

    public static Pooled maxPool2d(Var x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        return max("max_pool2d", x, F.maxPool2d(x.data(), kernel, stride, padding, dilation, ceilMode));
    }

    public static Pooled maxPool3d(Var x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        return max("max_pool3d", x, F.maxPool3d(x.data(), kernel, stride, padding, dilation, ceilMode));
    }

    public static Pooled adaptiveMaxPool2d(Var x, int outH, int outW) {
        return max("adaptive_max_pool2d", x, F.adaptiveMaxPool2d(x.data(), outH, outW));
    }

    private static Pooled max(String op, Var x, Tensor.ValuesIndices vi) {
        int[] s = x.shape();
        Tensor idx = vi.indices();
        return new Pooled(Var.record(op, vi.values(), (g, n) -> new Tensor[] {F.maxPoolBackward(g, idx, s)}, x), idx);
    }

    public static Var avgPool2d(Var x, int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad, int divisorOverride) {
        Tensor y = F.avgPool2d(x.data(), kernel, stride, padding, ceilMode, countIncludePad, divisorOverride);
        return avg("avg_pool2d", x, y, kernel, stride, padding, ceilMode, countIncludePad, divisorOverride);
    }

    public static Var avgPool3d(Var x, int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad, int divisorOverride) {
        Tensor y = F.avgPool3d(x.data(), kernel, stride, padding, ceilMode, countIncludePad, divisorOverride);
        return avg("avg_pool3d", x, y, kernel, stride, padding, ceilMode, countIncludePad, divisorOverride);
    }

    private static Var avg(String op, Var x, Tensor y, int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad, int divisorOverride) {
        int[] s = x.shape();
        return Var.record(op, y, (g, n) -> new Tensor[] {F.avgPoolBackward(g, s, kernel, stride, padding, ceilMode, countIncludePad, divisorOverride)}, x);
    }

    public static Var adaptiveAvgPool2d(Var x, int outH, int outW) {
        int[] s = x.shape();
        return Var.record("adaptive_avg_pool2d", F.adaptiveAvgPool2d(x.data(), outH, outW), (g, n) -> new Tensor[] {F.adaptiveAvgPoolBackward(g, s)}, x);
    }

    public static Var adaptiveAvgPool3d(Var x, int outD, int outH, int outW) {
        int[] s = x.shape();
        return Var.record("adaptive_avg_pool3d", F.adaptiveAvgPool3d(x.data(), outD, outH, outW), (g, n) -> new Tensor[] {F.adaptiveAvgPoolBackward(g, s)}, x);
    }

    // ------------------------------------------------------------------ registry (arguments as TensorOps reads them)

    static void register(VarOps r) {
        for (int nd = 2; nd <= 3; nd++) {
            final int n = nd;
            r.register("max_pool" + nd + "d", (in, a) -> {
                int[] k = Convolution.tuple(a, "kernel_size", n, 1);
                int[] st = a.has("stride") ? Convolution.tuple(a, "stride", n, 1) : k;
                int[] p = Convolution.tuple(a, "padding", n, 0), d = Convolution.tuple(a, "dilation", n, 1);
                boolean ceil = a.getBool("ceil_mode", false);
                Pooled r2 = n == 2 ? maxPool2d(in.get(0), k, st, p, d, ceil) : maxPool3d(in.get(0), k, st, p, d, ceil);
                return List.of(r2.values(), Var.of(r2.indices()));
            });
            r.register("avg_pool" + nd + "d", (in, a) -> {
                int[] k = Convolution.tuple(a, "kernel_size", n, 1);
                int[] st = a.has("stride") ? Convolution.tuple(a, "stride", n, 1) : k;
                int[] p = Convolution.tuple(a, "padding", n, 0);
                boolean ceil = a.getBool("ceil_mode", false), includePad = a.getBool("count_include_pad", true);
                int div = a.getInt("divisor_override", 0);
                return List.of(n == 2 ? avgPool2d(in.get(0), k, st, p, ceil, includePad, div) : avgPool3d(in.get(0), k, st, p, ceil, includePad, div));
            });
            r.register("adaptive_avg_pool" + nd + "d", (in, a) -> {
                int[] o = Convolution.tuple(a, "output_size", n, 1);
                return List.of(n == 2 ? adaptiveAvgPool2d(in.get(0), o[0], o[1]) : adaptiveAvgPool3d(in.get(0), o[0], o[1], o[2]));
            });
        }
        r.register("adaptive_max_pool2d", (in, a) -> {
            int[] o = Convolution.tuple(a, "output_size", 2, 1);
            Pooled r2 = adaptiveMaxPool2d(in.get(0), o[0], o[1]);
            return List.of(r2.values(), Var.of(r2.indices()));
        });
    }
}
