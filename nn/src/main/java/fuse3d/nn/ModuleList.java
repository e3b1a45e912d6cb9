package fuse3d.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * torch.nn.ModuleList: an indexed list of modules registered as children "0", "1", ..., for models that
 * hold a varying number of parts and call them themselves (an FPN's lateral convs, per-level heads).
 */
public final class ModuleList<M extends Module> extends Module implements Iterable<M> {
    private final List<M> items = new ArrayList<>();

    @SafeVarargs
    public ModuleList(M... modules) {
        for (M m : modules) add(m);
    }

    public ModuleList(List<? extends M> modules) {
        for (M m : modules) add(m);
    }

    /** Appends a module under the next index and returns this. */
    public ModuleList<M> add(M module) {
        if (module == null) throw new IllegalArgumentException("ModuleList: module " + items.size() + " is null");
        registerModule(Integer.toString(items.size()), module);
        items.add(module);
        return this;
    }

    public M get(int i) {
        if (i < 0 || i >= items.size()) throw new IndexOutOfBoundsException("ModuleList: index " + i + " out of range for " + items.size() + " modules");
        return items.get(i);
    }

    public int size() { return items.size(); }

    public List<M> asList() { return Collections.unmodifiableList(items); }

    @Override
    public Iterator<M> iterator() { return asList().iterator(); }
}
