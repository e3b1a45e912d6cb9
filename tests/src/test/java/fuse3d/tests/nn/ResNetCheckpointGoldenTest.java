package fuse3d.tests.nn;

import static fuse3d.tests.nn.NnGolden.assertClose;
import static fuse3d.tests.nn.NnGolden.assertExact;
import static fuse3d.tests.nn.NnGolden.loadStrict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import fuse3d.autograd.GradMode;
import fuse3d.autograd.Var;
import fuse3d.nn.Layer;
import fuse3d.nn.backbone.ResNet;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.io.RawArray;
import fuse3d.tensor.io.TensorIO;
import fuse3d.tensor.io.TorchCheckpoint;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PyTorch checkpoints into nn's ResNet-18 (tests/golden/nn/gen_nn_resnet18.py): a torchvision-layout
 * state dict saved by torch.save, loaded by name and run in eval mode; and an OpenPCDet-style checkpoint dict
 * (model and optimizer state, epoch, iteration, version) in both torch.save formats.
 */
class ResNetCheckpointGoldenTest {

    @Test
    void torchvisionLayoutCheckpointLoadsStrictlyAndReproducesOutputAndEveryStage() throws IOException {
        NnGolden golden = NnGolden.load("resnet18_w8.safetensors");
        Map<String, Tensor> state = TensorIO.readTorchStateDict(NnGolden.resource("resnet18_w8.pth"));
        assertEquals(122, state.size(), "torchvision's resnet18 has 122 state-dict keys");
        ResNet net = ResNet.resnet18(8, 10, new Generator(0));
        loadStrict(net, state);
        net.eval();

        // the stem (after the max pool) is no stage output of features(), so a forward hook taps it, as a user would
        Var[] stem = new Var[1];
        ((Layer) net.namedChildren().get("maxpool")).registerForwardHook((in, out) -> {
            stem[0] = out;
            return null;
        });
        try (GradMode.Scope _ = GradMode.noGrad()) {
            Var x = Var.of(golden.get("input"));
            assertClose(net.apply(x).data(), golden.get("output"), "eval logits");
            List<Var> stages = net.features(x);
            assertClose(stem[0].data(), golden.get("features/stem"), "stem");
            for (int i = 0; i < 4; i++) assertClose(stages.get(i).data(), golden.get("features/layer" + (i + 1)), "layer" + (i + 1));
        }
    }

    /**
     * OpenPCDet writes the legacy (pre-zip) format; the zip twin holds the same object. Either way the dict's
     * scalars, the model state (into a width-4 ResNet-18, strictly) and the Adam state must be those stored.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pcdet_ckpt.pth", "pcdet_ckpt_zip.pth"})
    void openPcdetCheckpointDictLoadsModelStateAndKeepsOptimizerStateAndCounters(String file) throws IOException {
        NnGolden expected = NnGolden.load("pcdet_ckpt_expected.safetensors");
        Map<String, Object> info = expected.info("checkpoint");
        Map<String, Object> ckpt = TorchCheckpoint.readObject(NnGolden.resource(file));
        assertEquals(List.of("epoch", "it", "model_state", "optimizer_state", "version"), List.copyOf(ckpt.keySet()));
        assertEquals(3L, ckpt.get("epoch"));
        assertEquals(120L, ckpt.get("it"));
        assertEquals(info.get("version"), ckpt.get("version"));

        Map<String, Tensor> modelState = tensors(ckpt.get("model_state"), "model_state");
        assertEquals(((Number) info.get("n_model_state")).intValue(), modelState.size());
        ResNet net = ResNet.resnet18(((Number) info.get("width")).intValue(), ((Number) info.get("num_classes")).intValue(), new Generator(0));
        loadStrict(net, modelState);
        Map<String, Tensor> own = net.stateDict();
        assertEquals(modelState.keySet(), own.keySet(), "every key, in torch's order");
        // a load only copies: the model's state must equal the file's bit for bit (num_batches_tracked too)
        for (Map.Entry<String, Tensor> e : own.entrySet()) assertExact(e.getValue(), expected.get("model_state." + e.getKey()), e.getKey());

        Map<?, ?> optimizer = assertInstanceOf(Map.class, ckpt.get("optimizer_state"));
        Map<?, ?> perParam = assertInstanceOf(Map.class, optimizer.get("state"));
        assertEquals(((Number) info.get("n_optimizer_state")).intValue(), perParam.size());
        for (Map.Entry<?, ?> p : perParam.entrySet()) {
            Map<String, Tensor> st = tensors(p.getValue(), "optimizer_state.state." + p.getKey());
            assertEquals(List.of("step", "exp_avg", "exp_avg_sq"), List.copyOf(st.keySet()), "Adam state of parameter " + p.getKey());
            for (Map.Entry<String, Tensor> e : st.entrySet()) {
                String name = "optimizer_state.state." + p.getKey() + "." + e.getKey();
                assertExact(e.getValue(), expected.get(name), name);
            }
        }
        // lr and betas[0] are numpy.float64 scalars in the pickle; they must come back as the numbers they are
        List<?> groups = assertInstanceOf(List.class, optimizer.get("param_groups"));
        List<?> expectedGroups = (List<?>) info.get("param_groups");
        assertEquals(expectedGroups.size(), groups.size());
        for (int i = 0; i < groups.size(); i++) {
            Map<?, ?> g = (Map<?, ?>) groups.get(i), e = (Map<?, ?>) expectedGroups.get(i);
            assertEquals(((Number) e.get("lr")).doubleValue(), (Double) g.get("lr"), 0.0, "group " + i + " lr");
            List<?> betas = (List<?>) g.get("betas"), eb = (List<?>) e.get("betas");
            for (int b = 0; b < 2; b++) assertEquals(((Number) eb.get(b)).doubleValue(), (Double) betas.get(b), 0.0, "group " + i + " betas[" + b + "]");
            assertEquals(((Number) e.get("eps")).doubleValue(), ((Number) g.get("eps")).doubleValue(), 0.0, "group " + i + " eps");
            List<Long> params = ((List<?>) e.get("params")).stream().map(n -> ((Number) n).longValue()).toList();
            assertEquals(params, g.get("params"), "group " + i + " params");
        }
    }

    /** A dict of tensors as readObject returns it (RawArray values) as named tensors, in file order. */
    private static Map<String, Tensor> tensors(Object dict, String what) {
        Map<?, ?> m = assertInstanceOf(Map.class, dict, what);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet())
            out.put(String.valueOf(e.getKey()), TensorIO.toTensor(assertInstanceOf(RawArray.class, e.getValue(), what + "." + e.getKey())));
        return out;
    }
}
