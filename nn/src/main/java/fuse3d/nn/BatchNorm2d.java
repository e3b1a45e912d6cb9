package fuse3d.nn;

/** torch.nn.BatchNorm2d over [N, C, H, W], statistics per channel C. */
public final class BatchNorm2d extends BatchNorm {
    /** momentum null gives a cumulative average of the batch statistics. */
    public BatchNorm2d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        super(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    public BatchNorm2d(int numFeatures, double eps, Double momentum) { this(numFeatures, eps, momentum, true, true); }

    /** PyTorch's defaults: eps 1e-5, momentum 0.1, affine, tracking running statistics. */
    public BatchNorm2d(int numFeatures) { this(numFeatures, 1e-5, 0.1, true, true); }

    @Override
    boolean acceptsRank(int rank) { return rank == 4; }

    @Override
    String expectedInput() { return "a 4-d [N, C, H, W] input"; }
}
