package fuse3d.nn.loss;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Every loss's gradient w.r.t. its prediction, in float64, against central differences ({@link GradCheck}). */
class LossGradientTest {
    private final Generator gen = new Generator(20261201);

    private Tensor randn(int... shape) { return gen.normal(DType.FLOAT64, 0, 1, shape); }

    private Tensor rand(int... shape) { return gen.uniform(DType.FLOAT64, 0, 1, shape); }

    private Tensor classes(int c, int... shape) { return gen.randint(0, c, shape); }

    @Test
    void regression() {
        Tensor t = randn(3, 4);
        for (Reduction r : new Reduction[] {Reduction.NONE, Reduction.MEAN, Reduction.SUM}) {
            GradCheck.check("mse_loss " + r, x -> MseLoss.mseLoss(x, t, r), randn(3, 4));
            // differences kept away from the kinks at 0 (and at +-beta for smooth L1)
            GradCheck.check("l1_loss " + r, x -> L1Loss.l1Loss(x, t, r), t.add(randn(3, 4).sign().mul(rand(3, 4).add(0.1))));
            GradCheck.check("smooth_l1_loss " + r, x -> SmoothL1Loss.smoothL1Loss(x, t, r, 0.5),
                    t.add(Tensor.of(new double[] {0.1, -0.2, 0.3, -0.4, 0.7, -0.8, 1.2, -1.5, 0.05, -0.01, 2.0, -3.0}, 3, 4)));
        }
        Var target = Var.leaf(randn(3, 4));
        GradCheck.check("mse_loss w.r.t. a target Var", x -> MseLoss.mseLoss(x, target, Reduction.MEAN), randn(3, 4));
    }

    @Test
    void bceWithLogits() {
        Tensor x = randn(4, 3).mul(3.0);
        x.set(0.0, 0, 0); // the point a composed softplus would get wrong
        x.set(30.0, 1, 1);
        x.set(-30.0, 2, 2);
        Tensor t = rand(4, 3);
        GradCheck.check("bce_with_logits", v -> BceWithLogitsLoss.binaryCrossEntropyWithLogits(v, t, null, null, Reduction.NONE), x);
        Tensor weight = rand(4, 1), posWeight = Tensor.of(new double[] {0.5, 2, 3}, 3);
        GradCheck.check("bce_with_logits weight pos_weight",
                v -> BceWithLogitsLoss.binaryCrossEntropyWithLogits(v, t, weight, posWeight, Reduction.MEAN), x);
    }

    @Test
    void crossEntropyAndNll() {
        Tensor target = classes(5, 4, 3, 2);
        target.set(-100, 0, 0, 0);
        Tensor w = rand(5).add(0.2);
        for (Reduction r : new Reduction[] {Reduction.NONE, Reduction.MEAN, Reduction.SUM}) {
            GradCheck.check("cross_entropy " + r, v -> CrossEntropyLoss.crossEntropy(v, target, w, -100, r, 0.0), randn(4, 5, 3, 2));
            GradCheck.check("cross_entropy smoothed " + r, v -> CrossEntropyLoss.crossEntropy(v, target, w, -100, r, 0.2), randn(4, 5, 3, 2));
            GradCheck.check("nll_loss " + r, v -> NllLoss.nllLoss(v, target, w, -100, r), randn(4, 5, 3, 2));
        }
        Tensor probs = rand(3, 4).softmax(1);
        GradCheck.check("cross_entropy probabilities", v -> CrossEntropyLoss.crossEntropy(v, probs, w.narrow(0, 0, 4), -100, Reduction.MEAN, 0.1),
                randn(3, 4));
    }

    @Test
    void focalLosses() {
        Tensor t = rand(3, 4).gt(0.6).to(DType.FLOAT64);
        GradCheck.check("sigmoid_focal_loss", v -> SigmoidFocalLoss.sigmoidFocalLoss(v, t, 0.25, 2.0, Reduction.SUM), randn(3, 4).mul(2.0));
        GradCheck.check("sigmoid_focal_loss gamma 1.5", v -> SigmoidFocalLoss.sigmoidFocalLoss(v, t, 0.6, 1.5, Reduction.NONE), randn(3, 4));
        Tensor heat = rand(2, 2, 3, 3);
        heat.set(1.0, 0, 1, 1, 1);
        heat.set(1.0, 1, 0, 2, 0);
        GradCheck.check("gaussian_focal_loss", v -> GaussianFocalLoss.gaussianFocalLoss(v, heat, 2.0),
                rand(2, 2, 3, 3).mul(0.9).add(0.05));
    }

    @Test
    void lovasz() {
        Tensor labels = classes(3, 2, 3, 4);
        labels.set(255, 0, 0, 0);
        // through softmax, as a segmentation head uses it: logits -> probabilities -> loss
        GradCheck.check("lovasz_softmax", v -> LovaszSoftmaxLoss.lovaszSoftmax(v.softmax(1), labels, "present", false, 255), randn(2, 4, 3, 4));
        GradCheck.check("lovasz_softmax per image, all", v -> LovaszSoftmaxLoss.lovaszSoftmax(v.softmax(1), labels, "all", true, 255),
                randn(2, 4, 3, 4));
        GradCheck.check("lovasz_softmax on probabilities", v -> LovaszSoftmaxLoss.lovaszSoftmax(v, labels, new int[] {0, 1}, false, 255),
                rand(2, 4, 3, 4));
    }

    @Test
    void klAndDistillation() {
        Tensor target = rand(3, 5).softmax(1);
        for (Reduction r : Reduction.values()) {
            GradCheck.check("kl_div " + r, v -> KlDivLoss.klDiv(v.logSoftmax(1), target, r, false), randn(3, 5));
            GradCheck.check("kl_div log_target " + r, v -> KlDivLoss.klDiv(v.logSoftmax(1), target.log(), r, true), randn(3, 5));
        }
        Tensor teacher = randn(3, 5).mul(2.0);
        GradCheck.check("distill_kl T=4", v -> DistillKlLoss.distillKl(v, teacher, 4.0), randn(3, 5).mul(2.0));
    }

    @Test
    void featureDistillation() {
        Tensor teacher = randn(2, 3, 4, 4);
        Tensor mask = rand(2, 1, 4, 4).gt(0.5);
        for (Reduction r : new Reduction[] {Reduction.NONE, Reduction.MEAN, Reduction.SUM}) {
            GradCheck.check("masked_mse " + r, v -> MaskedMseLoss.maskedMse(v, teacher, mask, r), randn(2, 3, 4, 4));
            GradCheck.check("attention_mse " + r, v -> AttentionMseLoss.attentionMse(v, teacher, 0.5, true, null, r), randn(2, 3, 4, 4));
        }
        Tensor intensity = TeacherAttention.intensity(teacher);
        GradCheck.check("masked_mse with an intensity map", v -> MaskedMseLoss.maskedMse(v, teacher, intensity), randn(2, 3, 4, 4));
    }
}
