package fuse3d.sparse.conv;

import static fuse3d.sparse.conv.SparseFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import fuse3d.autograd.Var;
import fuse3d.nn.BatchNorm1d;
import fuse3d.nn.Module;
import fuse3d.nn.ReLU;
import fuse3d.tensor.DType;
import fuse3d.tensor.F;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * OpenPCDet's 3D backbones: state-dict names and shapes, output grids and strides, and the whole network in
 * evaluation mode against a dense re-enactment (dense conv3d, the activity mask carried along, BatchNorm as
 * its per-channel affine map), HeightCompression, and the spconv weight layouts.
 */
class BackboneTest {

    /** OpenPCDet's VoxelBackBone8x parameter and buffer names with their shapes (KRSC weights), by hand from its source. */
    private static List<String> expectedVoxelBackBone8xKeys(int cin) {
        List<String> keys = new ArrayList<>();
        addConv(keys, "conv_input.0", 16, cin, "3,3,3", false);
        addBn(keys, "conv_input.1", 16);
        String[][] stages = {{"conv1", "16", "16"}, {"conv2", "16", "32"}, {"conv3", "32", "64"}, {"conv4", "64", "64"}};
        for (String[] s : stages) {
            int in = Integer.parseInt(s[1]), out = Integer.parseInt(s[2]);
            int blocks = s[0].equals("conv1") ? 1 : 3;
            for (int b = 0; b < blocks; b++) {
                addConv(keys, s[0] + "." + b + ".0", out, b == 0 ? in : out, "3,3,3", false);
                addBn(keys, s[0] + "." + b + ".1", out);
            }
        }
        addConv(keys, "conv_out.0", 128, 64, "3,1,1", false);
        addBn(keys, "conv_out.1", 128);
        return keys;
    }

    private static void addConv(List<String> keys, String name, int out, int in, String k, boolean bias) {
        keys.add(name + ".weight [" + out + "," + k + "," + in + "]");
        if (bias) keys.add(name + ".bias [" + out + "]");
    }

    private static void addBn(List<String> keys, String name, int c) {
        for (String p : new String[] {"weight", "bias", "running_mean", "running_var"}) keys.add(name + "." + p + " [" + c + "]");
        keys.add(name + ".num_batches_tracked []");
    }

    private static List<String> actualKeys(Module m) {
        List<String> keys = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) {
            StringBuilder s = new StringBuilder(e.getKey()).append(" [");
            int[] sh = e.getValue().shape();
            for (int i = 0; i < sh.length; i++) s.append(i == 0 ? "" : ",").append(sh[i]);
            keys.add(s.append(']').toString());
        }
        return keys;
    }

    @Test
    void voxelBackBone8xStateDictMatchesOpenPcdet() {
        VoxelBackBone8x net = new VoxelBackBone8x(4, new int[] {1408, 1600, 40}, new Generator(0));
        assertEquals(expectedVoxelBackBone8xKeys(4), actualKeys(net));
        assertArrayEquals(new int[] {41, 1600, 1408}, net.sparseShape());
    }

    @Test
    void voxelResBackBone8xStateDictNames() {
        VoxelResBackBone8x net = new VoxelResBackBone8x(4, new int[] {1408, 1600, 40}, new Generator(0));
        Map<String, Tensor> sd = net.stateDict();
        assertArrayEquals(new int[] {16, 3, 3, 3, 4}, sd.get("conv_input.0.weight").shape());
        assertArrayEquals(new int[] {16, 3, 3, 3, 16}, sd.get("conv1.0.conv1.weight").shape());
        assertArrayEquals(new int[] {16}, sd.get("conv1.1.conv2.bias").shape(), "SparseBasicBlock convs have a bias");
        assertArrayEquals(new int[] {32, 3, 3, 3, 16}, sd.get("conv2.0.0.weight").shape());
        assertArrayEquals(new int[] {32}, sd.get("conv2.2.bn2.running_var").shape());
        assertArrayEquals(new int[] {128, 3, 3, 3, 64}, sd.get("conv4.0.0.weight").shape());
        assertArrayEquals(new int[] {128, 3, 1, 1, 128}, sd.get("conv_out.0.weight").shape());
        assertFalse(sd.containsKey("conv2.0.0.bias"), "post_act_block convs have no bias");
        // 2 blocks x (2 convs (w, b) + 2 BNs (5 entries)) = 14 per stage after its optional downsample
        assertEquals(6 + 2 * 14 + 3 * (6 + 2 * 14) + 6, sd.size());
    }

    // ------------------------------------------------------------------ dense re-enactment

    /** A dense tensor [B, C, D, H, W] with its activity mask [B, 1, D, H, W]. */
    private record Dense(Tensor x, Tensor mask) {}

    private static Dense denseRun(Module m, Dense d) {
        if (m instanceof SparseSequential s) {
            for (Module c : s.modules()) d = denseRun(c, d);
            return d;
        }
        if (m instanceof SparseBasicBlock b) {
            Map<String, Module> c = b.namedChildren();
            Dense o = denseRun(c.get("conv1"), d);
            o = denseRun(c.get("relu"), denseRun(c.get("bn1"), o));
            o = denseRun(c.get("bn2"), denseRun(c.get("conv2"), o));
            return denseRun(c.get("relu"), new Dense(o.x.add(d.x), o.mask));
        }
        if (m instanceof ReLU) return new Dense(d.x.relu(), d.mask);
        if (m instanceof BatchNorm1d bn) {
            int c = bn.numFeatures;
            Tensor scale = bn.weight().data().div(bn.runningVar().add(bn.eps()).sqrt());
            Tensor shift = bn.bias().data().sub(bn.runningMean().mul(scale));
            Tensor y = d.x.mul(scale.reshape(1, c, 1, 1, 1)).add(shift.reshape(1, c, 1, 1, 1));
            return new Dense(y.mul(d.mask), d.mask);
        }
        SparseConvolution conv = (SparseConvolution) m;
        Tensor w = krscToTorch(conv.weight().data()), b = conv.bias() == null ? null : conv.bias().data();
        int[] k = conv.kernelSize();
        if (conv.type() == SparseConvolution.Type.SUBMANIFOLD) {
            int[] pad = {(k[0] - 1) / 2, (k[1] - 1) / 2, (k[2] - 1) / 2};
            return new Dense(F.conv3d(d.x, w, b, fill(3, 1), pad, fill(3, 1), 1).mul(d.mask), d.mask);
        }
        Tensor mask = F.conv3d(d.mask, Tensor.ones(1, 1, k[0], k[1], k[2]), null, conv.stride(), conv.padding(), conv.dilation(), 1).gt(0).toFloat();
        return new Dense(F.conv3d(d.x, w, b, conv.stride(), conv.padding(), conv.dilation(), 1).mul(mask), mask);
    }

    private static void randomizeStatistics(Module net, Generator g) {
        for (Module m : net.namedModules().values())
            if (m instanceof BatchNorm1d bn) {
                bn.runningMean().copy_(g.normal(0, 0.1, bn.numFeatures));
                bn.runningVar().copy_(g.uniform(0.5, 1.5, bn.numFeatures));
                bn.weight().data().copy_(g.uniform(0.5, 1.5, bn.numFeatures));
                bn.bias().data().copy_(g.normal(0, 0.1, bn.numFeatures));
            }
    }

    private static void assertBackboneMatchesDense(Module net, SparseBackboneOutput out, SparseTensor input) {
        Dense d = new Dense(input.dense().data(), SparseTensor.of(Tensor.ones(input.numActive(), 1), input.indices(), input.spatialShape(),
                input.batchSize()).dense().data());
        Map<String, Module> c = net.namedChildren();
        d = denseRun(c.get("conv_input"), d);
        String[] stages = {"conv1", "conv2", "conv3", "conv4"};
        for (String s : stages) {
            d = denseRun(c.get(s), d);
            SparseTensor sp = out.multiScale3dFeatures().get("x_" + s);
            assertDenseClose(d, sp, "x_" + s);
        }
        d = denseRun(c.get("conv_out"), d);
        assertDenseClose(d, out.encodedSpconvTensor(), "encoded");
    }

    private static void assertDenseClose(Dense d, SparseTensor sp, String what) {
        Tensor mine = sp.dense().data();
        assertArrayEquals(d.x.shape(), mine.shape(), what);
        // the activity mask: the sparse tensor's sites are exactly the dense mask's
        Tensor myMask = SparseTensor.of(Tensor.ones(sp.numActive(), 1), sp.indices(), sp.spatialShape(), sp.batchSize()).dense().data();
        assertArrayEquals(d.mask.toFloatArray(), myMask.toFloatArray(), what + " sites");
        float[] a = d.x.toFloatArray(), b = mine.toFloatArray();
        double scale = 0;
        for (float v : a) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-4 * (1 + scale), what);
    }

    private static SparseTensor smallScan(Generator g, int c, int[] sparseShape, int batch) {
        Tensor ind = randomIndices(g, batch, sparseShape, 0.03);
        return SparseTensor.of(g.uniform(-1, 1, ind.size(0), c), ind, sparseShape, batch);
    }

    @Test
    void voxelBackBone8xEqualsItsDenseReenactment() {
        Generator g = new Generator(11);
        VoxelBackBone8x net = new VoxelBackBone8x(4, new int[] {16, 24, 40}, g);
        randomizeStatistics(net, g);
        net.eval();
        SparseTensor in = smallScan(g, 4, net.sparseShape(), 2);
        SparseBackboneOutput out = net.forward(in.features(), in.indices(), 2);
        assertArrayEquals(new int[] {41, 24, 16}, out.multiScale3dFeatures().get("x_conv1").spatialShape());
        assertArrayEquals(new int[] {21, 12, 8}, out.multiScale3dFeatures().get("x_conv2").spatialShape());
        assertArrayEquals(new int[] {11, 6, 4}, out.multiScale3dFeatures().get("x_conv3").spatialShape());
        assertArrayEquals(new int[] {5, 3, 2}, out.multiScale3dFeatures().get("x_conv4").spatialShape());
        assertArrayEquals(new int[] {2, 3, 2}, out.encodedSpconvTensor().spatialShape());
        assertEquals(8, out.encodedSpconvTensorStride());
        assertEquals(Map.of("x_conv1", 1, "x_conv2", 2, "x_conv3", 4, "x_conv4", 8), out.multiScale3dStrides());
        assertEquals(128, out.encodedSpconvTensor().channels());
        assertBackboneMatchesDense(net, out, in);
        // the rulebook cache holds one entry per indice key of the network
        assertEquals(java.util.Set.of("subm1", "spconv2", "subm2", "spconv3", "subm3", "spconv4", "subm4", "spconv_down2"),
                out.encodedSpconvTensor().rulebooks().keys());
    }

    @Test
    void voxelResBackBone8xEqualsItsDenseReenactment() {
        Generator g = new Generator(12);
        VoxelResBackBone8x net = new VoxelResBackBone8x(3, new int[] {16, 16, 40}, 0, g);
        randomizeStatistics(net, g);
        net.eval();
        SparseTensor in = smallScan(g, 3, net.sparseShape(), 1);
        SparseBackboneOutput out = net.forward(in.features(), in.indices(), 1);
        assertArrayEquals(new int[] {2, 2, 2}, out.encodedSpconvTensor().spatialShape());
        assertBackboneMatchesDense(net, out, in);
    }

    @Test
    void trainingStepReachesEveryParameter() {
        Generator g = new Generator(13);
        VoxelBackBone8x net = new VoxelBackBone8x(4, new int[] {16, 16, 40}, g);
        SparseTensor in = smallScan(g, 4, net.sparseShape(), 2);
        Var feats = Var.leaf(in.features().data());
        SparseBackboneOutput out = net.forward(feats, in.indices(), 2);
        Var bev = new HeightCompression(256).apply(out.encodedSpconvTensor());
        assertArrayEquals(new int[] {2, 256, 2, 2}, bev.shape());
        Assumptions(out.encodedSpconvTensor().numActive() > 1);
        bev.square().sum().backward();
        assertNotNull(feats.grad());
        for (Map.Entry<String, Var> p : net.namedParameters().entrySet()) assertNotNull(p.getValue().grad(), p.getKey());
    }

    private static void Assumptions(boolean b) { org.junit.jupiter.api.Assumptions.assumeTrue(b, "too few output sites"); }

    @Test
    void heightCompressionFoldsHeightIntoChannels() {
        // two channels, height 2: BEV channel c * D + z
        Tensor ind = Tensor.ofInts(new int[] {0, 1, 0, 1, 0, 0, 1, 0}, 2, 4);
        SparseTensor x = SparseTensor.of(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), ind, new int[] {2, 2, 2}, 1);
        Var bev = new HeightCompression(4).apply(x);
        assertArrayEquals(new int[] {1, 4, 2, 2}, bev.shape());
        // site (z=1, y=0, x=1): channel 0 -> bev 1, channel 1 -> bev 3; site (z=0, y=1, x=0): bev 0 and 2
        assertEquals(1, bev.data().getDouble(0, 1, 0, 1));
        assertEquals(2, bev.data().getDouble(0, 3, 0, 1));
        assertEquals(3, bev.data().getDouble(0, 0, 1, 0));
        assertEquals(4, bev.data().getDouble(0, 2, 1, 0));
        assertEquals(10, bev.data().sum().item());
        var e = assertThrows(IllegalArgumentException.class, () -> new HeightCompression(256).apply(x));
        assertTrue(e.getMessage().contains("NUM_BEV_FEATURES is 256"), e.getMessage());
    }

    // ------------------------------------------------------------------ spconv layouts

    @Test
    void spconvLayoutsConvertToKrsc() {
        Generator g = new Generator(4);
        Tensor krsc = g.normal(0, 1, 5, 3, 1, 2, 7); // [Cout 5, k (3, 1, 2), Cin 7]
        Tensor rskc = krsc.permute(1, 2, 3, 0, 4).contiguous(); // spconv 2.0/2.1: [k..., Cout, Cin]
        Tensor rsck = krsc.permute(1, 2, 3, 4, 0).contiguous(); // spconv 1.x: [k..., Cin, Cout]
        assertArrayEquals(krsc.toFloatArray(), SpconvWeights.toKrsc(rskc, SpconvWeights.Layout.RSKC).toFloatArray());
        assertArrayEquals(krsc.toFloatArray(), SpconvWeights.toKrsc(rsck, SpconvWeights.Layout.RSCK).toFloatArray());
        assertArrayEquals(new int[] {5, 3, 1, 2, 7}, SpconvWeights.toKrsc(rsck, SpconvWeights.Layout.RSCK).shape());
        for (SpconvWeights.Layout l : SpconvWeights.Layout.values())
            assertArrayEquals(krsc.toFloatArray(), SpconvWeights.toKrsc(SpconvWeights.fromKrsc(krsc, l), l).toFloatArray(), l.name());
        // a whole state dict: only the sparse conv weights move
        VoxelBackBone8x net = new VoxelBackBone8x(4, new int[] {16, 16, 8}, new Generator(1));
        Map<String, Tensor> old = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : net.stateDict().entrySet())
            old.put(e.getKey(), e.getKey().endsWith(".0.weight") && e.getValue().dim() == 5
                    ? SpconvWeights.fromKrsc(e.getValue(), SpconvWeights.Layout.RSCK) : e.getValue().copy());
        VoxelBackBone8x twin = new VoxelBackBone8x(4, new int[] {16, 16, 8}, new Generator(2));
        assertTrue(twin.loadStateDict(SpconvWeights.convertStateDict(twin, old, SpconvWeights.Layout.RSCK), true).clean());
        for (Map.Entry<String, Tensor> e : net.stateDict().entrySet())
            assertArrayEquals(e.getValue().toDoubleArray(), twin.stateDict().get(e.getKey()).toDoubleArray(), e.getKey());
    }

    @Test
    void narrowWidthsKeepNamesAndShapes() {
        VoxelBackBone8x paper = new VoxelBackBone8x(4, new int[] {16, 16, 40}, new Generator(3));
        VoxelBackBone8x narrow = new VoxelBackBone8x(4, new int[] {16, 16, 40}, 0, new int[] {8, 16, 24, 32, 48}, new Generator(3));
        assertEquals(paper.stateDict().keySet(), narrow.stateDict().keySet(), "same module names at any width");
        assertEquals(48, narrow.numPointFeatures());
        assertEquals(Map.of("x_conv1", 8, "x_conv2", 16, "x_conv3", 24, "x_conv4", 32), narrow.backboneChannels());
        assertArrayEquals(new int[] {48, 3, 1, 1, 32}, narrow.stateDict().get("conv_out.0.weight").shape());
        Generator g = new Generator(4);
        int n = 30;
        int[] c = new int[n * 4];
        for (int i = 0; i < n; i++) {
            c[4 * i + 1] = i % 40;
            c[4 * i + 2] = (i * 7) % 16;
            c[4 * i + 3] = (i * 5) % 16;
        }
        Tensor coords = Tensor.ofInts(c, n, 4);
        SparseBackboneOutput out = narrow.forward(Var.of(g.normal(0, 1, n, 4)), coords, 1);
        assertEquals(48, out.encodedSpconvTensor().features().data().size(1));
        assertEquals(32, out.multiScale3dFeatures().get("x_conv4").features().data().size(1));
        assertThrows(IllegalArgumentException.class, () -> new VoxelBackBone8x(4, new int[] {16, 16, 40}, 0, new int[] {8, 16, 24, 32}, g));
    }
}
