package fuse3d.nn;

import fuse3d.autograd.Var;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * torch.nn.Sequential: layers applied in order, registered as children "0", "1", ... so that a checkpoint's
 * {@code downsample.0.weight} or {@code deblocks.1.1.running_mean} finds its layer; or, as
 * {@code Sequential(OrderedDict(...))}, under names of the caller's choosing ({@code conv1.weight}).
 */
public final class Sequential extends Layer {
    private final List<Layer> layers = new ArrayList<>();

    public Sequential(Layer... layers) {
        for (Layer l : layers) add(l);
    }

    public Sequential(List<? extends Layer> layers) {
        for (Layer l : layers) add(l);
    }

    /**
     * torch's {@code Sequential(OrderedDict)}: each layer registered under its key, applied in the map's
     * order (a SequencedMap, such as LinkedHashMap, so that the order is the caller's and not a hash's).
     */
    public Sequential(SequencedMap<String, ? extends Layer> namedLayers) {
        for (Map.Entry<String, ? extends Layer> e : namedLayers.entrySet()) add(e.getKey(), e.getValue());
    }

    /** Appends a layer under the next index and returns this (torch's append: the name is the current length). */
    public Sequential add(Layer layer) { return add(Integer.toString(layers.size()), layer); }

    /** Appends a layer under {@code name} and returns this, as torch's add_module on a Sequential. */
    public Sequential add(String name, Layer layer) {
        if (layer == null) throw new IllegalArgumentException("Sequential: layer " + layers.size() + " ('" + name + "') is null");
        registerModule(name, layer);
        layers.add(layer);
        return this;
    }

    public Layer get(int i) {
        if (i < 0 || i >= layers.size()) throw new IndexOutOfBoundsException("Sequential: index " + i + " out of range for " + layers.size() + " layers");
        return layers.get(i);
    }

    public int size() { return layers.size(); }

    public List<Layer> layers() { return Collections.unmodifiableList(layers); }

    @Override
    protected Var forward(Var x) {
        for (Layer l : layers) x = l.apply(x);
        return x;
    }
}
