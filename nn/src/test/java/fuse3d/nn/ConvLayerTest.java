package fuse3d.nn;

import static fuse3d.tensor.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.F;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The convolution layers: PyTorch's weight layouts, names, init bounds, output sizes, messages and float64 gradchecks. */
class ConvLayerTest {

    @Test
    void weightLayoutsFollowPyTorch() {
        Generator g = new Generator(1);
        assertArrayEquals(new int[] {6, 2, 5}, new Conv1d(4, 6, 5, 1, 0, 1, 2, true, g).weight().shape());
        assertArrayEquals(new int[] {6, 4, 3, 3}, new Conv2d(4, 6, 3, g).weight().shape());
        assertArrayEquals(new int[] {6, 4, 3, 1}, new Conv2d(4, 6, new int[] {3, 1}, null, null, null, 1, true, g).weight().shape());
        assertArrayEquals(new int[] {8, 2, 3, 3, 3}, new Conv3d(4, 8, new int[] {3}, null, null, null, 2, true, g).weight().shape());
        // transposed: [in, out/groups, k...]
        assertArrayEquals(new int[] {4, 6, 3, 3}, new ConvTranspose2d(4, 6, 3, g).weight().shape());
        assertArrayEquals(new int[] {4, 3, 2, 2, 2}, new ConvTranspose3d(4, 6, new int[] {2}, new int[] {2}, null, null, 2, true, null, g).weight().shape());
        Conv2d c = new Conv2d(4, 6, 3, 1, 1, false, g);
        assertEquals(List.of("weight"), new ArrayList<>(c.stateDict().keySet()));
        assertNull(c.bias());
        assertEquals(List.of("weight", "bias"), new ArrayList<>(new ConvTranspose2d(4, 6, 3, g).stateDict().keySet()));
    }

    @Test
    void defaultInitStaysWithinPyTorchsBounds() {
        Generator g = new Generator(2);
        Conv2d c = new Conv2d(4, 6, 3, g);
        double bound = 1 / Math.sqrt(4 * 9); // kaiming_uniform(a = sqrt(5)) and the bias both give 1/sqrt(fan_in)
        assertTrue(c.weight().data().abs().max().item() <= bound);
        assertTrue(c.weight().data().abs().max().item() > 0.8 * bound, "the weights should fill the range");
        assertTrue(c.bias().data().abs().max().item() <= bound);
        // transposed fan_in is weight.size(1) * k: out/groups * 9
        ConvTranspose2d t = new ConvTranspose2d(4, 6, 3, g);
        double tb = 1 / Math.sqrt(6 * 9);
        assertTrue(t.weight().data().abs().max().item() <= tb);
        assertTrue(t.bias().data().abs().max().item() <= tb);
    }

    @Test
    void outputSizesIncludingOutputPaddingDilationAndGroups() {
        Generator g = new Generator(3);
        Tensor x = g.normal(0, 1, 1, 4, 5, 5);
        assertArrayEquals(new int[] {1, 6, 3, 3}, new Conv2d(4, 6, 3, 2, 1, true, g).apply(Var.of(x)).shape());
        assertArrayEquals(new int[] {1, 6, 1, 1}, new Conv2d(4, 6, new int[] {3}, null, null, new int[] {2}, 2, true, g).apply(Var.of(x)).shape());
        // (5 - 1) 2 - 2 + 3 + 1 = 10, PyTorch's [1, 6, 10, 10]
        ConvTranspose2d up = new ConvTranspose2d(4, 6, new int[] {3}, new int[] {2}, new int[] {1}, new int[] {1}, 1, true, null, g);
        assertArrayEquals(new int[] {1, 6, 10, 10}, up.apply(Var.of(x)).shape());
        assertArrayEquals(new int[] {2, 3, 4, 6, 6}, new ConvTranspose3d(2, 3, new int[] {2, 3, 3}, new int[] {2, 1, 1}, null, null, 1, true, null, g)
                .apply(Var.of(g.normal(0, 1, 2, 2, 2, 4, 4))).shape());
        assertArrayEquals(new int[] {6, 7}, new Conv1d(4, 6, 3, g).apply(Var.of(g.normal(0, 1, 4, 9))).shape(), "unbatched input");
        assertTrue(up.toString().contains("output_padding=(1, 1)"), up.toString());
    }

    @Test
    void layerMatchesTheFunctionalKernel() {
        Generator g = new Generator(4);
        Conv2d c = new Conv2d(3, 4, new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}, 1, true, g);
        Tensor x = g.normal(0, 1, 2, 3, 6, 7);
        Tensor expect = F.conv2d(x, c.weight().data(), c.bias().data(), new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}, 1);
        assertClose(c.apply(Var.of(x)).data(), expect, 0, 0);
    }

    @Test
    void argumentAndInputErrorsNameTheLayer() {
        Generator g = new Generator(5);
        IllegalArgumentException groups = assertThrows(IllegalArgumentException.class, () -> new Conv2d(5, 6, new int[] {3}, null, null, null, 2, true, g));
        assertTrue(groups.getMessage().startsWith("Conv2d: in_channels 5"), groups.getMessage());
        IllegalArgumentException op = assertThrows(IllegalArgumentException.class,
                () -> new ConvTranspose2d(2, 2, new int[] {3}, new int[] {1}, null, new int[] {1}, 1, true, null, g));
        assertTrue(op.getMessage().contains("output_padding"), op.getMessage());
        Conv2d c = new Conv2d(3, 8, 3, g);
        IllegalArgumentException ch = assertThrows(IllegalArgumentException.class, () -> c.apply(Var.of(Tensor.zeros(1, 4, 8, 8))));
        assertEquals("Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1)): input [1, 4, 8, 8] has 4 channels, expected 3", ch.getMessage());
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class, () -> c.apply(Var.of(Tensor.zeros(8, 8))));
        assertTrue(rank.getMessage().contains("4-d (batched) or 3-d (unbatched)") && rank.getMessage().contains("[8, 8]"), rank.getMessage());
    }

    /** A float64 layer with its parameters, checked through its apply. */
    private static void gradcheck(String what, ConvNd layer, Var x) {
        layer.to(DType.FLOAT64);
        List<Var> leaves = new ArrayList<>(List.of(x));
        leaves.addAll(layer.parameters());
        GradCheck.check(what, () -> layer.apply(x), leaves);
    }

    @Test
    void conv1dAnd2dPassGradcheck() {
        Generator g = new Generator(6);
        gradcheck("Conv1d", new Conv1d(4, 2, 3, 2, 1, 1, 2, true, g), GradCheck.input(1, 2, 4, 7));
        gradcheck("Conv2d", new Conv2d(2, 4, new int[] {3, 2}, new int[] {2, 1}, new int[] {1}, new int[] {1, 2}, 2, true, g), GradCheck.input(2, 1, 2, 5, 5));
    }

    @Test
    void conv3dPassesGradcheck() {
        gradcheck("Conv3d", new Conv3d(2, 2, new int[] {2}, new int[] {1, 2, 1}, new int[] {1, 0, 0}, null, 1, true, new Generator(7)),
                GradCheck.input(3, 1, 2, 3, 4, 3));
    }

    @Test
    void transposedConvsPassGradcheck() {
        Generator g = new Generator(8);
        gradcheck("ConvTranspose2d", new ConvTranspose2d(2, 4, new int[] {3}, new int[] {2}, new int[] {1}, new int[] {1}, 2, true, null, g),
                GradCheck.input(4, 1, 2, 3, 3));
        gradcheck("ConvTranspose3d", new ConvTranspose3d(2, 2, new int[] {2}, new int[] {2}, null, null, 1, false, null, g),
                GradCheck.input(5, 1, 2, 2, 2, 2));
    }
}
