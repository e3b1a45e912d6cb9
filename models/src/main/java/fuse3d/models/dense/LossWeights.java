package fuse3d.models.dense;

import java.util.Arrays;

/**
 * DENSE_HEAD.LOSS_CONFIG.LOSS_WEIGHTS: the factors of the classification, localisation and direction terms and the
 * per-code-column weights of the localisation loss.
 */
public record LossWeights(double clsWeight, double locWeight, double dirWeight, double[] codeWeights) {
    public LossWeights {
        if (!(clsWeight >= 0 && locWeight >= 0 && dirWeight >= 0))
            throw new IllegalArgumentException("DENSE_HEAD.LOSS_CONFIG.LOSS_WEIGHTS: cls_weight, loc_weight and dir_weight must be >= 0, got "
                    + clsWeight + ", " + locWeight + ", " + dirWeight);
        if (codeWeights == null || codeWeights.length != 7)
            throw new IllegalArgumentException("DENSE_HEAD.LOSS_CONFIG.LOSS_WEIGHTS.code_weights must have 7 entries (the ResidualCoder's code size), got "
                    + (codeWeights == null ? "none" : Arrays.toString(codeWeights)));
        codeWeights = codeWeights.clone();
    }

    public static LossWeights voxelRcnnCar() { return new LossWeights(1.0, 2.0, 0.2, new double[] {1, 1, 1, 1, 1, 1, 1}); }

    @Override
    public boolean equals(Object o) {
        return o instanceof LossWeights w && clsWeight == w.clsWeight && locWeight == w.locWeight && dirWeight == w.dirWeight
                && Arrays.equals(codeWeights, w.codeWeights);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(codeWeights) + Double.hashCode(clsWeight + 3 * locWeight + 7 * dirWeight); }

    @Override
    public String toString() {
        return "LossWeights[cls=" + clsWeight + ", loc=" + locWeight + ", dir=" + dirWeight + ", code=" + Arrays.toString(codeWeights) + "]";
    }
}
