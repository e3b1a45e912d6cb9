package fuse3d.tensor.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.io.SafeTensors;
import fuse3d.tensor.io.TensorIO;
import fuse3d.tensor.ops.Args;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the golden-fixture layout that the generators' {@code golden_common.py} writes: a safetensors file whose
 * {@code __metadata__} maps each case name to {@code {"op": ..., "args": {...}}}, with the case's tensors stored
 * as {@code <case>/in0, in1, ...} and {@code <case>/out0, out1, ...}. Every golden test reads its file here.
 */
public final class GoldenCases {
    private static final ObjectMapper JSON = new ObjectMapper();

    private GoldenCases() {}

    /**
     * One case. {@code inputs} in order; when the args carry a {@code "tensors"} list (optional inputs named by the
     * generator), {@link #named()} maps those names to the inputs.
     */
    public record Case(String file, String name, String op, Args args, List<Tensor> inputs, List<Tensor> outputs) {
        /** The inputs by the names listed in args "tensors" (empty when the generator gave none). */
        public Map<String, Tensor> named() {
            Map<String, Tensor> m = new LinkedHashMap<>();
            Object names = args.values().get("tensors");
            if (names instanceof List<?> l) for (int i = 0; i < l.size() && i < inputs.size(); i++) m.put(String.valueOf(l.get(i)), inputs.get(i));
            return m;
        }
    }

    /** Every case of one file, sorted by name. */
    public static List<Case> read(Path file) throws IOException {
        Map<String, Tensor> tensors = TensorIO.readSafeTensors(file);
        List<Case> cases = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(SafeTensors.readMetadata(file)).entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> spec = JSON.readValue(e.getValue(), Map.class);
            @SuppressWarnings("unchecked")
            Map<String, Object> args = (Map<String, Object>) spec.getOrDefault("args", Map.of());
            cases.add(new Case(file.getFileName().toString(), e.getKey(), (String) spec.get("op"), new Args(args),
                    numbered(tensors, e.getKey() + "/in"), numbered(tensors, e.getKey() + "/out")));
        }
        return cases;
    }

    private static List<Tensor> numbered(Map<String, Tensor> tensors, String prefix) {
        List<Tensor> r = new ArrayList<>();
        for (int i = 0; tensors.containsKey(prefix + i); i++) r.add(tensors.get(prefix + i));
        return r;
    }
}
