package fuse3d.data.occ3d;

import fuse3d.tensor.DType;
import fuse3d.tensor.io.ArrayFileException;
import fuse3d.tensor.io.Npy;
import fuse3d.tensor.io.RawArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One sample's semantic occupancy as an Occ3D {@code labels.npz} holds it: a label per voxel and, for ground
 * truth, the LiDAR and camera visibility masks.
 *
 * <p>Arrays are {@code [nx, ny, nz]} in C order (x-major; see {@link Occ3dGrid}). Labels are kept as unsigned
 * bytes (0..255, read with {@link #label(int)}): the released files store uint8, 0..16 semantic, 17 free, and
 * the official evaluator ignores any other value in the ground truth (255 marks unlabelled voxels in some
 * derivatives). Masks are {@code null} when the file has none (predictions).
 *
 * <p>On disk (read and written here): an {@code .npz} with {@code semantics}, {@code mask_lidar} and
 * {@code mask_camera}, each uint8 or bool (masks 0/1), deflated or stored, as the released data and
 * {@code np.savez[_compressed]} write them. Predictions carry their labels as {@code semantics}, or as
 * {@code pred} (GDFusion's {@code <scene>_<token>.npz}), or as a lone {@code arr_0} (SparseOcc's
 * {@code np.savez_compressed(path, pred)}). Every error names the file and the array.
 */
public record Occ3dLabels(int nx, int ny, int nz, byte[] semantics, boolean[] maskLidar, boolean[] maskCamera) {

    public Occ3dLabels {
        Objects.requireNonNull(semantics, "Occ3dLabels: semantics");
        long n = (long) nx * ny * nz;
        if (nx <= 0 || ny <= 0 || nz <= 0 || semantics.length != n)
            throw new IllegalArgumentException("Occ3dLabels: " + semantics.length + " labels for a " + nx + " x " + ny + " x " + nz + " grid");
        if (maskLidar != null && maskLidar.length != n)
            throw new IllegalArgumentException("Occ3dLabels: mask_lidar has " + maskLidar.length + " voxels, the grid " + n);
        if (maskCamera != null && maskCamera.length != n)
            throw new IllegalArgumentException("Occ3dLabels: mask_camera has " + maskCamera.length + " voxels, the grid " + n);
    }

    /** Labels only (a prediction), on the grid of {@code shape = [nx, ny, nz]}. */
    public static Occ3dLabels ofSemantics(int[] shape, byte[] semantics) {
        return new Occ3dLabels(shape[0], shape[1], shape[2], semantics, null, null);
    }

    /** The unsigned label of element {@code i}. */
    public int label(int i) { return semantics[i] & 0xff; }

    /** {@code [nx, ny, nz]}. */
    public int[] shape() { return new int[] {nx, ny, nz}; }

    /** Number of voxels. */
    public int size() { return semantics.length; }

    /** The same labels without masks. */
    public Occ3dLabels withoutMasks() { return new Occ3dLabels(nx, ny, nz, semantics, null, null); }

    // ------------------------------------------------------------------------------------------------------
    // Reading.

    /**
     * Reads a ground-truth {@code labels.npz}: {@code semantics}, {@code mask_lidar} and {@code mask_camera} must
     * all be present, 3-D and of one shape; other arrays (e.g. panoptic {@code instances}) are ignored.
     */
    public static Occ3dLabels read(Path file) throws IOException {
        Map<String, RawArray> arrays = Npy.readNpz(file);
        RawArray sem = require(file, arrays, "semantics");
        int[] shape = check3d(file, "semantics", sem);
        byte[] labels = labels(file, "semantics", sem, 255);
        boolean[] lidar = mask(file, arrays, "mask_lidar", shape);
        boolean[] camera = mask(file, arrays, "mask_camera", shape);
        return new Occ3dLabels(shape[0], shape[1], shape[2], labels, lidar, camera);
    }

    /**
     * Reads a prediction: labels under {@code semantics}, {@code pred} or a lone {@code arr_0}, each 0..17 (a
     * prediction has no "ignore" value; anything else is an error rather than a silently skewed confusion
     * matrix). Masks in the file, if any, are ignored: the ground truth's masks are the ones that count.
     */
    public static Occ3dLabels readPrediction(Path file) throws IOException {
        Map<String, RawArray> arrays = Npy.readNpz(file);
        String key;
        if (arrays.containsKey("semantics")) key = "semantics";
        else if (arrays.containsKey("pred")) key = "pred";
        else if (arrays.size() == 1 && arrays.containsKey("arr_0")) key = "arr_0";
        else throw new ArrayFileException(file, null, "has no prediction array: expected 'semantics' (Occ3D tree), 'pred' "
                    + "(GDFusion) or a lone 'arr_0'; found " + arrays.keySet());
        RawArray a = arrays.get(key);
        int[] shape = check3d(file, key, a);
        return ofSemantics(shape, labels(file, key, a, Occ3d.FREE));
    }

    private static RawArray require(Path file, Map<String, RawArray> arrays, String key) throws ArrayFileException {
        RawArray a = arrays.get(key);
        if (a == null) throw new ArrayFileException(file, null, "has no '" + key + "' array (an Occ3D labels.npz holds "
                + "semantics, mask_lidar and mask_camera); found " + arrays.keySet());
        return a;
    }

    private static int[] check3d(Path file, String key, RawArray a) throws ArrayFileException {
        int[] s = a.shape();
        if (s.length != 3 || s[0] == 0 || s[1] == 0 || s[2] == 0)
            throw new ArrayFileException(file, "array '" + key + "'", "shape " + Arrays.toString(s) + " is not a non-empty 3-D grid "
                    + "(Occ3D-nuScenes is [200, 200, 16])");
        return s;
    }

    /** Integer (or bool) labels as unsigned bytes, each in 0..max. */
    private static byte[] labels(Path file, String key, RawArray a, int max) throws ArrayFileException {
        String entry = "array '" + key + "'";
        if (a.dtype() == DType.FLOAT32 || a.dtype() == DType.FLOAT64)
            throw new ArrayFileException(file, entry, "labels must be integers, the array is " + a.dtype()
                    + " (take the argmax over classes before saving)");
        long[] v;
        try {
            v = a.toLongArray();
        } catch (IllegalArgumentException e) {
            throw new ArrayFileException(file, entry, e.getMessage(), e);
        }
        int[] s = a.shape();
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0 || v[i] > max) {
                int z = i % s[2], y = (i / s[2]) % s[1], x = i / (s[1] * s[2]);
                throw new ArrayFileException(file, entry, "voxel (" + x + ", " + y + ", " + z + ") (element " + i + ") has label " + v[i]
                        + ", outside 0.." + max + (max == Occ3d.FREE ? " (0..16 semantic, 17 free)" : ""));
            }
            out[i] = (byte) v[i];
        }
        return out;
    }

    private static boolean[] mask(Path file, Map<String, RawArray> arrays, String key, int[] shape) throws ArrayFileException {
        RawArray a = require(file, arrays, key);
        String entry = "array '" + key + "'";
        if (!Arrays.equals(a.shape(), shape))
            throw new ArrayFileException(file, entry, "shape " + Arrays.toString(a.shape()) + " differs from semantics' " + Arrays.toString(shape));
        try {
            return a.toBooleanArray();
        } catch (IllegalArgumentException e) {
            throw new ArrayFileException(file, entry, "a mask must hold only 0/1 or bool values: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Writing.

    /** Writes as the released data is: uint8 semantics and uint8 0/1 masks, deflated. */
    public void write(Path file) throws IOException {
        write(file, true, false);
    }

    /**
     * Writes {@code semantics} (uint8) and the masks present (uint8 0/1, or bool when {@code boolMasks}),
     * deflated when {@code compressed}; atomically (temporary file, then rename), creating missing directories.
     */
    public void write(Path file, boolean compressed, boolean boolMasks) throws IOException {
        createParent(file);
        Map<String, RawArray> arrays = new LinkedHashMap<>();
        Set<String> uint8 = new HashSet<>();
        arrays.put("semantics", RawArray.of(unsigned(semantics), shape()));
        uint8.add("semantics");
        if (maskLidar != null) arrays.put("mask_lidar", RawArray.of(maskLidar, shape()));
        if (maskCamera != null) arrays.put("mask_camera", RawArray.of(maskCamera, shape()));
        if (!boolMasks) {
            if (maskLidar != null) uint8.add("mask_lidar");
            if (maskCamera != null) uint8.add("mask_camera");
        }
        Npy.writeNpz(file, arrays, compressed, uint8);
    }

    /** Writes the labels alone as GDFusion's prediction files do: one uint8 array {@code pred}, deflated. */
    public void writeGdfusionPrediction(Path file) throws IOException {
        createParent(file);
        Npy.writeNpz(file, Map.of("pred", RawArray.of(unsigned(semantics), shape())), true, Set.of("pred"));
    }

    /** Writers create missing parent directories, so a whole Occ3D tree can be written sample by sample. */
    private static void createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) java.nio.file.Files.createDirectories(parent);
    }

    private static int[] unsigned(byte[] b) {
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) out[i] = b[i] & 0xff;
        return out;
    }

    // ------------------------------------------------------------------------------------------------------

    @Override
    public boolean equals(Object o) {
        return o instanceof Occ3dLabels l && nx == l.nx && ny == l.ny && nz == l.nz && Arrays.equals(semantics, l.semantics)
                && Arrays.equals(maskLidar, l.maskLidar) && Arrays.equals(maskCamera, l.maskCamera);
    }

    @Override
    public int hashCode() {
        return Objects.hash(nx, ny, nz, Arrays.hashCode(semantics), Arrays.hashCode(maskLidar), Arrays.hashCode(maskCamera));
    }

    @Override
    public String toString() {
        return "Occ3dLabels[" + nx + " x " + ny + " x " + nz + (maskLidar != null ? ", mask_lidar" : "")
                + (maskCamera != null ? ", mask_camera" : "") + "]";
    }
}
