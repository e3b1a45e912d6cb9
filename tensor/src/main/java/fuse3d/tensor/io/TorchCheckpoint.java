package fuse3d.tensor.io;

import fuse3d.tensor.DType;
import fuse3d.tensor.io.PickleReader.Global;
import fuse3d.tensor.io.PickleReader.NumpyDType;
import fuse3d.tensor.io.PickleReader.PyObject;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads PyTorch checkpoints written by {@code torch.save} ({@code .pth}/{@code .pt}) without running any
 * Python: state dicts of torchvision, OpenPCDet and similar models come back as {@link RawArray}s.
 *
 * <p>Both container formats are read: the zip archive of torch 1.6 and later ({@code <archive>/data.pkl},
 * {@code <archive>/data/<key>} storages, {@code <archive>/byteorder} honoured when it says {@code big}) and
 * the legacy stream of earlier versions ({@code _use_new_zipfile_serialization=False}: magic number,
 * protocol and system-info pickles, the object pickle, the storage-key list and the raw storages). The
 * even older tar-based format is not.
 *
 * <p>The pickle is decoded by a reader that never executes or imports anything: only a fixed list of
 * globals means something ({@code torch._utils._rebuild_tensor_v2}, {@code _rebuild_tensor},
 * {@code _rebuild_parameter(_with_state)}, {@code torch._tensor._rebuild_from_type_v2},
 * {@code collections.OrderedDict}, the {@code torch.*Storage} classes, {@code torch.device},
 * {@code torch.Size}, {@code builtins.set/frozenset}, {@code _codecs.encode}, numpy scalars and dtypes).
 * Any other class becomes an inert {@link Unknown}, harmless until something needs it as a tensor, which
 * is then an error naming the class. {@code torch.storage._load_from_bytes} (storages pickled on their own)
 * and storage classes without a {@link DType} counterpart (complex, quantized) are reported the same way.
 *
 * <p>Element types: float32, float64, int32, int64 and bool keep their {@link DType}; float16 and bfloat16
 * widen exactly to FLOAT32; uint8, int8 and int16 widen to INT32. Each tensor honours its storage offset,
 * size and stride, so transposed or sliced views and stride-0 expansions come back as contiguous C-order
 * copies; tensors sharing a storage read it once. A 0-d tensor such as {@code num_batches_tracked} is an
 * INT64 array of shape {@code []}.
 *
 * <p>Only the storages that the requested tensors use are read, each once. Every problem is an
 * {@link ArrayFileException} naming the file, the entry (zip entry, pickle, tensor key) and, for the
 * pickle, the opcode and its byte offset.
 */
public final class TorchCheckpoint {
    private TorchCheckpoint() {}

    /** The first pickle of a legacy file holds this number. */
    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long LEGACY_PROTOCOL = 1001;
    /** Keys {@link #readStateDict(Path)} looks for, in order, when the top-level dict is not itself one. */
    private static final List<String> NESTED_KEYS = List.of("model_state", "state_dict", "model");
    /** Nesting deeper than this in a checkpoint is taken for corruption rather than recursed into. */
    private static final int MAX_DEPTH = 1000;
    /** Entries a state-dict walk may visit before it is taken for a pickle built to explode. */
    private static final int MAX_VISITS = 1_000_000;

    /**
     * An object of a class this reader does not interpret (or cannot: see {@code why}), kept as the data
     * pickle recorded for it. {@code args} are its constructor arguments, {@code state} what BUILD set,
     * {@code items} and {@code listItems} what a dict or list subclass was filled with.
     *
     * @param why null for a class that is merely outside the whitelist, else why it is not supported
     */
    public record Unknown(String className, List<Object> args, Object state, Map<Object, Object> items,
                          List<Object> listItems, String why) {}

    // ------------------------------------------------------------------------------------------------------
    // Public API.

    /**
     * Every tensor of a checkpoint's state dict, keyed by its dotted name, in file order. The state dict is
     * the top-level dict if all its values are tensors, else the first of {@code model_state},
     * {@code state_dict}, {@code model} that is a dict; anything else is an error naming the top-level keys.
     */
    public static Map<String, RawArray> readStateDict(Path file) throws IOException {
        return read(file, root -> {
            Map<?, ?> top = topDict(root, file);
            if (isTensorDict(top)) return top;
            for (String k : NESTED_KEYS)
                if (top.get(k) instanceof Map<?, ?> m) return m;
            throw new ArrayFileException(file, null, "no state dict found: the top-level dict is not a dict of tensors"
                    + " and has none of the keys " + NESTED_KEYS + " holding a dict; its keys are " + keyList(top));
        });
    }

    /**
     * Every tensor in the dict stored under {@code key} in the top-level dict (e.g. {@code "model_state"}),
     * keyed by dotted name; tensors in nested dicts and lists get the dotted path to them
     * ({@code "state.0.exp_avg"}); other plain values (numbers, strings, ...) are skipped, while an object
     * of a class outside the whitelist is an error, since it may well be a tensor this reader cannot rebuild.
     * {@link #readStateDict(Path)} walks its dict the same way.
     */
    public static Map<String, RawArray> readStateDict(Path file, String key) throws IOException {
        return read(file, root -> {
            Map<?, ?> top = topDict(root, file);
            if (!top.containsKey(key))
                throw new ArrayFileException(file, "key '" + key + "'", "is not in the top-level dict; its keys are " + keyList(top));
            if (!(top.get(key) instanceof Map<?, ?> m))
                throw new ArrayFileException(file, "key '" + key + "'", "holds " + PickleReader.describe(top.get(key)) + ", not a dict");
            return m;
        });
    }

    /**
     * The whole top-level dict of a checkpoint. Values are null, Boolean, Long (BigInteger beyond 64 bits),
     * Double, String, byte[], {@link RawArray} (every tensor, read), {@code List} (lists and tuples),
     * {@code Set}, {@code Map<Object, Object>} (keys as they were: e.g. Long for an optimizer's
     * {@code state}) and {@link Unknown}. Top-level keys are turned into strings.
     */
    public static Map<String, Object> readObject(Path file) throws IOException {
        try (Source src = open(file)) {
            Map<?, ?> top = topDict(src.root, file);
            Converter c = new Converter(src, file);
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : top.entrySet()) {
                String k = String.valueOf(e.getKey());
                out.put(k, c.convert(e.getValue(), k, 1));
            }
            return out;
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Selecting and collecting tensors.

    private interface Selector {
        Map<?, ?> select(Object root) throws ArrayFileException;
    }

    private static Map<String, RawArray> read(Path file, Selector selector) throws IOException {
        try (Source src = open(file)) {
            Map<?, ?> dict = selector.select(src.root);
            Map<String, TensorRef> refs = new LinkedHashMap<>();
            collect(dict, "", refs, file, 0, new int[] {MAX_VISITS});
            Set<String> keys = new LinkedHashSet<>();
            for (TensorRef t : refs.values()) if (t.storage instanceof StorageRef s) keys.add(s.key());
            src.need(keys);
            Converter c = new Converter(src, file);
            Map<String, RawArray> out = new LinkedHashMap<>();
            // Each storage is dropped once its last tensor is read, so that peak memory stays near the
            // size of the tensors rather than tensors plus storages.
            Map<String, Integer> uses = new HashMap<>();
            for (TensorRef t : refs.values()) if (t.storage instanceof StorageRef s) uses.merge(s.key(), 1, Integer::sum);
            for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
                out.put(e.getKey(), c.tensor(e.getValue(), e.getKey()));
                if (e.getValue().storage instanceof StorageRef s && uses.merge(s.key(), -1, Integer::sum) == 0) src.release(s.key());
            }
            return out;
        }
    }

    private static void collect(Object o, String prefix, Map<String, TensorRef> out, Path file, int depth, int[] budget)
            throws ArrayFileException {
        if (depth > MAX_DEPTH) throw new ArrayFileException(file, null, "objects nested deeper than " + MAX_DEPTH + " levels");
        // Containers shared many times over (a crafted pickle can make 2^n paths out of n lists) must not
        // turn the walk into an endless one.
        if (--budget[0] < 0) throw new ArrayFileException(file, null, "more than " + MAX_VISITS + " dict and list entries reached; shared containers repeat too often");
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String key = prefix + e.getKey();
                Object v = e.getValue();
                if (v instanceof TensorRef t) {
                    if (out.put(key, t) != null) throw new ArrayFileException(file, "tensor '" + key + "'", "appears twice under that dotted name");
                } else if (v instanceof PyObject p) {
                    throw new ArrayFileException(file, "key '" + key + "'", "holds " + PickleReader.describe(p) + ", not a tensor");
                } else {
                    collect(v, key + ".", out, file, depth + 1, budget);
                }
            }
        } else if (o instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                String key = prefix + i;
                if (l.get(i) instanceof TensorRef t) {
                    if (out.put(key, t) != null) throw new ArrayFileException(file, "tensor '" + key + "'", "appears twice under that dotted name");
                } else {
                    collect(l.get(i), key + ".", out, file, depth + 1, budget);
                }
            }
        }
    }

    private static Map<?, ?> topDict(Object root, Path file) throws ArrayFileException {
        if (root instanceof Map<?, ?> m) return m;
        throw new ArrayFileException(file, null, "the checkpoint holds " + PickleReader.describe(root) + ", not a dict");
    }

    private static boolean isTensorDict(Map<?, ?> m) {
        if (m.isEmpty()) return false;
        for (Object v : m.values()) if (!(v instanceof TensorRef)) return false;
        return true;
    }

    private static String keyList(Map<?, ?> m) {
        List<String> keys = new ArrayList<>();
        for (Object k : m.keySet()) {
            if (keys.size() == 20) {
                keys.add("... (" + m.size() + " in all)");
                break;
            }
            keys.add(String.valueOf(k));
        }
        return keys.toString();
    }

    /** Turns the unpickled tree into public values, reading each tensor (and each storage) once. */
    private static final class Converter {
        private final Source src;
        private final Path file;
        private final Map<Object, Object> done = new IdentityHashMap<>();

        Converter(Source src, Path file) {
            this.src = src;
            this.file = file;
        }

        RawArray tensor(TensorRef t, String key) throws IOException {
            Object r = done.get(t);
            if (r == null) {
                r = src.materialize(t, key);
                done.put(t, r);
            }
            return (RawArray) r;
        }

        @SuppressWarnings("unchecked")
        Object convert(Object o, String path, int depth) throws IOException {
            if (depth > MAX_DEPTH) throw new ArrayFileException(file, null, "objects nested deeper than " + MAX_DEPTH + " levels");
            if (o == null || o instanceof String || o instanceof Long || o instanceof Double || o instanceof Boolean
                    || o instanceof BigInteger || o instanceof byte[]) return o;
            if (o instanceof TensorRef t) return tensor(t, path);
            Object seen = done.get(o);
            if (seen != null) return seen; // shared (or cyclic) containers stay shared
            switch (o) {
                case Map<?, ?> m -> {
                    Map<Object, Object> out = new LinkedHashMap<>();
                    done.put(o, out);
                    for (Map.Entry<?, ?> e : m.entrySet())
                        out.put(convert(e.getKey(), path + ".<key>", depth + 1), convert(e.getValue(), path + "." + e.getKey(), depth + 1));
                    return out;
                }
                case Set<?> s -> {
                    Set<Object> out = new LinkedHashSet<>();
                    done.put(o, out);
                    for (Object v : s) out.add(convert(v, path + ".<item>", depth + 1));
                    return out;
                }
                case List<?> l -> {
                    List<Object> out = new ArrayList<>(l.size());
                    done.put(o, out);
                    for (int i = 0; i < l.size(); i++) out.add(convert(l.get(i), path + "." + i, depth + 1));
                    return out;
                }
                case PyObject p -> {
                    Map<Object, Object> items = new LinkedHashMap<>();
                    List<Object> listItems = new ArrayList<>();
                    List<Object> args = new ArrayList<>();
                    Unknown u = new Unknown(p.global.toString(), args, null, items, listItems, p.why);
                    done.put(o, u);
                    for (Object a : p.args) args.add(convert(a, path + ".<arg>", depth + 1));
                    for (Map.Entry<Object, Object> e : p.items.entrySet())
                        items.put(convert(e.getKey(), path + ".<key>", depth + 1), convert(e.getValue(), path + "." + e.getKey(), depth + 1));
                    for (Object v : p.appended) listItems.add(convert(v, path + ".<item>", depth + 1));
                    Object state = convert(p.state, path + ".<state>", depth + 1);
                    // Records are immutable, so the state is set by building a second one; cycles through
                    // an object's own state see the first (state-less) one.
                    Unknown full = new Unknown(u.className(), u.args(), state, items, listItems, p.why);
                    done.put(o, full);
                    return full;
                }
                case Global g -> { return new Unknown(g.toString(), List.of(), null, Map.of(), List.of(), "a reference to a class or function"); }
                case NumpyDType d -> { return new Unknown("numpy.dtype", List.of(d.code), null, Map.of(), List.of(), null); }
                case StorageRef s -> { return new Unknown("torch." + s.typeName, List.of(s.key), null, Map.of(), List.of(), "a bare storage"); }
                default -> throw new ArrayFileException(file, path, "unexpected value " + o.getClass().getSimpleName());
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Tensors and storages.

    /** A storage's element type as saved, with its size in bytes and the DType it widens to. */
    enum Stored {
        F16(2, DType.FLOAT32), BF16(2, DType.FLOAT32), F32(4, DType.FLOAT32), F64(8, DType.FLOAT64),
        I8(1, DType.INT32), U8(1, DType.INT32), I16(2, DType.INT32), I32(4, DType.INT32), I64(8, DType.INT64),
        BOOL(1, DType.BOOL);

        final int size;
        final DType dtype;

        Stored(int size, DType dtype) {
            this.size = size;
            this.dtype = dtype;
        }

        /** The type a {@code torch.<name>} storage class holds, or null if it has no DType counterpart. */
        static Stored ofClass(String name) {
            return switch (name) {
                case "HalfStorage" -> F16;
                case "BFloat16Storage" -> BF16;
                case "FloatStorage" -> F32;
                case "DoubleStorage" -> F64;
                case "CharStorage" -> I8;
                case "ByteStorage", "UntypedStorage" -> U8;
                case "ShortStorage" -> I16;
                case "IntStorage" -> I32;
                case "LongStorage" -> I64;
                case "BoolStorage" -> BOOL;
                default -> null;
            };
        }
    }

    /** A storage as a persistent id names it: class, record key and number of elements. */
    record StorageRef(String typeName, Stored stored, String key, long numel) {}

    /** A tensor as {@code _rebuild_tensor_v2} describes it, checked and read only when needed. */
    static final class TensorRef {
        final Object storage;
        final Object offset;
        final Object size;
        final Object stride;

        TensorRef(Object storage, Object offset, Object size, Object stride) {
            this.storage = storage;
            this.offset = offset;
            this.size = size;
            this.stride = stride;
        }
    }

    /** What calling a whitelisted global yields; null for everything else. */
    private static Object call(Global g, List<Object> args, PickleReader.Failure fail) throws ArrayFileException {
        String name = g.toString();
        switch (name) {
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> {
                if (args.size() < 4) throw fail.at(name + " needs at least 4 arguments, got " + args.size());
                return new TensorRef(args.get(0), args.get(1), args.get(2), args.get(3));
            }
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                if (args.isEmpty()) throw fail.at(name + " without arguments");
                return args.get(0) instanceof TensorRef t ? t
                        : new PyObject(g, args, "a parameter whose data is " + PickleReader.describe(args.get(0)));
            }
            case "torch._tensor._rebuild_from_type_v2" -> {
                // (func, type, args, state): a tensor subclass; read as the plain tensor func rebuilds.
                if (args.size() >= 3 && args.get(0) instanceof Global f && args.get(2) instanceof List<?> a) {
                    @SuppressWarnings("unchecked") Object r = call(f, (List<Object>) a, fail);
                    if (r != null) return r;
                }
                return new PyObject(g, args, "a tensor subclass rebuilt by an unsupported function");
            }
            case "collections.OrderedDict", "builtins.dict", "__builtin__.dict" -> {
                Map<Object, Object> m = new LinkedHashMap<>();
                if (!args.isEmpty()) {
                    if (!(args.get(0) instanceof Collection<?> pairs)) return null;
                    for (Object p : pairs) {
                        if (!(p instanceof List<?> kv) || kv.size() != 2) throw fail.at(name + " item " + PickleReader.describe(p) + " is not a pair");
                        if (!PickleReader.hashable(kv.get(0), 0)) throw fail.at(name + " key " + PickleReader.describe(kv.get(0)) + " is unhashable");
                        m.put(kv.get(0), kv.get(1));
                    }
                }
                return m;
            }
            case "builtins.set", "builtins.frozenset", "__builtin__.set", "__builtin__.frozenset" -> {
                Set<Object> s = new LinkedHashSet<>();
                if (!args.isEmpty()) {
                    if (!(args.get(0) instanceof Collection<?> c)) return null;
                    for (Object v : c) if (!PickleReader.hashable(v, 0)) throw fail.at(name + " of an unhashable element " + PickleReader.describe(v));
                    s.addAll(c);
                }
                return name.endsWith("frozenset") ? Collections.unmodifiableSet(s) : s;
            }
            case "torch.Size" -> {
                return args.size() == 1 && args.get(0) instanceof List<?> l ? l : null;
            }
            case "torch.device" -> {
                if (args.size() == 1 && args.get(0) instanceof String s) return s;
                if (args.size() == 2 && args.get(0) instanceof String s && args.get(1) instanceof Long i) return s + ":" + i;
                return null;
            }
            case "_codecs.encode" -> {
                // Protocol 2 writes Python 3 bytes as encode(str, 'latin1').
                if (args.size() == 2 && args.get(0) instanceof String s && args.get(1) instanceof String enc) {
                    String e = enc.toLowerCase().replace('_', '-');
                    if (e.equals("latin1") || e.equals("latin-1") || e.equals("iso-8859-1")) return s.getBytes(StandardCharsets.ISO_8859_1);
                    if (e.equals("utf-8") || e.equals("utf8")) return s.getBytes(StandardCharsets.UTF_8);
                }
                return null;
            }
            case "numpy.dtype" -> {
                return !args.isEmpty() && args.get(0) instanceof String code ? new NumpyDType(code) : null;
            }
            case "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar" -> {
                return numpyScalar(args);
            }
            case "torch.storage._load_from_bytes" -> {
                return new PyObject(g, args, "a storage serialized by torch.storage._load_from_bytes, which is not supported");
            }
            default -> {
                return null;
            }
        }
    }

    /** {@code numpy.core.multiarray.scalar(dtype, bytes)} for bool, int and float dtypes; null otherwise. */
    private static Object numpyScalar(List<Object> args) {
        if (args.size() != 2 || !(args.get(0) instanceof NumpyDType d)) return null;
        byte[] raw = args.get(1) instanceof byte[] b ? b
                : args.get(1) instanceof String s ? s.getBytes(StandardCharsets.ISO_8859_1) : null;
        if (raw == null) return null;
        ByteBuffer b = ByteBuffer.wrap(raw).order(d.order == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        String code = d.code.replaceFirst("^[<>=|]", "");
        return switch (code + ":" + raw.length) {
            case "f8:8" -> b.getDouble();
            case "f4:4" -> (double) b.getFloat();
            case "f2:2" -> (double) Float.float16ToFloat(b.getShort());
            case "i8:8" -> b.getLong();
            case "i4:4" -> (long) b.getInt();
            case "i2:2" -> (long) b.getShort();
            case "i1:1" -> (long) b.get();
            case "u4:4" -> b.getInt() & 0xffffffffL;
            case "u2:2" -> (long) (b.getShort() & 0xffff);
            case "u1:1" -> (long) (b.get() & 0xff);
            case "b1:1" -> b.get() != 0;
            default -> null;
        };
    }

    /** The persistent id of a storage: {@code ('storage', torch.XStorage, key, location, numel[, view])}. */
    private static Object persistentLoad(Object pid, PickleReader.Failure fail, boolean legacy) throws ArrayFileException {
        if (!(pid instanceof List<?> t) || t.isEmpty() || !"storage".equals(t.get(0)))
            // e.g. the legacy format's ('module', ...) source records: data nobody here needs.
            return new PyObject(new Global("persistent_id", "unknown"), Collections.singletonList(pid), "an unsupported persistent record");
        if (t.size() < 5 || !(t.get(1) instanceof Global type) || !(t.get(2) instanceof String key) || !(t.get(4) instanceof Long numel) || numel < 0)
            throw fail.at("storage record (" + PickleReader.describe(t) + ") is not ('storage', class, key, location, numel)");
        if (legacy && t.size() > 5 && t.get(5) != null)
            throw fail.at("storage '" + key + "' is a view of another storage (a format older than torch 1.0), which is not supported");
        String typeName = type.module().equals("torch") ? type.name() : type.toString();
        return new StorageRef(typeName, type.module().equals("torch") ? Stored.ofClass(type.name()) : null, key, numel);
    }

    // ------------------------------------------------------------------------------------------------------
    // Containers.

    /** An opened checkpoint: the unpickled root and a way to read storages. */
    private abstract static class Source implements AutoCloseable {
        final Path file;
        Object root;
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        final Map<String, StorageRef> refs = new HashMap<>();
        private final Map<String, byte[]> loaded = new HashMap<>();

        Source(Path file) { this.file = file; }

        /** Forgets a storage no further tensor needs. */
        void release(String key) { loaded.remove(key); }

        /** Says which storages will be asked for (null: any), for formats that must read them in one pass. */
        void need(Set<String> keys) {}

        /** The bytes of storage {@code ref}, exactly {@code numel * size} of them. */
        abstract byte[] readStorage(StorageRef ref, String tensor) throws IOException;

        byte[] storage(StorageRef ref, String tensor) throws IOException {
            byte[] b = loaded.get(ref.key());
            if (b == null) {
                b = readStorage(ref, tensor);
                loaded.put(ref.key(), b);
            }
            return b;
        }

        PickleReader.PersistentLoader loader(PickleReader.Failure[] fail, boolean legacy) {
            return pid -> {
                Object r = persistentLoad(pid, fail[0], legacy);
                if (r instanceof StorageRef s) {
                    StorageRef prev = refs.putIfAbsent(s.key(), s);
                    if (prev != null && (prev.stored() != s.stored() || prev.numel() != s.numel()))
                        throw fail[0].at("storage '" + s.key() + "' is described twice differently");
                }
                return r;
            };
        }

        RawArray materialize(TensorRef t, String key) throws IOException {
            String what = "tensor '" + key + "'";
            if (!(t.storage instanceof StorageRef ref))
                throw new ArrayFileException(file, what, "its storage is " + PickleReader.describe(t.storage) + ", which cannot be read");
            if (ref.stored() == null)
                throw new ArrayFileException(file, what, "storage class " + ref.typeName() + " is not supported (float16/32/64,"
                        + " bfloat16, int8/16/32/64, uint8 and bool are)");
            long offset = integer(t.offset, what, "storage offset");
            long[] size = integers(t.size, what, "size");
            long[] stride = integers(t.stride, what, "stride");
            if (size.length != stride.length)
                throw new ArrayFileException(file, what, "size " + Arrays.toString(size) + " and stride " + Arrays.toString(stride) + " differ in length");
            int[] shape = new int[size.length];
            for (int i = 0; i < size.length; i++) {
                if (size[i] < 0 || size[i] > Integer.MAX_VALUE || stride[i] < 0)
                    throw new ArrayFileException(file, what, "invalid size " + Arrays.toString(size) + " or stride " + Arrays.toString(stride));
                shape[i] = (int) size[i];
            }
            long numel;
            try {
                numel = RawArray.numelOf(shape);
            } catch (IllegalArgumentException e) {
                throw new ArrayFileException(file, what, e.getMessage());
            }
            Stored st = ref.stored();
            if (numel > 0 && numel == ref.numel() && offset == 0 && st.size == st.dtype.byteSize() && st != Stored.BOOL
                    && order == ByteOrder.LITTLE_ENDIAN && contiguous(shape, stride)) {
                // The whole storage in C order, already in its DType's layout: used as it is, not copied.
                // Tensors sharing it share the (read-only) bytes.
                return new RawArray(st.dtype, shape, ByteBuffer.wrap(storage(ref, what)));
            }
            ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(numel * st.dtype.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
            if (numel > 0) {
                if (offset < 0) throw new ArrayFileException(file, what, "negative storage offset " + offset);
                long last = offset;
                try {
                    for (int i = 0; i < size.length; i++) last = Math.addExact(last, Math.multiplyExact(size[i] - 1, stride[i]));
                } catch (ArithmeticException e) {
                    last = Long.MAX_VALUE;
                }
                if (last >= ref.numel())
                    throw new ArrayFileException(file, what, "offset " + offset + ", size " + Arrays.toString(size) + " and stride "
                            + Arrays.toString(stride) + " reach element " + last + " of storage '" + ref.key() + "', which has "
                            + ref.numel() + " elements");
                ByteBuffer src = ByteBuffer.wrap(storage(ref, what)).order(order);
                copy(src, st, offset, shape, stride, out);
            }
            try {
                return new RawArray(st.dtype, shape, out);
            } catch (IllegalArgumentException e) {
                throw new ArrayFileException(file, what, e.getMessage(), e);
            }
        }

        private static boolean contiguous(int[] shape, long[] stride) {
            long expect = 1;
            for (int i = shape.length - 1; i >= 0; i--) {
                if (shape[i] != 1 && stride[i] != expect) return false;
                expect *= shape[i];
            }
            return true;
        }

        private long integer(Object o, String what, String field) throws ArrayFileException {
            if (o instanceof Long l) return l;
            throw new ArrayFileException(file, what, field + " is " + PickleReader.describe(o) + ", not an integer");
        }

        private long[] integers(Object o, String what, String field) throws ArrayFileException {
            if (!(o instanceof List<?> l)) throw new ArrayFileException(file, what, field + " is " + PickleReader.describe(o) + ", not a tuple");
            long[] out = new long[l.size()];
            for (int i = 0; i < out.length; i++) out[i] = integer(l.get(i), what, field + " element " + i);
            return out;
        }

        @Override
        public abstract void close() throws IOException;
    }

    /**
     * Copies a strided view element by element into C order, widening to the DType. Walks the output with
     * an odometer over the multi-index, updating the source index incrementally.
     */
    private static void copy(ByteBuffer src, Stored st, long offset, int[] shape, long[] stride, ByteBuffer dst) {
        int nd = shape.length;
        int n = dst.capacity() / st.dtype.byteSize();
        int[] idx = new int[nd];
        long s = offset;
        for (int c = 0; c < n; c++) {
            int at = (int) (s * st.size);
            switch (st) {
                case F16 -> dst.putFloat(4 * c, Float.float16ToFloat(src.getShort(at)));
                case BF16 -> dst.putFloat(4 * c, Float.intBitsToFloat((src.getShort(at) & 0xffff) << 16));
                case F32 -> dst.putFloat(4 * c, src.getFloat(at));
                case F64 -> dst.putDouble(8 * c, src.getDouble(at));
                case I8 -> dst.putInt(4 * c, src.get(at));
                case U8 -> dst.putInt(4 * c, src.get(at) & 0xff);
                case I16 -> dst.putInt(4 * c, src.getShort(at));
                case I32 -> dst.putInt(4 * c, src.getInt(at));
                case I64 -> dst.putLong(8 * c, src.getLong(at));
                case BOOL -> dst.put(c, src.get(at) != 0 ? (byte) 1 : 0);
            }
            for (int k = nd - 1; k >= 0; k--) {
                s += stride[k];
                if (++idx[k] < shape[k]) break;
                s -= stride[k] * shape[k];
                idx[k] = 0;
            }
        }
    }

    private static Source open(Path file) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new ArrayFileException(file, null, "file does not exist", e);
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(4);
        }
        if (head.length == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return ZipSource.open(file);
        if (head.length >= 1 && (head[0] & 0xff) == 0x80) return LegacySource.open(file, size);
        throw new ArrayFileException(file, null, "not a torch.save file: neither a zip archive (torch >= 1.6) nor a"
                + " legacy pickle stream (the tar-based format of torch < 0.4 is not supported)");
    }

    /** The zip format: storages are records read on demand. */
    private static final class ZipSource extends Source {
        private final ZipFile zip;
        private final String prefix;

        private ZipSource(Path file, ZipFile zip, String prefix) {
            super(file);
            this.zip = zip;
            this.prefix = prefix;
        }

        static ZipSource open(Path file) throws IOException {
            ZipFile zip;
            try {
                zip = new ZipFile(file.toFile());
            } catch (ZipException e) {
                throw new ArrayFileException(file, null, "not a valid zip archive (truncated or corrupt?): " + e.getMessage(), e);
            }
            try {
                String pkl = null;
                Enumeration<? extends ZipEntry> entries = zip.entries();
                while (entries.hasMoreElements()) {
                    String n = entries.nextElement().getName();
                    // The pickle sits directly in the archive's one top-level folder.
                    if (n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - 9 && (pkl == null || n.length() < pkl.length())) pkl = n;
                }
                if (pkl == null) throw new ArrayFileException(file, null, "zip archive has no <archive>/data.pkl entry; not a torch.save file");
                ZipSource src = new ZipSource(file, zip, pkl.substring(0, pkl.length() - "data.pkl".length()));
                src.load(pkl);
                return src;
            } catch (IOException | RuntimeException e) {
                zip.close();
                throw e;
            }
        }

        private void load(String pkl) throws IOException {
            ZipEntry bo = zip.getEntry(prefix + "byteorder");
            if (bo != null) {
                String s = new String(readEntry(bo, "entry '" + bo.getName() + "'", 16), StandardCharsets.US_ASCII).strip();
                order = switch (s) {
                    case "little" -> ByteOrder.LITTLE_ENDIAN;
                    case "big" -> ByteOrder.BIG_ENDIAN;
                    default -> throw new ArrayFileException(file, "entry '" + bo.getName() + "'", "byte order '" + s + "' is neither little nor big");
                };
            }
            String entry = "entry '" + pkl + "'";
            byte[] pickle = readEntry(zip.getEntry(pkl), entry, Integer.MAX_VALUE - 16);
            PickleReader.Failure[] fail = new PickleReader.Failure[1];
            PickleReader r = new PickleReader(new java.io.ByteArrayInputStream(pickle), 0, pickle.length, file.toString(), entry,
                    loader(fail, false), TorchCheckpoint::call);
            fail[0] = r::fail;
            root = r.load();
            if (r.position() != pickle.length)
                throw new ArrayFileException(file, entry, (pickle.length - r.position()) + " bytes after the pickle's STOP opcode");
        }

        private byte[] readEntry(ZipEntry e, String what, long max) throws IOException {
            if (e.getSize() > max) throw new ArrayFileException(file, what, "is " + e.getSize() + " bytes, more than " + max);
            try (InputStream in = zip.getInputStream(e)) {
                byte[] b = in.readNBytes((int) Math.min(max, e.getSize() < 0 ? max : e.getSize()));
                if (e.getSize() >= 0 && b.length != e.getSize())
                    throw new ArrayFileException(file, what, "holds " + b.length + " of its " + e.getSize() + " bytes");
                return b;
            } catch (ZipException | java.io.EOFException ex) {
                throw new ArrayFileException(file, what, "cannot be read from the archive: " + ex.getMessage(), ex);
            }
        }

        @Override
        byte[] readStorage(StorageRef ref, String tensor) throws IOException {
            String name = prefix + "data/" + ref.key();
            String what = "entry '" + name + "'";
            ZipEntry e = zip.getEntry(name);
            if (e == null) throw new ArrayFileException(file, what, "is missing (" + tensor + " is stored there)");
            long want = ref.numel() * ref.stored().size;
            if (e.getSize() != want)
                throw new ArrayFileException(file, what, "size mismatch: holds " + e.getSize() + " bytes, but " + ref.numel() + " elements of "
                        + ref.typeName() + " need " + want + " (" + tensor + ")");
            if (want > Integer.MAX_VALUE - 16) throw new ArrayFileException(file, what, "storage of " + want + " bytes is too large for one buffer");
            return readEntry(e, what, want);
        }

        @Override
        public void close() throws IOException { zip.close(); }
    }

    /**
     * The legacy format: all storages follow the pickles in one stream, in the order of the key list, each as
     * an 8-byte element count and the raw elements. They are read in one pass, keeping only those needed.
     */
    private static final class LegacySource extends Source {
        private final long fileSize;
        private List<String> keys;
        private long storagesStart;
        private boolean scanned;
        /** Keys of the storages to keep; null for all. */
        private Set<String> wanted;
        private final Map<String, byte[]> read = new HashMap<>();

        private LegacySource(Path file, long fileSize) {
            super(file);
            this.fileSize = fileSize;
        }

        static LegacySource open(Path file, long size) throws IOException {
            LegacySource src = new LegacySource(file, size);
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
                src.parse(in);
            }
            return src;
        }

        private void parse(InputStream in) throws IOException {
            long pos = 0;
            PickleReader.Failure[] fail = new PickleReader.Failure[1];
            String[] names = {"magic-number pickle", "protocol pickle", "system-info pickle", "object pickle", "storage-key pickle"};
            Object[] values = new Object[names.length];
            for (int i = 0; i < names.length; i++) {
                PickleReader r = new PickleReader(in, pos, fileSize, file.toString(), names[i],
                        i == 3 ? loader(fail, true) : pid -> { throw fail[0].at("persistent id outside the object pickle"); },
                        TorchCheckpoint::call);
                fail[0] = r::fail;
                values[i] = r.load();
                pos = r.position();
                if (i == 0) {
                    Object m = values[0];
                    BigInteger magic = m instanceof Long l ? BigInteger.valueOf(l) : m instanceof BigInteger b ? b : null;
                    if (!LEGACY_MAGIC.equals(magic))
                        throw new ArrayFileException(file, names[0], "is " + PickleReader.describe(m) + ", not torch's magic number; not a torch.save file");
                }
                if (i == 1 && !(values[1] instanceof Long p && p == LEGACY_PROTOCOL))
                    throw new ArrayFileException(file, names[1], "is " + PickleReader.describe(values[1]) + ", expected " + LEGACY_PROTOCOL);
                if (i == 2) {
                    if (!(values[2] instanceof Map<?, ?> info))
                        throw new ArrayFileException(file, names[2], "is " + PickleReader.describe(values[2]) + ", not a dict");
                    if (Boolean.FALSE.equals(info.get("little_endian"))) order = ByteOrder.BIG_ENDIAN;
                }
            }
            root = values[3];
            if (!(values[4] instanceof List<?> l)) throw new ArrayFileException(file, names[4], "is " + PickleReader.describe(values[4]) + ", not a list");
            keys = new ArrayList<>();
            for (Object k : l) {
                if (!(k instanceof String s)) throw new ArrayFileException(file, names[4], "holds " + PickleReader.describe(k) + ", not a key");
                keys.add(s);
            }
            storagesStart = pos;
        }

        @Override
        void need(Set<String> keys) { wanted = keys; }

        @Override
        byte[] readStorage(StorageRef ref, String tensor) throws IOException {
            if (!scanned) scan();
            byte[] b = read.remove(ref.key());
            if (b == null) throw new ArrayFileException(file, "storage '" + ref.key() + "'", "is missing from the storage list (" + tensor + " is stored there)");
            return b;
        }

        /** One pass over the storages after the pickles. */
        private void scan() throws IOException {
            scanned = true;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
                in.skipNBytes(storagesStart);
                long pos = storagesStart;
                for (String key : keys) {
                    String what = "storage '" + key + "'";
                    StorageRef ref = refs.get(key);
                    if (ref == null) throw new ArrayFileException(file, what, "is listed but no tensor describes it, so its size is unknown");
                    if (fileSize - pos < 8) throw new ArrayFileException(file, what, "truncated: the file ends at byte " + fileSize + " before its element count");
                    byte[] nb = in.readNBytes(8);
                    long n = ByteBuffer.wrap(nb).order(order).getLong();
                    pos += 8;
                    if (n != ref.numel())
                        throw new ArrayFileException(file, what, "size mismatch: holds " + n + " elements at byte " + (pos - 8) + ", the pickle says " + ref.numel());
                    long bytes = ref.stored() == null ? -1 : n * ref.stored().size;
                    if (bytes < 0) throw new ArrayFileException(file, what, "storage class " + ref.typeName() + " is not supported, so its size is unknown");
                    if (bytes > fileSize - pos)
                        throw new ArrayFileException(file, what, "truncated: needs " + bytes + " bytes at byte " + pos + ", the file has " + (fileSize - pos) + " left");
                    if (bytes > Integer.MAX_VALUE - 16) throw new ArrayFileException(file, what, "storage of " + bytes + " bytes is too large for one buffer");
                    if (wanted == null || wanted.contains(key)) read.put(key, in.readNBytes((int) bytes));
                    else in.skipNBytes(bytes);
                    pos += bytes;
                }
                if (pos != fileSize) throw new ArrayFileException(file, null, (fileSize - pos) + " bytes after the last storage");
            }
        }

        @Override
        public void close() {}
    }
}
