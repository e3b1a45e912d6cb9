package fuse3d.sparse.conv;

import static org.junit.jupiter.api.Assertions.*;

import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.io.SafeTensors;
import fuse3d.tensor.io.TensorIO;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Sparse convolutions against PyTorch 1.13's dense equivalents (conv3d read at the sites, conv_transpose3d for
 * the inverse), from tests/golden/sparse/gen_sparse_conv.py.
 */
class SparseConvGoldenTest {
    private static final double TOL = 1e-4;

    @TestFactory
    Stream<DynamicTest> cases() throws IOException, URISyntaxException {
        Path file = Path.of(getClass().getResource("/golden/sparse_conv.safetensors").toURI());
        Map<String, Tensor> t = TensorIO.readSafeTensors(file);
        Map<String, String> meta = SafeTensors.readMetadata(file);
        assertEquals(9, meta.size());
        return meta.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> DynamicTest.dynamicTest(e.getKey(), () -> run(e.getKey(), e.getValue(), t)));
    }

    private static void run(String name, String json, Map<String, Tensor> t) {
        String op = str(json, "op");
        Tensor idx = t.get(name + "/in0"), feats = t.get(name + "/in1");
        int[] shape = ints(json, "spatial_shape");
        int batch = ints(json, "batch_size")[0];
        SparseTensor x = SparseTensor.of(feats, idx, shape, batch);
        Generator g = new Generator(0);
        switch (op) {
            case "subm_conv3d", "subm_conv3d_rsck" -> {
                Tensor w = t.get(name + "/in2");
                if (op.endsWith("rsck")) w = SpconvWeights.toKrsc(w, SpconvWeights.Layout.RSCK);
                boolean bias = json.contains("\"bias\": true");
                SubMConv3d conv = new SubMConv3d(w.size(4), w.size(0), ints(json, "kernel_size"), ints(json, "dilation"), bias, "s", g);
                conv.weight().data().copy_(w);
                if (bias) conv.bias().data().copy_(t.get(name + "/in3"));
                SparseTensor y = conv.apply(x);
                assertArrayEquals(idx.toIntArray(), y.indices().toIntArray());
                assertClose(t.get(name + "/out0"), y.features().data());
            }
            case "sparse_conv3d" -> {
                Tensor w = t.get(name + "/in2");
                SparseConv3d conv = new SparseConv3d(w.size(4), w.size(0), ints(json, "kernel_size"), ints(json, "stride"), ints(json, "padding"),
                        ints(json, "dilation"), false, "d", g);
                conv.weight().data().copy_(w);
                SparseTensor y = conv.apply(x);
                assertArrayEquals(t.get(name + "/out0").toIntArray(), y.indices().toIntArray(), "output sites in (batch, z, y, x) order");
                assertClose(t.get(name + "/out1"), y.features().data());
            }
            case "sparse_inverse_conv3d" -> {
                Tensor wd = t.get(name + "/in2"), wu = t.get(name + "/in3");
                int[] k = ints(json, "kernel_size");
                SparseConv3d down = new SparseConv3d(wd.size(4), wd.size(0), k, ints(json, "stride"), ints(json, "padding"), null, false, "k", g);
                down.weight().data().copy_(wd);
                SparseInverseConv3d up = new SparseInverseConv3d(wu.size(4), wu.size(0), k, true, "k", g);
                up.weight().data().copy_(wu);
                up.bias().data().copy_(t.get(name + "/in4"));
                SparseTensor z = up.apply(down.apply(x));
                assertArrayEquals(idx.toIntArray(), z.indices().toIntArray());
                assertClose(t.get(name + "/out0"), z.features().data());
            }
            default -> fail("unknown op " + op + " in case " + name);
        }
    }

    private static void assertClose(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], TOL * (1 + Math.abs(e[i])), "element " + i);
    }

    private static String str(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": \"([^\"]*)\"").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return m.group(1);
    }

    private static int[] ints(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": (\\[[^]]*]|-?\\d+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        String v = m.group(1).replace("[", "").replace("]", "");
        return Arrays.stream(v.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }
}
