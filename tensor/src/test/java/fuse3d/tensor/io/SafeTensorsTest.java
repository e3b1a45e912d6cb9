package fuse3d.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** safetensors: a file from the Python fixture writer, round trips, and corrupt headers and data. */
class SafeTensorsTest {

    @Test
    void readsThePythonWrittenFixture() throws IOException {
        String key = "safetensors/mixed.safetensors";
        Path f = IoFixtures.resource(key);
        JsonNode exp = IoFixtures.expected().get(key);
        Map<String, RawArray> m = SafeTensors.read(f);
        List<String> order = new ArrayList<>();
        exp.get("order").forEach(n -> order.add(n.asText()));
        assertEquals(order, new ArrayList<>(m.keySet()), "header order is kept");
        for (String name : order) IoFixtures.assertMatches(exp.get("tensors").get(name), m.get(name), key + ":" + name);
        assertEquals(Map.of("format", "pt", "producer", "gen_io_fixtures.py"), SafeTensors.readMetadata(f));
    }

    // ---------------------------------------------------------------------------------------------------
    // Round trips.

    @Provide Arbitrary<List<RawArray>> arrayLists() { return IoFixtures.rawArrayLists(); }

    @Provide Arbitrary<Map<String, String>> metadata() {
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(12); // any code points, JSON escapes included
        return Arbitraries.maps(text, text).ofMaxSize(3);
    }

    @Property(tries = 40)
    void roundTrip(@ForAll("arrayLists") List<RawArray> arrays, @ForAll("metadata") Map<String, String> metadata)
            throws IOException {
        Map<String, RawArray> m = new LinkedHashMap<>();
        for (int i = 0; i < arrays.size(); i++) m.put((i % 2 == 0 ? "w/" : "b.\"q\"") + (arrays.size() - i), arrays.get(i));
        Path f = Files.createTempFile("fuse3d-st", ".safetensors");
        try {
            SafeTensors.write(f, m, metadata);
            Map<String, RawArray> back = SafeTensors.read(f);
            assertEquals(new ArrayList<>(m.keySet()), new ArrayList<>(back.keySet()));
            assertEquals(m, back);
            assertEquals(metadata, SafeTensors.readMetadata(f));
            long headerLen = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, headerLen % 8, "data section 8-byte aligned");
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Test
    void writerRejectsReservedAndEmptyNames(@TempDir Path dir) {
        Path f = dir.resolve("x.safetensors");
        RawArray a = RawArray.of(new float[] {1}, 1);
        assertThrows(ArrayFileException.class, () -> SafeTensors.write(f, Map.of("__metadata__", a), null));
        assertThrows(ArrayFileException.class, () -> SafeTensors.write(f, Map.of("", a), null));
        assertTrue(!Files.exists(f));
    }

    // ---------------------------------------------------------------------------------------------------
    // Corrupt files.

    @TempDir Path dir;

    /** A safetensors file from a raw header string and {@code dataBytes} bytes of data (0, 1, 2, ...). */
    private static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        for (int i = 0; i < dataBytes; i++) b.put((byte) i);
        return b.array();
    }

    private ArrayFileException readBroken(byte[] bytes, String expectedEntry, String expectedProblem) throws IOException {
        Path f = dir.resolve("broken-" + Integer.toHexString(expectedProblem.hashCode()) + ".safetensors");
        Files.write(f, bytes);
        ArrayFileException e = assertThrows(ArrayFileException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().startsWith(f + ": "), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(expectedProblem), "says '" + expectedProblem + "': " + e.getMessage());
        if (expectedEntry != null) assertEquals(expectedEntry, e.entry(), e.getMessage());
        // readMetadata validates the same header.
        assertThrows(ArrayFileException.class, () -> SafeTensors.readMetadata(f));
        return e;
    }

    private byte[] valid() throws IOException {
        Path f = dir.resolve("valid.safetensors");
        Map<String, RawArray> m = new LinkedHashMap<>();
        m.put("a", RawArray.of(new float[] {1, 2, 3}, 3));
        m.put("b", RawArray.of(new long[] {4, 5}, 2, 1));
        SafeTensors.write(f, m, Map.of("k", "v"));
        return Files.readAllBytes(f);
    }

    @Test
    void truncatedData() throws IOException {
        byte[] b = valid();
        readBroken(java.util.Arrays.copyOf(b, b.length - 1), "tensor 'b'", "truncated");
    }

    @Test
    void trailingBytes() throws IOException {
        byte[] b = valid();
        readBroken(java.util.Arrays.copyOf(b, b.length + 4), "tensor 'b'", "4 unexplained bytes");
    }

    @Test
    void badHeaderLengths() throws IOException {
        byte[] b = valid();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        readBroken(b, "header", "not sane");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -5L);
        readBroken(b, "header", "18446744073709551611 is not sane");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, b.length);
        readBroken(b, "header", "runs past the end of the file");
        readBroken(new byte[] {1, 0, 0}, "header", "too short");
    }

    @Test
    void badJson() throws IOException {
        readBroken(file("{\"a\": {\"dtype\": \"F32\", ", 0), "header", "not well-formed JSON");
        readBroken(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}} x", 4), "header", "not well-formed JSON");
        readBroken(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "header", "Duplicate field 'a'");
        readBroken(file("[1, 2]", 0), "header", "not a JSON object");
        byte[] latin = file("{\"\u00e9\":1}", 0);
        latin[10] = (byte) 0xe9; // a lone latin-1 byte is not UTF-8
        readBroken(latin, "header", "not valid UTF-8");
    }

    @Test
    void badTensorEntries() throws IOException {
        readBroken(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "tensor 'b'", "overlap tensor 'a'");
        readBroken(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}", 20), "tensor 'b'", "gap of 4 bytes");
        readBroken(file("{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "tensor 'b'", "gap of 4 bytes after the start");
        readBroken(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "tensor 'a'", "needs 12");
        readBroken(file("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[3],\"data_offsets\":[0,3]}}", 3), "tensor 'a'", "unsupported dtype F8_E4M3");
        readBroken(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}", 0), "tensor 'a'", "invalid dimension -1");
        readBroken(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,0]}}", 0), "tensor 'a'", "invalid dimension");
        readBroken(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4), "tensor 'a'", "end before they begin");
        readBroken(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4), "tensor 'a'", "data_offsets must be");
        readBroken(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "tensor 'a'", "data_offsets must be");
        readBroken(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":1}}", 4), "tensor 'a'", "unknown field 'extra'");
        readBroken(file("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "tensor 'a'", "dtype");
        readBroken(file("{\"a\":[1,2]}", 0), "tensor 'a'", "not a JSON object");
        readBroken(file("{\"__metadata__\":{\"k\":1}}", 0), "__metadata__", "not a string");
        readBroken(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,0]}}", 0), "tensor 'a'", "more than 2^31-1");
    }

    @Test
    void emptyAndOddButValidFiles() throws IOException {
        Path f = dir.resolve("empty.safetensors");
        Files.write(f, file("{}", 0));
        assertEquals(Map.of(), SafeTensors.read(f));
        assertEquals(Map.of(), SafeTensors.readMetadata(f));
        // Any non-zero BOOL byte reads as true (stored as 1); header padding with spaces is fine.
        Files.write(f, file("{\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[0,3]}}     ", 3));
        assertArrayEquals(new boolean[] {false, true, true}, SafeTensors.read(f).get("m").toBooleanArray());
    }

    @Test
    void missingFile() {
        ArrayFileException e = assertThrows(ArrayFileException.class, () -> SafeTensors.read(dir.resolve("nope.safetensors")));
        assertTrue(e.getMessage().contains("nope.safetensors: file does not exist"), e.getMessage());
    }
}
