package fuse3d.nn.checkpoint;

import fuse3d.nn.Module;
import fuse3d.nn.Module.LoadReport;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.io.RawArray;
import fuse3d.tensor.io.TorchCheckpoint;
import fuse3d.tensor.io.TensorIO;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads checkpoints that OpenPCDet's training saves with torch.save ({@code {"model_state": state dict,
 * "optimizer_state": ..., "epoch": ..., "it": ..., "version": ...}}) into Fuse3D models, by parameter name.
 * Only the model weights are taken over: OpenPCDet's optimizer state belongs to torch's optimizer objects.
 */
public final class OpenPcdetCheckpoint {
    private OpenPcdetCheckpoint() {}

    /** The scalars of an OpenPCDet checkpoint; each is null when absent or not of the expected type. */
    public record Info(Long epoch, Long iteration, String version, List<String> keys) {}

    /**
     * Loads {@code model_state} into {@code model} by dotted name (dtypes converted). Strict: any missing,
     * unexpected or mis-shaped key fails the load, changing nothing; otherwise what matches is loaded and the
     * report lists the rest. A file without {@code model_state}, a truncated or corrupt file, and a strict
     * mismatch are IOExceptions whose message names the file (and the key).
     */
    public static LoadReport loadModel(Path file, Module model, boolean strict) throws IOException {
        // Reads only the tensors under model_state, not the optimizer's (about twice the model's size)
        Map<String, RawArray> raw = TorchCheckpoint.readStateDict(file, "model_state");
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (Map.Entry<String, RawArray> e : raw.entrySet()) state.put(e.getKey(), TensorIO.toTensor(e.getValue()));
        try {
            return model.loadStateDict(state, strict);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, "model_state", e.getMessage(), e);
        }
    }

    /** The epoch, iteration ({@code it}) and version of a checkpoint (this reads every tensor of the file). */
    public static Info readInfo(Path file) throws IOException {
        Map<String, Object> all = TorchCheckpoint.readObject(file);
        return new Info(all.get("epoch") instanceof Long l ? l : null, all.get("it") instanceof Long l ? l : null,
                all.get("version") instanceof String s ? s : null, List.copyOf(all.keySet()));
    }
}
