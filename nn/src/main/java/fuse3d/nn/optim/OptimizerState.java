package fuse3d.nn.optim;

import fuse3d.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An optimizer's resumable state, laid out as torch's {@code optimizer.state_dict()}: one map per parameter
 * group holding its hyper-parameters plus {@code "params"} (the indices of its parameters, numbered across
 * all groups in order), and the per-parameter state ({@code exp_avg}, {@code step}, {@code momentum_buffer},
 * ...) keyed by those indices. Parameters that never received a gradient have no entry, as in torch.
 *
 * <p>Group values are Double, Boolean, or (for {@code "params"}) a list of Integer. Per-parameter tensors
 * are copies, so the object stays valid while training goes on. {@code step} is an INT64 0-d tensor (torch
 * 1.13 keeps a float32 one; either loads).
 *
 * @param type the optimizer's name ({@code "Adam"}, {@code "AdamW"}, {@code "SGD"}); loading checks it
 */
public record OptimizerState(String type, List<Map<String, Object>> paramGroups, Map<Integer, Map<String, Tensor>> state) {
    public OptimizerState {
        paramGroups = List.copyOf(paramGroups.stream().map(g -> Collections.unmodifiableMap(new LinkedHashMap<>(g))).toList());
        Map<Integer, Map<String, Tensor>> s = new LinkedHashMap<>();
        for (Map.Entry<Integer, Map<String, Tensor>> e : state.entrySet())
            s.put(e.getKey(), Collections.unmodifiableMap(new LinkedHashMap<>(e.getValue())));
        state = Collections.unmodifiableMap(s);
    }
}
