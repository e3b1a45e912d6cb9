package fuse3d.nn;

import static fuse3d.tensor.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Activation and pooling modules, Sequential, ModuleList and Module.to. */
class LayersTest {
    private static final Tensor X = Tensor.of(new float[] {-2, -0.5f, 0, 1.5f}, 4);

    @Test
    void activationsMatchTheirFormulas() {
        assertClose(new ReLU().apply(Var.of(X)).data(), Tensor.of(new float[] {0, 0, 0, 1.5f}, 4), 0, 0);
        assertClose(new LeakyReLU().apply(Var.of(X)).data(), Tensor.of(new float[] {-0.02f, -0.005f, 0, 1.5f}, 4));
        assertClose(new LeakyReLU(0.2).apply(Var.of(X)).data(), Tensor.of(new float[] {-0.4f, -0.1f, 0, 1.5f}, 4));
        assertClose(new Sigmoid().apply(Var.of(X)).data(), X.sigmoid(), 0, 0);
        assertClose(new Tanh().apply(Var.of(X)).data(), X.tanh(), 0, 0);
        assertClose(new SiLU().apply(Var.of(X)).data(), X.mul(X.sigmoid()));
        // GELU(1.5) = 1.5 Phi(1.5) = 1.3997892; tanh form 1.3995715 (PyTorch 1.13)
        assertEquals(1.3997892, new GELU().apply(Var.of(X)).data().getDouble(3), 1e-6);
        assertEquals(1.3995715, new GELU("tanh").apply(Var.of(X)).data().getDouble(3), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> new GELU("erf"));
        Var v = Var.of(X);
        assertSame(v, new Identity().apply(v));
        assertClose(new Softmax(0).apply(Var.of(X)).data(), X.softmax(0), 0, 0);
    }

    @Test
    void flattenKeepsTheBatchDimByDefault() {
        Var x = Var.of(Tensor.zeros(2, 3, 4, 5));
        assertArrayEquals(new int[] {2, 60}, new Flatten().apply(x).shape());
        assertArrayEquals(new int[] {2, 12, 5}, new Flatten(1, 2).apply(x).shape());
    }

    @Test
    void poolingModules() {
        Tensor x = Tensor.arange(0, 16, 1, DType.FLOAT32).reshape(1, 1, 4, 4);
        assertClose(new MaxPool2d(2).apply(Var.of(x)).data(), Tensor.of(new float[] {5, 7, 13, 15}, 1, 1, 2, 2), 0, 0);
        assertClose(new AvgPool2d(2).apply(Var.of(x)).data(), Tensor.of(new float[] {2.5f, 4.5f, 10.5f, 12.5f}, 1, 1, 2, 2), 0, 0);
        // ResNet's stem pool: kernel 3, stride 2, padding 1 gives 2 x 2 from 4 x 4
        assertClose(new MaxPool2d(3, 2, 1).apply(Var.of(x)).data(), Tensor.of(new float[] {5, 7, 13, 15}, 1, 1, 2, 2), 0, 0);
        assertArrayEquals(new long[] {5, 7, 13, 15}, new MaxPool2d(2).forwardWithIndices(Var.of(x)).indices().reshape(4).toLongArray());
        assertClose(new AdaptiveAvgPool2d(1).apply(Var.of(x)).data(), Tensor.full(7.5, DType.FLOAT32, 1, 1, 1, 1), 0, 0);
        Tensor v = Tensor.arange(0, 8, 1, DType.FLOAT32).reshape(1, 1, 2, 2, 2);
        assertClose(new MaxPool3d(2).apply(Var.of(v)).data(), Tensor.full(7, DType.FLOAT32, 1, 1, 1, 1, 1), 0, 0);
        assertClose(new AvgPool3d(2).apply(Var.of(v)).data(), Tensor.full(3.5, DType.FLOAT32, 1, 1, 1, 1, 1), 0, 0);
        assertClose(new AdaptiveAvgPool3d(1, 2, 1).apply(Var.of(v)).data(), Tensor.of(new float[] {2.5f, 4.5f}, 1, 1, 1, 2, 1), 0, 0);
        // count_include_pad=False divides edge windows by their real size
        AvgPool2d noPad = new AvgPool2d(new int[] {3}, new int[] {3}, new int[] {1}, false, false, 0);
        assertEquals(2.5, noPad.apply(Var.of(x)).data().getDouble(0, 0, 0, 0), 1e-6);
    }

    @Test
    void upsampleBySizeAndScale() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        Tensor up = Upsample.scale(2, "nearest").apply(Var.of(x)).data();
        assertArrayEquals(new int[] {1, 1, 4, 4}, up.shape());
        assertEquals(2, up.getDouble(0, 0, 1, 3), 0);
        assertEquals(3, up.getDouble(0, 0, 3, 0), 0);
        Tensor bi = new Upsample(new int[] {3, 3}, null, "bilinear", true).apply(Var.of(x)).data();
        assertEquals(2.5, bi.getDouble(0, 0, 1, 1), 1e-6); // align_corners: the centre is the mean of the four
        assertThrows(IllegalArgumentException.class, () -> new Upsample(new int[] {2}, new double[] {2}, "nearest", null));
    }

    @Test
    void sequentialNamesChildrenByIndexAndAppliesInOrder() {
        Generator g = new Generator(1);
        Sequential s = new Sequential(new Linear(3, 4, g), new ReLU(), new Linear(4, 2, false, g));
        assertEquals(List.of("0.weight", "0.bias", "2.weight"), new ArrayList<>(s.stateDict().keySet()));
        assertEquals(3, s.size());
        Var x = Var.of(g.normal(0, 1, 5, 3));
        Var expect = s.get(2).apply(s.get(1).apply(s.get(0).apply(x)));
        assertClose(s.apply(x).data(), expect.data(), 0, 0);
        Sequential nested = new Sequential(new Sequential(new Linear(2, 2, g)), new BatchNorm1d(2));
        assertEquals(List.of("0.0.weight", "0.0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked"),
                new ArrayList<>(nested.stateDict().keySet()));
        assertThrows(IndexOutOfBoundsException.class, () -> s.get(3));
    }

    @Test
    void sequentialFromAnOrderedMapNamesChildrenByKeyInTheMapsOrder() {
        Generator g = new Generator(3);
        java.util.LinkedHashMap<String, Layer> named = new java.util.LinkedHashMap<>();
        named.put("fc", new Linear(3, 4, g));
        named.put("act", new ReLU());
        named.put("head", new Linear(4, 2, false, g));
        Sequential s = new Sequential(named);
        assertEquals(List.of("fc.weight", "fc.bias", "head.weight"), new ArrayList<>(s.stateDict().keySet()));
        assertEquals(List.of("fc", "act", "head"), new ArrayList<>(s.namedChildren().keySet()));
        Var x = Var.of(g.normal(0, 1, 5, 3));
        assertClose(s.apply(x).data(), named.get("head").apply(named.get("act").apply(named.get("fc").apply(x))).data(), 0, 0);
        // appending without a name continues torch's way: the name is the current length
        s.add(new ReLU());
        assertEquals(List.of("fc", "act", "head", "3"), new ArrayList<>(s.namedChildren().keySet()));
        assertThrows(IllegalArgumentException.class, () -> s.add("fc", new ReLU()));
    }

    @Test
    void moduleListRegistersItsItems() {
        Generator g = new Generator(2);
        ModuleList<Linear> heads = new ModuleList<>(new Linear(2, 3, g), new Linear(2, 1, g));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias"), new ArrayList<>(heads.stateDict().keySet()));
        int n = 0;
        for (Linear l : heads) n += l.outFeatures;
        assertEquals(4, n);
        heads.eval();
        assertTrue(!heads.get(1).isTraining());
    }

    @Test
    void toDoubleConvertsParametersAndFloatBuffersButNotTheCounter() {
        Generator g = new Generator(3);
        Sequential s = new Sequential(new Conv2d(2, 3, 3, g), new BatchNorm2d(3));
        Var before = s.parameters().getFirst();
        Tensor w32 = before.data().copy();
        s.to(DType.FLOAT64);
        for (var e : s.stateDict().entrySet())
            assertEquals(e.getKey().endsWith("num_batches_tracked") ? DType.INT64 : DType.FLOAT64, e.getValue().dtype(), e.getKey());
        assertNotSame(before, s.parameters().getFirst());
        assertClose(s.parameters().getFirst().data().to(DType.FLOAT32), w32, 0, 0);
        Var y = s.apply(Var.of(g.normal(DType.FLOAT64, 0, 1, 2, 2, 5, 5)));
        assertEquals(DType.FLOAT64, y.dtype());
        y.sum().backward();
        assertEquals(DType.FLOAT64, s.parameters().getFirst().grad().dtype());
    }

    @Test
    void strictAndNonStrictLoadReports() {
        Generator g = new Generator(4);
        Sequential s = new Sequential(new Conv2d(2, 3, 3, 1, 1, false, g), new BatchNorm2d(3));
        var state = new java.util.LinkedHashMap<>(s.stateDict());
        state.remove("1.running_var");
        state.put("1.extra", Tensor.zeros(1));
        state.put("0.weight", Tensor.zeros(3, 2, 1, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.loadStateDict(state, true));
        assertTrue(e.getMessage().contains("1.running_var") && e.getMessage().contains("1.extra") && e.getMessage().contains("0.weight"), e.getMessage());
        Module.LoadReport r = s.loadStateDict(state, false);
        assertEquals(List.of("1.running_var"), r.missing());
        assertEquals(List.of("1.extra"), r.unexpected());
        assertEquals(1, r.mismatched().size());
    }
}
