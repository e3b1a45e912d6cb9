package fuse3d.nn.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.testing.Closeness;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/**
 * Laws the losses obey for any input (float64, so the comparisons can be tight): non-negativity, the relation
 * between the reductions, the identities between losses (CE without smoothing is NLL of log_softmax, focal with
 * gamma 0 and no alpha is BCE, ...), and their fixed points (a perfect prediction costs 0).
 */
class LossProperties {
    private static final double TOL = 1e-9;

    /** Random draws of one property case. */
    private record Draw(Generator g) {
        Tensor randn(int... shape) { return g.normal(DType.FLOAT64, 0, 2, shape); }

        Tensor rand(int... shape) { return g.uniform(DType.FLOAT64, 0, 1, shape); }

        Tensor classes(int c, int... shape) { return g.randint(0, c, shape); }

        /** Class indices with about a quarter replaced by ignoreIndex. */
        Tensor classesWithIgnored(int c, int ignoreIndex, int... shape) {
            Tensor t = classes(c, shape);
            return Tensor.where(rand(shape).lt(0.25), Tensor.scalar(ignoreIndex, DType.INT64), t);
        }
    }

    private static void close(double expected, double actual, String what) {
        assertEquals(expected, actual, TOL * Math.max(1, Math.abs(expected)), what);
    }

    private static Var v(Tensor t) { return Var.of(t); }

    @Property
    void elementwiseLossesAreNonNegative(@ForAll @IntRange(min = 1, max = 4) int n, @ForAll @IntRange(min = 1, max = 5) int c,
                                         @ForAll long seed, @ForAll @DoubleRange(min = 0, max = 3) double beta) {
        Draw d = new Draw(new Generator(seed));
        Tensor x = d.randn(n, c), t = d.randn(n, c), p = d.rand(n, c);
        Tensor[] perElement = {
            MseLoss.mseLoss(v(x), t, Reduction.NONE).data(),
            L1Loss.l1Loss(v(x), t, Reduction.NONE).data(),
            SmoothL1Loss.smoothL1Loss(v(x), t, Reduction.NONE, beta).data(),
            BceWithLogitsLoss.binaryCrossEntropyWithLogits(v(x), p, d.rand(n, c), d.rand(c).mul(3.0), Reduction.NONE).data(),
            SigmoidFocalLoss.sigmoidFocalLoss(v(x), p, 0.25, 2.0, Reduction.NONE).data(),
            GaussianFocalLoss.gaussianFocalLoss(v(d.rand(n, c).mul(0.98).add(0.01)), p, 2, 4, null, Reduction.NONE, null).data(),
            CrossEntropyLoss.crossEntropy(v(x), d.classes(c, n), d.rand(c), -100, Reduction.NONE, 0.1).data(),
            MaskedMseLoss.maskedMse(v(x), t, d.rand(n, 1), Reduction.NONE).data(),
        };
        for (Tensor l : perElement) assertTrue(l.amin(null, false).item() >= 0, "a negative loss element in " + l);
        // KL is non-negative per distribution (its elements may be negative)
        double kl = KlDivLoss.klDiv(v(x).logSoftmax(1), d.randn(n, c).softmax(1), Reduction.BATCHMEAN).item();
        assertTrue(kl >= -TOL, "KL " + kl);
        double lovasz = LovaszSoftmaxLoss.lovaszSoftmax(v(x.reshape(1, n, c)).softmax(1), d.classes(n, 1, c)).item();
        assertTrue(lovasz >= -TOL && lovasz <= 1 + TOL, "Lovasz " + lovasz + " outside [0, 1]");
    }

    @Property
    void sumIsMeanTimesCount(@ForAll @IntRange(min = 1, max = 4) int n, @ForAll @IntRange(min = 1, max = 5) int c, @ForAll long seed) {
        Draw d = new Draw(new Generator(seed));
        Tensor x = d.randn(n, c, 2), t = d.randn(n, c, 2), p = d.rand(n, c, 2);
        int count = n * c * 2;
        List<Function<Reduction, Var>> losses = List.of(
                r -> MseLoss.mseLoss(v(x), t, r),
                r -> L1Loss.l1Loss(v(x), t, r),
                r -> SmoothL1Loss.smoothL1Loss(v(x), t, r, 0.7),
                r -> BceWithLogitsLoss.binaryCrossEntropyWithLogits(v(x), p, null, null, r),
                r -> SigmoidFocalLoss.sigmoidFocalLoss(v(x), p, 0.25, 2.0, r),
                r -> GaussianFocalLoss.gaussianFocalLoss(v(p.mul(0.9).add(0.05)), p, 2, 4, null, r, null),
                r -> KlDivLoss.klDiv(v(x), p, r));
        for (var f : losses) {
            double none = f.apply(Reduction.NONE).data().sum().item(), sum = f.apply(Reduction.SUM).item(), mean = f.apply(Reduction.MEAN).item();
            close(sum, none, "sum of 'none'");
            close(sum, mean * count, "mean * count");
        }
        close(KlDivLoss.klDiv(v(x), p, Reduction.SUM).item() / n, KlDivLoss.klDiv(v(x), p, Reduction.BATCHMEAN).item(), "batchmean");
    }

    @Property
    void crossEntropyMeanDividesByTheKeptTargetWeight(@ForAll @IntRange(min = 1, max = 5) int n, @ForAll @IntRange(min = 1, max = 5) int c,
                                                      @ForAll long seed, @ForAll @DoubleRange(min = 0, max = 1) double smoothing) {
        Draw d = new Draw(new Generator(seed));
        Tensor x = d.randn(n, c, 3), w = d.rand(c).add(0.1);
        Tensor target = d.classesWithIgnored(c, 255, n, 3);
        Tensor kept = target.ne(255.0);
        double keptWeight = w.indexSelect(0, Tensor.where(kept, target, Tensor.scalar(0, DType.INT64)).reshape(-1))
                .mul(kept.reshape(-1).to(DType.FLOAT64)).sum().item();
        double sum = CrossEntropyLoss.crossEntropy(v(x), target, w, 255, Reduction.SUM, smoothing).item();
        double mean = CrossEntropyLoss.crossEntropy(v(x), target, w, 255, Reduction.MEAN, smoothing).item();
        if (keptWeight == 0) assertTrue(Double.isNaN(mean), "all ignored: NaN");
        else close(sum, mean * keptWeight, "mean * sum of kept target weights");
        close(sum, CrossEntropyLoss.crossEntropy(v(x), target, w, 255, Reduction.NONE, smoothing).data().sum().item(), "sum of 'none'");
    }

    @Property
    void crossEntropyWithoutSmoothingIsNllOfLogSoftmax(@ForAll @IntRange(min = 1, max = 5) int n, @ForAll @IntRange(min = 1, max = 6) int c,
                                                       @ForAll long seed) {
        Draw d = new Draw(new Generator(seed));
        Tensor x = d.randn(n, c, 2, 2), w = d.rand(c).add(0.1);
        Tensor target = d.classesWithIgnored(c, -100, n, 2, 2);
        for (Reduction r : new Reduction[] {Reduction.NONE, Reduction.MEAN, Reduction.SUM}) {
            Tensor ce = CrossEntropyLoss.crossEntropy(v(x), target, w, -100, r, 0.0).data();
            Tensor nll = NllLoss.nllLoss(v(x).logSoftmax(1), target, w, -100, r).data();
            Closeness.assertClose(ce, nll, 0, TOL, true, r.torchName()); // both NaN when every target is ignored
        }
    }

    @Property
    void crossEntropyIgnoresAShiftOfTheLogitsAndAgreesWithOneHotProbabilities(@ForAll @IntRange(min = 1, max = 5) int n,
            @ForAll @IntRange(min = 1, max = 6) int c, @ForAll long seed, @ForAll @DoubleRange(min = 0, max = 1) double smoothing) {
        Draw d = new Draw(new Generator(seed));
        Tensor x = d.randn(n, c), w = d.rand(c).add(0.1);
        Tensor target = d.classes(c, n);
        double base = CrossEntropyLoss.crossEntropy(v(x), target, w, -100, Reduction.SUM, smoothing).item();
        close(base, CrossEntropyLoss.crossEntropy(v(x.add(d.randn(n, 1))), target, w, -100, Reduction.SUM, smoothing).item(), "shifted logits");
        // a one-hot probability target smoothed the same way is the same loss (under 'sum'; 'mean' divides differently)
        Tensor oneHot = Tensor.zeros(DType.FLOAT64, n, c).scatter(1, target.unsqueeze(1), 1.0);
        close(base, CrossEntropyLoss.crossEntropy(v(x), oneHot, w, -100, Reduction.SUM, smoothing).item(), "one-hot probabilities");
    }

    @Property
    void focalWithGammaZeroAndNoAlphaIsBce(@ForAll @IntRange(min = 1, max = 5) int n, @ForAll long seed,
                                           @ForAll @DoubleRange(min = 0.5, max = 4) double gamma) {
        Draw d = new Draw(new Generator(seed));
        Tensor x = d.randn(n, 3), t = d.rand(n, 3);
        Tensor bce = BceWithLogitsLoss.binaryCrossEntropyWithLogits(v(x), t, null, null, Reduction.NONE).data();
        Tensor focal0 = SigmoidFocalLoss.sigmoidFocalLoss(v(x), t, -1, 0, Reduction.NONE).data();
        assertEquals(0, bce.sub(focal0).abs().amax(null, false).item(), TOL);
        // any gamma > 0 only damps: the modulating factor (1 - p_t)^gamma is at most 1
        Tensor focal = SigmoidFocalLoss.sigmoidFocalLoss(v(x), t, -1, gamma, Reduction.NONE).data();
        assertTrue(bce.sub(focal).amin(null, false).item() >= -TOL);
    }

    @Property
    void bceWithLogitsIsTheTextbookFormulaWhereThatIsSafe(@ForAll @IntRange(min = 1, max = 5) int n, @ForAll long seed) {
        Draw d = new Draw(new Generator(seed));
        Tensor x = d.randn(n, 4), t = d.rand(n, 4), pw = d.rand(4).mul(3.0);
        Tensor s = x.sigmoid();
        // -(pw t log s + (1 - t) log(1 - s))
        Tensor textbook = pw.mul(t).mul(s.log()).add(t.neg().add(1.0).mul(s.neg().add(1.0).log())).neg();
        Tensor ours = BceWithLogitsLoss.binaryCrossEntropyWithLogits(v(x), t, null, pw, Reduction.NONE).data();
        assertEquals(0, textbook.sub(ours).abs().amax(null, false).item(), 1e-9);
    }

    @Property
    void smoothL1LiesBetweenL1AndL1MinusHalfBeta(@ForAll @IntRange(min = 1, max = 5) int n, @ForAll long seed,
                                                 @ForAll @DoubleRange(min = 0, max = 3) double beta) {
        Draw d = new Draw(new Generator(seed));
        Tensor x = d.randn(n, 4), t = d.randn(n, 4);
        Tensor l1 = L1Loss.l1Loss(v(x), t, Reduction.NONE).data();
        Tensor s = SmoothL1Loss.smoothL1Loss(v(x), t, Reduction.NONE, beta).data();
        assertTrue(l1.sub(s).amin(null, false).item() >= -TOL, "smooth L1 <= L1");
        assertTrue(s.sub(l1.sub(0.5 * beta)).amin(null, false).item() >= -TOL, "smooth L1 >= L1 - beta/2");
    }

    @Property
    void lovaszOfAPerfectPredictionIsZero(@ForAll @IntRange(min = 1, max = 3) int b, @ForAll @IntRange(min = 1, max = 5) int c,
                                          @ForAll @IntRange(min = 1, max = 6) int pixels, @ForAll long seed, @ForAll boolean perImage) {
        Draw d = new Draw(new Generator(seed));
        Tensor labels = d.classesWithIgnored(c, 255, b, pixels);
        // one-hot probabilities of the labels (ignored pixels get anything: here class 0)
        Tensor safe = Tensor.where(labels.eq(255.0), Tensor.scalar(0, DType.INT64), labels);
        Tensor probas = Tensor.zeros(DType.FLOAT64, b, c, pixels).scatter(1, safe.unsqueeze(1), 1.0);
        for (String classes : new String[] {"present", "all"})
            assertEquals(0.0, LovaszSoftmaxLoss.lovaszSoftmax(v(probas), labels, classes, perImage, 255).item(), TOL, classes);
    }

    @Property
    void klOfADistributionWithItselfIsZero(@ForAll @IntRange(min = 1, max = 4) int n, @ForAll @IntRange(min = 1, max = 6) int c,
                                           @ForAll long seed, @ForAll @DoubleRange(min = 0.5, max = 8) double temperature) {
        Draw d = new Draw(new Generator(seed));
        Tensor logits = d.randn(n, c);
        assertEquals(0, KlDivLoss.klDiv(v(logits.logSoftmax(1)), logits.softmax(1), Reduction.BATCHMEAN).item(), TOL);
        assertEquals(0, KlDivLoss.klDiv(v(logits.logSoftmax(1)), logits.logSoftmax(1), Reduction.SUM, true).item(), TOL);
        assertEquals(0, DistillKlLoss.distillKl(v(logits), logits, temperature).item(), TOL);
        assertTrue(DistillKlLoss.distillKl(v(logits), d.randn(n, c), temperature).item() >= -TOL);
    }

    @Property
    void maskedMseIsAWeightedMean(@ForAll @IntRange(min = 1, max = 3) int b, @ForAll @IntRange(min = 1, max = 4) int c,
                                  @ForAll long seed, @ForAll @DoubleRange(min = 0.01, max = 100) double scale) {
        Draw d = new Draw(new Generator(seed));
        Tensor s = d.randn(b, c, 3, 3), t = d.randn(b, c, 3, 3), m = d.rand(b, 1, 3, 3);
        double mse = MseLoss.mseLoss(v(s), t).item();
        close(mse, MaskedMseLoss.maskedMse(v(s), t, Tensor.ones(DType.FLOAT64, 1)).item(), "all-ones mask is mse_loss");
        close(MaskedMseLoss.maskedMse(v(s), t, m).item(), MaskedMseLoss.maskedMse(v(s), t, m.mul(scale)).item(), "scale-free in the mask");
        // a 0/1 mask: the mean over the kept elements
        Tensor keep = m.gt(0.5);
        Tensor full = keep.expand(b, c, 3, 3);
        Tensor sq = s.sub(t).square();
        double kept = full.to(DType.FLOAT64).sum().item();
        double expected = kept == 0 ? 0 : sq.mul(full.to(DType.FLOAT64)).sum().item() / kept;
        close(expected, MaskedMseLoss.maskedMse(v(s), t, keep).item(), "mean over kept elements");
        // a teacher whose |activation| is the same everywhere has uniform attention: plain mse_loss
        Tensor flat = d.randn(b, c, 3, 3).sign().mul(0.7);
        close(MseLoss.mseLoss(v(s), flat).item(), AttentionMseLoss.attentionMse(v(s), flat).item(), "uniform attention");
    }
}
