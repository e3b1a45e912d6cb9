package fuse3d.tensor.io;

import fuse3d.tensor.DType;
import fuse3d.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Conversions between file arrays ({@link RawArray}) and tensors, and tensor-level file helpers. */
public final class TensorIO {
    private TensorIO() {}

    /** A tensor holding a copy of the array's values, in the array's dtype. */
    public static Tensor toTensor(RawArray a) {
        int[] s = a.shape();
        return switch (a.dtype()) {
            case FLOAT32 -> Tensor.of(a.toFloatArray(), s);
            case FLOAT64 -> Tensor.of(a.toDoubleArray(), s);
            case INT32 -> Tensor.ofInts(a.toIntArray(), s);
            case INT64 -> Tensor.ofLongs(a.toLongArray(), s);
            case BOOL -> Tensor.ofBools(a.toBooleanArray(), s);
        };
    }

    /** The tensor's values as a little-endian array in its dtype. */
    public static RawArray toRaw(Tensor t) {
        int[] s = t.shape();
        return switch (t.dtype()) {
            case FLOAT32 -> RawArray.of(t.toFloatArray(), s);
            case FLOAT64 -> RawArray.of(t.toDoubleArray(), s);
            case INT32 -> RawArray.of(t.toIntArray(), s);
            case INT64 -> RawArray.of(t.toLongArray(), s);
            case BOOL -> RawArray.of(t.toBoolArray(), s);
        };
    }

    /** Every tensor of a safetensors file, in header order. */
    public static Map<String, Tensor> readSafeTensors(Path file) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, RawArray> e : SafeTensors.read(file).entrySet()) out.put(e.getKey(), toTensor(e.getValue()));
        return out;
    }

    /** Writes tensors (atomically: a temp file moved into place) with optional string metadata. */
    public static void writeSafeTensors(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Map<String, RawArray> raw = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) raw.put(e.getKey(), toRaw(e.getValue()));
        SafeTensors.write(file, raw, metadata == null ? Map.of() : metadata);
    }

    /** The state dict of a PyTorch checkpoint (torch.save, zip or legacy format) as tensors; see {@link TorchCheckpoint}. */
    public static Map<String, Tensor> readTorchStateDict(Path file) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, RawArray> e : TorchCheckpoint.readStateDict(file).entrySet()) out.put(e.getKey(), toTensor(e.getValue()));
        return out;
    }

    public static Tensor readNpy(Path file) throws IOException { return toTensor(Npy.read(file)); }

    public static void writeNpy(Path file, Tensor t) throws IOException { Npy.write(file, toRaw(t)); }

    public static Map<String, Tensor> readNpz(Path file) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, RawArray> e : Npy.readNpz(file).entrySet()) out.put(e.getKey(), toTensor(e.getValue()));
        return out;
    }

    /** Float data of a checkpoint-style tensor converted to the working dtype (F16/BF16 arrive as float32). */
    public static Tensor toTensor(RawArray a, DType dtype) { return toTensor(a).to(dtype); }
}
