package fuse3d.nn.optim;

import fuse3d.autograd.GradMode;
import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Storage;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Gradient clipping by the norm of all gradients taken together, as torch.nn.utils.clip_grad_norm_ (1.13).
 *
 * <p>The total norm is the p-norm of the per-gradient p-norms (for p = infinity: the largest absolute
 * element). Each per-gradient norm is accumulated in double and rounded to the gradient's dtype; the total
 * is rounded to float64 if any gradient is float64, else float32. The coefficient is then computed in that
 * dtype as torch does, {@code max_norm * (1 / (total + 1e-6))} ({@code max_norm / tensor} is a reciprocal
 * and a product in torch), clamped to at most 1; gradients are multiplied by it in place only when it is
 * below 1 (or NaN, which torch also multiplies in). Gradients that are null are skipped.
 */
public final class GradClip {
    private GradClip() {}

    /** {@link #clipGradNorm(Collection, double, double, boolean)} with the L2 norm and no error on non-finite norms. */
    public static double clipGradNorm(Collection<Var> params, double maxNorm) { return clipGradNorm(params, maxNorm, 2, false); }

    /**
     * Scales the gradients of {@code params} so that their total {@code normType}-norm is at most
     * {@code maxNorm}, and returns the total norm before clipping (0 when no parameter has a gradient).
     *
     * @param normType a positive p, or {@code Double.POSITIVE_INFINITY} for the max-norm
     * @param errorIfNonfinite throw instead of scaling when the total norm is NaN or infinite
     */
    public static double clipGradNorm(Collection<Var> params, double maxNorm, double normType, boolean errorIfNonfinite) {
        if (!(normType > 0))
            throw new IllegalArgumentException("clip_grad_norm_: norm_type must be positive or infinity, got " + normType);
        if (Double.isNaN(maxNorm)) throw new IllegalArgumentException("clip_grad_norm_: max_norm is NaN");
        List<Var> withGrad = new ArrayList<>();
        boolean anyDouble = false;
        for (Var p : params) {
            Tensor g = p.grad();
            if (g == null) continue;
            if (!g.dtype().isFloating())
                throw new IllegalArgumentException("clip_grad_norm_: gradient of dtype " + g.dtype().torchName() + " is not floating");
            withGrad.add(p);
            anyDouble |= g.dtype() == DType.FLOAT64;
        }
        if (withGrad.isEmpty()) return 0;
        boolean inf = normType == Double.POSITIVE_INFINITY;
        double total = 0;
        for (Var p : withGrad) {
            Tensor g = p.grad();
            double n = round(norm(g.contiguous(), normType), g.dtype());
            total = inf ? (Double.isNaN(total) || Double.isNaN(n) ? Double.NaN : Math.max(total, n)) : total + pow(n, normType);
        }
        if (!inf) total = root(total, normType);
        total = anyDouble ? total : (float) total;
        if (errorIfNonfinite && !Double.isFinite(total))
            throw new IllegalArgumentException("clip_grad_norm_: the total norm of order " + normType + " of the gradients is " + total
                    + ", so they cannot be clipped (pass errorIfNonfinite = false to scale them by it anyway)");
        double coef;
        if (anyDouble) coef = Math.min(maxNorm * (1.0 / (total + 1e-6)), 1.0);
        else coef = Math.min((float) maxNorm * (1.0f / ((float) total + 1e-6f)), 1.0f);
        if (coef >= 1) return total; // torch multiplies by 1.0 here, which changes nothing
        try (GradMode.Scope _ = GradMode.noGrad()) {
            for (Var p : withGrad) scale(p, coef);
        }
        return total;
    }

    private static double round(double v, DType dtype) { return dtype == DType.FLOAT32 ? (float) v : v; }

    private static double pow(double x, double p) { return p == 2 ? x * x : p == 1 ? x : StrictMath.pow(x, p); }

    private static double root(double s, double p) { return p == 2 ? Math.sqrt(s) : p == 1 ? s : StrictMath.pow(s, 1 / p); }

    /** The p-norm of a contiguous floating tensor, accumulated in double. */
    private static double norm(Tensor g, double p) {
        Storage s = g.storage();
        int o = g.offset(), n = g.numel();
        double acc = 0;
        boolean f32 = g.dtype() == DType.FLOAT32;
        float[] fa = f32 ? s.floats() : null;
        double[] da = f32 ? null : s.doubles();
        for (int i = 0; i < n; i++) {
            double a = Math.abs(f32 ? fa[o + i] : da[o + i]);
            if (p == Double.POSITIVE_INFINITY) acc = Double.isNaN(a) || Double.isNaN(acc) ? Double.NaN : Math.max(acc, a);
            else acc += pow(a, p);
        }
        return p == Double.POSITIVE_INFINITY ? acc : root(acc, p);
    }

    /** grad *= coef in place, the coefficient rounded to the grad's dtype first (torch casts the 0-d tensor). */
    private static void scale(Var p, double coef) {
        Tensor g = p.grad();
        if (!g.isContiguous()) {
            // a strided or broadcast gradient may share elements: replace it rather than write through it
            p.setGrad(g.mul(coef));
            return;
        }
        int o = g.offset(), n = g.numel();
        if (g.dtype() == DType.FLOAT32) {
            float[] a = g.storage().floats();
            float c = (float) coef;
            for (int i = 0; i < n; i++) a[o + i] *= c;
        } else {
            double[] a = g.storage().doubles();
            for (int i = 0; i < n; i++) a[o + i] *= coef;
        }
    }
}
