package fuse3d.sparse.conv;

import fuse3d.nn.Layer;
import fuse3d.nn.Module;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * spconv's SparseSequential: sparse modules run on the sparse tensor, and ordinary layers (BatchNorm1d, ReLU)
 * run on its features [N, C] alone. Children are named "0", "1", ... so state-dict keys read
 * {@code conv_input.0.weight}, {@code conv_input.1.running_mean} as in OpenPCDet checkpoints.
 */
public final class SparseSequential extends Module implements SparseModule {
    private final List<Module> modules = new ArrayList<>();

    /** Each argument must be a {@link SparseModule} or a feature-wise {@link Layer}. */
    public SparseSequential(Module... modules) {
        for (Module m : modules) add(m);
    }

    public SparseSequential add(Module m) {
        if (!(m instanceof SparseModule) && !(m instanceof Layer))
            throw new IllegalArgumentException("SparseSequential: child " + modules.size() + " (" + m.getClass().getSimpleName()
                    + ") is neither a SparseModule nor a feature-wise Layer");
        registerModule(Integer.toString(modules.size()), m);
        modules.add(m);
        return this;
    }

    public Module get(int i) { return modules.get(i); }

    public int size() { return modules.size(); }

    public List<Module> modules() { return Collections.unmodifiableList(modules); }

    @Override
    public SparseTensor apply(SparseTensor x) {
        for (Module m : modules) {
            if (m instanceof SparseModule s) x = s.apply(x);
            else x = x.withFeatures(((Layer) m).apply(x.features()));
        }
        return x;
    }
}
