package fuse3d.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Compares {@link Interpolate} and {@link GridSample} with PyTorch 1.13 on every case of the golden file
 * written by tests/golden/gen_resample.py (float32, rtol 1e-5, atol 1e-5).
 */
class ResampleGoldenTest {
    private static final Path FIXTURE = Path.of("..", "tests", "src", "test", "resources", "golden",
            "resample.safetensors");
    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-5;

    @TestFactory
    List<DynamicTest> everyCaseMatchesPyTorch() throws IOException {
        Assumptions.assumeTrue(Files.isRegularFile(FIXTURE), "golden fixture " + FIXTURE.toAbsolutePath()
                + " is absent (run /usr/bin/python3 tests/golden/gen_resample.py from the repository root)");
        Fixture fx = Fixture.read(FIXTURE);
        assertTrue(fx.cases.size() >= 100, "expected the full fixture, found " + fx.cases.size() + " cases");
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : fx.cases.entrySet()) {
            String name = e.getKey();
            tests.add(DynamicTest.dynamicTest(name, () -> runCase(fx, name, e.getValue())));
        }
        return tests;
    }

    private static void runCase(Fixture fx, String name, JsonNode meta) {
        String op = meta.get("op").asText();
        JsonNode args = meta.get("args");
        switch (op) {
            case "interpolate", "interpolate_backward" -> runInterpolate(fx, name, op, args);
            case "grid_sample", "grid_sample_backward" -> runGridSample(fx, name, op, args);
            default -> fail(name + ": unknown op " + op);
        }
    }

    private static void runInterpolate(Fixture fx, String name, String op, JsonNode args) {
        Tensor x = fx.tensor(name + "/in0");
        int n = x.shape[0];
        int c = x.shape[1];
        int[] in = Arrays.copyOfRange(x.shape, 2, x.shape.length);
        InterpMode mode = InterpMode.fromTorch(args.get("mode").asText());
        JsonNode ac = args.get("align_corners");
        boolean align = ac != null && !ac.isNull() && ac.asBoolean();
        int[] out;
        double[] scales = null;
        if (args.hasNonNull("size")) {
            out = perAxisInts(args.get("size"), in.length);
        } else {
            scales = perAxisDoubles(args.get("scale_factor"), in.length);
            out = Interpolate.outputSize(in, scales);
        }
        if (op.equals("interpolate")) {
            Tensor y = fx.tensor(name + "/out0");
            assertArrayEquals(y.shape, concat(n, c, out), name + ": output shape");
            compare(name, y.data, Interpolate.interpolate(x.data, n, c, in, out, mode, align, scales));
        } else {
            Tensor g = fx.tensor(name + "/in1");
            assertArrayEquals(g.shape, concat(n, c, out), name + ": grad_out shape");
            compare(name, fx.tensor(name + "/out0").data,
                    Interpolate.interpolateBackward(g.data, n, c, in, out, mode, align, scales));
        }
    }

    private static void runGridSample(Fixture fx, String name, String op, JsonNode args) {
        Tensor x = fx.tensor(name + "/in0");
        Tensor grid = fx.tensor(name + "/in1");
        int n = x.shape[0];
        int c = x.shape[1];
        int[] in = Arrays.copyOfRange(x.shape, 2, x.shape.length);
        int[] out = Arrays.copyOfRange(grid.shape, 1, grid.shape.length - 1);
        SampleMode mode = SampleMode.fromTorch(args.get("mode").asText());
        PaddingMode padding = PaddingMode.fromTorch(args.get("padding_mode").asText());
        boolean align = args.get("align_corners").asBoolean();
        if (op.equals("grid_sample")) {
            compare(name, fx.tensor(name + "/out0").data,
                    GridSample.gridSample(x.data, n, c, in, grid.data, out, mode, padding, align));
        } else {
            Tensor g = fx.tensor(name + "/in2");
            float[][] grads = GridSample.gridSampleBackward(g.data, x.data, grid.data, n, c, in, out, mode,
                    padding, align);
            compare(name + " grad_input", fx.tensor(name + "/out0").data, grads[0]);
            compare(name + " grad_grid", fx.tensor(name + "/out1").data, grads[1]);
        }
    }

    private static void compare(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": element count");
        int bad = 0;
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            if (!(Math.abs(a - e) <= ATOL + RTOL * Math.abs(e)) && !(Double.isNaN(e) && Double.isNaN(a))) {
                if (bad++ < 5) {
                    first.append(String.format(" [%d] got %s expected %s;", i, a, e));
                }
            }
        }
        if (bad > 0) {
            fail(what + ": " + bad + " of " + expected.length + " elements differ:" + first);
        }
    }

    private static int[] perAxisInts(JsonNode v, int rank) {
        int[] r = new int[rank];
        for (int i = 0; i < rank; i++) {
            r[i] = v.isArray() ? v.get(i).asInt() : v.asInt();
        }
        return r;
    }

    private static double[] perAxisDoubles(JsonNode v, int rank) {
        double[] r = new double[rank];
        for (int i = 0; i < rank; i++) {
            r[i] = v.isArray() ? v.get(i).asDouble() : v.asDouble();
        }
        return r;
    }

    private static int[] concat(int n, int c, int[] spatial) {
        int[] r = new int[spatial.length + 2];
        r[0] = n;
        r[1] = c;
        System.arraycopy(spatial, 0, r, 2, spatial.length);
        return r;
    }

    private record Tensor(int[] shape, float[] data) {}

    /**
     * A minimal safetensors reader for this test: an 8-byte little-endian header length, a JSON header
     * mapping names to dtype/shape/data_offsets (plus __metadata__), then the raw little-endian data.
     */
    private record Fixture(Map<String, JsonNode> cases, JsonNode header, ByteBuffer data) {
        static Fixture read(Path path) throws IOException {
            byte[] bytes = Files.readAllBytes(path);
            ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            long headerLen = buf.getLong(0);
            if (headerLen <= 0 || headerLen > bytes.length - 8) {
                throw new IOException(path + ": bad safetensors header length " + headerLen);
            }
            String json = new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8);
            ObjectMapper mapper = new ObjectMapper();
            JsonNode header = mapper.readTree(json);
            Map<String, JsonNode> cases = new TreeMap<>();
            JsonNode meta = header.get("__metadata__");
            for (Iterator<Map.Entry<String, JsonNode>> it = meta.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                cases.put(e.getKey(), mapper.readTree(e.getValue().asText()));
            }
            ByteBuffer data = ByteBuffer.wrap(bytes, 8 + (int) headerLen, bytes.length - 8 - (int) headerLen)
                    .slice().order(ByteOrder.LITTLE_ENDIAN);
            return new Fixture(new LinkedHashMap<>(cases), header, data);
        }

        Tensor tensor(String name) {
            JsonNode t = header.get(name);
            if (t == null) {
                fail("fixture has no tensor " + name);
            }
            assertEquals("F32", t.get("dtype").asText(), name + ": dtype");
            int[] shape = new int[t.get("shape").size()];
            int count = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.get("shape").get(i).asInt();
                count *= shape[i];
            }
            int begin = t.get("data_offsets").get(0).asInt();
            int end = t.get("data_offsets").get(1).asInt();
            assertEquals(count * 4, end - begin, name + ": byte count");
            float[] v = new float[count];
            for (int i = 0; i < count; i++) {
                v[i] = data.getFloat(begin + 4 * i);
            }
            return new Tensor(shape, v);
        }
    }
}
