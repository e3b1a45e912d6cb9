package fuse3d.nn;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;

/**
 * What BatchNorm1d/2d/3d share (torch's _BatchNorm): per-channel weight (ones) and bias (zeros) when affine,
 * and, when tracking running statistics, the buffers running_mean (zeros), running_var (ones) and the int64
 * counter num_batches_tracked. Training normalises with the batch statistics and updates the running ones
 * (momentum null = a cumulative average over the batches seen); evaluation normalises with the running
 * statistics, or with the batch's when none are tracked.
 */
public abstract sealed class BatchNorm extends Layer permits BatchNorm1d, BatchNorm2d, BatchNorm3d {
    public final int numFeatures;
    private final double eps;
    private final Double momentum;
    private final boolean affine, trackRunningStats;

    BatchNorm(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        if (numFeatures <= 0) throw new IllegalArgumentException(getClass().getSimpleName() + ": num_features must be positive, got " + numFeatures);
        if (!(eps > 0)) throw new IllegalArgumentException(getClass().getSimpleName() + ": eps must be positive, got " + eps);
        if (momentum != null && !(momentum >= 0 && momentum <= 1))
            throw new IllegalArgumentException(getClass().getSimpleName() + ": momentum must be in [0, 1] or null, got " + momentum);
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.affine = affine;
        this.trackRunningStats = trackRunningStats;
        if (affine) {
            registerParameter("weight", Tensor.ones(numFeatures));
            registerParameter("bias", Tensor.zeros(numFeatures));
        }
        if (trackRunningStats) {
            registerBuffer("running_mean", Tensor.zeros(numFeatures));
            registerBuffer("running_var", Tensor.ones(numFeatures));
            registerBuffer("num_batches_tracked", Tensor.zeros(DType.INT64));
        }
    }

    public final double eps() { return eps; }

    /** The running-average momentum, or null for a cumulative average. */
    public final Double momentum() { return momentum; }

    public final boolean affine() { return affine; }

    public final boolean trackRunningStats() { return trackRunningStats; }

    public final Var weight() { return parameter("weight"); }

    public final Var bias() { return parameter("bias"); }

    public final Tensor runningMean() { return buffer("running_mean"); }

    public final Tensor runningVar() { return buffer("running_var"); }

    /** The number of training batches seen, or -1 when no statistics are tracked. */
    public final long numBatchesTracked() { return trackRunningStats ? buffer("num_batches_tracked").getLong() : -1; }

    /** Running mean 0, variance 1, no batches seen (reset_running_stats). */
    public final void resetRunningStats() {
        if (!trackRunningStats) return;
        runningMean().zero_();
        runningVar().fill_(1);
        buffer("num_batches_tracked").zero_();
    }

    /** The accepted input ranks, for the message when another arrives. */
    abstract boolean acceptsRank(int rank);

    abstract String expectedInput();

    @Override
    protected final Var forward(Var x) {
        int[] s = x.shape();
        if (!acceptsRank(s.length))
            throw new IllegalArgumentException(this + ": expected " + expectedInput() + ", got " + Shape.str(s));
        if (s[1] != numFeatures)
            throw new IllegalArgumentException(this + ": input " + Shape.str(s) + " has " + s[1] + " channels, expected " + numFeatures);
        // batch statistics in training, and in evaluation too when no running statistics exist
        boolean useBatchStats = isTraining() || !trackRunningStats;
        if (useBatchStats && x.numel() / numFeatures <= 1) // checked before the counter moves, so a refused batch leaves no trace
            throw new IllegalArgumentException(this + ": expected more than 1 value per channel when training, got input " + Shape.str(s));
        double factor = 0;
        if (isTraining() && trackRunningStats) {
            Tensor count = buffer("num_batches_tracked");
            count.fill_(count.getLong() + 1);
            factor = momentum == null ? 1.0 / count.getLong() : momentum;
        }
        return Functional.batchNorm(x, runningMean(), runningVar(), weight(), bias(), useBatchStats, factor, eps);
    }

    /** num_batches_tracked is absent from checkpoints written before PyTorch 0.4.1, which PyTorch still loads. */
    @Override
    protected boolean optionalInStateDict(String name) { return name.equals("num_batches_tracked"); }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + eps + ", momentum=" + (momentum == null ? "None" : momentum.toString()) + ", affine=" + py(affine)
                + ", track_running_stats=" + py(trackRunningStats);
    }

    static String py(boolean b) { return b ? "True" : "False"; }
}
