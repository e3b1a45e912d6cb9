package fuse3d.nn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.nn.Module;
import fuse3d.nn.Module.LoadReport;
import fuse3d.tensor.DType;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.io.ArrayFileException;
import fuse3d.tensor.io.RawArray;
import fuse3d.tensor.io.TorchCheckpoint;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenPCDet checkpoints into Fuse3D modules. openpcdet.pth (from tests/golden/gen_torch_checkpoints.py) holds
 * {"model_state", "optimizer_state", "epoch": 3, "it": 100, "version"} for Conv2d(2,3,3) - BatchNorm2d(3) -
 * ReLU - Flatten - Linear(12, 4); state_dict.pth is a bare state dict without those keys.
 */
class OpenPcdetCheckpointTest {
    @TempDir Path dir;

    static Path resource(String name) {
        try {
            return Path.of(OpenPcdetCheckpointTest.class.getResource("/checkpoint/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A module with one parameter or buffer per name, shaped as given. */
    static final class Leaf extends Module {
        Leaf(Map<String, int[]> params, Map<String, int[]> buffers) {
            params.forEach((k, s) -> registerParameter(k, Tensor.zeros(s)));
            buffers.forEach((k, s) -> registerBuffer(k, k.equals("num_batches_tracked") ? Tensor.zeros(DType.INT64, s) : Tensor.zeros(s)));
        }
    }

    /** The torch model's layout: children "0", "1", "4" (ReLU and Flatten hold nothing). */
    static final class Net extends Module {
        Net(int linearOut) {
            registerModule("0", new Leaf(Map.of("weight", new int[] {3, 2, 3, 3}), Map.of()));
            registerModule("1", new Leaf(ordered("weight", new int[] {3}, "bias", new int[] {3}),
                    ordered("running_mean", new int[] {3}, "running_var", new int[] {3}, "num_batches_tracked", new int[0])));
            registerModule("4", new Leaf(ordered("weight", new int[] {linearOut, 12}, "bias", new int[] {linearOut}), Map.of()));
        }
    }

    static Map<String, int[]> ordered(Object... kv) {
        Map<String, int[]> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (int[]) kv[i + 1]);
        return m;
    }

    @Test
    void loadsModelWeightsByName() throws IOException {
        Path f = resource("openpcdet.pth");
        Net net = new Net(4);
        LoadReport report = OpenPcdetCheckpoint.loadModel(f, net, true);
        assertTrue(report.clean(), report.toString());
        Map<String, RawArray> expected = TorchCheckpoint.readStateDict(f, "model_state");
        Map<String, Tensor> got = net.stateDict();
        assertEquals(expected.keySet(), got.keySet());
        for (String k : expected.keySet()) {
            RawArray e = expected.get(k);
            assertArrayEquals(e.shape(), got.get(k).shape(), k);
            if (e.dtype() == DType.INT64) assertArrayEquals(e.toLongArray(), got.get(k).toLongArray(), k);
            else assertArrayEquals(e.toFloatArray(), got.get(k).toFloatArray(), k);
        }

        OpenPcdetCheckpoint.Info info = OpenPcdetCheckpoint.readInfo(f);
        assertEquals(3L, info.epoch());
        assertEquals(100L, info.iteration());
        assertEquals("pcdet+0.6.0", info.version());
        assertEquals(List.of("epoch", "it", "model_state", "optimizer_state", "version"), info.keys());
    }

    @Test
    void missingModelStateNamesFileAndKey() {
        Path f = resource("state_dict.pth");
        ArrayFileException e = assertThrows(ArrayFileException.class, () -> OpenPcdetCheckpoint.loadModel(f, new Net(4), true));
        assertTrue(e.getMessage().startsWith(f + ": key 'model_state': is not in the top-level dict"), e.getMessage());
    }

    @Test
    void shapeMismatchStrictAndLenient() throws IOException {
        Path f = resource("openpcdet.pth");
        Net wrong = new Net(5);
        CheckpointException e = assertThrows(CheckpointException.class, () -> OpenPcdetCheckpoint.loadModel(f, wrong, true));
        assertTrue(e.getMessage().startsWith(f + ": model_state: load_state_dict (strict) into Net"), e.getMessage());
        assertTrue(e.getMessage().contains("4.weight: checkpoint [4, 12] vs model [5, 12]"), e.getMessage());
        assertEquals(0f, wrong.stateDict().get("0.weight").toFloatArray()[0], "strict failure loads nothing");

        LoadReport r = OpenPcdetCheckpoint.loadModel(f, wrong, false);
        assertEquals(List.of("4.weight: checkpoint [4, 12] vs model [5, 12]", "4.bias: checkpoint [4] vs model [5]"), r.mismatched());
        assertTrue(wrong.stateDict().get("0.weight").toFloatArray()[0] != 0f, "the rest is loaded");
    }

    @Test
    void truncatedFileNamesTheFile() throws IOException {
        byte[] bytes = Files.readAllBytes(resource("openpcdet.pth"));
        Path cut = dir.resolve("cut.pth");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        IOException e = assertThrows(IOException.class, () -> OpenPcdetCheckpoint.loadModel(cut, new Net(4), true));
        assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
    }
}
