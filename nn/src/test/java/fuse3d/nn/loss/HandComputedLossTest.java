package fuse3d.nn.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Small cases worked out by hand (the derivation is in each comment); float64 so the values are exact to 1e-12. */
class HandComputedLossTest {
    private static final double TOL = 1e-12;
    private static final double LN2 = Math.log(2), LN3 = Math.log(3);
    /** torch.finfo(torch.float32).eps as a double (2 + Math.ulp(1.0f) would round to 2 in float arithmetic). */
    private static final double F32_EPS = Math.ulp(1.0f);

    private static Tensor t(double... v) { return Tensor.of(v, v.length); }

    private static Tensor t(int[] shape, double... v) { return Tensor.of(v, shape); }

    private static Var leaf(double... v) { return Var.leaf(t(v)); }

    private static Tensor idx(long... v) { return Tensor.ofLongs(v, v.length); }

    private static void close(double expected, Var actual) { assertEquals(expected, actual.item(), TOL); }

    private static void close(double[] expected, Tensor actual) { assertArrayEquals(expected, actual.toDoubleArray(), TOL); }

    @Test
    void mseL1SmoothL1() {
        // d = input - target = [0, 2, -2]
        Tensor target = t(1, 0, 5);
        close(new double[] {0, 4, 4}, MseLoss.mseLoss(leaf(1, 2, 3), target, Reduction.NONE).data());
        close(8.0 / 3, MseLoss.mseLoss(leaf(1, 2, 3), target));
        close(8, MseLoss.mseLoss(leaf(1, 2, 3), target, Reduction.SUM));
        close(4.0 / 3, L1Loss.l1Loss(leaf(1, 2, 3), target));
        // beta 1, d = [0.5, -2, 1]: 0.5*0.25, 2 - 0.5, and |d| = beta takes the linear piece 1 - 0.5
        close(new double[] {0.125, 1.5, 0.5}, SmoothL1Loss.smoothL1Loss(leaf(0.5, -2, 1), t(0, 0, 0), Reduction.NONE, 1.0).data());
        close(0.0, SmoothL1Loss.smoothL1Loss(leaf(2), t(2), Reduction.MEAN, 1.0 / 9));
        close(new double[] {0.5, 2, 1}, SmoothL1Loss.smoothL1Loss(leaf(0.5, -2, 1), t(0, 0, 0), Reduction.NONE, 0.0).data());

        // gradients: mse 2d/N, l1 sign(d)/N with sign(0) = 0, smooth L1 d/beta inside and sign(d) outside
        Var x = leaf(1, 2, 3);
        MseLoss.mseLoss(x, target).backward();
        close(new double[] {0, 4.0 / 3, -4.0 / 3}, x.grad());
        Var y = leaf(1, 2, 3);
        L1Loss.l1Loss(y, target).backward();
        close(new double[] {0, 1.0 / 3, -1.0 / 3}, y.grad());
        Var z = leaf(0.5, -2, 1);
        SmoothL1Loss.smoothL1Loss(z, t(0, 0, 0), Reduction.SUM, 1.0).backward();
        close(new double[] {0.5, -1, 1}, z.grad());
    }

    @Test
    void bceWithLogits() {
        // x = 0: sigmoid 1/2, cost ln 2 for either label; x = ln 3: sigmoid 3/4, label 1 costs -ln(3/4)
        close(new double[] {LN2, LN2, -Math.log(0.75)},
                BceWithLogitsLoss.binaryCrossEntropyWithLogits(leaf(0, 0, LN3), t(1, 0, 1), null, null, Reduction.NONE).data());
        // far tails stay finite: x = 100 with label 0 costs 100, x = -100 with label 1 costs 100
        close(new double[] {100, 100, 0},
                BceWithLogitsLoss.binaryCrossEntropyWithLogits(leaf(100, -100, 100), t(0, 1, 1), null, null, Reduction.NONE).data());
        // pos_weight 2 doubles the positive term only; weight 3 scales the whole element
        close(2 * LN2 + 3 * LN2,
                BceWithLogitsLoss.binaryCrossEntropyWithLogits(leaf(0, 0), t(1, 0), t(1, 3), t(2), Reduction.SUM));
        // gradient sigmoid(x) - t at x = 0 (exactly, where a composed softplus has a kink), and lw*s - pw*t with pw 2
        Var x = leaf(0, 0);
        BceWithLogitsLoss.binaryCrossEntropyWithLogits(x, t(1, 0), null, null, Reduction.SUM).backward();
        close(new double[] {-0.5, 0.5}, x.grad());
        Var xp = leaf(0, 0);
        BceWithLogitsLoss.binaryCrossEntropyWithLogits(xp, t(1, 0), null, t(2), Reduction.SUM).backward();
        close(new double[] {2 * 0.5 - 2, 0.5}, xp.grad());
    }

    @Test
    void crossEntropyWithIndices() {
        // uniform logits over 3 classes: -log(1/3) whatever the target
        close(LN3, CrossEntropyLoss.crossEntropy(Var.leaf(Tensor.zeros(DType.FLOAT64, 2, 3)), idx(1, 2)));
        // weights [1, 2, 3], targets [0, 2]: per sample w[t] ln 3; 'mean' divides by w[0] + w[2] = 4, not by 2
        Tensor w = t(1, 2, 3);
        Var z = Var.leaf(Tensor.zeros(DType.FLOAT64, 2, 3));
        close(new double[] {LN3, 3 * LN3}, CrossEntropyLoss.crossEntropy(z, idx(0, 2), w, -100, Reduction.NONE, 0).data());
        close(LN3, CrossEntropyLoss.crossEntropy(z, idx(0, 2), w, -100, Reduction.MEAN, 0));
        close(4 * LN3, CrossEntropyLoss.crossEntropy(z, idx(0, 2), w, -100, Reduction.SUM, 0));
        // an ignored target costs 0 and leaves the divisor
        close(new double[] {LN3, 0}, CrossEntropyLoss.crossEntropy(z, idx(1, -100), null, -100, Reduction.NONE, 0).data());
        close(LN3, CrossEntropyLoss.crossEntropy(z, idx(1, -100)));
        assertTrue(Double.isNaN(CrossEntropyLoss.crossEntropy(z, idx(-100, -100)).item()), "all ignored: 0/0, as torch 1.13");
        // gradient softmax - onehot: [1/3, -2/3, 1/3] for one sample with target 1
        Var g = Var.leaf(Tensor.zeros(DType.FLOAT64, 1, 3));
        CrossEntropyLoss.crossEntropy(g, idx(1)).backward();
        close(new double[] {1.0 / 3, -2.0 / 3, 1.0 / 3}, g.grad());
    }

    @Test
    void labelSmoothingAndItsWeights() {
        // logits [0, ln 2, 0]: p = [1/4, 1/2, 1/4]; target 1 so nll = ln 2; smooth = -sum log p = 2 ln 4 + ln 2 = 5 ln 2
        Tensor logits = t(new int[] {1, 3}, 0, LN2, 0);
        // e = 0.3: (1 - e) ln 2 + (e / 3) 5 ln 2 = 1.2 ln 2
        close(1.2 * LN2, CrossEntropyLoss.crossEntropy(Var.leaf(logits), idx(1), null, -100, Reduction.MEAN, 0.3));
        // weights [1, 2, 3]: nll = w[1] ln 2 = 2 ln 2; smooth = sum_c w_c (-log p_c) = 2 ln 2 + 2 ln 2 + 6 ln 2 = 10 ln 2.
        // 'sum': 0.7 * 2 ln 2 + 0.1 * 10 ln 2 = 2.4 ln 2; 'mean' divides both by w[target] = 2: 1.2 ln 2
        Tensor w = t(1, 2, 3);
        close(2.4 * LN2, CrossEntropyLoss.crossEntropy(Var.leaf(logits), idx(1), w, -100, Reduction.SUM, 0.3));
        close(1.2 * LN2, CrossEntropyLoss.crossEntropy(Var.leaf(logits), idx(1), w, -100, Reduction.MEAN, 0.3));
    }

    @Test
    void crossEntropyWithProbabilities() {
        // p = [1/4, 1/2, 1/4], target [1/2, 1/2, 0]: -(0.5 ln 1/4 + 0.5 ln 1/2) = 1.5 ln 2
        Tensor logits = t(new int[] {1, 3}, 0, LN2, 0);
        close(1.5 * LN2, CrossEntropyLoss.crossEntropy(Var.leaf(logits), t(new int[] {1, 3}, 0.5, 0.5, 0)));
        // smoothing 0.3 first turns the target into 0.7 t + 0.1 = [0.45, 0.45, 0.1]: 0.45*2ln2 + 0.45 ln2 + 0.1*2ln2 = 1.55 ln 2
        close(1.55 * LN2, CrossEntropyLoss.crossEntropy(Var.leaf(logits), t(new int[] {1, 3}, 0.5, 0.5, 0), null, -100, Reduction.MEAN, 0.3));
    }

    @Test
    void focalLosses() {
        // x = 0: p = 1/2, ce = ln 2, (1 - p_t)^2 = 1/4; alpha_t = 0.25 for a positive, 0.75 for a negative
        close(new double[] {LN2 / 16, 3 * LN2 / 16},
                SigmoidFocalLoss.sigmoidFocalLoss(leaf(0, 0), t(1, 0), 0.25, 2.0, Reduction.NONE).data());
        // mmdet's avg_factor: sum / (avg_factor + float32 eps)
        close((LN2 / 16 + 3 * LN2 / 16) / (2 + F32_EPS),
                SigmoidFocalLoss.sigmoidFocalLoss(leaf(0, 0), t(1, 0), 0.25, 2.0, null, Reduction.MEAN, 2.0));
        // Gaussian focal: a peak (t = 1) with pred 1/2 costs -ln(1/2) (1/2)^2 = ln2 / 4 and no negative term;
        // t = 1/2 with pred 1/2 costs -ln(1/2) (1/2)^2 (1/2)^4 = ln2 / 64; t = 0 with pred 0.2 costs -ln(0.8) 0.04
        close(new double[] {LN2 / 4, LN2 / 64, -Math.log(0.8) * 0.04},
                GaussianFocalLoss.gaussianFocalLoss(leaf(0.5, 0.5, 0.2), t(1, 0.5, 0), 2, 4, null, Reduction.NONE, null).data());
        close((LN2 / 4 + LN2 / 64 - Math.log(0.8) * 0.04) / (1 + F32_EPS),
                GaussianFocalLoss.gaussianFocalLoss(leaf(0.5, 0.5, 0.2), t(1, 0.5, 0), 1.0));
    }

    @Test
    void lovasz() {
        // two pixels, both labelled 0; p(class 0) = [0.8, 0.4]. Class 0: errors [0.2, 0.6], sorted [0.6, 0.2],
        // fg sorted [1, 1]: I = [1, 0], U = [2, 2], J = [1/2, 1], increments [1/2, 1/2]: 0.6/2 + 0.2/2 = 0.4.
        // Class 1 is absent: 'present' skips it; 'all' scores it with J = 1 at every step, increments [1, 0], so it
        // costs its largest probability 0.6 and the mean is (0.4 + 0.6) / 2.
        Tensor probas = t(new int[] {1, 2, 2}, 0.8, 0.4, 0.2, 0.6); // [B=1, C=2, P=2]
        Tensor labels = Tensor.ofLongs(new long[] {0, 0}, 1, 2);
        close(0.4, LovaszSoftmaxLoss.lovaszSoftmax(Var.leaf(probas), labels));
        close(0.5, LovaszSoftmaxLoss.lovaszSoftmax(Var.leaf(probas), labels, "all", false, null));
        // the gradient: d|fg - p|/dp = -1 for the foreground class, times each pixel's increment (1/2 each)
        Var p = Var.leaf(probas);
        LovaszSoftmaxLoss.lovaszSoftmax(p, labels).backward();
        close(new double[] {-0.5, -0.5, 0, 0}, p.grad());
        // ignoring the second pixel leaves one pixel with error 0.2 and increment 1
        Tensor withIgnored = Tensor.ofLongs(new long[] {0, 255}, 1, 2);
        close(0.2, LovaszSoftmaxLoss.lovaszSoftmax(Var.leaf(probas), withIgnored, "present", false, 255));
        // a perfect prediction costs nothing
        close(0.0, LovaszSoftmaxLoss.lovaszSoftmax(Var.leaf(t(new int[] {1, 2, 2}, 1, 0, 0, 1)), Tensor.ofLongs(new long[] {0, 1}, 1, 2)));
    }

    @Test
    void klDivergence() {
        // input log [1/2, 1/2], target [1, 0]: 1 (ln 1 - ln 1/2) + 0 = ln 2 ('none' shows the 0 log 0 = 0 element)
        Var input = Var.leaf(t(new int[] {1, 2}, Math.log(0.5), Math.log(0.5)));
        Tensor target = t(new int[] {1, 2}, 1, 0);
        close(new double[] {LN2, 0}, KlDivLoss.klDiv(input, target, Reduction.NONE).data());
        close(LN2, KlDivLoss.klDiv(input, target, Reduction.BATCHMEAN));
        close(LN2 / 2, KlDivLoss.klDiv(input, target, Reduction.MEAN));
        // log_target: target log [3/4, 1/4] against log [1/2, 1/2]: 3/4 ln(3/2) + 1/4 ln(1/2)
        close(0.75 * Math.log(1.5) + 0.25 * Math.log(0.5),
                KlDivLoss.klDiv(input, t(new int[] {1, 2}, Math.log(0.75), Math.log(0.25)), Reduction.SUM, true));
        // distillation: teacher logits [2 ln 3, 0] at T = 2 soften to [3/4, 1/4]; a uniform student;
        // KL = 3/4 ln(3/2) + 1/4 ln(1/2), times T^2 = 4
        double kl = 0.75 * Math.log(1.5) + 0.25 * Math.log(0.5);
        close(4 * kl, DistillKlLoss.distillKl(Var.leaf(Tensor.zeros(DType.FLOAT64, 1, 2)), t(new int[] {1, 2}, 2 * LN3, 0), 2.0));
        close(0.0, DistillKlLoss.distillKl(Var.leaf(t(new int[] {1, 3}, 1, 2, 3)), t(new int[] {1, 3}, 1, 2, 3), 3.0));
    }

    @Test
    void featureDistillation() {
        // [B=1, C=2, H=1, W=2]; student 0; teacher channel 0 = [1, 2], channel 1 = [3, 4]; mask keeps position 0:
        // (1^2 + 3^2) / (2 kept elements) = 5
        Tensor teacher = t(new int[] {1, 2, 1, 2}, 1, 2, 3, 4);
        Tensor mask = t(new int[] {1, 1, 1, 2}, 1, 0);
        Var s = Var.leaf(Tensor.zeros(DType.FLOAT64, 1, 2, 1, 2));
        close(5, MaskedMseLoss.maskedMse(s, teacher, mask));
        close(10, MaskedMseLoss.maskedMse(s, teacher, mask, Reduction.SUM));
        // an empty mask: 0, and a zero gradient rather than NaN
        Var e = Var.leaf(Tensor.zeros(DType.FLOAT64, 1, 2, 1, 2));
        Var empty = MaskedMseLoss.maskedMse(e, teacher, Tensor.zeros(DType.FLOAT64, 1, 1, 1, 2));
        close(0, empty);
        empty.backward();
        close(new double[] {0, 0, 0, 0}, e.grad());

        // spatial attention at T = 1: mean_c |F| = [2, 3] -> 2 softmax([2, 3]) = 2 [1, e] / (1 + e)
        double a0 = 2 / (1 + Math.E), a1 = 2 * Math.E / (1 + Math.E);
        close(new double[] {a0, a1}, TeacherAttention.spatial(teacher, 1.0));
        // intensity: [2, 3] / 3
        close(new double[] {2.0 / 3, 1}, TeacherAttention.intensity(teacher));
        // attention MSE: sum_p A_p sum_c (t - s)^2 / (C sum_p A_p) = (a0 (1 + 9) + a1 (4 + 16)) / (2 (a0 + a1))
        close((a0 * 10 + a1 * 20) / (2 * (a0 + a1)),
                AttentionMseLoss.attentionMse(Var.leaf(Tensor.zeros(DType.FLOAT64, 1, 2, 1, 2)), teacher, 1.0, false, null, Reduction.MEAN));
    }
}
