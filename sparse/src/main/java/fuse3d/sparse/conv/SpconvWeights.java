package fuse3d.sparse.conv;

import fuse3d.nn.Module;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Converts sparse-convolution weights between spconv's layouts, so that checkpoints of every spconv generation
 * load into the KRSC layers of this package.
 *
 * <p>spconv 2.2 and later store {@code [Cout, k..., Cin]} (KRSC, its constants' ALL_WEIGHT_IS_KRSC); spconv
 * 2.0/2.1 stored the native {@code [k..., Cout, Cin]} (RSKC); spconv 1.x stored {@code [k..., Cin, Cout]}
 * (RSCK) (spconv docs/SPCONV_2_BREAKING_CHANGEs.md). OpenPCDet's own loader guesses the layout from the
 * shape (a transpose of the last two dims, else a 1.x permute), which cannot tell the layouts apart when
 * Cin == Cout, as in most of VoxelBackBone8x; here the caller names the layout the checkpoint was written in.
 */
public final class SpconvWeights {
    private SpconvWeights() {}

    /** A weight layout of one spconv generation. */
    public enum Layout {
        /** spconv >= 2.2: [Cout, k..., Cin]; this package's layout. */
        KRSC,
        /** spconv 2.0 / 2.1 native: [k..., Cout, Cin]. */
        RSKC,
        /** spconv 1.x: [k..., Cin, Cout]. */
        RSCK
    }

    /** {@code w} in layout {@code from} as KRSC [Cout, k..., Cin] (contiguous). */
    public static Tensor toKrsc(Tensor w, Layout from) {
        int r = w.dim();
        if (r < 3) throw new IllegalArgumentException("SpconvWeights.toKrsc: a sparse conv weight has rank >= 3, got " + Shape.str(w.shape()));
        int nd = r - 2;
        int[] perm = new int[r];
        switch (from) {
            case KRSC -> { return w.contiguous(); }
            case RSKC -> { // [k..., Cout, Cin] -> [Cout, k..., Cin]
                perm[0] = nd;
                for (int d = 0; d < nd; d++) perm[1 + d] = d;
                perm[r - 1] = nd + 1;
            }
            case RSCK -> { // [k..., Cin, Cout] -> [Cout, k..., Cin]
                perm[0] = nd + 1;
                for (int d = 0; d < nd; d++) perm[1 + d] = d;
                perm[r - 1] = nd;
            }
        }
        return w.permute(perm).contiguous();
    }

    /** KRSC [Cout, k..., Cin] written in layout {@code to} (for exporting to an older spconv). */
    public static Tensor fromKrsc(Tensor w, Layout to) {
        int r = w.dim();
        if (r < 3) throw new IllegalArgumentException("SpconvWeights.fromKrsc: a sparse conv weight has rank >= 3, got " + Shape.str(w.shape()));
        int nd = r - 2;
        int[] perm = new int[r];
        switch (to) {
            case KRSC -> { return w.contiguous(); }
            case RSKC -> {
                for (int d = 0; d < nd; d++) perm[d] = 1 + d;
                perm[nd] = 0;
                perm[nd + 1] = r - 1;
            }
            case RSCK -> {
                for (int d = 0; d < nd; d++) perm[d] = 1 + d;
                perm[nd] = r - 1;
                perm[nd + 1] = 0;
            }
        }
        return w.permute(perm).contiguous();
    }

    /**
     * A copy of {@code state} in which the weight of every sparse convolution of {@code model} (found by its
     * dotted name) is converted from {@code from} to KRSC; other entries pass through. Load the result with
     * {@link Module#loadStateDict}.
     */
    public static Map<String, Tensor> convertStateDict(Module model, Map<String, Tensor> state, Layout from) {
        Map<String, Tensor> out = new LinkedHashMap<>(state);
        if (from == Layout.KRSC) return out;
        for (Map.Entry<String, Module> m : model.namedModules().entrySet()) {
            if (!(m.getValue() instanceof SparseConvolution)) continue;
            String key = m.getKey().isEmpty() ? "weight" : m.getKey() + ".weight";
            Tensor w = state.get(key);
            if (w != null) out.put(key, toKrsc(w, from));
        }
        return out;
    }
}
