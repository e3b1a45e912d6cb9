package fuse3d.nn;

/** torch.nn.BatchNorm3d over [N, C, D, H, W], statistics per channel C. */
public final class BatchNorm3d extends BatchNorm {
    /** momentum null gives a cumulative average of the batch statistics. */
    public BatchNorm3d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        super(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    public BatchNorm3d(int numFeatures, double eps, Double momentum) { this(numFeatures, eps, momentum, true, true); }

    /** PyTorch's defaults: eps 1e-5, momentum 0.1, affine, tracking running statistics. */
    public BatchNorm3d(int numFeatures) { this(numFeatures, 1e-5, 0.1, true, true); }

    @Override
    boolean acceptsRank(int rank) { return rank == 5; }

    @Override
    String expectedInput() { return "a 5-d [N, C, D, H, W] input"; }
}
