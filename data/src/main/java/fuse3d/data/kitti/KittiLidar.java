package fuse3d.data.kitti;

import fuse3d.tensor.DType;
import fuse3d.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Velodyne scans ({@code velodyne/000000.bin}): little-endian float32 records of x, y, z, reflectance in the
 * LiDAR frame (x forward, y left, z up), read into a float32 tensor [N, features]. The GT database's point files
 * use the same layout.
 */
public final class KittiLidar {
    private KittiLidar() {}

    /** Features per KITTI point: x, y, z, reflectance. */
    public static final int FEATURES = 4;

    /** Reads a scan of {@link #FEATURES} floats per point. */
    public static Tensor read(Path file) throws IOException { return read(file, FEATURES); }

    /**
     * Reads a scan of {@code features} floats per point; a length that is not a whole number of points, or a
     * non-finite value, is a {@link KittiFormatException} naming the byte offset.
     */
    public static Tensor read(Path file, int features) throws IOException {
        if (features < 3) throw new IllegalArgumentException("KittiLidar.read: features must be >= 3, got " + features);
        byte[] bytes = KittiFiles.readBytes(file);
        int record = features * 4;
        if (bytes.length % record != 0)
            throw KittiFormatException.atByte(file, bytes.length - bytes.length % record, "file length " + bytes.length
                    + " is not a multiple of " + record + " bytes (" + features + " float32 per point): " + bytes.length % record + " trailing bytes");
        float[] v = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        for (int i = 0; i < v.length; i++)
            if (!Float.isFinite(v[i]))
                throw KittiFormatException.atByte(file, 4L * i, "point " + i / features + " feature " + i % features + " is " + v[i]);
        return Tensor.ofFloats(v, v.length / features, features);
    }

    /** Writes points [N, C] as float32 records of C values, atomically. */
    public static void write(Path file, Tensor points) throws IOException {
        if (points.dim() != 2 || !points.dtype().isFloating())
            throw new IllegalArgumentException("KittiLidar.write: expected floating [N, C] points, got " + points.dtype() + " "
                    + java.util.Arrays.toString(points.shape()));
        float[] v = (points.dtype() == DType.FLOAT32 ? points : points.to(DType.FLOAT32)).contiguous().toFloatArray();
        KittiFiles.writeAtomically(file, out -> {
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : v) {
                if (!buf.hasRemaining()) {
                    out.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                buf.putFloat(f);
            }
            out.write(buf.array(), 0, buf.position());
        });
    }
}
