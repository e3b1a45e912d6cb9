package fuse3d.data.nuscenes;

import fuse3d.tensor.Tensor;
import fuse3d.tensor.io.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * nuScenes radar files: PCD v0.7 with a text header and {@code DATA binary} records of the Continental ARS 408's 18
 * fields (x, y, z, dyn_prop, id, rcs, vx, vy, vx_comp, vy_comp, is_quality_valid, ambig_state, x_rms, y_rms,
 * invalid_state, pdh0, vx_rms, vy_rms), read into float32 [N, 18] in that column order.
 *
 * <p>As the devkit's {@code RadarPointCloud.from_file}: an empty cloud is stored as one point of NaNs (the format
 * needs WIDTH &gt; 0), and the default filters keep invalid_state 0, dyn_prop 0..6 and ambig_state 3 only. The
 * writer ends the binary block with a newline, because the devkit's reader insists on bytes after the last record.
 */
public final class RadarPointCloud {
    private RadarPointCloud() {}

    public static final List<String> FIELDS = List.of("x", "y", "z", "dyn_prop", "id", "rcs", "vx", "vy", "vx_comp", "vy_comp",
            "is_quality_valid", "ambig_state", "x_rms", "y_rms", "invalid_state", "pdh0", "vx_rms", "vy_rms");
    static final int[] SIZES = {4, 4, 4, 1, 2, 4, 4, 4, 4, 4, 1, 1, 1, 1, 1, 1, 1, 1};
    static final char[] TYPES = {'F', 'F', 'F', 'I', 'I', 'F', 'F', 'F', 'F', 'F', 'I', 'I', 'I', 'I', 'I', 'I', 'I', 'I'};
    /** Bytes per point. */
    public static final int RECORD_BYTES = Arrays.stream(SIZES).sum();

    /** Column indexes of the fields the filters read. */
    public static final int DYN_PROP = 3, AMBIG_STATE = 11, INVALID_STATE = 14;

    /** Which returns to keep, by their state fields (the devkit's class-level filter settings). */
    public record Filter(Set<Integer> invalidStates, Set<Integer> dynPropStates, Set<Integer> ambigStates) {
        /** The devkit's defaults: valid clusters (invalid_state 0), dyn_prop 0..6, unambiguous Doppler (ambig_state 3). */
        public static Filter defaults() { return new Filter(Set.of(0), Set.of(0, 1, 2, 3, 4, 5, 6), Set.of(3)); }

        /** Keeps every return (the devkit's {@code disable_filters}). */
        public static Filter none() { return new Filter(null, null, null); }

        boolean keep(float[] v, int o) {
            return (invalidStates == null || invalidStates.contains((int) v[o + INVALID_STATE]))
                    && (dynPropStates == null || dynPropStates.contains((int) v[o + DYN_PROP]))
                    && (ambigStates == null || ambigStates.contains((int) v[o + AMBIG_STATE]));
        }
    }

    /** Reads every return, unfiltered, as float32 [N, 18]. */
    public static Tensor read(Path file) throws IOException { return read(file, Filter.none()); }

    /** Reads the returns that pass {@code filter} as float32 [N, 18]. */
    public static Tensor read(Path file, Filter filter) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NuScenesFormatException(file, null, "radar file not found");
        }
        // Header: text lines up to and including DATA.
        int pos = 0, lineNo = 0, width = -1, height = -1, points = -1;
        boolean data = false;
        while (!data) {
            int end = pos;
            while (end < bytes.length && bytes[end] != '\n') end++;
            if (end >= bytes.length) throw new NuScenesFormatException(file, NuScenesFormatException.line(lineNo + 1, 0), "header ends before a DATA line");
            String line = new String(bytes, pos, end - pos, StandardCharsets.US_ASCII).strip();
            lineNo++;
            pos = end + 1;
            String where = NuScenesFormatException.line(lineNo, 0);
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] t = line.split("\\s+");
            List<String> vals = Arrays.asList(t).subList(1, t.length);
            switch (t[0]) {
                case "VERSION" -> {
                    if (!vals.equals(List.of("0.7")) && !vals.equals(List.of(".7")))
                        throw new NuScenesFormatException(file, where, "unsupported PCD VERSION " + vals + ", expected 0.7");
                }
                case "FIELDS" -> {
                    if (!vals.equals(FIELDS)) throw new NuScenesFormatException(file, where, "FIELDS " + vals + " are not nuScenes' 18 radar fields " + FIELDS);
                }
                case "SIZE" -> expect(file, where, "SIZE", vals, Arrays.stream(SIZES).mapToObj(String::valueOf).toList());
                case "TYPE" -> expect(file, where, "TYPE", vals, new String(TYPES).chars().mapToObj(c -> String.valueOf((char) c)).toList());
                case "COUNT" -> expect(file, where, "COUNT", vals, java.util.Collections.nCopies(FIELDS.size(), "1"));
                case "WIDTH" -> width = positiveInt(file, where, "WIDTH", vals);
                case "HEIGHT" -> {
                    height = positiveInt(file, where, "HEIGHT", vals);
                    if (height != 1) throw new NuScenesFormatException(file, where, "HEIGHT " + height + ": only unorganised clouds (HEIGHT 1) are supported");
                }
                case "VIEWPOINT" -> { /* always identity in nuScenes; not used */ }
                case "POINTS" -> points = positiveInt(file, where, "POINTS", vals);
                case "DATA" -> {
                    if (!vals.equals(List.of("binary")))
                        throw new NuScenesFormatException(file, where, "DATA " + vals + ": only 'binary' is supported (nuScenes' radar format)");
                    data = true;
                }
                default -> throw new NuScenesFormatException(file, where, "unknown PCD header keyword '" + t[0] + "'");
            }
        }
        if (width < 0 || height < 0) throw new NuScenesFormatException(file, NuScenesFormatException.line(lineNo, 0), "header lacks WIDTH or HEIGHT");
        if (points >= 0 && points != width * height)
            throw new NuScenesFormatException(file, NuScenesFormatException.line(lineNo, 0), "POINTS " + points + " != WIDTH x HEIGHT " + width * height);
        int n = width;
        long need = (long) n * RECORD_BYTES;
        if (bytes.length - pos < need)
            throw new NuScenesFormatException(file, NuScenesFormatException.bytes(bytes.length),
                    "binary data holds " + (bytes.length - pos) + " bytes, " + n + " points need " + need + " (truncated file?)");
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int cols = FIELDS.size();
        float[] v = new float[n * cols];
        int o = pos;
        for (int i = 0; i < n; i++)
            for (int f = 0; f < cols; f++) {
                v[i * cols + f] = switch (SIZES[f]) {
                    case 4 -> b.getFloat(o);
                    case 2 -> b.getShort(o);
                    default -> b.get(o);
                };
                if (Float.isInfinite(v[i * cols + f]))
                    throw new NuScenesFormatException(file, NuScenesFormatException.bytes(o), "infinite value in point " + i + ", field " + FIELDS.get(f));
                o += SIZES[f];
            }
        // The devkit's convention: a NaN anywhere in the first point marks an empty cloud.
        for (int f = 0; f < cols && n > 0; f++) if (Float.isNaN(v[f])) return Tensor.zeros(0, cols);
        for (int i = 0; i < n; i++)
            for (int f = 0; f < cols; f++)
                if (Float.isNaN(v[i * cols + f]))
                    throw new NuScenesFormatException(file, NuScenesFormatException.bytes(pos + (long) i * RECORD_BYTES),
                            "NaN in point " + i + ", field " + FIELDS.get(f) + " (only the first point may be NaN, marking an empty cloud)");
        float[] kept = new float[v.length];
        int m = 0;
        for (int i = 0; i < n; i++)
            if (filter.keep(v, i * cols)) System.arraycopy(v, i * cols, kept, cols * m++, cols);
        return Tensor.of(Arrays.copyOf(kept, m * cols), m, cols);
    }

    private static void expect(Path file, String where, String key, List<String> got, List<String> want) throws NuScenesFormatException {
        if (!got.equals(want)) throw new NuScenesFormatException(file, where, key + " " + got + " differs from nuScenes' radar layout " + want);
    }

    private static int positiveInt(Path file, String where, String key, List<String> vals) throws NuScenesFormatException {
        try {
            if (vals.size() != 1) throw new NumberFormatException();
            int v = Integer.parseInt(vals.get(0));
            if (v < 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new NuScenesFormatException(file, where, key + " must be one non-negative integer, got " + vals);
        }
    }

    /**
     * Writes float [N, 18] returns as a PCD v0.7 binary file through a temporary file. Integer fields must hold
     * integral values in their type's range (int8, or int16 for {@code id}); an empty cloud is written as one NaN point.
     */
    public static void write(Path file, Tensor returns) throws IOException {
        int[] s = returns.shape();
        int cols = FIELDS.size();
        if (s.length != 2 || s[1] != cols || !returns.dtype().isFloating())
            throw new IllegalArgumentException("RadarPointCloud.write: expected floating returns [N, 18] in the order " + FIELDS + ", got "
                    + returns.dtype().torchName() + " " + Arrays.toString(s));
        float[] v = returns.contiguous().toFloatArray();
        int n = s[0];
        boolean empty = n == 0;
        if (empty) {
            v = new float[cols];
            Arrays.fill(v, Float.NaN);
            n = 1;
        }
        for (int i = 0; i < s[0]; i++)
            for (int f = 0; f < cols; f++) {
                float x = v[i * cols + f];
                if (TYPES[f] == 'I') {
                    int lim = SIZES[f] == 1 ? Byte.MAX_VALUE : Short.MAX_VALUE;
                    if (x != Math.rint(x) || x > lim || x < -lim - 1)
                        throw new IllegalArgumentException("RadarPointCloud.write: return " + i + " field " + FIELDS.get(f) + " = " + x
                                + " is not an int" + (SIZES[f] * 8));
                } else if (!Float.isFinite(x))
                    throw new IllegalArgumentException("RadarPointCloud.write: return " + i + " field " + FIELDS.get(f) + " = " + x + " is not finite");
            }
        StringBuilder h = new StringBuilder();
        h.append("# .PCD v0.7 - Point Cloud Data file format\n");
        h.append("VERSION 0.7\n");
        h.append("FIELDS ").append(String.join(" ", FIELDS)).append('\n');
        h.append("SIZE");
        for (int z : SIZES) h.append(' ').append(z);
        h.append("\nTYPE");
        for (char c : TYPES) h.append(' ').append(c);
        h.append("\nCOUNT");
        for (int k = 0; k < cols; k++) h.append(" 1");
        h.append("\nWIDTH ").append(n).append("\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS ").append(n).append("\nDATA binary\n");
        ByteBuffer b = ByteBuffer.allocate(n * RECORD_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++)
            for (int f = 0; f < cols; f++) {
                float x = v[i * cols + f];
                switch (SIZES[f]) {
                    case 4 -> b.putFloat(x);
                    case 2 -> b.putShort(empty ? 0 : (short) x);
                    default -> b.put(empty ? 0 : (byte) x);
                }
            }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(h.toString().getBytes(StandardCharsets.US_ASCII));
        all.writeBytes(b.array());
        all.write('\n');
        AtomicFiles.write(file, out -> all.writeTo(out));
    }

}
