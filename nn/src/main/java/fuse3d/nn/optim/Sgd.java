package fuse3d.nn.optim;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.cpu.Parallel;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay, with
 * torch.optim.SGD's (1.13) semantics. Per element, with every scalar rounded to the parameter's dtype:
 * <pre>
 *   g = grad (negated if maximize);  g = g + weight_decay * p          (if weight_decay != 0)
 *   buf = g on the first step, else buf = momentum * buf + (1 - dampening) * g   (if momentum != 0)
 *   g = nesterov ? g + momentum * buf : buf
 *   p = p - lr * g
 * </pre>
 * Hyper-parameters: {@code lr} (required), {@code momentum} 0, {@code dampening} 0, {@code weight_decay} 0,
 * {@code nesterov} false, {@code maximize} false. State: {@code momentum_buffer} (only when momentum != 0).
 */
public final class Sgd extends Optimizer {
    public static final String TYPE = "SGD";

    private static Map<String, Object> builtIn() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("lr", Double.NaN); // no default, as in torch: NaN fails validation unless a value is given
        d.put("momentum", 0.0);
        d.put("dampening", 0.0);
        d.put("weight_decay", 0.0);
        d.put("nesterov", false);
        d.put("maximize", false);
        return d;
    }

    /** One group of {@code params} with {@code options} (e.g. {@code Map.of("lr", 0.1, "momentum", 0.9)}). */
    public Sgd(Collection<Var> params, Map<String, ?> options) { this(single(params), options); }

    /** Several groups; {@code defaults} apply where a group sets nothing. */
    public Sgd(List<ParamGroup> groups, Map<String, ?> defaults) { super(TYPE, builtIn(), groups, defaults); }

    @Override
    public String momentumKey() { return "momentum"; }

    @Override
    protected void validate(String where, ParamGroup g) {
        double lr = g.lr();
        if (Double.isNaN(lr)) throw new IllegalArgumentException(where + ": lr is required (SGD has no default learning rate)");
        requireRange(where, g, "lr", 0, Double.POSITIVE_INFINITY, true);
        requireRange(where, g, "momentum", 0, Double.POSITIVE_INFINITY, true);
        requireRange(where, g, "weight_decay", 0, Double.POSITIVE_INFINITY, true);
        if (!Double.isFinite(g.get("dampening"))) throw new IllegalArgumentException(where + ": dampening must be finite, got " + g.get("dampening"));
        if (g.flag("nesterov") && (g.get("momentum") <= 0 || g.get("dampening") != 0))
            throw new IllegalArgumentException(where + ": Nesterov momentum requires momentum > 0 and dampening = 0, got momentum "
                    + g.get("momentum") + ", dampening " + g.get("dampening"));
    }

    @Override
    protected void checkState(String where, ParamGroup g, Var p, Map<String, Tensor> st) {
        // torch stores momentum_buffer = None when momentum is 0; such entries arrive here without the key.
        requireState(where, p, st, st.isEmpty() ? Set.of() : Set.of("momentum_buffer"));
    }

    @Override
    protected void update(String where, ParamGroup g, Tensor data, Tensor grad, Map<String, Tensor> st) {
        double lr = g.lr(), momentum = g.get("momentum"), dampening = g.get("dampening"), wd = g.get("weight_decay");
        boolean nesterov = g.flag("nesterov"), maximize = g.flag("maximize");
        Tensor buf = null;
        boolean first = false;
        if (momentum != 0) {
            buf = st.get("momentum_buffer");
            if (buf == null) {
                // torch 1.13 starts the buffer at the first (decayed) gradient, with no dampening applied
                buf = Tensor.zeros(data.dtype(), data.shape());
                st.put("momentum_buffer", buf);
                first = true;
            }
        }
        int n = data.numel();
        boolean firstStep = first;
        if (data.dtype() == DType.FLOAT32) {
            float[] p = data.storage().floats(), gr = grad.storage().floats();
            float[] b = buf == null ? null : buf.storage().floats();
            int po = data.offset(), go = grad.offset(), bo = buf == null ? 0 : buf.offset();
            float wdF = (float) wd, mF = (float) momentum, keepF = (float) (1 - dampening), negLr = (float) -lr;
            Parallel.forWork(n, 4L * n, (lo, hi) -> {
                for (int i = lo; i < hi; i++) {
                    float d = maximize ? -gr[go + i] : gr[go + i];
                    // d_p.add(param, alpha=wd): torch's add kernel is a fused multiply-add
                    if (wd != 0) d = Math.fma(wdF, p[po + i], d);
                    if (b != null) {
                        float v = firstStep ? d : Math.fma(keepF, d, b[bo + i] * mF);
                        b[bo + i] = v;
                        d = nesterov ? Math.fma(mF, v, d) : v;
                    }
                    p[po + i] = Math.fma(negLr, d, p[po + i]);
                }
            });
        } else {
            double[] p = data.storage().doubles(), gr = grad.storage().doubles();
            double[] b = buf == null ? null : buf.storage().doubles();
            int po = data.offset(), go = grad.offset(), bo = buf == null ? 0 : buf.offset();
            double keep = 1 - dampening;
            Parallel.forWork(n, 4L * n, (lo, hi) -> {
                for (int i = lo; i < hi; i++) {
                    double d = maximize ? -gr[go + i] : gr[go + i];
                    if (wd != 0) d = Math.fma(wd, p[po + i], d);
                    if (b != null) {
                        double v = firstStep ? d : Math.fma(keep, d, b[bo + i] * momentum);
                        b[bo + i] = v;
                        d = nesterov ? Math.fma(momentum, v, d) : v;
                    }
                    p[po + i] = Math.fma(-lr, d, p[po + i]);
                }
            });
        }
    }
}
