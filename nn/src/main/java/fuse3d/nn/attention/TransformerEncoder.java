package fuse3d.nn.attention;

import fuse3d.autograd.Var;
import fuse3d.nn.Layer;
import fuse3d.nn.LayerNorm;
import fuse3d.nn.Module;
import fuse3d.tensor.DType;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * torch.nn.TransformerEncoder: a stack of encoder layers (children {@code layers.0}, {@code layers.1}, ...)
 * applied in turn with the same masks, then an optional final {@code norm}.
 */
public final class TransformerEncoder extends Layer {
    private final List<TransformerEncoderLayer> layers;
    private final LayerNorm norm;

    /** torch's ModuleList: a named container whose children are called "0", "1", ... */
    static final class ModuleList extends Module {
        ModuleList(List<? extends Module> items) {
            for (int i = 0; i < items.size(); i++) registerModule(Integer.toString(i), items.get(i));
        }
    }

    /**
     * Builds numLayers layers with {@code newLayer}. Torch deep-copies one layer, so every layer starts with the
     * same parameters; we keep that by copying the first layer's state into the others.
     *
     * @param norm the final LayerNorm, or null for none
     */
    public TransformerEncoder(Supplier<TransformerEncoderLayer> newLayer, int numLayers, LayerNorm norm) {
        if (numLayers <= 0) throw new IllegalArgumentException("TransformerEncoder: num_layers must be positive, got " + numLayers);
        List<TransformerEncoderLayer> ls = new ArrayList<>(numLayers);
        for (int i = 0; i < numLayers; i++) {
            TransformerEncoderLayer layer = newLayer.get();
            if (!ls.isEmpty()) {
                if (layer == ls.getFirst())
                    throw new IllegalArgumentException("TransformerEncoder: the supplier must return a new layer each call, not the same instance");
                layer.loadStateDict(ls.getFirst().stateDict(), true);
            }
            ls.add(layer);
        }
        this.layers = Collections.unmodifiableList(ls);
        registerModule("layers", new ModuleList(ls));
        this.norm = norm == null ? null : registerModule("norm", norm);
    }

    public List<TransformerEncoderLayer> layers() { return layers; }

    public LayerNorm norm() { return norm; }

    @Override
    protected Var forward(Var src) { return forward(src, null, null); }

    /** Runs every layer with the same masks (see {@link TransformerEncoderLayer#forward(Var, Tensor, Tensor)}), then the norm. */
    public Var forward(Var src, Tensor mask, Tensor srcKeyPaddingMask) {
        Var x = src;
        for (TransformerEncoderLayer layer : layers) x = layer.forward(x, mask, srcKeyPaddingMask);
        return norm == null ? x : norm.apply(x);
    }

    /**
     * torch's Transformer.generate_square_subsequent_mask: a float [size, size] mask with -inf above the
     * diagonal (position i may attend to j <= i only) and 0 elsewhere.
     */
    public static Tensor squareSubsequentMask(int size) {
        if (size <= 0) throw new IllegalArgumentException("square_subsequent_mask: size must be positive, got " + size);
        Tensor row = Tensor.arange(size).reshape(size, 1), col = Tensor.arange(size).reshape(1, size);
        return Tensor.where(col.gt(row), Tensor.scalar(Double.NEGATIVE_INFINITY, DType.FLOAT32), Tensor.scalar(0.0, DType.FLOAT32));
    }
}
