package fuse3d.nn;

import static fuse3d.tensor.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** BatchNorm1d/2d/3d: hand-worked values (checked against PyTorch 1.13), running statistics, modes, state dicts, fused derivative. */
class BatchNormTest {

    private static Tensor t(float[] v, int... shape) { return Tensor.of(v, shape); }

    @Test
    void trainingNormalisesWithBiasedBatchVarianceAndUpdatesRunningStatsWithUnbiased() {
        BatchNorm1d bn = new BatchNorm1d(2);
        // channel 0 holds 1, 3: mean 2, biased var 1, unbiased var 2; channel 1 holds 2, 6: mean 4, var 4, unbiased 8
        Var y = bn.apply(Var.of(t(new float[] {1, 2, 3, 6}, 2, 2)));
        double a = 1 / Math.sqrt(1 + 1e-5), b = 2 / Math.sqrt(4 + 1e-5);
        assertClose(y.data(), t(new float[] {(float) -a, (float) -b, (float) a, (float) b}, 2, 2));
        // running = 0.9 running + 0.1 batch, from mean 0 / var 1
        assertClose(bn.runningMean(), t(new float[] {0.2f, 0.4f}, 2));
        assertClose(bn.runningVar(), t(new float[] {1.1f, 1.7f}, 2));
        assertEquals(1, bn.numBatchesTracked());
        assertEquals(DType.INT64, bn.stateDict().get("num_batches_tracked").dtype());
        assertEquals(0, bn.stateDict().get("num_batches_tracked").dim());
    }

    @Test
    void evaluationUsesRunningStats() {
        BatchNorm1d bn = new BatchNorm1d(2);
        Tensor x = t(new float[] {1, 2, 3, 6}, 2, 2);
        bn.apply(Var.of(x));
        bn.eval();
        Var y = bn.apply(Var.of(x));
        // (x - running_mean) / sqrt(running_var + eps), PyTorch gives 0.7627667, 1.2271403, 2.6696832, 4.2949910
        assertClose(y.data(), t(new float[] {0.7627667f, 1.2271403f, 2.6696832f, 4.2949910f}, 2, 2));
        assertEquals(1, bn.numBatchesTracked(), "evaluation must not count batches");
        assertClose(bn.runningMean(), t(new float[] {0.2f, 0.4f}, 2));
    }

    @Test
    void momentumNullIsTheCumulativeAverage() {
        BatchNorm1d bn = new BatchNorm1d(2, 1e-5, null);
        bn.apply(Var.of(t(new float[] {1, 2, 3, 6}, 2, 2)));
        bn.apply(Var.of(t(new float[] {5, 0, 7, 2}, 2, 2)));
        // means [2, 4] then [6, 1]; unbiased vars [2, 8] then [2, 2]; averaged
        assertClose(bn.runningMean(), t(new float[] {4, 2.5f}, 2));
        assertClose(bn.runningVar(), t(new float[] {2, 5}, 2));
        assertEquals(2, bn.numBatchesTracked());
        assertTrue(bn.toString().contains("momentum=None"), bn.toString());
    }

    @Test
    void weightAndBiasApplyPerChannel() {
        BatchNorm2d bn = new BatchNorm2d(2);
        bn.weight().data().copy_(t(new float[] {2, -1}, 2));
        bn.bias().data().copy_(t(new float[] {0.5f, 3}, 2));
        // channel 0 of both samples: 0, 2 / 4, 6 (mean 3, var 5); channel 1 all 7 (var 0: the output is the bias)
        Tensor x = t(new float[] {0, 2, 7, 7, 4, 6, 7, 7}, 2, 2, 1, 2);
        Tensor y = bn.apply(Var.of(x)).data();
        double s = Math.sqrt(5 + 1e-5);
        float[] e = {(float) (2 * -3 / s + 0.5), (float) (2 * -1 / s + 0.5), 3, 3, (float) (2 * 1 / s + 0.5), (float) (2 * 3 / s + 0.5), 3, 3};
        assertClose(y, t(e, 2, 2, 1, 2));
    }

    @Test
    void withoutTrackedStatsEvaluationStillUsesTheBatchAndTheStateDictHoldsOnlyAffine() {
        BatchNorm1d bn = new BatchNorm1d(2, 1e-5, 0.1, true, false);
        assertEquals(List.of("weight", "bias"), new ArrayList<>(bn.stateDict().keySet()));
        bn.eval();
        Var y = bn.apply(Var.of(t(new float[] {1, 2, 3, 6}, 2, 2)));
        assertClose(y.data().select(1, 0), t(new float[] {(float) (-1 / Math.sqrt(1 + 1e-5)), (float) (1 / Math.sqrt(1 + 1e-5))}, 2));
        assertEquals(-1, bn.numBatchesTracked());
        assertNull(bn.runningMean());
    }

    @Test
    void nonAffineHasOnlyBuffers() {
        BatchNorm3d bn = new BatchNorm3d(3, 1e-5, 0.1, false, true);
        assertEquals(List.of("running_mean", "running_var", "num_batches_tracked"), new ArrayList<>(bn.stateDict().keySet()));
        assertTrue(bn.parameters().isEmpty());
        Var y = bn.apply(GradCheck.input(1, 2, 3, 2, 2, 2));
        assertClose(y.data().mean(new int[] {0, 2, 3, 4}, false), Tensor.zeros(DType.FLOAT64, 3), 0, 1e-12);
    }

    @Test
    void runningUpdateStaysOutOfTheGraph() {
        BatchNorm2d bn = new BatchNorm2d(2);
        Var x = Var.leaf(Tensor.arange(0, 16, 1, DType.FLOAT32).reshape(2, 2, 2, 2));
        Var y = bn.apply(x);
        Tensor before = bn.runningMean().copy();
        y.square().sum().backward();
        assertClose(bn.runningMean(), before, 0, 0);
        assertEquals("batch_norm", y.gradFn().op());
        // the graph reads x, weight and bias only: the running statistics are plain tensors
        assertTrue(x.grad() != null && bn.weight().grad() != null && bn.bias().grad() != null);
        assertFalse(bn.runningMean().dtype() != DType.FLOAT32);
    }

    @Test
    void trainingRefusesOneValuePerChannelWithoutCountingIt() {
        BatchNorm1d bn = new BatchNorm1d(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bn.apply(Var.of(Tensor.ones(1, 3))));
        assertTrue(e.getMessage().contains("BatchNorm1d(3") && e.getMessage().contains("more than 1 value per channel")
                && e.getMessage().contains("[1, 3]"), e.getMessage());
        assertEquals(0, bn.numBatchesTracked());
        bn.eval(); // running statistics make a single sample fine
        assertClose(bn.apply(Var.of(Tensor.ones(1, 3))).data(), Tensor.full(1 / Math.sqrt(1 + 1e-5), DType.FLOAT32, 1, 3));
    }

    @Test
    void wrongRankOrChannelsNameTheLayerAndShapes() {
        BatchNorm2d bn = new BatchNorm2d(4);
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class, () -> bn.apply(Var.of(Tensor.ones(2, 4, 3))));
        assertTrue(rank.getMessage().startsWith("BatchNorm2d(4") && rank.getMessage().contains("[2, 4, 3]"), rank.getMessage());
        IllegalArgumentException ch = assertThrows(IllegalArgumentException.class, () -> bn.apply(Var.of(Tensor.ones(2, 3, 2, 2))));
        assertTrue(ch.getMessage().contains("3 channels, expected 4"), ch.getMessage());
    }

    @Test
    void stateDictKeysAndLoadingOldCheckpointsWithoutTheCounter() {
        BatchNorm2d bn = new BatchNorm2d(2);
        assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"), new ArrayList<>(bn.stateDict().keySet()));
        Map<String, Tensor> old = new java.util.LinkedHashMap<>(bn.stateDict());
        old.remove("num_batches_tracked");
        old.put("running_mean", t(new float[] {1, 2}, 2));
        Module.LoadReport r = bn.loadStateDict(old, true);
        assertTrue(r.clean(), r.toString());
        assertClose(bn.runningMean(), t(new float[] {1, 2}, 2));
        // the counter loads like any buffer when present (int64 into int64)
        Map<String, Tensor> withCount = new java.util.LinkedHashMap<>(bn.stateDict());
        withCount.put("num_batches_tracked", Tensor.full(7, DType.INT64));
        bn.loadStateDict(withCount, true);
        assertEquals(7, bn.numBatchesTracked());
    }

    @Test
    void fusedDerivativeInTrainingPassesGradcheck() {
        for (int[] shape : new int[][] {{4, 3}, {3, 2, 5}, {2, 3, 2, 3}, {2, 2, 2, 2, 2}}) {
            BatchNorm bn = switch (shape.length) {
                case 2, 3 -> new BatchNorm1d(shape[1]);
                case 4 -> new BatchNorm2d(shape[1]);
                default -> new BatchNorm3d(shape[1]);
            };
            bn.to(DType.FLOAT64);
            bn.weight().data().copy_(new fuse3d.tensor.Generator(3).normal(DType.FLOAT64, 1, 0.5, shape[1]));
            bn.bias().data().copy_(new fuse3d.tensor.Generator(4).normal(DType.FLOAT64, 0, 0.5, shape[1]));
            Var x = GradCheck.input(shape.length, shape);
            List<Var> leaves = new ArrayList<>(List.of(x));
            leaves.addAll(bn.parameters());
            GradCheck.check("BatchNorm train " + java.util.Arrays.toString(shape), () -> bn.apply(x), leaves);
        }
    }

    @Test
    void fusedDerivativeInEvaluationAndWithoutAffinePassesGradcheck() {
        BatchNorm2d bn = new BatchNorm2d(3);
        bn.to(DType.FLOAT64);
        bn.runningMean().copy_(Tensor.of(new double[] {0.5, -1, 2}, 3));
        bn.runningVar().copy_(Tensor.of(new double[] {0.25, 2, 4}, 3));
        bn.weight().data().copy_(Tensor.of(new double[] {1.5, -0.5, 2}, 3));
        bn.eval();
        Var x = GradCheck.input(11, 2, 3, 2, 2);
        List<Var> leaves = new ArrayList<>(List.of(x));
        leaves.addAll(bn.parameters());
        GradCheck.check("BatchNorm2d eval", () -> bn.apply(x), leaves);

        BatchNorm1d plain = new BatchNorm1d(2, 1e-5, 0.1, false, true);
        plain.to(DType.FLOAT64);
        Var z = GradCheck.input(12, 5, 2);
        GradCheck.check("BatchNorm1d affine=False", () -> plain.apply(z), List.of(z));
    }

    @Test
    void functionalFormMatchesTheLayer() {
        Tensor x = new fuse3d.tensor.Generator(5).normal(0, 2, 4, 3, 2);
        Tensor rm = Tensor.zeros(3), rv = Tensor.ones(3);
        Var f = Functional.batchNorm(Var.of(x), rm, rv, null, null, true, 0.1, 1e-5);
        BatchNorm1d bn = new BatchNorm1d(3);
        assertClose(f.data(), bn.apply(Var.of(x)).data());
        assertClose(rm, bn.runningMean());
        assertClose(rv, bn.runningVar());
        assertThrows(IllegalArgumentException.class, () -> Functional.batchNorm(Var.of(x), null, null, null, null, false, 0.1, 1e-5));
    }
}
