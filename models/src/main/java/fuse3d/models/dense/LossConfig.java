package fuse3d.models.dense;

/** DENSE_HEAD.LOSS_CONFIG: the loss weights of the anchor head. */
public record LossConfig(LossWeights lossWeights) {
    public LossConfig {
        if (lossWeights == null) throw new IllegalArgumentException("DENSE_HEAD.LOSS_CONFIG.LOSS_WEIGHTS is required");
    }

    public static LossConfig voxelRcnnCar() { return new LossConfig(LossWeights.voxelRcnnCar()); }
}
