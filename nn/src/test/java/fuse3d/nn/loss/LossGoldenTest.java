package fuse3d.nn.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fuse3d.autograd.Var;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.io.SafeTensors;
import fuse3d.tensor.io.TensorIO;
import fuse3d.tensor.ops.Args;
import fuse3d.tensor.testing.Closeness;
import fuse3d.tensor.testing.GoldenCases;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Replays golden/losses.safetensors (PyTorch 1.13 values and input gradients, written by
 * tests/golden/gen_losses.py): each case's loss is computed here on its inputs, back-propagated with its stored
 * grad_output, and both the loss and the prediction's gradient must match.
 */
class LossGoldenTest {
    /** float32 against float32 PyTorch: relative 1e-5, plus an absolute floor for entries near 0. */
    private static final double RTOL = 1e-5, ATOL = 1e-6;

    record Case(String name, String op, Args args, Map<String, Tensor> tensors, Tensor loss, Tensor grad) {}

    static List<Case> load() throws Exception {
        List<Case> cases = new ArrayList<>();
        for (GoldenCases.Case c : GoldenCases.read(Path.of(LossGoldenTest.class.getResource("/golden/losses.safetensors").toURI())))
            cases.add(new Case(c.name(), c.op(), c.args(), c.named(), c.outputs().get(0), c.outputs().size() > 1 ? c.outputs().get(1) : null));
        return cases;
    }

    /** The Java call for a fixture op; {@code x} is the first tensor (the prediction) as a leaf. */
    static Var compute(Case c, Var x) {
        Map<String, Tensor> t = c.tensors();
        Args a = c.args();
        Reduction r = Reduction.parse(a.getString("reduction", "mean"));
        return switch (c.op()) {
            case "mse_loss" -> MseLoss.mseLoss(x, t.get("target"), r);
            case "l1_loss" -> L1Loss.l1Loss(x, t.get("target"), r);
            case "smooth_l1_loss" -> SmoothL1Loss.smoothL1Loss(x, t.get("target"), r, a.getDouble("beta", 1.0));
            case "binary_cross_entropy_with_logits" ->
                    BceWithLogitsLoss.binaryCrossEntropyWithLogits(x, t.get("target"), t.get("weight"), t.get("pos_weight"), r);
            case "nll_loss" -> NllLoss.nllLoss(x, t.get("target"), t.get("weight"), a.getInt("ignore_index", -100), r);
            case "cross_entropy" -> CrossEntropyLoss.crossEntropy(x, t.get("target"), t.get("weight"), a.getInt("ignore_index", -100), r,
                    a.getDouble("label_smoothing", 0.0));
            case "sigmoid_focal_loss" -> SigmoidFocalLoss.sigmoidFocalLoss(x, t.get("targets"), a.getDouble("alpha", 0.25),
                    a.getDouble("gamma", 2.0), t.get("weight"), r, a.has("avg_factor") ? a.getDouble("avg_factor", 0) : null);
            case "gaussian_focal_loss" -> GaussianFocalLoss.gaussianFocalLoss(x, t.get("target"), a.getDouble("alpha", 2.0),
                    a.getDouble("gamma", 4.0), t.get("weight"), r, a.has("avg_factor") ? a.getDouble("avg_factor", 0) : null);
            case "lovasz_softmax" -> {
                Integer ignore = a.has("ignore") ? a.getInt("ignore", 0) : null;
                boolean perImage = a.getBool("per_image", false);
                yield a.values().get("classes") instanceof List<?>
                        ? LovaszSoftmaxLoss.lovaszSoftmax(x, t.get("labels"), a.getInts("classes"), perImage, ignore)
                        : LovaszSoftmaxLoss.lovaszSoftmax(x, t.get("labels"), a.getString("classes", "present"), perImage, ignore);
            }
            case "kl_div" -> KlDivLoss.klDiv(x, t.get("target"), r, a.getBool("log_target", false));
            case "distill_kl" -> DistillKlLoss.distillKl(x, t.get("teacher"), a.getDouble("temperature", 1.0), a.getInt("dim", 1), r);
            case "masked_mse" -> MaskedMseLoss.maskedMse(x, t.get("teacher"), t.get("mask"), r);
            case "attention_mse" -> AttentionMseLoss.attentionMse(x, t.get("teacher"), a.getDouble("temperature", 0.5),
                    a.getBool("channel_attention", false), t.get("mask"), r);
            default -> throw new IllegalArgumentException("no Java loss for fixture op " + c.op());
        };
    }

    private static String first(Case c) { return c.args().values().get("tensors") instanceof List<?> l ? (String) l.get(0) : null; }

    @TestFactory
    List<DynamicTest> everyCaseMatchesPyTorch() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : load()) {
            tests.add(DynamicTest.dynamicTest(c.name(), () -> {
                Var x = Var.leaf(c.tensors().get(first(c)));
                Var loss = compute(c, x);
                Closeness.assertClose(loss.data(), c.loss(), RTOL, ATOL, true, c.name() + " loss");
                loss.backward(c.tensors().get("grad_output"));
                Closeness.assertClose(x.grad(), c.grad(), RTOL, ATOL, true, c.name() + " grad");
            }));
        }
        return tests;
    }

    /** Every loss of the package has at least one PyTorch case. */
    @Test
    void everyLossHasAGoldenCase() throws Exception {
        Set<String> covered = new TreeSet<>();
        for (Case c : load()) covered.add(c.op());
        assertEquals(new TreeSet<>(Set.of("mse_loss", "l1_loss", "smooth_l1_loss", "binary_cross_entropy_with_logits", "nll_loss",
                "cross_entropy", "sigmoid_focal_loss", "gaussian_focal_loss", "lovasz_softmax", "kl_div", "distill_kl", "masked_mse",
                "attention_mse")), covered);
    }
}
