package fuse3d.sparse.bev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.io.SafeTensors;
import fuse3d.tensor.io.TensorIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

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

    /**
     * The shared real-data folder (KITTI frames, a nuScenes keyframe), which is not part of the project and never
     * copied into it; {@code -Dfuse3d.data.dir=...} points elsewhere. Empty when absent: tests then skip.
     */
    static Optional<Path> sharedData(String sub) {
        String prop = System.getProperty("fuse3d.data.dir");
        return Stream.of(prop, "/work/shared/data", "../shared/data", "shared/data")
                .filter(s -> s != null && !s.isEmpty()).map(s -> Path.of(s, sub)).filter(Files::exists).findFirst();
    }

    static final String NO_DATA = " not found under -Dfuse3d.data.dir, /work/shared/data, ../shared/data or shared/data"
            + " (the shared real-data folder is not mounted here, so this real-data check is skipped)";
}
