package fuse3d.nn.backbone;

import static fuse3d.tensor.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Var;
import fuse3d.nn.BatchNorm2d;
import fuse3d.nn.Conv2d;
import fuse3d.nn.ConvTranspose2d;
import fuse3d.nn.Module;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** mmdet's FPN and mmdet3d's SECONDFPN: checkpoint names, shapes, extra levels, the top-down sum and the deblocks. */
class NeckTest {

    private static List<Var> levels(Generator g, int n, int[] channels, int[][] sizes) {
        List<Var> out = new ArrayList<>();
        for (int i = 0; i < channels.length; i++) out.add(Var.of(g.normal(0, 1, n, channels[i], sizes[i][0], sizes[i][1])));
        return out;
    }

    @Test
    void fpnNamesFollowMmdetConvModules() {
        FPN fpn = new FPN(new int[] {4, 8, 16, 32}, 8, 5, new Generator(1));
        List<String> expected = new ArrayList<>();
        for (String list : List.of("lateral_convs", "fpn_convs"))
            for (int i = 0; i < 4; i++) {
                expected.add(list + "." + i + ".conv.weight");
                expected.add(list + "." + i + ".conv.bias");
            }
        assertEquals(expected, new ArrayList<>(fpn.stateDict().keySet()));
        Map<String, Tensor> sd = fpn.stateDict();
        assertArrayEquals(new int[] {8, 16, 1, 1}, sd.get("lateral_convs.2.conv.weight").shape());
        assertArrayEquals(new int[] {8, 8, 3, 3}, sd.get("fpn_convs.3.conv.weight").shape());
    }

    @Test
    void fpnInitIsXavierUniformWithZeroBias() {
        FPN fpn = new FPN(new int[] {16, 32}, 32, 2, new Generator(2));
        Tensor w = fpn.stateDict().get("fpn_convs.0.conv.weight");
        double a = Math.sqrt(6.0 / (32 * 9 + 32 * 9));
        assertTrue(w.abs().max().item() <= a && w.abs().max().item() > 0.9 * a);
        assertEquals(a / Math.sqrt(3), Math.sqrt(w.var(null, 1, false).item()), 0.05 * a);
        for (var e : fpn.stateDict().entrySet())
            if (e.getKey().endsWith("bias")) assertClose(e.getValue(), Tensor.zeros(32), 0, 0);
    }

    @Test
    void fpnShapesWithMaxPooledExtraLevels() {
        FPN fpn = new FPN(new int[] {4, 8, 16, 32}, 8, 5, new Generator(3));
        List<Var> outs = fpn.forward(levels(new Generator(4), 2, new int[] {4, 8, 16, 32}, new int[][] {{16, 20}, {8, 10}, {4, 5}, {2, 3}}));
        int[][] expect = {{2, 8, 16, 20}, {2, 8, 8, 10}, {2, 8, 4, 5}, {2, 8, 2, 3}, {2, 8, 1, 2}};
        assertEquals(5, outs.size());
        for (int i = 0; i < 5; i++) assertArrayEquals(expect[i], outs.get(i).shape(), "P" + (i + 2));
        // the extra level is a kernel-1 stride-2 max pool: a subsampling of the last output
        assertClose(outs.get(4).data(), outs.get(3).data().slice(2, 0, 2, 2).slice(3, 0, 3, 2), 0, 0);
    }

    @Test
    void fpnRetinaNetStyleExtraConvsOnInput() {
        // RetinaNet: start_level 1, add_extra_convs on_input, 5 outputs from C3..C5
        FPN fpn = new FPN(new int[] {4, 8, 16, 32}, 8, 5, 1, -1, FPN.ExtraConvs.ON_INPUT, false, new Generator(5));
        Map<String, Tensor> sd = fpn.stateDict();
        assertEquals(2 * (3 + 5), sd.size());
        assertArrayEquals(new int[] {8, 8, 1, 1}, sd.get("lateral_convs.0.conv.weight").shape());
        assertArrayEquals(new int[] {8, 32, 3, 3}, sd.get("fpn_convs.3.conv.weight").shape(), "the first extra conv reads C5");
        assertArrayEquals(new int[] {8, 8, 3, 3}, sd.get("fpn_convs.4.conv.weight").shape());
        List<Var> outs = fpn.forward(levels(new Generator(6), 1, new int[] {4, 8, 16, 32}, new int[][] {{32, 32}, {16, 16}, {8, 8}, {4, 4}}));
        int[] sizes = {16, 8, 4, 2, 1};
        for (int i = 0; i < 5; i++) assertArrayEquals(new int[] {1, 8, sizes[i], sizes[i]}, outs.get(i).shape());
        // on_output with relu: the first extra conv reads P5 (out channels)
        FPN onOut = new FPN(new int[] {4, 8}, 6, 3, 0, -1, FPN.ExtraConvs.ON_OUTPUT, true, new Generator(7));
        assertArrayEquals(new int[] {6, 6, 3, 3}, onOut.stateDict().get("fpn_convs.2.conv.weight").shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FPN(new int[] {4, 8, 16}, 8, 2, new Generator(8)));
        assertTrue(e.getMessage().contains("num_outs 2"), e.getMessage());
    }

    @Test
    void fpnTopDownAddsNearestUpsampledCoarserLevels() {
        FPN fpn = new FPN(new int[] {2, 2, 2}, 2, 3, new Generator(9));
        // identity 1x1 laterals and identity 3x3 output convs (centre tap), zero biases: P_i = C_i + up(P_{i+1})
        for (var e : fpn.stateDict().entrySet()) {
            Tensor t = e.getValue().zero_();
            if (e.getKey().endsWith("weight")) {
                int k = t.size(2) / 2;
                for (int c = 0; c < 2; c++) t.set(1, c, c, k, k);
            }
        }
        Tensor c2 = Tensor.full(1, DType.FLOAT32, 1, 2, 5, 5), c3 = Tensor.full(10, DType.FLOAT32, 1, 2, 3, 3), c4 = Tensor.full(100, DType.FLOAT32, 1, 2, 2, 2);
        c4.set(200, 0, 1, 1, 1);
        List<Var> outs = fpn.forward(List.of(Var.of(c2), Var.of(c3), Var.of(c4)));
        assertClose(outs.get(2).data(), c4, 0, 0);
        // nearest from 2x2 to 3x3 takes source floor(i * 2 / 3): rows 0, 0, 1
        assertEquals(110, outs.get(1).data().getDouble(0, 1, 1, 1), 0);
        assertEquals(210, outs.get(1).data().getDouble(0, 1, 2, 2), 0);
        assertEquals(111, outs.get(0).data().getDouble(0, 0, 0, 0), 0);
        // 3x3 to 5x5: source floor(i * 3 / 5) = 0, 0, 1, 1, 2 so P2[4][4] comes from P3[2][2] = 210
        assertEquals(211, outs.get(0).data().getDouble(0, 1, 4, 4), 0);
    }

    @Test
    void secondFpnDeblocksUpsampleBatchNormAndConcatenate() {
        SECONDFPN neck = new SECONDFPN(new int[] {4, 8, 16}, new int[] {6, 6, 6}, new double[] {1, 2, 4}, new Generator(10));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            expected.add("deblocks." + i + ".0.weight");
            for (String b : List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked")) expected.add("deblocks." + i + ".1." + b);
        }
        assertEquals(expected, new ArrayList<>(neck.stateDict().keySet()));
        Map<String, Tensor> sd = neck.stateDict();
        assertArrayEquals(new int[] {4, 6, 1, 1}, sd.get("deblocks.0.0.weight").shape()); // ConvTranspose2d layout [in, out, k, k]
        assertArrayEquals(new int[] {8, 6, 2, 2}, sd.get("deblocks.1.0.weight").shape());
        assertArrayEquals(new int[] {16, 6, 4, 4}, sd.get("deblocks.2.0.weight").shape());
        Map<String, Module> mods = neck.namedModules();
        assertTrue(mods.get("deblocks.2.0") instanceof ConvTranspose2d);
        BatchNorm2d bn = (BatchNorm2d) mods.get("deblocks.1.1");
        assertEquals(1e-3, bn.eps());
        assertEquals(0.01, bn.momentum());
        Var out = neck.forward(levels(new Generator(11), 2, new int[] {4, 8, 16}, new int[][] {{8, 12}, {4, 6}, {2, 3}}));
        assertArrayEquals(new int[] {2, 18, 8, 12}, out.shape());
        assertEquals(18, neck.outChannels());
        assertTrue(out.data().amin(null, false).item() >= 0, "the deblocks end in ReLU");
        // kaiming_normal(fan_out) of the transposed weight: PyTorch's fan_out of [in, out, k, k] is in * k * k
        Tensor w = new SECONDFPN(new int[] {64}, new int[] {64}, new double[] {2}, new Generator(12)).stateDict().get("deblocks.0.0.weight");
        assertEquals(Math.sqrt(2.0 / (64 * 4)), Math.sqrt(w.var(null, 1, false).item()), 0.05 * Math.sqrt(2.0 / (64 * 4)));
    }

    @Test
    void secondFpnStridesBelowOneDownsampleWithConv2d() {
        SECONDFPN neck = new SECONDFPN(new int[] {4, 8}, new int[] {3, 5}, new double[] {0.5, 1}, true, new Generator(13));
        Map<String, Module> mods = neck.namedModules();
        assertTrue(mods.get("deblocks.0.0") instanceof Conv2d);
        assertTrue(mods.get("deblocks.1.0") instanceof Conv2d, "use_conv_for_no_stride makes stride 1 a 1x1 Conv2d");
        assertArrayEquals(new int[] {3, 4, 2, 2}, neck.stateDict().get("deblocks.0.0.weight").shape());
        assertArrayEquals(new int[] {5, 8, 1, 1}, neck.stateDict().get("deblocks.1.0.weight").shape());
        Var out = neck.forward(levels(new Generator(14), 1, new int[] {4, 8}, new int[][] {{8, 8}, {4, 4}}));
        assertArrayEquals(new int[] {1, 8, 4, 4}, out.shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> neck.forward(levels(new Generator(15), 1, new int[] {4, 8}, new int[][] {{8, 8}, {8, 8}})));
        assertTrue(e.getMessage().contains("level 1 comes out [1, 5, 8, 8]"), e.getMessage());
    }
}
