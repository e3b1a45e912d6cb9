package fuse3d.models.config;

/**
 * The OPTIMIZATION block of an OpenPCDet-style YAML: batch size, epochs, optimizer (adam_onecycle, adam, sgd) with
 * its learning rate, weight decay and momentum, the one-cycle settings (MOMS, PCT_START, DIV_FACTOR), the step
 * decay settings (DECAY_STEP_LIST in epochs, LR_DECAY, LR_CLIP, LR_WARMUP, WARMUP_EPOCH) and the gradient clip.
 *
 * <p>As OpenPCDet's build_optimizer / build_scheduler, each optimizer reads only its own keys and the others are
 * accepted and have no effect there too: adam_onecycle ignores MOMENTUM, DECAY_STEP_LIST, LR_DECAY, LR_CLIP,
 * LR_WARMUP and WARMUP_EPOCH; adam and sgd ignore MOMS and PCT_START (and DIV_FACTOR unless LR_WARMUP); adam
 * ignores MOMENTUM.
 */
public record OptimizationConfig(
        @Default("4") int batchSizePerGpu,
        int numEpochs,
        OptimizerType optimizer,
        double lr,
        @Default("0") double weightDecay,
        @Default("0.9") double momentum,
        @Default("[0.95, 0.85]") double[] moms,
        @Default("0.4") double pctStart,
        @Default("10") double divFactor,
        @Default("[35, 45]") int[] decayStepList,
        @Default("0.1") double lrDecay,
        @Default("0.0000001") double lrClip,
        @Default("false") boolean lrWarmup,
        @Default("1") int warmupEpoch,
        @Default("10") double gradNormClip) {

    /** OPTIMIZER values. */
    public enum OptimizerType { ADAM_ONECYCLE, ADAM, SGD }

    public OptimizationConfig {
        if (batchSizePerGpu < 1) throw new IllegalArgumentException("BATCH_SIZE_PER_GPU must be >= 1, got " + batchSizePerGpu);
        if (numEpochs < 1) throw new IllegalArgumentException("NUM_EPOCHS must be >= 1, got " + numEpochs);
        if (!(lr > 0)) throw new IllegalArgumentException("LR must be > 0, got " + lr);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("WEIGHT_DECAY must be >= 0, got " + weightDecay);
        if (moms.length != 2) throw new IllegalArgumentException("MOMS needs 2 values, got " + moms.length);
        if (!(pctStart > 0 && pctStart < 1)) throw new IllegalArgumentException("PCT_START must be in (0, 1), got " + pctStart);
        if (!(divFactor > 0)) throw new IllegalArgumentException("DIV_FACTOR must be > 0, got " + divFactor);
        if (warmupEpoch < 0) throw new IllegalArgumentException("WARMUP_EPOCH must be >= 0, got " + warmupEpoch);
        moms = moms.clone();
        decayStepList = decayStepList.clone();
    }

    @Override public double[] moms() { return moms.clone(); }

    @Override public int[] decayStepList() { return decayStepList.clone(); }
}
