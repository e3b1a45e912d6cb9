package fuse3d.nn;

import static org.junit.jupiter.api.Assertions.*;

import fuse3d.autograd.Var;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Precise BN: running statistics become the average batch statistics; counters, mode and unreached layers are kept. */
class PreciseBatchNormTest {
    @Test
    void runningStatisticsAreTheMeanOfBatchStatistics() {
        BatchNorm1d bn = new BatchNorm1d(2, 1e-3, 0.01);
        BatchNorm1d unused = new BatchNorm1d(2, 1e-3, 0.01);
        Sequential model = new Sequential(bn);
        Module holder = new Module() {
            {
                registerModule("net", model);
                registerModule("unused", unused);
            }
        };
        unused.runningMean().fill_(7);
        // two batches with hand-computable statistics: column means (2, 10) and (4, 20); unbiased variances (2, 8) and (8, 50)
        List<Tensor> batches = List.of(Tensor.ofFloats(new float[] {1, 8, 3, 12}, 2, 2), Tensor.ofFloats(new float[] {2, 15, 6, 25}, 2, 2));
        int[] next = {0};
        holder.eval();
        int passes = PreciseBatchNorm.recompute(holder, 10, () -> {
            if (next[0] == batches.size()) return false;
            model.apply(Var.of(batches.get(next[0]++)));
            return true;
        });
        assertEquals(2, passes);
        assertArrayEquals(new double[] {3, 15}, bn.runningMean().toDoubleArray(), 1e-5);
        assertArrayEquals(new double[] {5, 29}, bn.runningVar().toDoubleArray(), 1e-4);
        assertEquals(0, bn.numBatchesTracked(), "the batch counter is restored");
        assertFalse(holder.isTraining(), "the model's mode is restored");
        assertEquals(7, unused.runningMean().getDouble(0), "a layer no pass reached keeps its statistics");
    }

    @Test
    void stopsAtMaxBatchesAndTracksLongRuns() {
        Generator g = new Generator(3);
        BatchNorm1d bn = new BatchNorm1d(4, 1e-5, 0.01);
        Tensor data = g.normal(5, 2, 64, 4);
        int[] calls = {0};
        int passes = PreciseBatchNorm.recompute(bn, 8, () -> {
            bn.apply(Var.of(data.narrow(0, 8 * calls[0]++, 8)));
            return true;
        });
        assertEquals(8, passes);
        double[] mean = bn.runningMean().toDoubleArray();
        for (int c = 0; c < 4; c++) assertEquals(data.narrow(1, c, 1).mean().item(), mean[c], 1e-4, "the average of equal-size batch means is the mean");
        assertThrows(IllegalArgumentException.class, () -> PreciseBatchNorm.recompute(bn, 0, () -> false));
    }
}
