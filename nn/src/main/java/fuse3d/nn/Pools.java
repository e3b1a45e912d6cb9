package fuse3d.nn;

import java.util.Arrays;

/** Argument handling the pooling layers share. */
final class Pools {
    private Pools() {}

    /** A per-dim tuple from one entry (applied to every dim) or nd entries, as PyTorch's _pair/_triple. */
    static int[] tuple(String layer, String what, int[] v, int nd) {
        if (v == null) throw new IllegalArgumentException(layer + ": " + what + " is required");
        if (v.length == nd) return v.clone();
        if (v.length == 1) {
            int[] r = new int[nd];
            Arrays.fill(r, v[0]);
            return r;
        }
        throw new IllegalArgumentException(layer + ": " + what + " needs 1 or " + nd + " entries, got " + Arrays.toString(v));
    }
}
