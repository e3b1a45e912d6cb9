package fuse3d.tensor.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fuse3d.tensor.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads and writes Hugging Face safetensors files as {@link RawArray}s.
 *
 * <p>Layout: an unsigned little-endian 64-bit header length N, N bytes of UTF-8 JSON mapping each tensor
 * name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative to the data section)
 * plus an optional {@code "__metadata__"} object of string values, then the data section.
 *
 * <p>Reading validates everything before any tensor is read: a sane header length, well-formed JSON
 * (duplicate keys and trailing garbage rejected), exactly the three fields per tensor, non-negative shapes,
 * byte ranges whose size matches shape × dtype size, and ranges that tile the data section exactly (in
 * offset order, starting at 0, no overlap, no gap, nothing after the last one, nothing missing). Every
 * failure is an {@link ArrayFileException} naming the file, the tensor and the problem.
 *
 * <p>dtypes read: F32, F64, I32, I64 and BOOL as themselves; U8, I8, I16, U16 widened to INT32; U32 widened to
 * INT64; F16 and BF16 converted exactly to FLOAT32. Written: the five {@link DType}s (F32, F64, I32, I64,
 * BOOL), in map order, with the header padded with spaces to a multiple of 8 bytes as the reference
 * implementation does; the file is written to a temporary sibling and renamed over the target atomically.
 */
public final class SafeTensors {
    /** Headers above this size are treated as corruption (the reference implementation's limit is 100 MB). */
    static final long MAX_HEADER_LENGTH = 100L * 1000 * 1000;
    private static final String METADATA = "__metadata__";
    private static final Set<String> FIELDS = Set.of("dtype", "shape", "data_offsets");

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private SafeTensors() {}

    /** One tensor's header entry: stored dtype name, shape, and absolute [begin, end) within the data section. */
    private record Entry(String name, String dtype, int[] shape, long begin, long end) {}

    /** The parsed and validated header. */
    private record Header(List<Entry> entries, Map<String, String> metadata, long dataStart) {}

    /** Reads every tensor, in header order. */
    public static Map<String, RawArray> read(Path file) throws IOException {
        try (FileChannel ch = open(file)) {
            Header h = readHeader(ch, file);
            Map<String, RawArray> out = new LinkedHashMap<>();
            for (Entry e : h.entries) out.put(e.name, readTensor(ch, file, h.dataStart, e));
            return out;
        }
    }

    /** Reads only the {@code __metadata__} map (empty if absent); the whole header is still validated. */
    public static Map<String, String> readMetadata(Path file) throws IOException {
        try (FileChannel ch = open(file)) {
            return readHeader(ch, file).metadata;
        }
    }

    /**
     * Writes {@code tensors} (in map order) and {@code metadata} (may be null or empty: then no
     * {@code __metadata__} entry is written) to {@code file}, atomically.
     */
    public static void write(Path file, Map<String, RawArray> tensors, Map<String, String> metadata) throws IOException {
        Objects.requireNonNull(tensors, "tensors");
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject(METADATA);
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null)
                    throw new ArrayFileException(file, "metadata", "keys and values must not be null");
                m.put(e.getKey(), e.getValue());
            }
        }
        long offset = 0;
        for (Map.Entry<String, RawArray> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || name.isEmpty()) throw new ArrayFileException(file, null, "tensor names must be non-empty");
            if (name.equals(METADATA)) throw new ArrayFileException(file, "tensor '" + name + "'", "the name is reserved");
            RawArray a = Objects.requireNonNull(e.getValue(), name);
            ObjectNode t = header.putObject(name);
            t.put("dtype", dtypeName(a.dtype()));
            ArrayNode shape = t.putArray("shape");
            for (int d : a.shape()) shape.add(d);
            long size = a.data().remaining();
            t.putArray("data_offsets").add(offset).add(offset + size);
            offset += size;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) & ~7; // the data section then starts 8-byte aligned
        byte[] head = Arrays.copyOf(json, padded);
        Arrays.fill(head, json.length, padded, (byte) ' ');
        AtomicFiles.write(file, out -> {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(head);
            for (RawArray a : tensors.values()) {
                ByteBuffer d = a.data();
                byte[] chunk = new byte[Math.min(d.remaining(), 1 << 16)];
                while (d.hasRemaining()) {
                    int n = Math.min(chunk.length, d.remaining());
                    d.get(chunk, 0, n);
                    out.write(chunk, 0, n);
                }
            }
        });
    }

    private static String dtypeName(DType t) {
        return switch (t) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case INT32 -> "I32";
            case INT64 -> "I64";
            case BOOL -> "BOOL";
        };
    }

    // ------------------------------------------------------------------------------------------------------
    // Reading.

    private static FileChannel open(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ArrayFileException(file, null, "file does not exist", e);
        }
    }

    /** Size in bytes of one stored element, or -1 for a dtype this reader does not support. */
    private static int storedSize(String dtype) {
        return switch (dtype) {
            case "F64", "I64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "U8", "I8", "BOOL" -> 1;
            default -> -1;
        };
    }

    private static Header readHeader(FileChannel ch, Path file) throws IOException {
        long size = ch.size();
        if (size < 8) throw new ArrayFileException(file, "header", "file is " + size + " bytes, too short for the 8-byte header length");
        ByteBuffer lenBuf = readFully(ch, 0, 8, file, "header").order(ByteOrder.LITTLE_ENDIAN);
        long n = lenBuf.getLong(0);
        if (n < 2 || n > MAX_HEADER_LENGTH) // unsigned values above 2^63 read as negative here
            throw new ArrayFileException(file, "header", "header length " + Long.toUnsignedString(n)
                    + " is not sane (must be 2.." + MAX_HEADER_LENGTH + " bytes)");
        if (8 + n > size)
            throw new ArrayFileException(file, "header", "header length " + n + " runs past the end of the file ("
                    + size + " bytes): truncated or not a safetensors file");
        ByteBuffer raw = readFully(ch, 8, (int) n, file, "header");
        String text;
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(raw);
            text = chars.toString();
        } catch (CharacterCodingException e) {
            throw new ArrayFileException(file, "header", "header is not valid UTF-8", e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ArrayFileException(file, "header", "header is not well-formed JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject())
            throw new ArrayFileException(file, "header", "header is not a JSON object");

        long dataStart = 8 + n;
        long dataLen = size - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals(METADATA)) {
                readMetadataNode(f.getValue(), file, metadata);
            } else {
                entries.add(entry(f.getKey(), f.getValue(), file, dataLen));
            }
        }

        // The byte ranges must tile [0, dataLen) exactly; checked in offset order so that the message names
        // the two tensors involved in an overlap or a gap.
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        String previous = null;
        for (Entry e : byOffset) {
            String where = "tensor '" + e.name + "'";
            if (e.begin < expected)
                throw new ArrayFileException(file, where, "data_offsets [" + e.begin + ", " + e.end + "] overlap tensor '"
                        + previous + "', which ends at " + expected);
            if (e.begin > expected)
                throw new ArrayFileException(file, where, "data_offsets [" + e.begin + ", " + e.end + "] leave a gap of "
                        + (e.begin - expected) + " bytes after " + (previous == null ? "the start of the data" : "tensor '" + previous + "'"));
            expected = e.end;
            previous = e.name;
        }
        if (expected != dataLen)
            throw new ArrayFileException(file, previous == null ? "data" : "tensor '" + previous + "'",
                    "the data section has " + dataLen + " bytes but the tensors end at byte " + expected
                            + " (" + (dataLen - expected) + " unexplained bytes at the end of the file)");
        return new Header(entries, metadata, dataStart);
    }

    private static void readMetadataNode(JsonNode m, Path file, Map<String, String> out) throws ArrayFileException {
        if (!m.isObject()) throw new ArrayFileException(file, METADATA, "must be a JSON object of strings");
        for (Map.Entry<String, JsonNode> e : m.properties()) {
            if (!e.getValue().isTextual())
                throw new ArrayFileException(file, METADATA, "value of '" + e.getKey() + "' is not a string: " + e.getValue());
            out.put(e.getKey(), e.getValue().textValue());
        }
    }

    private static Entry entry(String name, JsonNode t, Path file, long dataLen) throws ArrayFileException {
        String where = "tensor '" + name + "'";
        if (!t.isObject()) throw new ArrayFileException(file, where, "header entry is not a JSON object: " + t);
        for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!FIELDS.contains(k)) throw new ArrayFileException(file, where, "unknown field '" + k + "' (expected dtype, shape, data_offsets)");
        }
        JsonNode dt = t.get("dtype");
        if (dt == null || !dt.isTextual()) throw new ArrayFileException(file, where, "missing or non-string dtype");
        String dtype = dt.textValue();
        int elem = storedSize(dtype);
        if (elem < 0)
            throw new ArrayFileException(file, where, "unsupported dtype " + dtype
                    + " (read: F32 F64 F16 BF16 I64 I32 I16 I8 U32 U16 U8 BOOL)");
        JsonNode sh = t.get("shape");
        if (sh == null || !sh.isArray()) throw new ArrayFileException(file, where, "missing or non-array shape");
        int[] shape = new int[sh.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0)
                throw new ArrayFileException(file, where, "shape " + sh + " has an invalid dimension " + d);
            shape[i] = d.intValue();
        }
        long numel;
        try {
            numel = RawArray.numelOf(shape);
        } catch (IllegalArgumentException e) {
            throw new ArrayFileException(file, where, e.getMessage());
        }
        JsonNode off = t.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2)
            throw new ArrayFileException(file, where, "data_offsets must be an array [begin, end], is " + off);
        for (JsonNode o : off)
            if (!o.isIntegralNumber() || !o.canConvertToLong() || o.longValue() < 0)
                throw new ArrayFileException(file, where, "data_offsets " + off + " are not non-negative integers");
        long begin = off.get(0).longValue(), end = off.get(1).longValue();
        if (begin > end) throw new ArrayFileException(file, where, "data_offsets " + off + " end before they begin");
        if (end - begin != numel * elem)
            throw new ArrayFileException(file, where, "data_offsets " + off + " span " + (end - begin) + " bytes but shape "
                    + Arrays.toString(shape) + " of " + dtype + " needs " + numel * elem);
        if (end > dataLen)
            throw new ArrayFileException(file, where, "data_offsets " + off + " run past the end of the data section ("
                    + dataLen + " bytes): the file is truncated");
        return new Entry(name, dtype, shape, begin, end);
    }

    private static ByteBuffer readFully(FileChannel ch, long position, int length, Path file, String where) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            int r = ch.read(b, position + b.position());
            if (r < 0) throw new ArrayFileException(file, where, "file ends early (it changed while being read?)");
        }
        return b.flip();
    }

    private static RawArray readTensor(FileChannel ch, Path file, long dataStart, Entry e) throws IOException {
        String where = "tensor '" + e.name + "'";
        long len = e.end - e.begin;
        int numel = (int) (len / storedSize(e.dtype));
        DType target = switch (e.dtype) {
            case "F32", "F16", "BF16" -> DType.FLOAT32;
            case "F64" -> DType.FLOAT64;
            case "I32", "I16", "I8", "U16", "U8" -> DType.INT32;
            case "I64", "U32" -> DType.INT64;
            case "BOOL" -> DType.BOOL;
            default -> throw new AssertionError(e.dtype);
        };
        if ((long) numel * target.byteSize() > Integer.MAX_VALUE - 16)
            throw new ArrayFileException(file, where, "too large for one buffer (" + numel + " elements of " + target + ")");
        ByteBuffer src = readFully(ch, dataStart + e.begin, (int) len, file, where).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer dst;
        if (storedSize(e.dtype) == target.byteSize()) {
            dst = src;
            if (target == DType.BOOL) for (int i = 0; i < numel; i++) if (dst.get(i) != 0) dst.put(i, (byte) 1);
        } else {
            dst = ByteBuffer.allocate(numel * target.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
            switch (e.dtype) {
                case "F16" -> { for (int i = 0; i < numel; i++) dst.putFloat(4 * i, Float.float16ToFloat(src.getShort(2 * i))); }
                // bfloat16 is the upper half of a float32: shifting it back up is exact.
                case "BF16" -> { for (int i = 0; i < numel; i++) dst.putFloat(4 * i, Float.intBitsToFloat(src.getShort(2 * i) << 16)); }
                case "I16" -> { for (int i = 0; i < numel; i++) dst.putInt(4 * i, src.getShort(2 * i)); }
                case "U16" -> { for (int i = 0; i < numel; i++) dst.putInt(4 * i, src.getShort(2 * i) & 0xffff); }
                case "I8" -> { for (int i = 0; i < numel; i++) dst.putInt(4 * i, src.get(i)); }
                case "U8" -> { for (int i = 0; i < numel; i++) dst.putInt(4 * i, src.get(i) & 0xff); }
                case "U32" -> { for (int i = 0; i < numel; i++) dst.putLong(8 * i, src.getInt(4 * i) & 0xffffffffL); }
                default -> throw new AssertionError(e.dtype);
            }
        }
        try {
            return new RawArray(target, e.shape, dst);
        } catch (IllegalArgumentException ex) {
            throw new ArrayFileException(file, where, ex.getMessage(), ex);
        }
    }
}
