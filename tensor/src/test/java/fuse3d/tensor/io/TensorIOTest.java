package fuse3d.tensor.io;

import static fuse3d.tensor.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** Tensors survive safetensors and npy round trips with dtype, shape and values, views included. */
class TensorIOTest {
    @Property(tries = 20)
    void roundTrips(@ForAll long seed) throws Exception {
        Generator g = new Generator(seed);
        Map<String, Tensor> ts = new LinkedHashMap<>();
        ts.put("f", g.normal(0, 1, 3, 4).t());
        ts.put("d", g.normal(DType.FLOAT64, 0, 1, 2, 2));
        ts.put("i", g.randint(-9, 9, 5));
        ts.put("i32", g.randint(-9, 9, 2, 3).to(DType.INT32));
        ts.put("b", g.uniform(0, 1, 4).gt(0.5));
        ts.put("scalar", Tensor.scalar(2.5));
        Path dir = Files.createTempDirectory("fuse3d-io");
        try {
            Path f = dir.resolve("x.safetensors");
            TensorIO.writeSafeTensors(f, ts, Map.of("k", "v"));
            Map<String, Tensor> back = TensorIO.readSafeTensors(f);
            assertEquals(ts.keySet(), back.keySet());
            for (String k : ts.keySet()) {
                assertEquals(ts.get(k).dtype(), back.get(k).dtype(), k);
                assertClose(back.get(k), ts.get(k), 0, 0);
            }
            assertEquals("v", SafeTensors.readMetadata(f).get("k"));
            Path n = dir.resolve("x.npy");
            TensorIO.writeNpy(n, ts.get("f"));
            assertClose(TensorIO.readNpy(n), ts.get("f"), 0, 0);
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) Files.delete(p);
            }
            Files.delete(dir);
        }
    }
}
