package fuse3d.nn.optim;

import fuse3d.autograd.Var;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * AdamW with torch.optim.AdamW's (1.13) semantics: decoupled weight decay {@code p *= 1 - lr * weight_decay}
 * before the Adam update, whose bias correction is torch's single-tensor form ({@code step_size = lr /
 * (1 - beta1^t)}, {@code denom = sqrt(v) / sqrt(1 - beta2^t) + eps}); see {@link AdamBase} for the exact
 * per-element arithmetic. Hyper-parameters: {@code lr} 1e-3, {@code beta1} 0.9, {@code beta2} 0.999,
 * {@code eps} 1e-8, {@code weight_decay} 1e-2, {@code amsgrad} false, {@code maximize} false, and
 * {@code decay_params_without_grad} false.
 *
 * <p>{@code decay_params_without_grad = true} also decays parameters whose gradient is null (their moments
 * and step count stay untouched). That is what OpenPCDet's {@code OptimWrapper(true_wd=True)} around Adam
 * does, which otherwise computes exactly this update: see {@link OpenPcdet#adamOneCycle}.
 */
public final class AdamW extends AdamBase {
    public static final String TYPE = "AdamW";

    /** One group of {@code params} with {@code options} (e.g. {@code Map.of("lr", 1e-3, "weight_decay", 0.05)}). */
    public AdamW(Collection<Var> params, Map<String, ?> options) { this(single(params), options); }

    /** Several groups; {@code defaults} apply where a group sets nothing. */
    public AdamW(List<ParamGroup> groups, Map<String, ?> defaults) { super(TYPE, true, builtIn(1e-2, true), groups, defaults); }
}
