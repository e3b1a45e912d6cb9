package fuse3d.nn.backbone;

import static fuse3d.tensor.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Var;
import fuse3d.nn.BatchNorm;
import fuse3d.nn.Conv2d;
import fuse3d.nn.GradCheck;
import fuse3d.nn.Module;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ResNet-18/34/50: torchvision's state-dict names and shapes, init, stage outputs, modes and loading. */
class ResNetTest {

    private static final String BN = "weight bias running_mean running_var num_batches_tracked";

    /** torchvision.models.resnet18().state_dict().keys(), in order: 122 keys. */
    private static final String RESNET18_KEYS = """
            conv1.weight
            bn1.*
            layer1.0.conv1.weight layer1.0.bn1.* layer1.0.conv2.weight layer1.0.bn2.*
            layer1.1.conv1.weight layer1.1.bn1.* layer1.1.conv2.weight layer1.1.bn2.*
            layer2.0.conv1.weight layer2.0.bn1.* layer2.0.conv2.weight layer2.0.bn2.* layer2.0.downsample.0.weight layer2.0.downsample.1.*
            layer2.1.conv1.weight layer2.1.bn1.* layer2.1.conv2.weight layer2.1.bn2.*
            layer3.0.conv1.weight layer3.0.bn1.* layer3.0.conv2.weight layer3.0.bn2.* layer3.0.downsample.0.weight layer3.0.downsample.1.*
            layer3.1.conv1.weight layer3.1.bn1.* layer3.1.conv2.weight layer3.1.bn2.*
            layer4.0.conv1.weight layer4.0.bn1.* layer4.0.conv2.weight layer4.0.bn2.* layer4.0.downsample.0.weight layer4.0.downsample.1.*
            layer4.1.conv1.weight layer4.1.bn1.* layer4.1.conv2.weight layer4.1.bn2.*
            fc.weight fc.bias
            """;

    /** The key list with each "m.*" standing for BatchNorm m's five entries. */
    private static List<String> expand(String spec) {
        List<String> out = new ArrayList<>();
        for (String k : spec.trim().split("\\s+"))
            if (k.endsWith(".*")) for (String b : BN.split(" ")) out.add(k.substring(0, k.length() - 1) + b);
            else out.add(k);
        return out;
    }

    @Test
    void resnet18KeysEqualTorchvisions() {
        List<String> expected = expand(RESNET18_KEYS);
        assertEquals(122, expected.size());
        assertEquals(expected, new ArrayList<>(ResNet.resnet18(8, 10, new Generator(1)).stateDict().keySet()));
    }

    @Test
    void fullWidthShapesMatchTorchvision() {
        Map<String, Tensor> sd = ResNet.resnet18(new Generator(2)).stateDict();
        assertArrayEquals(new int[] {64, 3, 7, 7}, sd.get("conv1.weight").shape());
        assertArrayEquals(new int[] {128, 64, 3, 3}, sd.get("layer2.0.conv1.weight").shape());
        assertArrayEquals(new int[] {128, 64, 1, 1}, sd.get("layer2.0.downsample.0.weight").shape());
        assertArrayEquals(new int[] {512, 512, 3, 3}, sd.get("layer4.1.conv2.weight").shape());
        assertArrayEquals(new int[] {1000, 512}, sd.get("fc.weight").shape());
        assertArrayEquals(new int[] {}, sd.get("bn1.num_batches_tracked").shape());
        assertEquals(11_689_512L, ResNet.resnet18(new Generator(2)).parameterCount()); // torchvision's resnet18 parameter count
    }

    @Test
    void resnet34And50KeyCountsAndBottleneckLayout() {
        // 34: 16 basic blocks of 12 keys, 3 projections of 6, stem 6, fc 2
        assertEquals(218, ResNet.resnet34(4, 10, new Generator(3)).stateDict().size());
        ResNet r50 = ResNet.resnet50(4, 10, new Generator(3));
        Map<String, Tensor> sd = r50.stateDict();
        // 50: 16 bottlenecks of 18 keys, 4 projections (layer1 too: 64 -> 256 channels) of 6, stem 6, fc 2
        assertEquals(320, sd.size());
        assertArrayEquals(new int[] {4, 4, 1, 1}, sd.get("layer1.0.conv1.weight").shape());
        assertArrayEquals(new int[] {16, 4, 1, 1}, sd.get("layer1.0.conv3.weight").shape());
        assertArrayEquals(new int[] {16, 4, 1, 1}, sd.get("layer1.0.downsample.0.weight").shape());
        assertArrayEquals(new int[] {8, 16, 1, 1}, sd.get("layer2.0.conv1.weight").shape());
        assertArrayEquals(new int[] {10, 128}, sd.get("fc.weight").shape());
        assertTrue(sd.containsKey("layer4.2.bn3.num_batches_tracked"));
        // torchvision v1.5: the stride sits in the 3x3 conv, not in the first 1x1
        Map<String, Module> mods = r50.namedModules();
        assertArrayEquals(new int[] {1, 1}, ((Conv2d) mods.get("layer2.0.conv1")).stride());
        assertArrayEquals(new int[] {2, 2}, ((Conv2d) mods.get("layer2.0.conv2")).stride());
        assertArrayEquals(new int[] {2, 2}, ((Conv2d) mods.get("layer2.0.downsample.0")).stride());
        assertArrayEquals(new int[] {16, 32, 64, 128}, r50.stageChannels());
    }

    @Test
    void initIsKaimingFanOutForConvsAndOnesZerosForNorms() {
        ResNet r = ResNet.resnet18(new Generator(4));
        Tensor w = r.stateDict().get("conv1.weight"); // fan_out = 64 * 49
        double std = Math.sqrt(w.var(null, 1, false).item());
        assertEquals(Math.sqrt(2.0 / (64 * 49)), std, 0.05 * std);
        assertEquals(0, w.mean().item(), 0.05 * std);
        Tensor w3 = r.stateDict().get("layer3.0.conv2.weight"); // fan_out = 256 * 9
        assertEquals(Math.sqrt(2.0 / (256 * 9)), Math.sqrt(w3.var(null, 1, false).item()), 0.01 * Math.sqrt(2.0 / (256 * 9)));
        for (Module m : r.namedModules().values())
            if (m instanceof BatchNorm bn) {
                assertClose(bn.weight().data(), Tensor.ones(bn.numFeatures), 0, 0);
                assertClose(bn.bias().data(), Tensor.zeros(bn.numFeatures), 0, 0);
            }
        ResNet z = new ResNet(ResNet.Block.BASIC, new int[] {1, 1, 1, 1}, 4, 0, true, new Generator(4));
        assertClose(z.stateDict().get("layer1.0.bn2.weight"), Tensor.zeros(4), 0, 0);
        assertClose(z.stateDict().get("layer1.0.bn1.weight"), Tensor.ones(4), 0, 0);
    }

    @Test
    void featuresAreC2ToC5AtStrides4To32() {
        ResNet r = ResNet.resnet18(8, 10, new Generator(5));
        Var x = Var.of(new Generator(6).normal(0, 1, 2, 3, 64, 96));
        List<Var> c = r.features(x);
        int[][] expect = {{2, 8, 16, 24}, {2, 16, 8, 12}, {2, 32, 4, 6}, {2, 64, 2, 3}};
        for (int i = 0; i < 4; i++) assertArrayEquals(expect[i], c.get(i).shape(), "C" + (i + 2));
        List<Var> some = r.features(x, 5, 3);
        assertArrayEquals(expect[3], some.get(0).shape());
        assertArrayEquals(expect[1], some.get(1).shape());
        assertArrayEquals(new int[] {2, 10}, r.apply(x).shape());
        ResNet headless = ResNet.resnet50(4, 0, new Generator(5));
        assertArrayEquals(new int[] {2, 128}, headless.apply(x).shape());
        assertTrue(headless.stateDict().keySet().stream().noneMatch(k -> k.startsWith("fc.")));
        assertThrows(IllegalArgumentException.class, () -> r.features(x, 6));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.apply(Var.of(Tensor.zeros(1, 4, 32, 32))));
        assertTrue(e.getMessage().contains("[1, 4, 32, 32]"), e.getMessage());
    }

    @Test
    void trainingMovesRunningStatsAndEvaluationIsDeterministic() {
        ResNet r = ResNet.resnet18(4, 3, new Generator(7));
        Var x = Var.of(new Generator(8).normal(1, 2, 2, 3, 32, 32));
        Tensor before = r.stateDict().get("layer3.1.bn2.running_var").copy();
        r.apply(x);
        assertEquals(1, r.stateDict().get("layer3.1.bn2.num_batches_tracked").getLong());
        assertTrue(r.stateDict().get("layer3.1.bn2.running_var").sub(before).abs().max().item() > 0);
        r.eval();
        Tensor a = r.apply(x).data(), b = r.apply(x).data();
        assertClose(a, b, 0, 0);
        assertEquals(1, r.stateDict().get("layer3.1.bn2.num_batches_tracked").getLong());
    }

    @Test
    void stateDictRoundTripsAndReportsWhatDoesNotFit() {
        ResNet src = ResNet.resnet18(4, 5, new Generator(9));
        src.apply(Var.of(new Generator(10).normal(0, 1, 2, 3, 32, 32))); // non-trivial running statistics
        src.eval();
        ResNet dst = ResNet.resnet18(4, 5, new Generator(11));
        dst.eval();
        Var x = Var.of(new Generator(12).normal(0, 1, 1, 3, 32, 32));
        assertTrue(dst.loadStateDict(src.stateDict(), true).clean());
        assertClose(dst.apply(x).data(), src.apply(x).data(), 0, 0);

        // a backbone-only checkpoint into a model with a head: the head is missing
        Map<String, Tensor> noHead = new LinkedHashMap<>(src.stateDict());
        noHead.remove("fc.weight");
        noHead.remove("fc.bias");
        assertThrows(IllegalArgumentException.class, () -> dst.loadStateDict(noHead, true));
        assertEquals(List.of("fc.weight", "fc.bias"), dst.loadStateDict(noHead, false).missing());
        // a classifier checkpoint into a headless backbone: the head is unexpected
        ResNet headless = ResNet.resnet18(4, 0, new Generator(13));
        Module.LoadReport r = headless.loadStateDict(src.stateDict(), false);
        assertEquals(List.of("fc.weight", "fc.bias"), r.unexpected());
        assertTrue(r.missing().isEmpty() && r.mismatched().isEmpty());
        // another width mismatches everywhere and loads nothing strictly
        ResNet wide = ResNet.resnet18(8, 5, new Generator(14));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wide.loadStateDict(src.stateDict(), true));
        assertTrue(e.getMessage().contains("conv1.weight: checkpoint [4, 3, 7, 7] vs model [8, 3, 7, 7]"), e.getMessage());
    }

    @Test
    void gradientsReachEveryParameter() {
        ResNet r = ResNet.resnet18(4, 3, new Generator(15));
        r.apply(Var.of(new Generator(16).normal(0, 1, 2, 3, 32, 32))).square().sum().backward();
        for (var p : r.namedParameters().entrySet()) assertNotNull(p.getValue().grad(), p.getKey());
    }

    @Test
    void blocksPassGradcheck() {
        Generator g = new Generator(17);
        // a projecting, striding BasicBlock and Bottleneck in float64 (BN in training mode)
        BasicBlock basic = new BasicBlock(2, 3, 2, new fuse3d.nn.Sequential(new Conv2d(2, 3, 1, 2, 0, false, g), new fuse3d.nn.BatchNorm2d(3)), g);
        Bottleneck bottle = new Bottleneck(4, 2, 2, new fuse3d.nn.Sequential(new Conv2d(4, 8, 1, 2, 0, false, g), new fuse3d.nn.BatchNorm2d(8)), g);
        for (var block : List.of(basic, bottle)) {
            block.to(DType.FLOAT64);
            int c = block == basic ? 2 : 4;
            Var x = Var.leaf(new Generator(18).normal(DType.FLOAT64, 0, 1, 2, c, 4, 4));
            List<Var> leaves = new ArrayList<>(List.of(x));
            leaves.addAll(block.parameters());
            GradCheck.check(block.getClass().getSimpleName(), () -> block.apply(x), leaves);
        }
    }
}
