package fuse3d.nn;

/** torch.nn.BatchNorm1d over [N, C] or [N, C, L], statistics per channel C. */
public final class BatchNorm1d extends BatchNorm {
    /** momentum null gives a cumulative average of the batch statistics. */
    public BatchNorm1d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        super(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    public BatchNorm1d(int numFeatures, double eps, Double momentum) { this(numFeatures, eps, momentum, true, true); }

    /** PyTorch's defaults: eps 1e-5, momentum 0.1, affine, tracking running statistics. */
    public BatchNorm1d(int numFeatures) { this(numFeatures, 1e-5, 0.1, true, true); }

    @Override
    boolean acceptsRank(int rank) { return rank == 2 || rank == 3; }

    @Override
    String expectedInput() { return "a 2-d [N, C] or 3-d [N, C, L] input"; }
}
