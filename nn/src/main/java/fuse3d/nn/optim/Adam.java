package fuse3d.nn.optim;

import fuse3d.autograd.Var;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Adam with torch.optim.Adam's (1.13) semantics: weight decay is L2 regularisation added to the gradient
 * before the moments, and amsgrad keeps the running maximum of the second moment. See {@link AdamBase} for
 * the exact per-element arithmetic. Hyper-parameters: {@code lr} 1e-3, {@code beta1} 0.9, {@code beta2}
 * 0.999, {@code eps} 1e-8, {@code weight_decay} 0, {@code amsgrad} false, {@code maximize} false.
 */
public final class Adam extends AdamBase {
    public static final String TYPE = "Adam";

    /** One group of {@code params} with {@code options} (e.g. {@code Map.of("lr", 1e-3, "beta2", 0.99)}). */
    public Adam(Collection<Var> params, Map<String, ?> options) { this(single(params), options); }

    /** Several groups; {@code defaults} apply where a group sets nothing. */
    public Adam(List<ParamGroup> groups, Map<String, ?> defaults) { super(TYPE, false, builtIn(0.0, false), groups, defaults); }
}
