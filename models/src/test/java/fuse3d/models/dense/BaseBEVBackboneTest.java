package fuse3d.models.dense;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Var;
import fuse3d.nn.Functional;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.testing.Closeness;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** BaseBEVBackbone: OpenPCDet's state-dict names and shapes, the output size, and the config's checks. */
class BaseBEVBackboneTest {
    @Test
    void voxelRcnnStateDictMatchesOpenPCDet() {
        BaseBEVBackbone bb = new BaseBEVBackbone(BaseBevBackboneConfig.voxelRcnnCar(), 256, new Generator(1));
        Map<String, Tensor> sd = bb.stateDict();
        assertArrayEquals(new int[] {64, 256, 3, 3}, sd.get("blocks.0.1.weight").shape());
        assertArrayEquals(new int[] {64}, sd.get("blocks.0.2.running_mean").shape());
        assertArrayEquals(new int[] {64, 64, 3, 3}, sd.get("blocks.0.4.weight").shape());
        assertArrayEquals(new int[] {64, 64, 3, 3}, sd.get("blocks.0.16.weight").shape()); // the 5th extra conv
        assertArrayEquals(new int[] {128, 64, 3, 3}, sd.get("blocks.1.1.weight").shape());
        assertArrayEquals(new int[] {64, 128, 1, 1}, sd.get("deblocks.0.0.weight").shape()); // ConvTranspose2d [in, out, k, k]
        assertArrayEquals(new int[] {128, 128, 2, 2}, sd.get("deblocks.1.0.weight").shape());
        assertTrue(sd.containsKey("deblocks.1.1.num_batches_tracked"));
        assertTrue(sd.keySet().stream().noneMatch(k -> k.startsWith("blocks.0.18") || k.startsWith("blocks.0.19.")), "19 layers per block, 0..18");
        assertEquals(256, bb.outChannels());
        // OpenPCDet's parameter count for this config: blocks (convs + BN affine) and deblocks
        long convs = 64L * 256 * 9 + 5L * 64 * 64 * 9 + 128L * 64 * 9 + 5L * 128 * 128 * 9;
        long bns = 6L * 2 * 64 + 6L * 2 * 128 + 2L * 2 * 128;
        long deconvs = 64L * 128 + 128L * 128 * 4;
        assertEquals(convs + bns + deconvs, bb.parameterCount());
    }

    @Test
    void forwardBringsEveryLevelToTheInputResolution() {
        BaseBevBackboneConfig cfg = new BaseBevBackboneConfig(new int[] {1, 1}, new int[] {1, 2}, new int[] {4, 8}, new double[] {1, 2}, new int[] {3, 5});
        BaseBEVBackbone bb = new BaseBEVBackbone(cfg, 2, new Generator(1));
        Var y = bb.forward(Var.of(new Generator(2).normal(0, 1, 2, 2, 6, 8)));
        assertArrayEquals(new int[] {2, 8, 6, 8}, y.shape());
        assertEquals(8, bb.outChannels());
        assertThrows(IllegalArgumentException.class, () -> bb.forward(Var.of(Tensor.zeros(2, 3, 6, 8))));
        // without deblocks the levels' outputs are concatenated as they are (one level here)
        BaseBEVBackbone plain = new BaseBEVBackbone(new BaseBevBackboneConfig(new int[] {0}, new int[] {1}, new int[] {4}, null, null), 2, new Generator(1));
        assertArrayEquals(new int[] {1, 4, 6, 8}, plain.forward(Var.of(Tensor.ones(1, 2, 6, 8))).shape());
    }

    @Test
    void firstConvEqualsZeroPadThenUnpaddedConv() {
        BaseBevBackboneConfig cfg = new BaseBevBackboneConfig(new int[] {0}, new int[] {2}, new int[] {3}, new double[0], new int[0]);
        BaseBEVBackbone bb = new BaseBEVBackbone(cfg, 2, new Generator(4));
        bb.eval();
        Tensor x = new Generator(5).normal(0, 1, 1, 2, 5, 7);
        Tensor padded = Tensor.zeros(1, 2, 7, 9);
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < 5; i++)
                for (int j = 0; j < 7; j++) padded.set(x.getDouble(0, c, i, j), 0, c, i + 1, j + 1);
        Var w = bb.namedParameters().get("blocks.0.1.weight");
        Var conv = fuse3d.autograd.Convolution.conv2d(Var.of(padded), w, null, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}, 1);
        Map<String, Tensor> sd = bb.stateDict();
        Var bn = Functional.batchNorm(conv, sd.get("blocks.0.2.running_mean"), sd.get("blocks.0.2.running_var"), bb.namedParameters().get("blocks.0.2.weight"),
                bb.namedParameters().get("blocks.0.2.bias"), false, 0.01, 1e-3).relu();
        Closeness.assertClose(bb.forward(Var.of(x)).data(), bn.data(), 1e-5, 1e-6, false, "pad 1 in the conv == ZeroPad2d(1) + conv");
    }

    @Test
    void configErrorsNameTheYamlKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BaseBevBackboneConfig(new int[] {1}, new int[] {1, 2}, new int[] {4}, null, null));
        assertTrue(e.getMessage().contains("LAYER_STRIDES"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new BaseBevBackboneConfig(new int[] {1}, new int[] {1}, new int[] {4}, new double[] {1, 2}, new int[] {4, 4}));
        assertTrue(e.getMessage().contains("UPSAMPLE_STRIDES"), e.getMessage());
    }
}
