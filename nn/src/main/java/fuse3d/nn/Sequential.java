package fuse3d.nn;

import fuse3d.autograd.Var;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * torch.nn.Sequential: layers applied in order, registered as children "0", "1", ... so that a checkpoint's
 * {@code downsample.0.weight} or {@code deblocks.1.1.running_mean} finds its layer.
 */
public final class Sequential extends Layer {
    private final List<Layer> layers = new ArrayList<>();

    public Sequential(Layer... layers) {
        for (Layer l : layers) add(l);
    }

    public Sequential(List<? extends Layer> layers) {
        for (Layer l : layers) add(l);
    }

    /** Appends a layer under the next index and returns this. */
    public Sequential add(Layer layer) {
        if (layer == null) throw new IllegalArgumentException("Sequential: layer " + layers.size() + " is null");
        registerModule(Integer.toString(layers.size()), layer);
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
