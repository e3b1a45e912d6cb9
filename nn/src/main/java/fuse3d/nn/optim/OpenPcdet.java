package fuse3d.nn.optim;

import fuse3d.autograd.Var;
import fuse3d.nn.Module;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Builds the optimizers of OpenPCDet's {@code build_optimizer} ({@code OPTIMIZER: adam_onecycle}, {@code adam},
 * {@code sgd}) from a model, with the same parameter groups and the same update arithmetic, to pair with
 * {@link OpenPcdetOneCycle} and {@link OpenPcdetStepDecay}.
 */
public final class OpenPcdet {
    private OpenPcdet() {}

    /** The batch-norm test OpenPCDet uses (BatchNorm1d/2d/3d, SyncBatchNorm), by class name. */
    public static final Predicate<Module> BATCH_NORM = m -> m.getClass().getSimpleName().matches("(Sync)?BatchNorm([123]d)?");

    /**
     * {@code adam_onecycle}: Adam with betas (0.9, 0.99) inside fastai's OptimWrapper with
     * {@code true_wd = True, bn_wd = True}, which before each Adam step multiplies every trainable parameter
     * by {@code 1 - wd * lr} (also those without a gradient) and runs Adam with weight_decay 0. That is
     * {@link AdamW} with {@code decay_params_without_grad = true}, operation for operation.
     *
     * <p>Groups, as OpenPCDet forms them: the model is flattened to its leaf modules (depth first); group 0
     * holds the parameters of the leaves that are not batch norms, group 1 those of the batch norms. A
     * parameter registered on a module that has children would not be trained by OpenPCDet at all; rather
     * than drop it silently, this throws, naming it. The initial lr 3e-3 is OpenPCDet's placeholder: the
     * one-cycle schedule overwrites it at construction.
     *
     * @param isBatchNorm which leaf modules are batch norms, e.g. {@link #BATCH_NORM}
     */
    public static AdamW adamOneCycle(Module model, double weightDecay, Predicate<Module> isBatchNorm) {
        List<Var> plain = new ArrayList<>(), norms = new ArrayList<>();
        Set<Var> taken = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Module m : model.namedModules().values()) {
            if (!m.namedChildren().isEmpty()) continue;
            for (Var p : m.parameters()) if (taken.add(p)) (isBatchNorm.test(m) ? norms : plain).add(p);
        }
        for (Map.Entry<String, Var> e : model.namedParameters().entrySet())
            if (!taken.contains(e.getValue()))
                throw new IllegalArgumentException("OpenPCDet adam_onecycle: parameter '" + e.getKey()
                        + "' belongs to a module with children, which OpenPCDet's layer groups leave out (it would never be trained)");
        return new AdamW(List.of(new ParamGroup(plain), new ParamGroup(norms)),
                Map.of("lr", 3e-3, "beta1", 0.9, "beta2", 0.99, "weight_decay", weightDecay, "decay_params_without_grad", true));
    }

    /** {@code adam}: torch Adam over all parameters with L2 weight decay. */
    public static Adam adam(Module model, double lr, double weightDecay) {
        return new Adam(model.parameters(), Map.of("lr", lr, "weight_decay", weightDecay));
    }

    /** {@code sgd}: torch SGD over all parameters with momentum and L2 weight decay. */
    public static Sgd sgd(Module model, double lr, double weightDecay, double momentum) {
        return new Sgd(model.parameters(), Map.of("lr", lr, "weight_decay", weightDecay, "momentum", momentum));
    }
}
