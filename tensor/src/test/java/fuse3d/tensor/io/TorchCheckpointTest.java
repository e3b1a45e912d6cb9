package fuse3d.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.tensor.DType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * torch.save checkpoints written by tests/golden/gen_torch_checkpoints.py (torch 1.13), compared exactly with
 * the values torch itself exported to expected.npz; plus hand-made pickles and corrupted archives.
 */
class TorchCheckpointTest {

    @TempDir Path tmp;

    static Path resource(String name) {
        try {
            return Path.of(TorchCheckpointTest.class.getResource("/torch/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource torch/" + name
                    + " (regenerate with /usr/bin/python3 tests/golden/gen_torch_checkpoints.py)", e);
        }
    }

    private static Map<String, RawArray> expected;

    /** The arrays of expected.npz whose names start with {@code prefix}, prefix removed, in file order. */
    static synchronized Map<String, RawArray> expected(String prefix) throws IOException {
        if (expected == null) expected = Npy.readNpz(resource("expected.npz"));
        Map<String, RawArray> out = new LinkedHashMap<>();
        expected.forEach((k, v) -> { if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), v); });
        assertFalse(out.isEmpty(), "no expectations under " + prefix);
        return out;
    }

    private static void assertSameArrays(Map<String, RawArray> exp, Map<String, RawArray> got) {
        assertEquals(exp.keySet(), got.keySet());
        // RawArray equality is on dtype, shape and bytes, so this is bit-exact.
        exp.forEach((k, v) -> assertEquals(v, got.get(k), k));
    }

    // ---------------------------------------------------------------------------------------------------
    // Files torch wrote.

    @Test
    void plainStateDict() throws IOException {
        Map<String, RawArray> sd = TorchCheckpoint.readStateDict(resource("state_dict.pth"));
        Map<String, RawArray> exp = expected("state_dict.pth/");
        assertSameArrays(exp, sd);
        assertEquals(List.of("0.weight", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
                "4.weight", "4.bias"), new ArrayList<>(sd.keySet()), "file order is kept");
        RawArray nbt = sd.get("1.num_batches_tracked");
        assertEquals(DType.INT64, nbt.dtype());
        assertArrayEquals(new int[0], nbt.shape());
        assertArrayEquals(new long[] {2}, nbt.toLongArray());
        assertArrayEquals(new int[] {3, 2, 3, 3}, sd.get("0.weight").shape());
    }

    @Test
    void openPcdetCheckpoint() throws IOException {
        Path f = resource("openpcdet.pth");
        Map<String, RawArray> exp = expected("openpcdet.pth/model_state.");
        assertSameArrays(exp, TorchCheckpoint.readStateDict(f));
        assertSameArrays(exp, TorchCheckpoint.readStateDict(f, "model_state"));

        Map<String, Object> all = TorchCheckpoint.readObject(f);
        assertEquals(List.of("epoch", "it", "model_state", "optimizer_state", "version"), new ArrayList<>(all.keySet()));
        assertEquals(3L, all.get("epoch"));
        assertEquals(100L, all.get("it"));
        assertEquals("pcdet+0.6.0", all.get("version"));
        Map<?, ?> model = (Map<?, ?>) all.get("model_state");
        assertEquals(exp.get("4.bias"), model.get("4.bias"));
        Map<?, ?> opt = (Map<?, ?>) all.get("optimizer_state");
        Map<?, ?> group = (Map<?, ?>) ((List<?>) opt.get("param_groups")).get(0);
        assertEquals(1e-3, group.get("lr"));
        assertEquals(List.of(0.9, 0.999), group.get("betas"));
        assertEquals(Boolean.FALSE, group.get("amsgrad"));
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), group.get("params"));
        Map<?, ?> state = (Map<?, ?>) opt.get("state");
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), new ArrayList<>(state.keySet()), "integer keys stay integers");
        RawArray expAvg = (RawArray) ((Map<?, ?>) state.get(0L)).get("exp_avg");
        assertArrayEquals(new int[] {3, 2, 3, 3}, expAvg.shape());

        // The optimizer state is a dict too; its tensors come with dotted paths.
        Map<String, RawArray> optTensors = TorchCheckpoint.readStateDict(f, "optimizer_state");
        assertEquals(expAvg, optTensors.get("state.0.exp_avg"));
        assertEquals(DType.FLOAT32, optTensors.get("state.0.step").dtype());

        ArrayFileException e = assertThrows(ArrayFileException.class, () -> TorchCheckpoint.readStateDict(f, "nope"));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("[epoch, it, model_state, optimizer_state, version]"), e.getMessage());
        e = assertThrows(ArrayFileException.class, () -> TorchCheckpoint.readStateDict(f, "epoch"));
        assertTrue(e.getMessage().contains("integer 3, not a dict"), e.getMessage());
    }

    @Test
    void viewsAndSharedStorages() throws IOException {
        Map<String, RawArray> m = TorchCheckpoint.readStateDict(resource("views.pth"));
        assertSameArrays(expected("views.pth/"), m);
        assertArrayEquals(new float[] {-1f, 1f, 3f, -0.5f, 1.5f, 3.5f, 0f, 2f, 4f, 0.5f, 2.5f, 4.5f},
                m.get("transposed").toFloatArray(), "transpose copied into C order");
        assertArrayEquals(new float[] {2f, 2.5f, 4f, 4.5f}, m.get("corner").toFloatArray(), "offset and strides");
        assertArrayEquals(new float[] {1, 2, 3, 1, 2, 3}, m.get("expanded").toFloatArray(), "stride 0");
        assertArrayEquals(new int[] {0, 3}, m.get("empty").shape());
    }

    @Test
    void dtypes() throws IOException {
        Map<String, RawArray> m = TorchCheckpoint.readStateDict(resource("dtypes.pth"));
        assertSameArrays(expected("dtypes.pth/"), m);
        assertEquals(DType.FLOAT32, m.get("f16").dtype());
        assertEquals(DType.FLOAT32, m.get("bf16").dtype());
        assertArrayEquals(new int[] {-128, -1, 0, 127}, m.get("i8").toIntArray());
        assertArrayEquals(new int[] {0, 1, 128, 255}, m.get("u8").toIntArray());
        assertArrayEquals(new boolean[] {true, false, false, true}, m.get("b").toBooleanArray());
        assertArrayEquals(new long[] {Long.MIN_VALUE, Long.MAX_VALUE, 5}, m.get("i64").toLongArray());
        assertEquals(Float.POSITIVE_INFINITY, m.get("f16").toFloatArray()[4]);
    }

    @Test
    void legacyFormat() throws IOException {
        Path f = resource("legacy.pth");
        assertSameArrays(expected("legacy.pth/views."), TorchCheckpoint.readStateDict(f, "views"));
        assertSameArrays(expected("legacy.pth/dtypes."), TorchCheckpoint.readStateDict(f, "dtypes"));
        Map<String, Object> all = TorchCheckpoint.readObject(f);
        assertEquals(expected("legacy.pth/views.").get("corner"), ((Map<?, ?>) all.get("views")).get("corner"));
        // Neither a dict of tensors nor one with a model key: the error lists what is there.
        ArrayFileException e = assertThrows(ArrayFileException.class, () -> TorchCheckpoint.readStateDict(f));
        assertTrue(e.getMessage().contains("[views, dtypes]"), e.getMessage());
    }

    @Test
    void classOutsideTheWhitelistIsKeptAsData() throws IOException {
        Path f = resource("unknown_global.pth");
        Map<String, Object> all = TorchCheckpoint.readObject(f);
        assertEquals(expected("unknown_global.pth/").get("weight"), all.get("weight"));
        TorchCheckpoint.Unknown u = assertInstanceOf(TorchCheckpoint.Unknown.class, all.get("settings"));
        assertEquals("__main__.Settings", u.className());
        assertEquals(Map.of("lr", 0.01, "name", "custom"), u.state());
        assertNull(u.why());
        ArrayFileException e = assertThrows(ArrayFileException.class, () -> TorchCheckpoint.readStateDict(f));
        assertTrue(e.getMessage().contains("[weight, settings]"), e.getMessage());
    }

    @Test
    void pythonAndNumpyValues() throws IOException {
        Map<String, Object> m = TorchCheckpoint.readObject(resource("misc.pth"));
        assertEquals(expected("misc.pth/").get("param"), m.get("param"), "a Parameter reads as its tensor");
        assertEquals(0.5, m.get("best"));
        assertEquals(7L, m.get("count"));
        assertEquals(Boolean.TRUE, m.get("flag"));
        assertEquals(0.25, m.get("single"));
        assertEquals("cuda:1", m.get("cuda"));
        assertEquals("cpu", m.get("cpu"));
        assertEquals(java.util.Set.of("a"), m.get("tags"));
        assertEquals(java.util.Set.of(1L), m.get("frozen"));
        assertEquals(List.of(2L, 3L), m.get("size"));
        assertArrayEquals(new byte[] {0, (byte) 0xff}, (byte[]) m.get("blob"));
        assertEquals(java.math.BigInteger.TWO.pow(70), m.get("big"));
        assertEquals(-5L, m.get("neg"));
        assertTrue(m.containsKey("none"));
        assertNull(m.get("none"));
        assertEquals(java.util.Arrays.asList(1L, "x", null), m.get("tuple"));
        assertEquals(Map.of(1L, List.of(2.5, true)), m.get("nested"));
    }

    // ---------------------------------------------------------------------------------------------------
    // Hand-made pickles.

    /** Writes pickle opcodes. */
    static final class Pickle {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int... bytes) {
            for (int b : bytes) out.write(b);
            return this;
        }

        Pickle str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X', b.length, b.length >> 8, b.length >> 16, b.length >> 24);
            out.writeBytes(b);
            return this;
        }

        Pickle global(String module, String name) {
            op('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Pickle small(int v) { return op('K', v); }

        /** _rebuild_tensor_v2 of a 1-d float tensor on storage key "0" of {@code numel} elements. */
        Pickle tensor(int numel, int offset, int size, int stride) {
            global("torch._utils", "_rebuild_tensor_v2").op('(');
            op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu").small(numel).op('t', 'Q');
            small(offset).small(size).op(0x85).small(stride).op(0x85).op(0x89).op(')').op('t', 'R');
            return this;
        }

        byte[] bytes() { return out.toByteArray(); }
    }

    /** A zip checkpoint "archive/..." with the given pickle and float storage "0". */
    Path checkpoint(String name, byte[] pickle, float... storage) throws IOException {
        Path f = tmp.resolve(name);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("archive/data.pkl", pickle);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * storage.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float v : storage) b.putFloat(v);
        entries.put("archive/data/0", b.array());
        entries.put("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        writeZip(f, entries);
        return f;
    }

    static void writeZip(Path f, Map<String, byte[]> entries) throws IOException {
        try (OutputStream os = Files.newOutputStream(f); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
    }

    @Test
    void handMadePickleWithAStridedView() throws IOException {
        byte[] p = new Pickle().op(0x80, 2, '}').str("w").tensor(6, 1, 3, 2).op('s', '.').bytes();
        Map<String, RawArray> m = TorchCheckpoint.readStateDict(checkpoint("view.pth", p, 0, 1, 2, 3, 4, 5));
        assertArrayEquals(new float[] {1, 3, 5}, m.get("w").toFloatArray());
    }

    @Test
    void viewPastTheStorageIsAnError() throws IOException {
        byte[] p = new Pickle().op(0x80, 2, '}').str("w").tensor(6, 1, 3, 3).op('s', '.').bytes();
        Path f = checkpoint("past.pth", p, 0, 1, 2, 3, 4, 5);
        ArrayFileException e = assertThrows(ArrayFileException.class, () -> TorchCheckpoint.readStateDict(f));
        assertTrue(e.getMessage().startsWith(f + ": tensor 'w': ") && e.getMessage().contains("reach element 7"), e.getMessage());
    }

    @Test
    void dangerousGlobalsAreNeverCalled() throws IOException {
        Path marker = tmp.resolve("pwned");
        // {"cmd": os.system("touch <marker>"), "w": tensor}: os.system must stay a name.
        byte[] p = new Pickle().op(0x80, 2, '}', '(').str("cmd").global("os", "system").str("touch " + marker).op(0x85, 'R')
                .str("w").tensor(2, 0, 2, 1).op('u', '.').bytes();
        Path f = checkpoint("evil.pth", p, 7, 8);
        Map<String, Object> all = TorchCheckpoint.readObject(f);
        TorchCheckpoint.Unknown u = assertInstanceOf(TorchCheckpoint.Unknown.class, all.get("cmd"));
        assertEquals("os.system", u.className());
        assertEquals(List.of("touch " + marker), u.args());
        assertFalse(Files.exists(marker));
        // Nested as a state dict, the object is an error rather than silently dropped.
        byte[] nested = new Pickle().op(0x80, 2, '}').str("model_state").op('}', '(').str("cmd").global("os", "system")
                .str("touch " + marker).op(0x85, 'R').str("w").tensor(2, 0, 2, 1).op('u', 's', '.').bytes();
        Path g = checkpoint("evil2.pth", nested, 7, 8);
        ArrayFileException e = assertThrows(ArrayFileException.class, () -> TorchCheckpoint.readStateDict(g));
        assertTrue(e.getMessage().startsWith(g + ": key 'cmd': ") && e.getMessage().contains("os.system"), e.getMessage());
        assertFalse(Files.exists(marker));
    }

    @Test
    void unknownGlobalAsAStorageIsAClearError() throws IOException {
        byte[] p = new Pickle().op(0x80, 2, '}').str("w").global("torch._utils", "_rebuild_tensor_v2").op('(')
                .global("evil", "Storage").op(')', 'R').small(0).small(1).op(0x85).small(1).op(0x85, 0x89, ')', 't', 'R')
                .op('s', '.').bytes();
        Path f = checkpoint("badstorage.pth", p, 1);
        ArrayFileException e = assertThrows(ArrayFileException.class, () -> TorchCheckpoint.readStateDict(f));
        assertTrue(e.getMessage().contains("tensor 'w'") && e.getMessage().contains("evil.Storage"), e.getMessage());
    }

    @Test
    void loadFromBytesIsReportedAsUnsupported() throws IOException {
        byte[] p = new Pickle().op(0x80, 2, '}').str("w").global("torch._utils", "_rebuild_tensor_v2").op('(')
                .global("torch.storage", "_load_from_bytes").op('C', 1, 0, 0x85, 'R').small(0).small(1).op(0x85).small(1)
                .op(0x85, 0x89, ')', 't', 'R').op('s', '.').bytes();
        Path f = checkpoint("frombytes.pth", p, 1);
        ArrayFileException e = assertThrows(ArrayFileException.class, () -> TorchCheckpoint.readStateDict(f));
        assertTrue(e.getMessage().contains("_load_from_bytes"), e.getMessage());
    }

    @Test
    void unknownOpcodeNamesItsOffset() throws IOException {
        byte[] p = new Pickle().op(0x80, 2, '}').op(0xff).bytes();
        Path f = checkpoint("opcode.pth", p);
        ArrayFileException e = assertThrows(ArrayFileException.class, () -> TorchCheckpoint.readObject(f));
        assertEquals(f + ": entry 'archive/data.pkl': pickle opcode 0xff at byte 3: unsupported or unknown opcode 0xff",
                e.getMessage());
    }

    @Test
    void selfContainingListAsAKeyIsRejected() throws IOException {
        // {(L,): None} where L = [L]: unhashable in Python, and endless for Java's hashCode.
        byte[] p = new Pickle().op(0x80, 2, '}', ']', 'q', 0, 'h', 0, 'a', 0x85, 'N', 's', '.').bytes();
        Path f = checkpoint("cyclic.pth", p);
        ArrayFileException e = assertThrows(ArrayFileException.class, () -> TorchCheckpoint.readObject(f));
        assertTrue(e.getMessage().contains("unhashable"), e.getMessage());
    }

    @Test
    void exponentiallySharedListsStayCheap() throws IOException {
        // {"x": {"y": L40}} with L0 = [tensor], Li = [Li-1, Li-1]: 2^40 paths through 41 lists.
        Pickle p = new Pickle().op(0x80, 2, '}').str("x").op('}').str("y").op(']').tensor(2, 0, 2, 1).op('a', 'q', 0);
        for (int i = 1; i <= 40; i++) p.op('0', ']', '(', 'h', i - 1, 'h', i - 1, 'e', 'q', i);
        Path f = checkpoint("laughs.pth", p.op('s', 's', '.').bytes(), 1, 2);
        Map<String, Object> all = TorchCheckpoint.readObject(f); // shared lists are converted once, and stay shared
        List<?> top = (List<?>) ((Map<?, ?>) all.get("x")).get("y");
        assertTrue(top.get(0) == top.get(1));
        ArrayFileException e = assertThrows(ArrayFileException.class, () -> TorchCheckpoint.readStateDict(f, "x"));
        assertTrue(e.getMessage().contains("shared containers repeat"), e.getMessage());
    }

    // ---------------------------------------------------------------------------------------------------
    // Damaged archives.

    /** Copies a zip checkpoint, passing each entry's name and bytes through {@code edit} (null drops it). */
    Path rewrite(Path src, String name, BiFunction<String, byte[], byte[]> edit) throws IOException {
        return rewrite(src, tmp.resolve(name), edit);
    }

    static Path rewrite(Path src, Path f, BiFunction<String, byte[], byte[]> edit) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(src.toFile())) {
            Enumeration<? extends ZipEntry> en = zip.entries();
            while (en.hasMoreElements()) {
                ZipEntry e = en.nextElement();
                try (InputStream in = zip.getInputStream(e)) {
                    byte[] b = edit.apply(e.getName(), in.readAllBytes());
                    if (b != null) entries.put(e.getName(), b);
                }
            }
        }
        writeZip(f, entries);
        return f;
    }

    @Test
    void truncatedPickle() throws IOException {
        Path f = rewrite(resource("state_dict.pth"), "cut.pth",
                (n, b) -> n.endsWith("data.pkl") ? java.util.Arrays.copyOf(b, b.length / 2) : b);
        ArrayFileException e = assertThrows(ArrayFileException.class, () -> TorchCheckpoint.readStateDict(f));
        assertTrue(e.getMessage().startsWith(f + ": entry 'state_dict/data.pkl': pickle is truncated"), e.getMessage());
    }

    @Test
    void truncatedStorageEntry() throws IOException {
        Path f = rewrite(resource("state_dict.pth"), "short.pth",
                (n, b) -> n.endsWith("data/0") ? java.util.Arrays.copyOf(b, b.length - 4) : b);
        ArrayFileException e = assertThrows(ArrayFileException.class, () -> TorchCheckpoint.readStateDict(f));
        assertTrue(e.getMessage().startsWith(f + ": entry 'state_dict/data/0': size mismatch"), e.getMessage());
    }

    @Test
    void missingStorageEntry() throws IOException {
        Path f = rewrite(resource("state_dict.pth"), "missing.pth", (n, b) -> n.endsWith("data/3") ? null : b);
        ArrayFileException e = assertThrows(ArrayFileException.class, () -> TorchCheckpoint.readStateDict(f));
        assertTrue(e.getMessage().startsWith(f + ": entry 'state_dict/data/3': is missing"), e.getMessage());
    }

    @Test
    void bigEndianByteOrderEntry() throws IOException {
        // The same float32 storages, byte-swapped, with a byteorder record saying so.
        Path f = rewrite(resource("views.pth"), "big.pth", (n, b) -> {
            if (!n.contains("/data/")) return b;
            byte[] s = b.clone();
            for (int i = 0; i + 3 < s.length; i += 4) {
                s[i] = b[i + 3];
                s[i + 1] = b[i + 2];
                s[i + 2] = b[i + 1];
                s[i + 3] = b[i];
            }
            return s;
        });
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(f.toFile())) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) entries.put(e.getName(), zip.getInputStream(e).readAllBytes());
        }
        entries.put("views/byteorder", "big".getBytes(StandardCharsets.US_ASCII));
        writeZip(f, entries);
        assertSameArrays(expected("views.pth/"), TorchCheckpoint.readStateDict(f));
    }

    @Test
    void truncatedFilesNameTheFile() throws IOException {
        for (String name : List.of("state_dict.pth", "legacy.pth")) {
            byte[] all = Files.readAllBytes(resource(name));
            for (int len : new int[] {0, 1, all.length / 3, all.length - 1}) {
                Path f = tmp.resolve("trunc-" + len + "-" + name);
                Files.write(f, java.util.Arrays.copyOf(all, len));
                ArrayFileException e = assertThrows(ArrayFileException.class, () -> TorchCheckpoint.readObject(f), name + " cut to " + len);
                assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
            }
        }
        ArrayFileException e = assertThrows(ArrayFileException.class, () -> TorchCheckpoint.readObject(tmp.resolve("none.pth")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void legacyStorageCountMismatch() throws IOException {
        byte[] all = Files.readAllBytes(resource("legacy.pth"));
        // The last storage's data is preceded by its element count; damage the file's final bytes by dropping one.
        Path f = tmp.resolve("legacy-short.pth");
        Files.write(f, java.util.Arrays.copyOf(all, all.length - 1));
        ArrayFileException e = assertThrows(ArrayFileException.class, () -> TorchCheckpoint.readStateDict(f, "views"));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    /** Whatever a damaged pickle holds, reading it fails (if it fails) with an ArrayFileException only. */
    @Property(tries = 60)
    void damagedPicklesFailCleanly(@ForAll @IntRange(min = 0, max = 100_000) int where, @ForAll int value,
                                   @ForAll boolean truncate) throws IOException {
        // jqwik properties get no @TempDir, hence a temporary file of their own.
        Path f = rewrite(resource("openpcdet.pth"), Files.createTempFile("fuse3d-damaged", ".pth"), (n, b) -> {
            if (!n.endsWith("data.pkl")) return b;
            int at = where % b.length;
            if (truncate) return java.util.Arrays.copyOf(b, at);
            byte[] c = b.clone();
            c[at] = (byte) value;
            return c;
        });
        try {
            TorchCheckpoint.readObject(f);
        } catch (ArrayFileException e) {
            assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        } finally {
            Files.delete(f);
        }
    }

    /** The same for the legacy stream, where pickles, key list and storages share one file. */
    @Property(tries = 40)
    void damagedLegacyFilesFailCleanly(@ForAll @IntRange(min = 0, max = 100_000) int where, @ForAll int value,
                                       @ForAll boolean truncate) throws IOException {
        byte[] b = Files.readAllBytes(resource("legacy.pth"));
        int at = where % b.length;
        if (truncate) {
            b = java.util.Arrays.copyOf(b, at);
        } else {
            b[at] = (byte) value;
        }
        Path f = Files.createTempFile("fuse3d-damaged", ".pth");
        try {
            Files.write(f, b);
            TorchCheckpoint.readObject(f);
        } catch (ArrayFileException e) {
            assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        } finally {
            Files.delete(f);
        }
    }
}
