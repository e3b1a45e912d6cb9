package fuse3d.tensor.io;

import fuse3d.tensor.DType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Reads and writes NumPy's {@code .npy} files and {@code .npz} archives as {@link RawArray}s.
 *
 * <p>Reading accepts format versions 1.0, 2.0 and 3.0, little- and big-endian data, and
 * {@code fortran_order: True} (transposed into C order on the way in). Element types and what they become:
 * <ul>
 *   <li>{@code f4}, {@code f8}, {@code i4}, {@code i8}, {@code b1}: FLOAT32, FLOAT64, INT32, INT64, BOOL;</li>
 *   <li>{@code f2} (float16): FLOAT32, exactly;</li>
 *   <li>{@code i1}, {@code u1}, {@code i2}, {@code u2}: INT32 (widened exactly; there is no 8- or 16-bit
 *       DType). In particular <b>uint8 reads as INT32</b>: Occ3D's {@code labels.npz} stores its semantic
 *       labels and its 0/1 camera/LiDAR masks as uint8, so they arrive as INT32 and
 *       {@link RawArray#toBooleanArray()} turns a mask into booleans;</li>
 *   <li>{@code u4}: INT64.</li>
 * </ul>
 * Other types (uint64, complex, strings, objects, structured dtypes) are rejected with an
 * {@link ArrayFileException}. Writing always produces format 1.0 (2.0 if the header would not fit),
 * little-endian, C order, with the header laid out byte for byte as NumPy 1.24's {@code np.save} does.
 * An {@code .npz} writer may store chosen INT32/BOOL arrays as uint8 ({@code |u1}), as Occ3D's labels are.
 *
 * <p>An {@code .npz} is a zip archive of {@code <name>.npy} entries; stored ({@code np.savez}) and deflated
 * ({@code np.savez_compressed}) entries are both read. Every error is an {@link ArrayFileException} naming
 * the file, the entry and the problem; every write goes to a temporary file renamed over the target
 * atomically, so a crash never leaves a partial file behind.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Headers longer than this are refused as corrupt (NumPy itself refuses more than 10,000 by default). */
    static final int MAX_HEADER_LENGTH = 1 << 20;
    /** NumPy pads the header so the data starts on this boundary. */
    private static final int ALIGN = 64;
    /** NumPy 1.24 leaves room for the leading dimension to grow to this many digits. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    private Npy() {}

    // ------------------------------------------------------------------------------------------------------
    // .npy

    /** Reads one {@code .npy} file. */
    public static RawArray read(Path file) throws IOException {
        long size = fileSize(file);
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, size, file.toString(), null);
        }
    }

    /**
     * Reads one {@code .npy} from a stream that ends where the array ends (e.g. a zip entry); {@code source}
     * names the stream in error messages.
     */
    public static RawArray read(InputStream in, String source) throws IOException {
        return read(in, -1, source, null);
    }

    /** Writes {@code array} as a {@code .npy} file, atomically. */
    public static void write(Path file, RawArray array) throws IOException {
        Objects.requireNonNull(array, "array");
        AtomicFiles.write(file, out -> write(out, array));
    }

    /** Writes {@code array} in {@code .npy} format to a stream (no atomicity; the stream is not closed). */
    public static void write(OutputStream out, RawArray array) throws IOException {
        out.write(header(array));
        ByteBuffer data = array.data();
        if (data.hasArray()) {
            out.write(data.array(), data.arrayOffset(), data.remaining());
        } else {
            byte[] chunk = new byte[Math.min(data.remaining(), 1 << 16)];
            while (data.hasRemaining()) {
                int n = Math.min(chunk.length, data.remaining());
                data.get(chunk, 0, n);
                out.write(chunk, 0, n);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // .npz

    /**
     * Reads every array of an {@code .npz}, keyed by entry name without the {@code .npy} suffix, in the
     * archive's order. An entry that is not a {@code .npy} file is an error.
     */
    public static Map<String, RawArray> readNpz(Path file) throws IOException {
        fileSize(file); // a missing file is reported as such, not as a bad zip
        Map<String, RawArray> out = new LinkedHashMap<>();
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new ArrayFileException(file, null, "not a valid .npz (zip) archive: " + e.getMessage(), e);
        } catch (java.io.EOFException e) {
            // A zip cut short before its end-of-central-directory record fails here, not as a ZipException.
            throw new ArrayFileException(file, null, "not a valid .npz (zip) archive: ends before its central directory", e);
        }
        try (zip) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory()) continue;
                String entry = "entry '" + e.getName() + "'";
                if (!e.getName().endsWith(".npy"))
                    throw new ArrayFileException(file, entry, "is not a .npy file (an .npz holds only <name>.npy entries)");
                String key = e.getName().substring(0, e.getName().length() - 4);
                if (out.containsKey(key)) throw new ArrayFileException(file, entry, "appears twice in the archive");
                try (InputStream in = zip.getInputStream(e)) {
                    out.put(key, read(in, e.getSize(), file.toString(), entry));
                } catch (ZipException ex) {
                    throw new ArrayFileException(file, entry, "cannot be unpacked: " + ex.getMessage(), ex);
                } catch (java.io.EOFException ex) {
                    throw new ArrayFileException(file, entry, "compressed data ends early: " + ex.getMessage(), ex);
                }
            }
        }
        return out;
    }

    /**
     * Writes {@code arrays} as an {@code .npz} ({@code <name>.npy} entries in map order), deflated when
     * {@code compressed} (like {@code np.savez_compressed}), stored otherwise (like {@code np.savez});
     * atomically. Entry timestamps are fixed so equal inputs give equal files.
     */
    public static void writeNpz(Path file, Map<String, RawArray> arrays, boolean compressed) throws IOException {
        writeNpz(file, arrays, compressed, Set.of());
    }

    /**
     * As {@link #writeNpz(Path, Map, boolean)}, but the arrays named in {@code asUint8} are stored as uint8
     * ({@code |u1}), the way datasets such as Occ3D store labels and 0/1 masks; they must be INT32 or BOOL with
     * every value in 0..255 (checked before anything is written). Reading them back gives INT32, as for any
     * uint8 file.
     */
    public static void writeNpz(Path file, Map<String, RawArray> arrays, boolean compressed, Set<String> asUint8) throws IOException {
        Objects.requireNonNull(arrays, "arrays");
        Objects.requireNonNull(asUint8, "asUint8");
        for (Map.Entry<String, RawArray> e : arrays.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty())
                throw new ArrayFileException(file, null, "array names must be non-empty");
            if (e.getValue() == null) throw new ArrayFileException(file, "array '" + e.getKey() + "'", "is null");
        }
        for (String name : asUint8) {
            if (!arrays.containsKey(name))
                throw new ArrayFileException(file, "array '" + name + "'", "is to be stored as uint8 but is not among the arrays " + arrays.keySet());
            uint8Bytes(file, name, arrays.get(name)); // range check up front, so a bad value leaves no file behind
        }
        AtomicFiles.write(file, raw -> {
            ZipOutputStream zip = new ZipOutputStream(raw, StandardCharsets.UTF_8);
            for (Map.Entry<String, RawArray> e : arrays.entrySet()) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                if (asUint8.contains(e.getKey())) {
                    bytes.write(header(e.getValue().shape(), "|u1"));
                    bytes.write(uint8Bytes(file, e.getKey(), e.getValue()));
                } else {
                    write(bytes, e.getValue());
                }
                byte[] npy = bytes.toByteArray();
                ZipEntry ze = new ZipEntry(e.getKey() + ".npy");
                ze.setTimeLocal(LocalDateTime.of(1980, 1, 1, 0, 0));
                if (compressed) {
                    ze.setMethod(ZipEntry.DEFLATED);
                } else {
                    // Stored entries need their size and CRC up front (no data descriptor for STORED).
                    CRC32 crc = new CRC32();
                    crc.update(npy);
                    ze.setMethod(ZipEntry.STORED);
                    ze.setSize(npy.length);
                    ze.setCompressedSize(npy.length);
                    ze.setCrc(crc.getValue());
                }
                zip.putNextEntry(ze);
                zip.write(npy);
                zip.closeEntry();
            }
            zip.finish(); // not close(): AtomicFiles owns the underlying stream
        });
    }

    // ------------------------------------------------------------------------------------------------------
    // Reading.

    private static long fileSize(Path file) throws IOException {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            throw new ArrayFileException(file, null, "file does not exist", e);
        }
    }

    /** Element type as stored: size in bytes, byte order, and the DType it becomes. */
    private record StoredType(String descr, char kind, int size, ByteOrder order, DType dtype) {}

    /** Parsed header: type, shape and layout. */
    private record Header(StoredType type, int[] shape, boolean fortran) {}

    /**
     * Reads one array; {@code available} is the number of bytes the stream holds if known (a file's size, a
     * zip entry's uncompressed size) so that a corrupt shape is caught before a huge allocation, else -1.
     */
    private static RawArray read(InputStream in, long available, String file, String entry) throws IOException {
        byte[] magic = in.readNBytes(8);
        if (magic.length < 8) throw new ArrayFileException(file, entry, "too short to be a .npy file (" + magic.length + " bytes)");
        for (int i = 0; i < MAGIC.length; i++)
            if (magic[i] != MAGIC[i]) throw new ArrayFileException(file, entry, "not a .npy file (the magic string \\x93NUMPY is missing)");
        int major = magic[6] & 0xff, minor = magic[7] & 0xff;
        if (minor != 0 || major < 1 || major > 3)
            throw new ArrayFileException(file, entry, "unsupported .npy format version " + major + "." + minor + " (1.0, 2.0 and 3.0 are read)");
        int lenBytes = major == 1 ? 2 : 4;
        byte[] lb = in.readNBytes(lenBytes);
        if (lb.length < lenBytes) throw new ArrayFileException(file, entry, "ends inside the header length field");
        ByteBuffer lbb = ByteBuffer.wrap(lb).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = major == 1 ? lbb.getShort() & 0xffff : lbb.getInt() & 0xffffffffL;
        if (headerLen > MAX_HEADER_LENGTH)
            throw new ArrayFileException(file, entry, "header length " + headerLen + " is not sane (more than " + MAX_HEADER_LENGTH + " bytes)");
        long prefix = 8 + lenBytes;
        if (available >= 0 && prefix + headerLen > available)
            throw new ArrayFileException(file, entry, "header length " + headerLen + " runs past the end of the data (" + available + " bytes in all)");
        byte[] hb = in.readNBytes((int) headerLen);
        if (hb.length < headerLen)
            throw new ArrayFileException(file, entry, "ends inside the header (" + hb.length + " of " + headerLen + " bytes)");
        // Versions 1 and 2 store the header in latin-1, version 3 in UTF-8.
        String text = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Header h = parseHeader(text, file, entry);

        long numel = RawArray.numelOf(h.shape);
        long nbytes = numel * h.type.size;
        if (nbytes > Integer.MAX_VALUE - 16)
            throw new ArrayFileException(file, entry, "array of " + nbytes + " bytes is too large for one buffer");
        if (available >= 0 && prefix + headerLen + nbytes > available)
            throw new ArrayFileException(file, entry, "truncated: shape " + java.util.Arrays.toString(h.shape) + " of "
                    + h.type.descr + " needs " + nbytes + " data bytes, only " + (available - prefix - headerLen) + " present");
        byte[] raw = in.readNBytes((int) nbytes);
        if (raw.length < nbytes)
            throw new ArrayFileException(file, entry, "truncated: shape " + java.util.Arrays.toString(h.shape) + " of "
                    + h.type.descr + " needs " + nbytes + " data bytes, only " + raw.length + " present");
        if (in.read() >= 0)
            throw new ArrayFileException(file, entry, "has bytes after the " + nbytes + " bytes of array data");
        ByteBuffer data = convert(raw, h.type, (int) numel);
        if (h.fortran && h.shape.length > 1) data = fortranToC(data, h.shape, h.type.dtype.byteSize());
        try {
            return new RawArray(h.type.dtype, h.shape, data);
        } catch (IllegalArgumentException e) {
            throw new ArrayFileException(file, entry, e.getMessage(), e);
        }
    }

    private static Header parseHeader(String text, String file, String entry) throws ArrayFileException {
        Object parsed;
        try {
            parsed = new PyLiteral(text).parseAll();
        } catch (IllegalArgumentException e) {
            throw new ArrayFileException(file, entry, "header is not a Python literal: " + e.getMessage() + " in " + quote(text));
        }
        if (!(parsed instanceof Map<?, ?> d))
            throw new ArrayFileException(file, entry, "header is not a dictionary: " + quote(text));
        if (!d.keySet().equals(Set.of("descr", "fortran_order", "shape")))
            throw new ArrayFileException(file, entry, "header must have exactly the keys descr, fortran_order, shape; has " + d.keySet());
        Object descr = d.get("descr");
        if (!(descr instanceof String s))
            throw new ArrayFileException(file, entry, "descr " + descr + " is not supported (structured dtypes are not)");
        StoredType type = storedType(s, file, entry);
        if (!(d.get("fortran_order") instanceof Boolean fortran))
            throw new ArrayFileException(file, entry, "fortran_order must be True or False, is " + d.get("fortran_order"));
        if (!(d.get("shape") instanceof PyTuple(List<Object> dims)))
            throw new ArrayFileException(file, entry, "shape must be a tuple, is " + d.get("shape"));
        int[] shape = new int[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof BigInteger b) || b.signum() < 0 || b.bitLength() > 31)
                throw new ArrayFileException(file, entry, "shape " + d.get("shape") + " has an invalid dimension " + dims.get(i));
            shape[i] = b.intValue();
        }
        try {
            RawArray.numelOf(shape);
        } catch (IllegalArgumentException e) {
            throw new ArrayFileException(file, entry, e.getMessage());
        }
        return new Header(type, shape, fortran);
    }

    private static String quote(String header) {
        String t = header.strip();
        return "\"" + (t.length() > 200 ? t.substring(0, 200) + "..." : t) + "\"";
    }

    private static StoredType storedType(String descr, String file, String entry) throws ArrayFileException {
        if (descr.length() < 3) throw new ArrayFileException(file, entry, "unsupported dtype descr '" + descr + "'");
        char bo = descr.charAt(0);
        ByteOrder order = switch (bo) {
            case '<', '|' -> ByteOrder.LITTLE_ENDIAN; // '|' (not applicable) only occurs with 1-byte types
            case '>' -> ByteOrder.BIG_ENDIAN;
            case '=' -> ByteOrder.nativeOrder();
            default -> null;
        };
        String code = descr.substring(1);
        DType dtype = switch (code) {
            case "f4", "f2" -> DType.FLOAT32;
            case "f8" -> DType.FLOAT64;
            case "i4", "i2", "i1", "u2", "u1" -> DType.INT32;
            case "i8", "u4" -> DType.INT64;
            case "b1" -> DType.BOOL;
            default -> null;
        };
        if (order == null || dtype == null) {
            String why = code.equals("u8") ? " (uint64 values may not fit int64)" : "";
            throw new ArrayFileException(file, entry, "unsupported dtype descr '" + descr + "'" + why
                    + "; supported: f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 b1, either byte order");
        }
        return new StoredType(descr, code.charAt(0), code.charAt(1) - '0', order, dtype);
    }

    /** Converts stored elements to the little-endian bytes of their DType. */
    private static ByteBuffer convert(byte[] raw, StoredType t, int n) {
        ByteBuffer src = ByteBuffer.wrap(raw).order(t.order);
        boolean sameLayout = t.size == t.dtype.byteSize() && t.kind != 'u';
        if (sameLayout && t.order == ByteOrder.LITTLE_ENDIAN) {
            if (t.dtype == DType.BOOL) for (int i = 0; i < n; i++) raw[i] = raw[i] != 0 ? (byte) 1 : 0;
            return ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        }
        ByteBuffer dst = ByteBuffer.allocate(n * t.dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.kind + "" + t.size) {
            case "f2" -> { for (int i = 0; i < n; i++) dst.putFloat(4 * i, Float.float16ToFloat(src.getShort(2 * i))); }
            case "f4" -> { for (int i = 0; i < n; i++) dst.putFloat(4 * i, src.getFloat(4 * i)); }
            case "f8" -> { for (int i = 0; i < n; i++) dst.putDouble(8 * i, src.getDouble(8 * i)); }
            case "i1" -> { for (int i = 0; i < n; i++) dst.putInt(4 * i, src.get(i)); }
            case "u1" -> { for (int i = 0; i < n; i++) dst.putInt(4 * i, src.get(i) & 0xff); }
            case "i2" -> { for (int i = 0; i < n; i++) dst.putInt(4 * i, src.getShort(2 * i)); }
            case "u2" -> { for (int i = 0; i < n; i++) dst.putInt(4 * i, src.getShort(2 * i) & 0xffff); }
            case "i4" -> { for (int i = 0; i < n; i++) dst.putInt(4 * i, src.getInt(4 * i)); }
            case "u4" -> { for (int i = 0; i < n; i++) dst.putLong(8 * i, src.getInt(4 * i) & 0xffffffffL); }
            case "i8" -> { for (int i = 0; i < n; i++) dst.putLong(8 * i, src.getLong(8 * i)); }
            case "b1" -> { for (int i = 0; i < n; i++) dst.put(i, raw[i] != 0 ? (byte) 1 : 0); }
            default -> throw new AssertionError(t);
        }
        return dst;
    }

    /**
     * Reorders column-major elements into row-major order. Walks the output in C order with an odometer over
     * the multi-index, keeping the matching Fortran offset up to date incrementally.
     */
    static ByteBuffer fortranToC(ByteBuffer src, int[] shape, int elemSize) {
        int nd = shape.length;
        int n = src.capacity() / elemSize;
        ByteBuffer dst = ByteBuffer.allocate(src.capacity()).order(ByteOrder.LITTLE_ENDIAN);
        if (n == 0) return dst;
        long[] fStride = new long[nd];
        long s = 1;
        for (int k = 0; k < nd; k++) {
            fStride[k] = s;
            s *= shape[k];
        }
        int[] idx = new int[nd];
        long off = 0;
        for (int c = 0; c < n; c++) {
            int from = (int) off * elemSize, to = c * elemSize;
            switch (elemSize) {
                case 1 -> dst.put(to, src.get(from));
                case 4 -> dst.putInt(to, src.getInt(from));
                case 8 -> dst.putLong(to, src.getLong(from));
                default -> throw new AssertionError(elemSize);
            }
            for (int k = nd - 1; k >= 0; k--) {
                off += fStride[k];
                if (++idx[k] < shape[k]) break;
                off -= fStride[k] * shape[k];
                idx[k] = 0;
            }
        }
        return dst;
    }

    // ------------------------------------------------------------------------------------------------------
    // Writing.

    private static String descr(DType t) {
        return switch (t) {
            case FLOAT32 -> "<f4";
            case FLOAT64 -> "<f8";
            case INT32 -> "<i4";
            case INT64 -> "<i8";
            case BOOL -> "|b1";
        };
    }

    /** The elements of an INT32 or BOOL array as uint8 bytes; any value outside 0..255 is an error. */
    private static byte[] uint8Bytes(Path file, String name, RawArray a) throws ArrayFileException {
        String entry = "array '" + name + "'";
        if (a.dtype() != DType.INT32 && a.dtype() != DType.BOOL)
            throw new ArrayFileException(file, entry, "only INT32 or BOOL arrays can be stored as uint8, not " + a.dtype());
        int n = a.numel();
        byte[] out = new byte[n];
        ByteBuffer d = a.data();
        for (int i = 0; i < n; i++) {
            int v = a.dtype() == DType.BOOL ? d.get(i) : d.getInt(4 * i);
            if (v < 0 || v > 255)
                throw new ArrayFileException(file, entry, "element " + i + " is " + v + ", outside uint8's 0..255");
            out[i] = (byte) v;
        }
        return out;
    }

    /** The magic, version, length and padded header dictionary, as NumPy 1.24's np.save lays them out. */
    static byte[] header(RawArray a) {
        return header(a.shape(), descr(a.dtype()));
    }

    private static byte[] header(int[] shape, String descr) {
        StringBuilder dict = new StringBuilder("{'descr': '").append(descr)
                .append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) dict.append(", ");
            dict.append(shape[i]);
        }
        if (shape.length == 1) dict.append(',');
        dict.append("), }");
        // Spare spaces so that the leading dimension can later be rewritten in place with more digits.
        if (shape.length > 0) dict.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length()));
        byte[] body = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
        int major = 1;
        int prefix = 10;
        int total = paddedLength(prefix, body.length);
        if (total - prefix > 0xffff) {
            major = 2;
            prefix = 12;
            total = paddedLength(prefix, body.length);
        }
        ByteBuffer out = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) out.putShort((short) (total - prefix));
        else out.putInt(total - prefix);
        out.put(body);
        while (out.position() < total - 1) out.put((byte) ' ');
        out.put((byte) '\n');
        return out.array();
    }

    /** NumPy pads with 1..ALIGN spaces (never zero) plus the final newline up to the alignment boundary. */
    private static int paddedLength(int prefix, int bodyLength) {
        int unpadded = prefix + bodyLength + 1;
        return unpadded + (ALIGN - unpadded % ALIGN);
    }

    // ------------------------------------------------------------------------------------------------------
    // The header's Python literal syntax.

    /** A Python tuple (kept apart from lists because NumPy requires the shape to be a tuple). */
    private record PyTuple(List<Object> items) {
        @Override
        public String toString() { return items.toString().replace('[', '(').replace(']', ')'); }
    }

    /**
     * A recursive-descent parser for the literals NumPy headers use: dicts, tuples, lists, quoted strings,
     * integers (Python 2's {@code 123L} included), True, False and None. Integers come back as BigInteger,
     * dicts as LinkedHashMap; anything else is an IllegalArgumentException.
     */
    private static final class PyLiteral {
        private final String s;
        private int pos;

        PyLiteral(String s) { this.s = s; }

        Object parseAll() {
            Object v = value();
            skipSpace();
            if (pos != s.length()) throw error("unexpected text after the literal");
            return v;
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException(what + " at character " + pos);
        }

        private void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
        }

        private boolean eat(char c) {
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        private Object value() {
            skipSpace();
            if (pos >= s.length()) throw error("unexpected end");
            char c = s.charAt(pos);
            if (c == '{') return dict();
            if (c == '(') return new PyTuple(sequence(')'));
            if (c == '[') return sequence(']');
            if (c == '\'' || c == '"') return string();
            if (c == '-' || c == '+' || Character.isDigit(c)) return integer();
            if (Character.isLetter(c)) return word();
            throw error("unexpected character '" + c + "'");
        }

        private Map<String, Object> dict() {
            pos++; // '{'
            Map<String, Object> m = new LinkedHashMap<>();
            while (!eat('}')) {
                Object k = value();
                if (!(k instanceof String key)) throw error("dictionary key " + k + " is not a string");
                if (!eat(':')) throw error("expected ':'");
                if (m.put(key, value()) != null) throw error("duplicate key '" + key + "'");
                if (!eat(',')) {
                    if (!eat('}')) throw error("expected ',' or '}'");
                    break;
                }
            }
            return m;
        }

        private List<Object> sequence(char close) {
            pos++; // '(' or '['
            List<Object> items = new ArrayList<>();
            while (!eat(close)) {
                items.add(value());
                if (!eat(',')) {
                    if (!eat(close)) throw error("expected ',' or '" + close + "'");
                    break;
                }
            }
            return items;
        }

        private String string() {
            char q = s.charAt(pos++);
            StringBuilder b = new StringBuilder();
            while (true) {
                if (pos >= s.length()) throw error("unterminated string");
                char c = s.charAt(pos++);
                if (c == q) return b.toString();
                if (c == '\\') {
                    if (pos >= s.length()) throw error("unterminated string");
                    b.append(s.charAt(pos++)); // dtype strings never need more than \\ and \' unescaped
                } else {
                    b.append(c);
                }
            }
        }

        private BigInteger integer() {
            int start = pos;
            if (s.charAt(pos) == '-' || s.charAt(pos) == '+') pos++;
            int digits = pos;
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
            if (pos == digits) throw error("expected digits");
            BigInteger v = new BigInteger(s.substring(start, pos));
            if (pos < s.length() && (s.charAt(pos) == 'L' || s.charAt(pos) == 'l')) pos++; // Python 2 long
            return v;
        }

        private Object word() {
            int start = pos;
            while (pos < s.length() && Character.isLetterOrDigit(s.charAt(pos))) pos++;
            String w = s.substring(start, pos);
            return switch (w) {
                case "True" -> Boolean.TRUE;
                case "False" -> Boolean.FALSE;
                case "None" -> null;
                default -> throw error("unknown name '" + w + "'");
            };
        }
    }
}
