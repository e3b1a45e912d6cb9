package fuse3d.tensor.io;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Python pickle decoder (protocols 0-5, the opcodes {@code torch.save} and the objects inside checkpoints
 * use) that never runs anything: a GLOBAL only ever becomes a {@link Global} name, and calling one (REDUCE,
 * NEWOBJ, OBJ, INST) is answered by {@link #call} from a fixed list of harmless constructors, everything
 * else becoming an inert {@link PyObject}.
 *
 * <p>Values come out as null, Boolean, Long (BigInteger beyond 64 bits), Double, String, byte[], List (an
 * unmodifiable one for a tuple), LinkedHashMap, LinkedHashSet, and the records below. Length fields are
 * checked against the bytes left before anything is allocated, so a corrupt pickle fails with an
 * {@link ArrayFileException} naming the opcode and its byte offset rather than exhausting memory.
 */
final class PickleReader {

    /** A {@code module.name} reference as GLOBAL/STACK_GLOBAL produce it; resolved by name only. */
    record Global(String module, String name) {
        @Override
        public String toString() { return module + "." + name; }
    }

    /** {@code numpy.dtype(...)}: only its type string and byte order matter. */
    static final class NumpyDType {
        final String code;
        char order = '=';

        NumpyDType(String code) { this.code = code; }
    }

    /**
     * An object of a class outside the whitelist (or of an unsupported one, see {@code why}): the class name,
     * the constructor arguments and the BUILD state, kept as data and never interpreted.
     */
    static final class PyObject {
        final Global global;
        final List<Object> args;
        final String why;
        Object state;
        final Map<Object, Object> items = new LinkedHashMap<>(); // SETITEM(S) on such an object, kept as data
        final List<Object> appended = new ArrayList<>(); // APPEND(S) on such an object

        PyObject(Global global, List<Object> args, String why) {
            this.global = global;
            this.args = args;
            this.why = why;
        }
    }

    /** Answers BINPERSID/PERSID: turns a persistent id into an object (for torch, a storage reference). */
    interface PersistentLoader {
        Object load(Object pid) throws ArrayFileException;
    }

    /** Decides what calling a whitelisted global yields; see {@link TorchCheckpoint}. */
    interface Caller {
        /** The result of {@code global(*args)}, or null if {@code global} is not on the whitelist. */
        Object call(Global global, List<Object> args, Failure fail) throws ArrayFileException;
    }

    /** Builds an error at the current opcode. */
    interface Failure {
        ArrayFileException at(String problem);
    }

    /** A stream position counter over the pickle bytes. */
    private final InputStream in;
    private final long end;
    private long pos;
    private final String file;
    private final String entry;
    private final PersistentLoader persistent;
    private final Caller caller;

    private int opcode;
    private long opcodePos;

    private ArrayList<Object> stack = new ArrayList<>();
    private final ArrayDeque<ArrayList<Object>> metastack = new ArrayDeque<>();
    private final Map<Long, Object> memo = new HashMap<>();

    /**
     * @param in    the pickle bytes, read from the current position
     * @param start the offset of the pickle in the file (for messages)
     * @param end   the offset at which the available bytes end: no length field may reach past it
     */
    PickleReader(InputStream in, long start, long end, String file, String entry, PersistentLoader persistent, Caller caller) {
        this.in = in;
        this.pos = start;
        this.end = end;
        this.file = file;
        this.entry = entry;
        this.persistent = persistent;
        this.caller = caller;
    }

    /** The offset just after the STOP opcode once {@link #load()} returned. */
    long position() { return pos; }

    /** Reads opcodes up to and including STOP and returns the object left on the stack. */
    Object load() throws IOException {
        while (true) {
            opcodePos = pos;
            opcode = u8();
            switch (opcode) {
                case 0x80 -> { // PROTO
                    int p = u8();
                    if (p > 5) throw fail("pickle protocol " + p + " is newer than 5");
                }
                case 0x95 -> bytes(8); // FRAME: a length hint only
                case '.' -> { // STOP
                    if (stack.size() != 1 || !metastack.isEmpty())
                        throw fail("STOP with " + stack.size() + " objects on the stack (expected 1)"
                                + (metastack.isEmpty() ? "" : " inside an unclosed MARK"));
                    return stack.get(0);
                }
                case '}' -> push(new LinkedHashMap<>());
                case ']' -> push(new ArrayList<>());
                case ')' -> push(tuple(List.of()));
                case 0x8f -> push(new LinkedHashSet<>()); // EMPTY_SET
                case '(' -> { // MARK
                    metastack.push(stack);
                    stack = new ArrayList<>();
                }
                case 0x85 -> push(tuple(List.of(nullSafe(pop()))));
                case 0x86 -> { Object b = pop(), a = pop(); push(tuple(Arrays.asList(a, b))); }
                case 0x87 -> { Object c = pop(), b = pop(), a = pop(); push(tuple(Arrays.asList(a, b, c))); }
                case 't' -> push(tuple(popMark()));
                case 'l' -> push(new ArrayList<>(popMark())); // LIST
                case 'd' -> push(dictOf(popMark())); // DICT
                case 0x91 -> { // FROZENSET
                    Set<Object> fs = new LinkedHashSet<>();
                    for (Object v : popMark()) fs.add(key(v));
                    push(Collections.unmodifiableSet(fs));
                }
                case 's' -> { Object v = pop(), k = pop(); setItems(peek(), List.of(nullSafe(k), nullSafe(v))); }
                case 'u' -> { List<Object> kv = popMark(); setItems(peek(), kv); }
                case 'a' -> { Object v = pop(); append(peek(), Collections.singletonList(v)); }
                case 'e' -> { List<Object> vs = popMark(); append(peek(), vs); }
                case 0x90 -> { List<Object> vs = popMark(); addItems(peek(), vs); } // ADDITEMS
                case 'X' -> push(utf8(length(4)));
                case 0x8d -> push(utf8(length(8)));
                case 0x8c -> push(utf8(u8()));
                case 'T' -> push(latin1(length(4))); // BINSTRING (Python 2 str)
                case 'U' -> push(latin1(u8())); // SHORT_BINSTRING
                case 'B' -> push(bytes(length(4)));
                case 'C' -> push(bytes(u8()));
                case 0x8e, 0x96 -> push(bytes(length(8))); // BINBYTES8, BYTEARRAY8
                case 'J' -> push((long) le(4).getInt());
                case 'K' -> push((long) u8());
                case 'M' -> push((long) (le(2).getShort() & 0xffff));
                case 0x8a -> push(longBytes(u8()));
                case 0x8b -> push(longBytes(length(4)));
                case 'I' -> push(textInt(line())); // INT (protocol 0; "01"/"00" are True/False)
                case 'L' -> push(textLong(line())); // LONG (protocol 0)
                case 'F' -> push(textFloat(line())); // FLOAT (protocol 0)
                case 'G' -> push(ByteBuffer.wrap(bytes(8)).order(ByteOrder.BIG_ENDIAN).getDouble());
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'N' -> push(null);
                case 'q' -> memo.put((long) u8(), peek());
                case 'r' -> memo.put(le(4).getInt() & 0xffffffffL, peek());
                case 'p' -> memo.put(textLong(line()).longValue(), peek()); // PUT
                case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
                case 'h' -> push(memoGet(u8()));
                case 'j' -> push(memoGet(le(4).getInt() & 0xffffffffL));
                case 'g' -> push(memoGet(textLong(line()).longValue())); // GET
                case 'c' -> { String module = line(), name = line(); push(new Global(module, name)); }
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop(), module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n))
                        throw fail("STACK_GLOBAL needs two strings, got " + describe(module) + " and " + describe(name));
                    push(new Global(m, n));
                }
                case 'R' -> { Object args = pop(), f = pop(); push(call(f, args)); } // REDUCE
                case 0x81 -> { Object args = pop(), cls = pop(); push(call(cls, args)); } // NEWOBJ
                case 0x92 -> { pop(); Object args = pop(), cls = pop(); push(call(cls, args)); } // NEWOBJ_EX (kwargs dropped)
                case 'o' -> { // OBJ
                    List<Object> items = popMark();
                    if (items.isEmpty()) throw fail("OBJ without a class");
                    push(call(items.get(0), tuple(items.subList(1, items.size()))));
                }
                case 'i' -> { // INST
                    String module = line(), name = line();
                    push(call(new Global(module, name), tuple(popMark())));
                }
                case 'b' -> { Object state = pop(); build(peek(), state); } // BUILD
                case 'Q' -> push(persistent.load(pop())); // BINPERSID
                case 'P' -> push(persistent.load(line())); // PERSID
                case '0' -> { // POP (of a lone MARK too, as CPython does)
                    if (stack.isEmpty()) popMark();
                    else pop();
                }
                case '1' -> popMark(); // POP_MARK
                case '2' -> push(peek()); // DUP
                default -> throw fail("unsupported or unknown opcode " + String.format("0x%02x", opcode)
                        + (opcode >= 0x20 && opcode < 0x7f ? " ('" + (char) opcode + "')" : ""));
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Building objects.

    private Object call(Object f, Object args) throws ArrayFileException {
        if (!(args instanceof List<?> a)) throw fail("arguments are " + describe(args) + ", not a tuple");
        @SuppressWarnings("unchecked") List<Object> argList = (List<Object>) a;
        if (f instanceof Global g) {
            Object r = caller.call(g, argList, this::fail);
            return r != null ? r : new PyObject(g, argList, null);
        }
        // Calling the result of a call (e.g. an unknown factory's product): still only data.
        if (f instanceof PyObject p) return new PyObject(p.global, argList, p.why);
        throw fail("cannot call " + describe(f));
    }

    private void build(Object target, Object state) throws ArrayFileException {
        switch (target) {
            case PyObject p -> p.state = state;
            case NumpyDType d -> {
                // numpy's dtype state is (version, byteorder, ...); only the byte order changes the values.
                if (state instanceof List<?> s && s.size() > 1 && s.get(1) instanceof String o && o.length() == 1)
                    d.order = o.charAt(0);
            }
            // An OrderedDict's state is its instance __dict__ (e.g. a state dict's _metadata); a tensor's
            // is Python-side attributes. Neither changes what is read, so it is dropped.
            case Map<?, ?> m -> { }
            case TorchCheckpoint.TensorRef t -> { }
            default -> throw fail("BUILD on " + describe(target) + " is not supported");
        }
    }

    @SuppressWarnings("unchecked")
    private void setItems(Object target, List<Object> kv) throws ArrayFileException {
        if (kv.size() % 2 != 0) throw fail("odd number of items for a dictionary");
        Map<Object, Object> m;
        if (target instanceof Map<?, ?> map) m = (Map<Object, Object>) map;
        else if (target instanceof PyObject p) m = p.items;
        else throw fail("SETITEM(S) on " + describe(target) + ", not a dictionary");
        for (int i = 0; i < kv.size(); i += 2) m.put(key(unNull(kv.get(i))), unNull(kv.get(i + 1)));
    }

    @SuppressWarnings("unchecked")
    private void append(Object target, List<Object> values) throws ArrayFileException {
        List<Object> vs = new ArrayList<>(values.size());
        for (Object v : values) vs.add(unNull(v));
        if (target instanceof ArrayList<?> l) ((ArrayList<Object>) l).addAll(vs);
        else if (target instanceof PyObject p) p.appended.addAll(vs);
        else throw fail("APPEND(S) on " + describe(target) + ", not a list");
    }

    @SuppressWarnings("unchecked")
    private void addItems(Object target, List<Object> values) throws ArrayFileException {
        if (!(target instanceof LinkedHashSet<?> s)) throw fail("ADDITEMS on " + describe(target) + ", not a set");
        for (Object v : values) ((LinkedHashSet<Object>) s).add(key(unNull(v)));
    }

    private Map<Object, Object> dictOf(List<Object> kv) throws ArrayFileException {
        Map<Object, Object> m = new LinkedHashMap<>();
        setItems(m, kv);
        return m;
    }

    /**
     * Checks that a dict key or set element is hashable as Python sees it. A valid pickle never breaks this,
     * and a crafted one must not: a list that contains itself would send Java's hashCode into endless
     * recursion.
     */
    private Object key(Object k) throws ArrayFileException {
        if (!hashable(k, 0)) throw fail("unhashable dict key or set element: " + describe(k));
        return k;
    }

    /** Python's rule: immutable scalars, and tuples and frozensets of hashable values (bounded depth). */
    static boolean hashable(Object o, int depth) {
        if (depth > 100) return false;
        if (o instanceof ArrayList<?> || o instanceof Map<?, ?> || o instanceof LinkedHashSet<?>) return false; // mutable
        if (o instanceof Collection<?> c) { // a tuple or a frozenset
            for (Object v : c) if (!hashable(v, depth + 1)) return false;
        }
        return true;
    }

    /** A tuple: an unmodifiable list that, unlike List.of, may hold None. */
    static List<Object> tuple(List<Object> items) {
        List<Object> out = new ArrayList<>(items.size());
        for (Object o : items) out.add(unNull(o));
        return Collections.unmodifiableList(out);
    }

    /** Python's None travels through the small-tuple opcodes wrapped, because List.of refuses null. */
    private static final Object NULL = new Object();

    private static Object nullSafe(Object o) { return o == null ? NULL : o; }

    private static Object unNull(Object o) { return o == NULL ? null : o; }

    // ------------------------------------------------------------------------------------------------------
    // The stack and the memo.

    private void push(Object o) { stack.add(o); }

    private Object pop() throws ArrayFileException {
        if (stack.isEmpty()) throw fail("stack underflow");
        return stack.remove(stack.size() - 1);
    }

    private Object peek() throws ArrayFileException {
        if (stack.isEmpty()) throw fail("stack underflow");
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() throws ArrayFileException {
        if (metastack.isEmpty()) throw fail("no MARK to pop to");
        List<Object> items = stack;
        stack = metastack.pop();
        return items;
    }

    private Object memoGet(long key) throws ArrayFileException {
        if (!memo.containsKey(key)) throw fail("memo entry " + key + " was never stored");
        return memo.get(key);
    }

    // ------------------------------------------------------------------------------------------------------
    // Reading bytes.

    private int u8() throws IOException {
        if (pos >= end) throw truncated(1);
        int b = in.read();
        if (b < 0) throw truncated(1);
        pos++;
        return b;
    }

    private byte[] bytes(long n) throws IOException {
        if (n < 0 || n > end - pos) throw truncated(n);
        byte[] b = in.readNBytes((int) n);
        if (b.length < n) throw truncated(n);
        pos += n;
        return b;
    }

    private ByteBuffer le(int n) throws IOException {
        return ByteBuffer.wrap(bytes(n)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A length field of 4 or 8 bytes, checked against the bytes left. */
    private long length(int size) throws IOException {
        ByteBuffer b = le(size);
        long n = size == 4 ? b.getInt() & 0xffffffffL : b.getLong();
        if (n < 0 || n > end - pos)
            throw fail("length " + (n < 0 ? Long.toUnsignedString(n) : n) + " runs past the end of the pickle ("
                    + (end - pos) + " bytes left)");
        if (n > Integer.MAX_VALUE - 16) throw fail("length " + n + " is too large for one Java array");
        return n;
    }

    /** A newline-terminated line of a text opcode (GLOBAL names, protocol 0 numbers). */
    private String line() throws IOException {
        StringBuilder b = new StringBuilder();
        while (true) {
            int c = u8();
            if (c == '\n') return b.toString();
            if (b.length() > 4096) throw fail("text argument longer than 4096 bytes");
            b.append((char) c);
        }
    }

    private String utf8(long n) throws IOException {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private String latin1(long n) throws IOException {
        return new String(bytes(n), StandardCharsets.ISO_8859_1);
    }

    /** LONG1/LONG4: little-endian two's complement; a Long when it fits. */
    private Object longBytes(long n) throws IOException {
        if (n > 1 << 16) throw fail("integer of " + n + " bytes is not plausible");
        byte[] le = bytes(n);
        if (le.length == 0) return 0L;
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) be[i] = le[le.length - 1 - i];
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private Object textInt(String s) throws ArrayFileException {
        if (s.equals("01")) return Boolean.TRUE;
        if (s.equals("00")) return Boolean.FALSE;
        return textLong(s);
    }

    private Number textLong(String s) throws ArrayFileException {
        String t = s.endsWith("L") ? s.substring(0, s.length() - 1) : s;
        try {
            BigInteger v = new BigInteger(t);
            return v.bitLength() < 64 ? (Number) v.longValue() : v;
        } catch (NumberFormatException e) {
            throw fail("'" + s + "' is not an integer");
        }
    }

    private Double textFloat(String s) throws ArrayFileException {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw fail("'" + s + "' is not a float");
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Errors.

    ArrayFileException fail(String problem) {
        return new ArrayFileException(file, entry, "pickle opcode " + opcodeName() + " at byte " + opcodePos + ": " + problem);
    }

    private ArrayFileException truncated(long wanted) {
        return new ArrayFileException(file, entry, "pickle is truncated: opcode " + opcodeName() + " at byte " + opcodePos
                + " needs " + wanted + " more bytes, " + Math.max(0, end - pos) + " left");
    }

    private String opcodeName() {
        return pos == opcodePos ? "(none)" : String.format("0x%02x", opcode)
                + (opcode >= 0x20 && opcode < 0x7f ? " '" + (char) opcode + "'" : "");
    }

    /** A short description of a value for messages. */
    static String describe(Object o) {
        return switch (o) {
            case null -> "None";
            case String s -> "string '" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
            case Long l -> "integer " + l;
            case BigInteger b -> "integer " + b;
            case Double d -> "float " + d;
            case Boolean b -> "boolean " + b;
            case byte[] b -> "bytes of length " + b.length;
            case Global g -> "global " + g;
            case PyObject p -> "an object of " + p.global + (p.why == null ? " (a class outside the whitelist, not loaded)" : " (" + p.why + ")");
            case TorchCheckpoint.TensorRef t -> "a tensor";
            case TorchCheckpoint.StorageRef s -> "a storage";
            case NumpyDType d -> "numpy dtype '" + d.code + "'";
            case Map<?, ?> m -> "a dict of " + m.size() + " items";
            case Set<?> s -> "a set of " + s.size() + " items";
            case Collection<?> c -> "a list/tuple of " + c.size() + " items";
            default -> o.getClass().getSimpleName();
        };
    }
}
