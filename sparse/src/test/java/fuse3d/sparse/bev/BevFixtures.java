package fuse3d.sparse.bev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.io.SafeTensors;
import fuse3d.tensor.io.TensorIO;
import fuse3d.tensor.testing.SampleData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Shared test inputs: the golden file written by tests/golden/sparse/gen_bev.py and the optional real sample data. */
final class BevFixtures {
    private BevFixtures() {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Map<String, Tensor> tensors;
    private static Map<String, String> meta;

    static synchronized Map<String, Tensor> golden() throws Exception {
        if (tensors == null) {
            Path file = Path.of(BevFixtures.class.getResource("/golden/bev.safetensors").toURI());
            tensors = TensorIO.readSafeTensors(file);
            meta = SafeTensors.readMetadata(file);
        }
        return tensors;
    }

    static Tensor golden(String name) throws Exception {
        Tensor t = golden().get(name);
        if (t == null) throw new IllegalStateException("golden/bev.safetensors has no tensor " + name);
        return t;
    }

    /** The case's args object. */
    static JsonNode args(String kase) throws Exception {
        golden();
        return JSON.readTree(meta.get(kase)).get("args");
    }

    static double[] doubles(JsonNode n) {
        double[] a = new double[n.size()];
        for (int i = 0; i < a.length; i++) a[i] = n.get(i).asDouble();
        return a;
    }

    /** A path in the real sample-data folder (never part of the project); empty when absent: tests then skip. */
    static Optional<Path> sharedData(String sub) { return SampleData.find(sub); }

    static final String NO_DATA = " not found: " + SampleData.missing("kitti, nuscenes");
}
