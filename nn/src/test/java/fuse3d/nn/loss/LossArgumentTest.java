package fuse3d.nn.loss;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad arguments fail at the door with a message that names the loss and the shapes or values involved. */
class LossArgumentTest {
    private static Var x(int... shape) { return Var.leaf(Tensor.zeros(shape)); }

    private static Tensor z(int... shape) { return Tensor.zeros(shape); }

    private static Tensor idx(int... shape) { return Tensor.zeros(DType.INT64, shape); }

    private static void fails(Executable call, String... fragments) {
        RuntimeException e = assertThrows(RuntimeException.class, call);
        for (String f : fragments)
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should mention '" + f + "'");
    }

    @Test
    void shapesAreNamed() {
        fails(() -> MseLoss.mseLoss(x(2, 3), z(3, 2)), "mse_loss", "[2, 3]", "[3, 2]");
        fails(() -> L1Loss.l1Loss(x(2, 3), z(2)), "l1_loss", "[2, 3]", "[2]");
        fails(() -> SmoothL1Loss.smoothL1Loss(x(4), z(5)), "smooth_l1_loss", "[4]", "[5]");
        fails(() -> BceWithLogitsLoss.binaryCrossEntropyWithLogits(x(2, 3), z(2, 1)), "binary_cross_entropy_with_logits", "[2, 1]", "[2, 3]");
        fails(() -> BceWithLogitsLoss.binaryCrossEntropyWithLogits(x(2, 3), z(2, 3), null, z(2), Reduction.MEAN), "pos_weight", "[2]", "[2, 3]");
        fails(() -> CrossEntropyLoss.crossEntropy(x(4, 3, 5), idx(4, 3)), "cross_entropy", "[4, 3, 5]", "[4, 5]", "[4, 3]");
        fails(() -> CrossEntropyLoss.crossEntropy(x(4, 3), z(4, 2)), "cross_entropy", "class probabilities", "[4, 2]");
        fails(() -> CrossEntropyLoss.crossEntropy(x(4, 3), idx(4), z(4), -100, Reduction.MEAN, 0), "cross_entropy", "weight", "[4]", "3");
        fails(() -> NllLoss.nllLoss(x(2, 3), idx(3)), "nll_loss", "[2, 3]", "[2]");
        fails(() -> SigmoidFocalLoss.sigmoidFocalLoss(x(2, 3), z(3, 2)), "sigmoid_focal_loss", "[2, 3]", "[3, 2]");
        fails(() -> GaussianFocalLoss.gaussianFocalLoss(x(1, 2, 3, 3), z(1, 2, 3)), "gaussian_focal_loss", "[1, 2, 3, 3]", "[1, 2, 3]");
        fails(() -> LovaszSoftmaxLoss.lovaszSoftmax(x(2, 3, 4), idx(2, 3)), "lovasz_softmax", "[2, 3, 4]", "[2, 4]");
        fails(() -> KlDivLoss.klDiv(x(2, 3), z(2, 4), Reduction.BATCHMEAN), "kl_div", "[2, 3]", "[2, 4]");
        fails(() -> DistillKlLoss.distillKl(x(2, 3), z(3, 3), 2.0), "distill_kl", "[2, 3]", "[3, 3]");
        fails(() -> MaskedMseLoss.maskedMse(x(2, 3, 4, 4), z(2, 3, 4, 4), z(2, 2, 4, 4)), "masked_mse", "mask", "[2, 2, 4, 4]", "[2, 3, 4, 4]");
        fails(() -> AttentionMseLoss.attentionMse(x(2, 3, 4, 4), z(2, 3, 4, 5)), "attention_mse", "[2, 3, 4, 4]", "[2, 3, 4, 5]");
    }

    @Test
    void dtypesAreChecked() {
        fails(() -> MseLoss.mseLoss(x(3), idx(3)), "mse_loss", "target", "int64");
        fails(() -> CrossEntropyLoss.crossEntropy(x(2, 3), Tensor.zeros(DType.BOOL, 2)), "cross_entropy", "class indices", "bool");
        fails(() -> LovaszSoftmaxLoss.lovaszSoftmax(x(1, 2, 3), z(1, 3)), "lovasz_softmax", "labels", "float32");
        fails(() -> MaskedMseLoss.maskedMse(x(1, 2, 2), z(1, 2, 2), Tensor.zeros(DType.INT64, 1, 1, 2)), "masked_mse", "mask", "int64");
    }

    @Test
    void valuesAreChecked() {
        Tensor bad = Tensor.ofLongs(new long[] {0, 3}, 2);
        fails(() -> CrossEntropyLoss.crossEntropy(x(2, 3), bad), "cross_entropy", "target 3 is out of bounds", "3 classes");
        fails(() -> NllLoss.nllLoss(x(2, 3), Tensor.ofLongs(new long[] {-1, 0}, 2)), "nll_loss", "target -1 is out of bounds");
        fails(() -> LovaszSoftmaxLoss.lovaszSoftmax(x(1, 2, 2), Tensor.ofLongs(new long[] {0, 255}, 1, 2)), "lovasz_softmax", "label 255", "no ignore index");
        fails(() -> LovaszSoftmaxLoss.lovaszSoftmax(x(1, 2, 2), idx(1, 2), new int[] {2}, false, null), "lovasz_softmax", "class 2");
        fails(() -> LovaszSoftmaxLoss.lovaszSoftmax(x(1, 2, 2), idx(1, 2), "some", false, null), "lovasz_softmax", "'some'");
        fails(() -> SmoothL1Loss.smoothL1Loss(x(2), z(2), Reduction.MEAN, -1), "smooth_l1_loss", "beta", "-1");
        fails(() -> CrossEntropyLoss.crossEntropy(x(2, 3), idx(2), null, -100, Reduction.MEAN, 1.5), "cross_entropy", "label_smoothing", "1.5");
        fails(() -> CrossEntropyLoss.crossEntropy(x(2, 3), z(2, 3), null, 0, Reduction.MEAN, 0), "cross_entropy", "ignore_index", "floating point target");
        fails(() -> MseLoss.mseLoss(x(2), z(2), Reduction.BATCHMEAN), "mse_loss", "batchmean", "kl_div");
        fails(() -> CrossEntropyLoss.crossEntropy(x(2, 3), idx(2), null, -100, Reduction.BATCHMEAN, 0), "cross_entropy", "batchmean");
        fails(() -> GaussianFocalLoss.gaussianFocalLoss(x(2), z(2), 2, 4, null, Reduction.SUM, 1.0), "gaussian_focal_loss", "avg_factor", "sum");
        fails(() -> MaskedMseLoss.maskedMse(x(1, 1, 2), z(1, 1, 2), Tensor.of(new float[] {1, -1}, 1, 1, 2)), "masked_mse", "negative");
        fails(() -> DistillKlLoss.distillKl(x(2, 3), z(2, 3), 0.0), "distill_kl", "temperature");
        fails(() -> Reduction.parse("avg"), "reduction", "'avg'");
    }
}
