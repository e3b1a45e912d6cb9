package fuse3d.nn;

import fuse3d.autograd.GradMode;
import fuse3d.tensor.DType;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Precise BatchNorm statistics (Wu & Johnson, "Rethinking Batch in BatchNorm", 2021; Detectron's PreciseBN): every
 * BatchNorm's running mean and variance replaced by the plain average, over a number of training-mode forward
 * passes, of the batch statistics the layer computes. A short training run with OpenPCDet's momentum 0.01 leaves
 * running statistics that still mostly remember the untrained network, so the model in eval mode is not the model
 * that was trained; this puts the statistics where a long run's would settle.
 *
 * <p>A layer's batch statistics are read back from one update of zeroed running statistics ({@code running =
 * momentum * batch}; with a cumulative momentum, {@code running = batch}). The batch counters are restored, and a
 * layer no forward pass reached keeps its statistics.
 */
public final class PreciseBatchNorm {
    private PreciseBatchNorm() {}

    /** One training-mode forward pass over the next batch; false when there is no batch left. */
    @FunctionalInterface
    public interface Forward {
        boolean next();
    }

    /**
     * Runs up to {@code maxBatches} forward passes in training mode without gradients and sets every BatchNorm of
     * {@code model} to the average of their batch statistics; the model's mode is restored. Returns the number of
     * passes run.
     */
    public static int recompute(Module model, int maxBatches, Forward forward) {
        if (maxBatches < 1) throw new IllegalArgumentException("PreciseBatchNorm: maxBatches must be >= 1, got " + maxBatches);
        List<BatchNorm> bns = new ArrayList<>();
        for (Module m : model.namedModules().values()) if (m instanceof BatchNorm bn && bn.trackRunningStats()) bns.add(bn);
        if (bns.isEmpty()) return 0;
        int n = bns.size();
        Tensor[] oldMean = new Tensor[n], oldVar = new Tensor[n], counters = new Tensor[n], sumMean = new Tensor[n], sumVar = new Tensor[n];
        int[] seen = new int[n];
        for (int k = 0; k < n; k++) {
            BatchNorm bn = bns.get(k);
            oldMean[k] = bn.runningMean().copy();
            oldVar[k] = bn.runningVar().copy();
            counters[k] = bn.buffer("num_batches_tracked").copy();
            sumMean[k] = Tensor.zeros(DType.FLOAT64, bn.numFeatures);
            sumVar[k] = Tensor.zeros(DType.FLOAT64, bn.numFeatures);
        }
        boolean wasTraining = model.isTraining();
        int passes = 0;
        model.train();
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            while (passes < maxBatches) {
                for (BatchNorm bn : bns) {
                    bn.runningMean().zero_();
                    bn.runningVar().zero_();
                    bn.buffer("num_batches_tracked").zero_();
                }
                if (!forward.next()) break;
                passes++;
                for (int k = 0; k < n; k++) {
                    BatchNorm bn = bns.get(k);
                    if (bn.numBatchesTracked() == 0) continue; // not reached by this pass (its counter was zeroed above)
                    if (bn.momentum() != null && bn.momentum() == 0) continue; // a frozen layer learns nothing from batches
                    double scale = bn.momentum() == null ? 1 : 1 / bn.momentum();
                    sumMean[k] = sumMean[k].add(bn.runningMean().to(DType.FLOAT64).mul(scale));
                    sumVar[k] = sumVar[k].add(bn.runningVar().to(DType.FLOAT64).mul(scale));
                    seen[k]++;
                }
            }
        } finally {
            for (int k = 0; k < n; k++) {
                BatchNorm bn = bns.get(k);
                boolean update = seen[k] > 0;
                bn.runningMean().copy_(update ? sumMean[k].mul(1.0 / seen[k]).to(bn.runningMean().dtype()) : oldMean[k]);
                bn.runningVar().copy_(update ? sumVar[k].mul(1.0 / seen[k]).to(bn.runningVar().dtype()) : oldVar[k]);
                bn.buffer("num_batches_tracked").copy_(counters[k]);
            }
            model.train(wasTraining);
        }
        return passes;
    }
}
