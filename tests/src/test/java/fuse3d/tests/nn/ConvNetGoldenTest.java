package fuse3d.tests.nn;

import static fuse3d.tests.nn.NnGolden.assertClose;
import static fuse3d.tests.nn.NnGolden.assertGrads;
import static fuse3d.tests.nn.NnGolden.assertState;
import static fuse3d.tests.nn.NnGolden.gradOf;
import static fuse3d.tests.nn.NnGolden.loadStrict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import fuse3d.autograd.GradMode;
import fuse3d.autograd.Var;
import fuse3d.nn.AdaptiveAvgPool2d;
import fuse3d.nn.BatchNorm;
import fuse3d.nn.BatchNorm1d;
import fuse3d.nn.BatchNorm2d;
import fuse3d.nn.Conv2d;
import fuse3d.nn.Flatten;
import fuse3d.nn.Layer;
import fuse3d.nn.Linear;
import fuse3d.nn.MaxPool2d;
import fuse3d.nn.ReLU;
import fuse3d.nn.Sequential;
import fuse3d.nn.loss.CrossEntropyLoss;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * nn_convnet.safetensors (tests/golden/nn/gen_nn_convnet.py): a conv / BatchNorm / pool / linear net trained
 * one step with cross-entropy, and BatchNorm's variants step by step, against PyTorch 1.13.
 */
class ConvNetGoldenTest {
    private static final List<String> BATCH_NORM_CASES = List.of("bn2d_cma", "bn2d_momentum", "bn2d_no_affine", "bn2d_no_stats", "bn1d_2d", "bn1d_3d");
    private static NnGolden golden;

    static Stream<String> batchNormCases() { return BATCH_NORM_CASES.stream(); }

    @BeforeAll
    static void load() { golden = NnGolden.load("nn_convnet.safetensors"); }

    /**
     * The fixture's nn.Sequential(OrderedDict(...)), child for child; the initial parameters are irrelevant,
     * as every test loads the fixture's state over them.
     */
    private static Sequential convNet() {
        Generator g = new Generator(0);
        LinkedHashMap<String, Layer> layers = new LinkedHashMap<>();
        layers.put("conv1", new Conv2d(3, 8, 3, 1, 1, true, g));
        layers.put("bn1", new BatchNorm2d(8));
        layers.put("relu1", new ReLU());
        layers.put("pool", new MaxPool2d(2));
        layers.put("conv2", new Conv2d(8, 16, 3, 2, 1, false, g));
        layers.put("bn2", new BatchNorm2d(16));
        layers.put("relu2", new ReLU());
        layers.put("gap", new AdaptiveAvgPool2d(1));
        layers.put("flatten", new Flatten());
        layers.put("fc", new Linear(16, 10, g));
        return new Sequential(layers);
    }

    @Test
    void trainStepMatchesOutputLossEveryGradientAndTheRunningStatistics() {
        Sequential net = convNet();
        loadStrict(net, golden.under("convnet_train/state"));
        net.train();
        Var x = Var.leaf(golden.get("convnet_train/input"));
        Var out = net.apply(x);
        Var loss = CrossEntropyLoss.crossEntropy(out, golden.get("convnet_train/target"));
        assertClose(out.data(), golden.get("convnet_train/output"), "train output");
        assertClose(loss.data(), golden.get("convnet_train/loss"), "cross-entropy loss");

        loss.backward();
        assertGrads(net, golden.under("convnet_train/grad"), "convnet_train");
        assertClose(gradOf(x, "input"), golden.get("convnet_train/grad_input"), "grad_input");
        // momentum 0.1 with the unbiased batch variance, num_batches_tracked 0 -> 1
        Map<String, Tensor> after = golden.under("convnet_train/after");
        assertEquals(6, after.size(), "running_mean, running_var and num_batches_tracked of bn1 and bn2");
        assertState(net, after, "after the train forward");
    }

    @Test
    void evalOutputUsesTheLoadedRunningStatistics() {
        Sequential net = convNet();
        loadStrict(net, golden.under("convnet_train/state"));
        net.eval();
        try (GradMode.Scope _ = GradMode.noGrad()) {
            Var out = net.apply(Var.of(golden.get("convnet_train/input")));
            assertClose(out.data(), golden.get("convnet_eval/output"), "eval output");
        }
        // evaluation reads the statistics and must leave them (and the counter) as loaded
        assertState(net, golden.under("convnet_train/state"), "after the eval forward");
    }

    /**
     * Each case builds the BatchNorm its metadata describes (type, features, eps, momentum or None, affine,
     * track_running_stats), loads the initial state, then replays every train step (output, input and
     * parameter gradients, buffers after) and finally one eval-mode forward.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("batchNormCases")
    void batchNormCaseMatchesEveryTrainStepAndTheEvalForward(String c) {
        Map<String, Object> info = golden.info(c);
        BatchNorm bn = batchNorm(info);
        boolean affine = (Boolean) info.get("affine"), tracking = (Boolean) info.get("track_running_stats");
        loadStrict(bn, golden.under(c + "/state"));

        bn.train();
        int steps = ((Number) info.get("steps")).intValue();
        for (int k = 0; k < steps; k++) {
            String step = c + "/step" + k;
            Var x = Var.leaf(golden.get(step + "/input"));
            Var y = bn.apply(x);
            assertClose(y.data(), golden.get(step + "/output"), step + " output");
            y.backward(golden.get(step + "/grad_output"));
            assertClose(gradOf(x, step + " input"), golden.get(step + "/grad_input"), step + " grad_input");
            if (affine) assertGrads(bn, golden.under(step + "/grad"), step);
            bn.zeroGrad(); // as the generator: each step's parameter gradients stand alone
            if (tracking) assertState(bn, golden.under(step + "/after"), step + " buffers after");
        }
        assertFalse(golden.has(c + "/step" + steps + "/input"), c + ": the metadata's step count covers every stored step");

        bn.eval();
        try (GradMode.Scope _ = GradMode.noGrad()) {
            Var y = bn.apply(Var.of(golden.get(c + "/eval/input")));
            assertClose(y.data(), golden.get(c + "/eval/output"), c + " eval output");
        }
    }

    private static BatchNorm batchNorm(Map<String, Object> info) {
        int features = ((Number) info.get("num_features")).intValue();
        double eps = ((Number) info.get("eps")).doubleValue();
        Double momentum = info.get("momentum") == null ? null : ((Number) info.get("momentum")).doubleValue();
        boolean affine = (Boolean) info.get("affine"), tracking = (Boolean) info.get("track_running_stats");
        return switch ((String) info.get("module")) {
            case "BatchNorm2d" -> new BatchNorm2d(features, eps, momentum, affine, tracking);
            case "BatchNorm1d" -> new BatchNorm1d(features, eps, momentum, affine, tracking);
            default -> throw new AssertionError("unexpected module " + info.get("module"));
        };
    }

    /** The parameterized cases above are every BatchNorm case the fixture holds. */
    @Test
    void everyBatchNormCaseOfTheFixtureIsReplayed() {
        List<String> all = new ArrayList<>(golden.casesOf("BatchNorm2d"));
        all.addAll(golden.casesOf("BatchNorm1d"));
        assertEquals(BATCH_NORM_CASES.stream().sorted().toList(), all.stream().sorted().toList());
    }
}
