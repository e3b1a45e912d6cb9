package fuse3d.examples.demo;

import fuse3d.autograd.GradMode;
import fuse3d.autograd.Var;
import fuse3d.nn.AdaptiveAvgPool2d;
import fuse3d.nn.BatchNorm2d;
import fuse3d.nn.Conv2d;
import fuse3d.nn.Flatten;
import fuse3d.nn.Linear;
import fuse3d.nn.MaxPool2d;
import fuse3d.nn.ReLU;
import fuse3d.nn.Sequential;
import fuse3d.nn.loss.CrossEntropyLoss;
import fuse3d.nn.optim.Adam;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * Trains a small CNN (conv-bn-relu-pool, conv-bn-relu, global average pool, linear) on {@link Gratings}
 * with Adam and cross-entropy, and reports held-out accuracy: the whole training path (autograd, layers,
 * BatchNorm statistics, loss, optimizer) in a couple of seconds.
 */
public final class GratingsTraining {
    /** What a run gives: held-out accuracy, the first and last epoch's mean training loss, and steps taken. */
    public record Result(double accuracy, double firstEpochLoss, double lastEpochLoss, int steps) {}

    private GratingsTraining() {}

    /** The classifier: 16x16 grey images to 10 logits. */
    public static Sequential model(Generator g) {
        return new Sequential(
                new Conv2d(1, 8, 5, 1, 2, true, g), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2),
                new Conv2d(8, 16, 3, 1, 1, true, g), new BatchNorm2d(16), new ReLU(),
                new AdaptiveAvgPool2d(1), new Flatten(), new Linear(16, Gratings.CLASSES, g));
    }

    /**
     * Trains for {@code epochs} over {@code trainSize} images in batches of {@code batch}, then evaluates on
     * {@code testSize} fresh images; all randomness from {@code seed}. Progress goes to {@code log} (may be null).
     */
    public static Result run(long seed, int trainSize, int testSize, int batch, int epochs, PrintStream log) {
        Generator g = new Generator(seed);
        Gratings.Batch train = Gratings.sample(trainSize, 16, 1.0, g);
        Gratings.Batch test = Gratings.sample(testSize, 16, 1.0, g);
        Sequential net = model(g);
        Adam opt = new Adam(net.parameters(), Map.of("lr", 5e-3));
        double first = Double.NaN, last = Double.NaN;
        int steps = 0;
        for (int epoch = 0; epoch < epochs; epoch++) {
            net.train();
            Tensor order = g.randperm(trainSize);
            double sum = 0;
            int batches = 0;
            for (int start = 0; start + batch <= trainSize; start += batch) {
                Tensor idx = order.narrow(0, start, batch);
                Var logits = net.apply(Var.of(train.images().indexSelect(0, idx)));
                Var loss = CrossEntropyLoss.crossEntropy(logits, train.labels().indexSelect(0, idx));
                opt.zeroGrad();
                loss.backward();
                opt.step();
                sum += loss.item();
                batches++;
                steps++;
            }
            double mean = sum / batches;
            if (epoch == 0) first = mean;
            last = mean;
            if (log != null) log.printf("epoch %d  train loss %.4f%n", epoch + 1, mean);
        }
        double accuracy = accuracy(net, test);
        if (log != null) log.printf("held-out accuracy %.2f %% on %d images%n", 100 * accuracy, testSize);
        return new Result(accuracy, first, last, steps);
    }

    /** Fraction of images whose arg-max logit is the label (eval mode, no graph). */
    public static double accuracy(Sequential net, Gratings.Batch data) {
        net.eval();
        try (GradMode.Scope _ = GradMode.noGrad()) {
            Tensor predicted = net.apply(Var.of(data.images())).data().argmax(1, false);
            return predicted.eq(data.labels()).toFloat().mean().item();
        }
    }

    /** Parameter names and shapes, for the demo's printout. */
    static List<String> describe(Sequential net) {
        return net.namedParameters().entrySet().stream()
                .map(e -> e.getKey() + " " + java.util.Arrays.toString(e.getValue().shape())).toList();
    }
}
