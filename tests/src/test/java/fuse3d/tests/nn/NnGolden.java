package fuse3d.tests.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import fuse3d.autograd.Var;
import fuse3d.nn.Module;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.io.SafeTensors;
import fuse3d.tensor.io.TensorIO;
import fuse3d.tensor.testing.Closeness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One nn golden fixture file (tests/src/test/resources/golden-nn, written by tests/golden/nn/*.py with PyTorch
 * 1.13; names in tests/golden/nn/README.md): its tensors by slash-separated name, each case's JSON
 * configuration, and the one comparison rule all nn golden tests share.
 *
 * <p>The rule is |actual - expected| <= RTOL |expected| + ATOL max(1, max|expected|) per element. RTOL = 1e-4
 * is the bound the nn layers are held to. The absolute term exists only for elements at or near zero, where a
 * relative bound means nothing: an element that float32 sums of larger terms (a convolution over channels, a
 * gradient gathered through LayerNorm or BatchNorm) cancel down to ~0 keeps the rounding residue of those terms,
 * a few 1e-7 of the tensor's largest values, in any summation order, PyTorch's and ours alike. Hence ATOL = 1e-6
 * per unit of the tensor's largest magnitude (and 1e-6 flat for tensors within [-1, 1]). Measured against a
 * float64 evaluation of the same fixtures: ResNet-18 layer1 (largest value 10.3) is off by up to 4.3e-6 in
 * PyTorch's float32 and 6.7e-6 in ours, so an element of 0.0036 there differs by 2.6e-6 between the two; the
 * encoder layer's out_proj.weight gradient (largest 6.1) is off by 1.5e-6 in both.
 */
final class NnGolden {
    static final double RTOL = 1e-4;
    static final double ATOL = 1e-6;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String file;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    private NnGolden(String file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        this.file = file;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** A fixture file of golden-nn by its file name. */
    static NnGolden load(String name) {
        Path p = resource(name);
        try {
            return new NnGolden(name, TensorIO.readSafeTensors(p), SafeTensors.readMetadata(p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The path of a golden-nn resource (safetensors or .pth). */
    static Path resource(String name) {
        URL url = NnGolden.class.getResource("/golden-nn/" + name);
        if (url == null) throw new AssertionError("missing test resource golden-nn/" + name);
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    boolean has(String name) { return tensors.containsKey(name); }

    /** The tensor of that name; a name the fixture lacks fails the test (a typo must not pass silently). */
    Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new AssertionError(file + " has no tensor '" + name + "'");
        return t;
    }

    /** The tensor of that name, or null when the case does not use it (optional masks). */
    Tensor optional(String name) { return tensors.get(name); }

    /**
     * Every tensor named {@code prefix/<key>}, keyed by {@code <key>} in file order: a state dict under
     * {@code case/state}, gradients under {@code case/grad}. None at all fails, as a misspelled prefix.
     */
    Map<String, Tensor> under(String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        String p = prefix + "/";
        for (Map.Entry<String, Tensor> e : tensors.entrySet())
            if (e.getKey().startsWith(p) && !e.getKey().substring(p.length()).contains("/")) out.put(e.getKey().substring(p.length()), e.getValue());
        if (out.isEmpty()) throw new AssertionError(file + " has no tensors under '" + prefix + "/'");
        return out;
    }

    /** The case's configuration (module arguments etc.) from the file's __metadata__. */
    Map<String, Object> info(String caseName) {
        String json = metadata.get(caseName);
        if (json == null) throw new AssertionError(file + " has no metadata for case '" + caseName + "'");
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = JSON.readValue(json, Map.class);
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Case names whose metadata says {@code "module": module}. */
    List<String> casesOf(String module) {
        List<String> out = new ArrayList<>();
        for (String c : new TreeSet<>(metadata.keySet())) if (module.equals(info(c).get("module"))) out.add(c);
        return out;
    }

    // ------------------------------------------------------------------ comparisons

    /** The shared rule (see the class comment); integer and bool tensors must be equal. */
    static void assertClose(Tensor actual, Tensor expected, String what) {
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        double scale = 1;
        if (expected.dtype().isFloating()) for (double v : expected.toDoubleArray()) scale = Math.max(scale, Math.abs(v));
        Closeness.assertClose(actual, expected, RTOL, ATOL * scale, false, what);
    }

    /** Bit-for-bit equality, for values that are only copied (a checkpoint read and loaded), never computed. */
    static void assertExact(Tensor actual, Tensor expected, String what) {
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        Closeness.assertClose(actual, expected, 0, 0, false, what);
    }

    /** Strict load, as load_state_dict(strict=True): every key of the fixture's state and the model's must pair up. */
    static void loadStrict(Module model, Map<String, Tensor> state) {
        Module.LoadReport r = model.loadStateDict(state, true);
        assertTrue(r.clean(), "strict load reported " + r);
    }

    /**
     * Each parameter's .grad against {@code expected} by state-dict name; the two name sets must be the same,
     * so that a parameter PyTorch trains but we skip (or the reverse) fails. A parameter with no gradient
     * stands for zeros, as the fixtures store a gradient that never arrived (MultiheadAttention's out_proj
     * under a loss of the weights alone).
     */
    static void assertGrads(Module model, Map<String, Tensor> expected, String what) {
        Map<String, Var> params = model.namedParameters();
        assertEquals(new TreeSet<>(expected.keySet()), new TreeSet<>(params.keySet()), what + ": parameter names");
        for (Map.Entry<String, Var> p : params.entrySet()) {
            Tensor g = p.getValue().grad();
            if (g == null) g = Tensor.zeros(p.getValue().dtype(), p.getValue().shape());
            assertClose(g, expected.get(p.getKey()), what + " grad of " + p.getKey());
        }
    }

    /** Every entry of {@code expected} against the model's live state dict of the same name. */
    static void assertState(Module model, Map<String, Tensor> expected, String what) {
        Map<String, Tensor> own = model.stateDict();
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            Tensor mine = own.get(e.getKey());
            if (mine == null) throw new AssertionError(what + ": the model has no state entry " + e.getKey());
            assertClose(mine, e.getValue(), what + " " + e.getKey());
        }
    }

    /** The gradient a leaf received, or a failure naming the leaf when none arrived. */
    static Tensor gradOf(Var leaf, String what) {
        Tensor g = leaf.grad();
        if (g == null) throw new AssertionError(what + ": no gradient reached it");
        return g;
    }
}
