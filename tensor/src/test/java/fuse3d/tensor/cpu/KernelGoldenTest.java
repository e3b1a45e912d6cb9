package fuse3d.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The array kernels against PyTorch 1.13 on the committed fixture tests/src/test/resources/golden/
 * conv_pool.safetensors (made by tests/golden/gen_conv_pool.py): one dynamic test per case.
 */
class KernelGoldenTest {

    static final Path FIXTURE = Path.of("..", "tests", "src", "test", "resources", "golden", "conv_pool.safetensors");

    /** One stored tensor: shape and data as float (F32) or long (I64). */
    record T(int[] shape, float[] f, long[] l) {
        int dim(int i) {
            return shape[i];
        }
    }

    static Map<String, T> tensors = new HashMap<>();
    static Map<String, JsonNode> meta = new HashMap<>();

    static void load() throws IOException {
        byte[] all = Files.readAllBytes(FIXTURE);
        ByteBuffer bb = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long hlen = bb.getLong();
        JsonNode header = new ObjectMapper().readTree(new String(all, 8, (int) hlen, java.nio.charset.StandardCharsets.UTF_8));
        int base = 8 + (int) hlen;
        ObjectMapper om = new ObjectMapper();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                for (Iterator<Map.Entry<String, JsonNode>> m = e.getValue().fields(); m.hasNext(); ) {
                    Map.Entry<String, JsonNode> c = m.next();
                    meta.put(c.getKey(), om.readTree(c.getValue().asText()));
                }
                continue;
            }
            JsonNode v = e.getValue();
            int[] shape = new int[v.get("shape").size()];
            int numel = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = v.get("shape").get(i).asInt();
                numel *= shape[i];
            }
            int start = base + v.get("data_offsets").get(0).asInt();
            ByteBuffer data = ByteBuffer.wrap(all, start, all.length - start).slice().order(ByteOrder.LITTLE_ENDIAN);
            switch (v.get("dtype").asText()) {
                case "F32" -> {
                    float[] f = new float[numel];
                    data.asFloatBuffer().get(f);
                    tensors.put(e.getKey(), new T(shape, f, null));
                }
                case "I64" -> {
                    long[] l = new long[numel];
                    data.asLongBuffer().get(l);
                    tensors.put(e.getKey(), new T(shape, null, l));
                }
                default -> throw new IllegalStateException("unexpected dtype " + v.get("dtype"));
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> everyCaseMatchesPyTorch() throws IOException {
        load();
        assertTrue(meta.size() >= 40, "fixture has " + meta.size() + " cases");
        return meta.keySet().stream().sorted().map(name -> DynamicTest.dynamicTest(name, () -> run(name)));
    }

    static int[] triple(JsonNode args, String key, int rank, int unit) {
        JsonNode v = args.get(key);
        int[] r = {unit, unit, unit};
        for (int i = 0; i < rank; i++) {
            int e = v.isArray() ? v.get(i).asInt() : v.asInt();
            r[3 - rank + i] = e;
        }
        return r;
    }

    static void close(float[] got, float[] expected, double rtol, double atol, String what) {
        assertEquals(expected.length, got.length, what + " size");
        for (int i = 0; i < got.length; i++) {
            double tol = atol + rtol * Math.abs(expected[i]);
            if (!(Math.abs(got[i] - expected[i]) <= tol)) {
                throw new AssertionError(what + " element " + i + ": " + got[i] + " vs torch " + expected[i]);
            }
        }
    }

    static void run(String name) {
        JsonNode m = meta.get(name);
        String op = m.get("op").asText();
        JsonNode args = m.get("args");
        T x = tensors.get(name + "/in0");
        T out0 = tensors.get(name + "/out0");
        T out1 = tensors.get(name + "/out1");
        switch (op) {
            case "matmul" -> close(matmul(x, tensors.get(name + "/in1")), out0.f(), 1e-5, 1e-5, name);
            case "conv1d", "conv2d", "conv3d", "conv_transpose2d", "conv_transpose3d" -> {
                int rank = x.shape().length - 2;
                T w = tensors.get(name + "/in1");
                T b = tensors.get(name + "/in2");
                int[] sp = spatial(x.shape());
                int[] k = spatial(w.shape());
                int groups = args.get("groups").asInt();
                float[] y;
                if (op.startsWith("conv_transpose")) {
                    y = ConvKernels.convTranspose3d(x.f(), x.dim(0), x.dim(1), sp[0], sp[1], sp[2], w.f(),
                            w.dim(1) * groups, k[0], k[1], k[2], b == null ? null : b.f(),
                            triple(args, "stride", rank, 1), triple(args, "padding", rank, 0),
                            triple(args, "output_padding", rank, 0), triple(args, "dilation", rank, 1), groups);
                } else {
                    y = ConvKernels.conv3d(x.f(), x.dim(0), x.dim(1), sp[0], sp[1], sp[2], w.f(), w.dim(0), k[0],
                            k[1], k[2], b == null ? null : b.f(), triple(args, "stride", rank, 1),
                            triple(args, "padding", rank, 0), triple(args, "dilation", rank, 1), groups);
                }
                close(y, out0.f(), 1e-4, 1e-4, name);
            }
            case "max_pool2d", "max_pool3d" -> {
                int rank = x.shape().length - 2;
                int[] sp = spatial(x.shape());
                PoolKernels.PoolResult r = PoolKernels.maxPool3d(x.f(), x.dim(0), x.dim(1), sp[0], sp[1], sp[2],
                        triple(args, "kernel_size", rank, 1), triple(args, "stride", rank, 1),
                        triple(args, "padding", rank, 0), triple(args, "dilation", rank, 1),
                        args.get("ceil_mode").asBoolean());
                assertArrayEquals(out0.f(), r.values(), name);
                assertArrayEquals(out1.l(), r.indices(), name);
                assertArrayEquals(spatial(out0.shape()), r.outSpatial(), name);
            }
            case "avg_pool2d", "avg_pool3d" -> {
                int rank = x.shape().length - 2;
                int[] sp = spatial(x.shape());
                JsonNode div = args.get("divisor_override");
                PoolKernels.PoolResult r = PoolKernels.avgPool3d(x.f(), x.dim(0), x.dim(1), sp[0], sp[1], sp[2],
                        triple(args, "kernel_size", rank, 1), triple(args, "stride", rank, 1),
                        triple(args, "padding", rank, 0), args.get("ceil_mode").asBoolean(),
                        args.get("count_include_pad").asBoolean(), div == null || div.isNull() ? 0 : div.asInt());
                close(r.values(), out0.f(), 1e-6, 1e-6, name);
                assertArrayEquals(spatial(out0.shape()), r.outSpatial(), name);
            }
            case "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool2d" -> {
                int rank = x.shape().length - 2;
                int[] sp = spatial(x.shape());
                int[] size = triple(args, "output_size", rank, 1);
                if (op.contains("max")) {
                    PoolKernels.PoolResult r = PoolKernels.adaptiveMaxPool3d(x.f(), x.dim(0), x.dim(1), sp[0], sp[1],
                            sp[2], size);
                    assertArrayEquals(out0.f(), r.values(), name);
                    assertArrayEquals(out1.l(), r.indices(), name);
                } else {
                    PoolKernels.PoolResult r = PoolKernels.adaptiveAvgPool3d(x.f(), x.dim(0), x.dim(1), sp[0], sp[1],
                            sp[2], size);
                    close(r.values(), out0.f(), 1e-6, 1e-6, name);
                }
            }
            default -> throw new AssertionError("no kernel for op " + op + " in case " + name);
        }
    }

    /** The trailing spatial dims of an [n, c, ...] shape as {d, h, w}, unit-padded in front. */
    static int[] spatial(int[] shape) {
        int[] r = {1, 1, 1};
        for (int i = 2; i < shape.length; i++) {
            r[3 - (shape.length - 2) + (i - 2)] = shape[i];
        }
        return r;
    }

    /** torch.matmul semantics on top of Sgemm: 1-D operands promoted, batch dims broadcast. */
    static float[] matmul(T a, T b) {
        int[] sa = a.shape().length == 1 ? new int[] {1, a.dim(0)} : a.shape();
        int[] sb = b.shape().length == 1 ? new int[] {b.dim(0), 1} : b.shape();
        int m = sa[sa.length - 2];
        int k = sa[sa.length - 1];
        int n = sb[sb.length - 1];
        int batchRank = Math.max(sa.length, sb.length) - 2;
        int[] batch = new int[batchRank];
        for (int i = 0; i < batchRank; i++) {
            int da = i - (batchRank - (sa.length - 2)) >= 0 ? sa[i - (batchRank - (sa.length - 2))] : 1;
            int db = i - (batchRank - (sb.length - 2)) >= 0 ? sb[i - (batchRank - (sb.length - 2))] : 1;
            batch[i] = Math.max(da, db);
        }
        int batches = 1;
        for (int v : batch) {
            batches *= v;
        }
        float[] c = new float[batches * m * n];
        List<Integer> offA = new ArrayList<>();
        List<Integer> offB = new ArrayList<>();
        for (int bi = 0; bi < batches; bi++) {
            int rem = bi;
            int oa = 0;
            int ob = 0;
            int strideA = m * k;
            int strideB = k * n;
            for (int i = batchRank - 1; i >= 0; i--) {
                int idx = rem % batch[i];
                rem /= batch[i];
                int ia = i - (batchRank - (sa.length - 2));
                int ib = i - (batchRank - (sb.length - 2));
                if (ia >= 0) {
                    oa += (sa[ia] == 1 ? 0 : idx) * strideA;
                    strideA *= sa[ia];
                }
                if (ib >= 0) {
                    ob += (sb[ib] == 1 ? 0 : idx) * strideB;
                    strideB *= sb[ib];
                }
            }
            offA.add(oa);
            offB.add(ob);
        }
        for (int bi = 0; bi < batches; bi++) {
            Sgemm.multiply(m, n, k, a.f(), offA.get(bi), k, 1, b.f(), offB.get(bi), n, 1, c, bi * m * n, n, false);
        }
        return c;
    }
}
