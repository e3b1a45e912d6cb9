package fuse3d.data.nuscenes;

import fuse3d.tensor.Tensor;
import fuse3d.tensor.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * nuScenes LiDAR files ({@code .pcd.bin}): little-endian float32 records of 5 values per point, x, y, z (metres,
 * sensor frame), intensity and ring index, with no header.
 */
public final class LidarPointCloud {
    private LidarPointCloud() {}

    /** Values per point on disk. */
    public static final int DIMS = 5;

    /**
     * Reads a {@code .pcd.bin} as float32 [N, 5]. A length that is not a whole number of points, or a non-finite
     * value, is a {@link NuScenesFormatException} naming the byte offset.
     */
    public static Tensor read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NuScenesFormatException(file, null, "LiDAR file not found");
        }
        int rec = DIMS * Float.BYTES;
        if (bytes.length % rec != 0)
            throw new NuScenesFormatException(file, NuScenesFormatException.bytes(bytes.length - bytes.length % rec),
                    "file length " + bytes.length + " is not a multiple of " + rec + " bytes (5 float32 per point): truncated or not a nuScenes .pcd.bin");
        int n = bytes.length / rec;
        float[] v = new float[n * DIMS];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        for (int i = 0; i < v.length; i++)
            if (!Float.isFinite(v[i]))
                throw new NuScenesFormatException(file, NuScenesFormatException.bytes((long) i * Float.BYTES),
                        "non-finite value " + v[i] + " in point " + (i / DIMS) + ", column " + (i % DIMS));
        return Tensor.of(v, n, DIMS);
    }

    /** Writes float [N, 5] points as a {@code .pcd.bin} through a temporary file. */
    public static void write(Path file, Tensor points) throws IOException {
        int[] s = points.shape();
        if (s.length != 2 || s[1] != DIMS || !points.dtype().isFloating())
            throw new IllegalArgumentException("LidarPointCloud.write: expected floating points [N, 5] (x, y, z, intensity, ring), got "
                    + points.dtype().torchName() + " " + java.util.Arrays.toString(s));
        float[] v = points.contiguous().toFloatArray();
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        AtomicFiles.write(file, out -> out.write(b.array()));
    }
}
