package fuse3d.nn.optim;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.cpu.Parallel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The update shared by {@link Adam} (weight decay as L2 added to the gradient) and {@link AdamW} (decoupled
 * weight decay), following torch 1.13's single-tensor implementation. Per element, every scalar rounded to
 * the parameter's dtype, {@code t} the parameter's step count after the increment:
 * <pre>
 *   g  = grad (negated if maximize)
 *   Adam:  g = g + weight_decay * p                 AdamW:  p = p * (1 - lr * weight_decay)
 *   m  = beta1 * m + (1 - beta1) * g                (fused multiply-add, as torch's add kernel)
 *   v  = beta2 * v + ((1 - beta2) * g) * g          (fused multiply-add, as torch's addcmul kernel)
 *   vmax = max(vmax, v) and used for v              (amsgrad)
 *   denom = sqrt(v) / sqrt(1 - beta2^t) + eps       (the scalar root taken in double, then rounded)
 *   p  = p + (-(lr / (1 - beta1^t)) * m) / denom    (step size computed in double, then rounded)
 * </pre>
 * The bias corrections are evaluated in double with the current beta1 and beta2, so a schedule that cycles
 * beta1 changes them exactly as it does in torch. State: {@code step}, {@code exp_avg}, {@code exp_avg_sq},
 * and {@code max_exp_avg_sq} when amsgrad is on.
 */
abstract sealed class AdamBase extends Optimizer permits Adam, AdamW {
    private final boolean decoupled;

    static Map<String, Object> builtIn(double weightDecay, boolean withDecayWithoutGrad) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("lr", 1e-3);
        d.put("beta1", 0.9);
        d.put("beta2", 0.999);
        d.put("eps", 1e-8);
        d.put("weight_decay", weightDecay);
        d.put("amsgrad", false);
        d.put("maximize", false);
        if (withDecayWithoutGrad) d.put("decay_params_without_grad", false);
        return d;
    }

    AdamBase(String type, boolean decoupled, Map<String, Object> builtIn, List<ParamGroup> groups, Map<String, ?> defaults) {
        super(type, builtIn, groups, defaults);
        this.decoupled = decoupled;
    }

    @Override
    public final String momentumKey() { return "beta1"; }

    @Override
    protected final void validate(String where, ParamGroup g) {
        requireRange(where, g, "lr", 0, Double.POSITIVE_INFINITY, true);
        requireRange(where, g, "eps", 0, Double.POSITIVE_INFINITY, true);
        requireRange(where, g, "beta1", 0, 1, true);
        requireRange(where, g, "beta2", 0, 1, true);
        requireRange(where, g, "weight_decay", 0, Double.POSITIVE_INFINITY, true);
    }

    @Override
    protected final void checkState(String where, ParamGroup g, Var p, Map<String, Tensor> st) {
        requireState(where, p, st, g.flag("amsgrad") ? Set.of("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")
                : Set.of("step", "exp_avg", "exp_avg_sq"));
    }

    @Override
    protected final void update(String where, ParamGroup g, Tensor data, Tensor grad, Map<String, Tensor> st) {
        boolean amsgrad = g.flag("amsgrad"), maximize = g.flag("maximize");
        if (st.isEmpty()) {
            st.put("step", Tensor.scalar(0, DType.INT64));
            st.put("exp_avg", Tensor.zeros(data.dtype(), data.shape()));
            st.put("exp_avg_sq", Tensor.zeros(data.dtype(), data.shape()));
        }
        if (amsgrad && !st.containsKey("max_exp_avg_sq")) st.put("max_exp_avg_sq", Tensor.zeros(data.dtype(), data.shape()));
        Tensor stepT = st.get("step"), mT = st.get("exp_avg"), vT = st.get("exp_avg_sq");
        Tensor vmaxT = amsgrad ? st.get("max_exp_avg_sq") : null;
        long t = getStep(stepT) + 1;
        setStep(stepT, t);

        double lr = g.lr(), beta1 = g.get("beta1"), beta2 = g.get("beta2"), eps = g.get("eps"), wd = g.get("weight_decay");
        // Python: 1 - beta ** step with a float step; pow in double (StrictMath: the same bits on every JVM)
        double bc1 = 1 - StrictMath.pow(beta1, (double) t);
        double bc2 = 1 - StrictMath.pow(beta2, (double) t);
        double stepSize = lr / bc1;
        double bc2Sqrt = Math.sqrt(bc2);
        double decay = 1 - lr * wd;
        boolean doDecay = decoupled ? decay != 1 : false;   // multiplying by 1.0 changes no value
        boolean l2 = !decoupled && wd != 0;
        int n = data.numel();
        int po = data.offset(), go = grad.offset(), mo = mT.offset(), vo = vT.offset(), xo = vmaxT == null ? 0 : vmaxT.offset();

        if (data.dtype() == DType.FLOAT32) {
            float[] p = data.storage().floats(), gr = grad.storage().floats(), m = mT.storage().floats(), v = vT.storage().floats();
            float[] vmax = vmaxT == null ? null : vmaxT.storage().floats();
            float b1 = (float) beta1, omb1 = (float) (1 - beta1), b2 = (float) beta2, omb2 = (float) (1 - beta2);
            float wdF = (float) wd, decayF = (float) decay, bc2F = (float) bc2Sqrt, epsF = (float) eps, negStep = (float) -stepSize;
            Parallel.forWork(n, 8L * n, (lo, hi) -> {
                for (int i = lo; i < hi; i++) {
                    float gi = maximize ? -gr[go + i] : gr[go + i];
                    float pi = p[po + i];
                    if (doDecay) pi = pi * decayF;
                    if (l2) gi = Math.fma(wdF, pi, gi);
                    float mi = Math.fma(omb1, gi, m[mo + i] * b1);
                    float vi = Math.fma(omb2 * gi, gi, v[vo + i] * b2);
                    m[mo + i] = mi;
                    v[vo + i] = vi;
                    if (vmax != null) vi = vmax[xo + i] = Math.max(vmax[xo + i], vi);
                    float denom = (float) Math.sqrt(vi) / bc2F + epsF;
                    // addcdiv: self + value * t1 / t2, the quotient rounded before the add (no fusion)
                    p[po + i] = pi + (negStep * mi) / denom;
                }
            });
        } else {
            double[] p = data.storage().doubles(), gr = grad.storage().doubles(), m = mT.storage().doubles(), v = vT.storage().doubles();
            double[] vmax = vmaxT == null ? null : vmaxT.storage().doubles();
            double omb1 = 1 - beta1, omb2 = 1 - beta2, negStep = -stepSize;
            Parallel.forWork(n, 8L * n, (lo, hi) -> {
                for (int i = lo; i < hi; i++) {
                    double gi = maximize ? -gr[go + i] : gr[go + i];
                    double pi = p[po + i];
                    if (doDecay) pi = pi * decay;
                    if (l2) gi = Math.fma(wd, pi, gi);
                    double mi = Math.fma(omb1, gi, m[mo + i] * beta1);
                    double vi = Math.fma(omb2 * gi, gi, v[vo + i] * beta2);
                    m[mo + i] = mi;
                    v[vo + i] = vi;
                    if (vmax != null) vi = vmax[xo + i] = Math.max(vmax[xo + i], vi);
                    double denom = Math.sqrt(vi) / bc2Sqrt + eps;
                    p[po + i] = pi + (negStep * mi) / denom;
                }
            });
        }
    }

    /** OpenPCDet's decoupled decay reaches parameters without a gradient too (AdamW's opt-in flag). */
    @Override
    protected final void updateWithoutGrad(String where, ParamGroup g, Tensor data) {
        if (!decoupled || !g.flag("decay_params_without_grad")) return;
        double decay = 1 - g.lr() * g.get("weight_decay");
        if (decay == 1) return;
        int n = data.numel(), po = data.offset();
        if (data.dtype() == DType.FLOAT32) {
            float[] p = data.storage().floats();
            float f = (float) decay;
            for (int i = 0; i < n; i++) p[po + i] *= f;
        } else {
            double[] p = data.storage().doubles();
            for (int i = 0; i < n; i++) p[po + i] *= decay;
        }
    }
}
