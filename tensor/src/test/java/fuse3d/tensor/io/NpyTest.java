package fuse3d.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import fuse3d.tensor.DType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
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
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** .npy/.npz: files written by numpy 1.24, round trips, and corrupt files. */
class NpyTest {

    // ---------------------------------------------------------------------------------------------------
    // Files written by numpy (tests/golden/gen_io_fixtures.py).

    @ParameterizedTest
    @ValueSource(strings = {"f4", "f8", "f2", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "b1", "f4_fortran",
            "b1_fortran", "f8_be", "i4_be", "f2_be", "u2_be", "i8_be_fortran", "scalar", "empty", "v2", "v3"})
    void readsNumpyFiles(String name) throws IOException {
        String key = "npy/" + name + ".npy";
        RawArray a = Npy.read(IoFixtures.resource(key));
        IoFixtures.assertMatches(IoFixtures.expected().get(key), a, key);
        // The stream entry point gives the same result.
        try (var in = Files.newInputStream(IoFixtures.resource(key))) {
            assertEquals(a, Npy.read(in, key));
        }
    }

    @Test
    void everyNpyFixtureIsCovered() {
        List<String> names = new ArrayList<>();
        IoFixtures.expected().fieldNames().forEachRemaining(names::add);
        assertEquals(22, names.stream().filter(n -> n.startsWith("npy/")).count(), names.toString());
    }

    /** Our writer lays the header out exactly as np.save does, so the files are byte-identical. */
    @ParameterizedTest
    @ValueSource(strings = {"f4", "f8", "i4", "i8", "b1", "scalar", "empty"})
    void writesTheSameBytesAsNumpy(String name, @TempDir Path dir) throws IOException {
        Path numpyFile = IoFixtures.resource("npy/" + name + ".npy");
        Path ours = dir.resolve(name + ".npy");
        Npy.write(ours, Npy.read(numpyFile));
        assertArrayEquals(Files.readAllBytes(numpyFile), Files.readAllBytes(ours));
    }

    @Test
    void writesVersion2WhenTheHeaderNeedsIt() throws IOException {
        // 30,000 dimensions of size 1 make a header beyond version 1.0's 65,535-byte limit.
        int[] shape = new int[30_000];
        java.util.Arrays.fill(shape, 1);
        RawArray a = RawArray.of(new double[] {4.5}, shape);
        byte[] header = Npy.header(a);
        assertEquals(2, header[6]);
        assertEquals(0, header.length % 64);
        assertEquals(a, roundTrip(a));
    }

    @ParameterizedTest
    @ValueSource(strings = {"stored", "compressed"})
    void readsNumpyNpz(String name) throws IOException {
        String key = "npz/" + name + ".npz";
        Map<String, RawArray> m = Npy.readNpz(IoFixtures.resource(key));
        JsonNode exp = IoFixtures.expected().get(key);
        assertEquals(List.of("points", "labels", "mask", "ids"), new ArrayList<>(m.keySet()));
        for (String k : m.keySet()) IoFixtures.assertMatches(exp.get(k), m.get(k), key + ":" + k);
        assertEquals(DType.INT32, m.get("labels").dtype()); // uint8 -> INT32
    }

    // ---------------------------------------------------------------------------------------------------
    // Round trips.

    private static RawArray roundTrip(RawArray a) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, a);
        byte[] bytes = out.toByteArray();
        int headerEnd = bytes.length - a.data().remaining();
        assertEquals(0, headerEnd % 64, "data must start 64-byte aligned");
        assertEquals('\n', bytes[headerEnd - 1]);
        return Npy.read(new ByteArrayInputStream(bytes), "memory");
    }

    @Provide Arbitrary<RawArray> arrays() { return IoFixtures.rawArrays(); }

    @Provide Arbitrary<List<RawArray>> arrayLists() { return IoFixtures.rawArrayLists(); }

    @Property
    void npyStreamRoundTrip(@ForAll("arrays") RawArray a) throws IOException {
        assertEquals(a, roundTrip(a));
    }

    @Property(tries = 30)
    void npyFileRoundTrip(@ForAll("arrays") RawArray a) throws IOException {
        Path f = Files.createTempFile("fuse3d-npy", ".npy");
        try {
            Npy.write(f, a);
            assertEquals(a, Npy.read(f));
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Property(tries = 30)
    void npzRoundTrip(@ForAll("arrayLists") List<RawArray> arrays, @ForAll boolean compressed) throws IOException {
        Map<String, RawArray> m = new LinkedHashMap<>();
        for (int i = 0; i < arrays.size(); i++) m.put((i % 2 == 0 ? "z" : "a") + i, arrays.get(i));
        Path f = Files.createTempFile("fuse3d-npz", ".npz");
        try {
            Npy.writeNpz(f, m, compressed);
            Map<String, RawArray> back = Npy.readNpz(f);
            assertEquals(new ArrayList<>(m.keySet()), new ArrayList<>(back.keySet()));
            assertEquals(m, back);
        } finally {
            Files.deleteIfExists(f);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Corrupt files: each error is an ArrayFileException naming the file and the problem.

    @TempDir Path dir;

    private byte[] fixture(String name) throws IOException {
        return Files.readAllBytes(IoFixtures.resource(name));
    }

    private ArrayFileException readBroken(String fileName, byte[] bytes, String expectedProblem) throws IOException {
        Path f = dir.resolve(fileName);
        Files.write(f, bytes);
        ArrayFileException e = assertThrows(ArrayFileException.class,
                () -> { if (fileName.endsWith(".npz")) Npy.readNpz(f); else Npy.read(f); });
        assertTrue(e.getMessage().startsWith(f.toString() + ": "), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(expectedProblem), "says '" + expectedProblem + "': " + e.getMessage());
        assertEquals(f.toString(), e.file());
        return e;
    }

    /** Replaces the header dictionary of f4.npy (same length, so the data still lines up). */
    private byte[] withHeader(String dict) throws IOException {
        byte[] b = fixture("npy/f4.npy");
        int len = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        String padded = dict + " ".repeat(len - 1 - dict.length()) + "\n";
        System.arraycopy(padded.getBytes(StandardCharsets.ISO_8859_1), 0, b, 10, len);
        return b;
    }

    @Test
    void truncatedData() throws IOException {
        byte[] b = fixture("npy/f4.npy");
        readBroken("short.npy", java.util.Arrays.copyOf(b, b.length - 3), "truncated");
    }

    @Test
    void extraBytesAfterTheData() throws IOException {
        byte[] b = fixture("npy/f4.npy");
        readBroken("long.npy", java.util.Arrays.copyOf(b, b.length + 1), "bytes after");
    }

    @Test
    void badMagicVersionAndHeaderLength() throws IOException {
        byte[] b = fixture("npy/f4.npy");
        byte[] magic = b.clone();
        magic[1] = 'X';
        readBroken("magic.npy", magic, "magic");
        byte[] version = b.clone();
        version[6] = 4;
        readBroken("version.npy", version, "version 4.0");
        byte[] longHeader = b.clone();
        longHeader[8] = (byte) 0xff;
        longHeader[9] = (byte) 0xff;
        readBroken("hlen.npy", longHeader, "runs past the end");
        ByteBuffer v2 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        v2.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(0x7fff_fff0).putInt(0);
        readBroken("hlen2.npy", v2.array(), "not sane");
        readBroken("tiny.npy", new byte[] {(byte) 0x93, 'N'}, "too short");
    }

    @Test
    void badHeaderDictionaries() throws IOException {
        readBroken("syntax.npy", withHeader("{'descr': '<f4', 'fortran_order': Flase, 'shape': (2, 3), }"), "unknown name 'Flase'");
        readBroken("unclosed.npy", withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), "), "not a Python literal");
        readBroken("list.npy", withHeader("[1, 2]"), "not a dictionary");
        readBroken("keys.npy", withHeader("{'descr': '<f4', 'shape': (2, 3), }"), "exactly the keys");
        readBroken("dtype.npy", withHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }"), "unsupported dtype descr '<c8'");
        readBroken("u8.npy", withHeader("{'descr': '<u8', 'fortran_order': False, 'shape': (3,), }"), "uint64");
        readBroken("struct.npy", withHeader("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (6,), }"), "structured");
        readBroken("neg.npy", withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-6,), }"), "invalid dimension");
        readBroken("shapelist.npy", withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3], }"), "must be a tuple");
        readBroken("wrongsize.npy", withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"), "truncated");
        // Python 2's long suffix is accepted, as numpy accepts it.
        Path ok = dir.resolve("py2.npy");
        Files.write(ok, withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }"));
        assertArrayEquals(new int[] {2, 3}, Npy.read(ok).shape());
    }

    @Test
    void missingFile() {
        Path f = dir.resolve("nope.npy");
        ArrayFileException e = assertThrows(ArrayFileException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains("nope.npy") && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void brokenNpzArchives() throws IOException {
        readBroken("garbage.npz", "this is not a zip file at all".getBytes(StandardCharsets.US_ASCII), "not a valid .npz");
        byte[] stored = fixture("npz/stored.npz");
        readBroken("cut.npz", java.util.Arrays.copyOf(stored, stored.length / 2), "not a valid .npz");

        ArrayFileException e = readBroken("notnpy.npz", zipOf(Map.of("readme.txt", "hello".getBytes(StandardCharsets.US_ASCII))),
                "is not a .npy file");
        assertEquals("entry 'readme.txt'", e.entry());

        byte[] npy = fixture("npy/f4.npy");
        e = readBroken("shortentry.npz", zipOf(Map.of("x.npy", java.util.Arrays.copyOf(npy, npy.length - 4))), "truncated");
        assertEquals("entry 'x.npy'", e.entry());

        // Damage the deflated stream of the first entry of a compressed npz.
        byte[] comp = fixture("npz/compressed.npz");
        int dataStart = 30 + ((comp[26] & 0xff) | (comp[27] & 0xff) << 8) + ((comp[28] & 0xff) | (comp[29] & 0xff) << 8);
        for (int i = dataStart; i < dataStart + 12; i++) comp[i] ^= 0x5a;
        readBroken("damaged.npz", comp, "entry 'points.npy'");
    }

    private static byte[] zipOf(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    @Test
    void failedWritesLeaveTheOldFileAndNoTemporaries() throws IOException {
        Path f = dir.resolve("keep.npz");
        Npy.writeNpz(f, Map.of("a", RawArray.of(new int[] {1, 2}, 2)), false);
        byte[] before = Files.readAllBytes(f);
        Map<String, RawArray> bad = new LinkedHashMap<>();
        bad.put("ok", RawArray.of(new int[] {3}, 1));
        bad.put("", RawArray.of(new int[] {4}, 1));
        assertThrows(ArrayFileException.class, () -> Npy.writeNpz(f, bad, true));
        assertArrayEquals(before, Files.readAllBytes(f));
        try (var s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList());
        }
    }
}
