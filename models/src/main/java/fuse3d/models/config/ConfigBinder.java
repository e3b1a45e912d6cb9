package fuse3d.models.config;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Binds a YAML tree ({@link ConfigNode}) onto Java records, recursively, the way OpenPCDet YAMLs are written:
 * a key matches a record component ignoring case and underscores ({@code ANCHOR_SIZES} and {@code anchor_sizes}
 * bind {@code anchorSizes}).
 *
 * <p>Supported component types: records, {@code List<T>}, {@code Map<String, T>}, {@code Optional<T>}, int, long,
 * double, float, boolean (and their boxes), String, enums (names matched like keys), arrays of any of these
 * ({@code int[]}, {@code double[][]}, {@code String[]}), {@link ConfigNode} (the raw subtree) and {@code Object}
 * (plain Java values). A missing key takes the component's {@link Default}, else {@code Optional.empty()} for an
 * Optional, else is an error. Every error is a {@link ConfigException} naming the file, line and key path: wrong
 * type, missing key, unknown key (with a did-you-mean), and a value the record's constructor rejects (its
 * IllegalArgumentException's message).
 */
public final class ConfigBinder {
    private ConfigBinder() {}

    /** Binds the whole tree onto {@code type}. */
    public static <R> R bind(Class<R> type, ConfigNode node) { return bind(type, node, ""); }

    /** Binds {@code node}, found at {@code keyPath} in its document (used in messages), onto {@code type}. */
    public static <R> R bind(Class<R> type, ConfigNode node, String keyPath) {
        return type.cast(bindValue(type, node, keyPath));
    }

    /** Binds the entry {@code key} of {@code root} (matched ignoring case and underscores) onto {@code type}. */
    public static <R> R bindKey(Class<R> type, ConfigNode.Mapping root, String key) {
        ConfigNode n = root.get(key);
        if (n == null) throw ConfigException.at(root, key, "missing key" + didYouMean(key, root.entries().keySet()));
        return bind(type, n, root.findKey(key));
    }

    /** Binds a value onto any supported type (see the class comment). */
    public static Object bindValue(Type type, ConfigNode node, String path) {
        Class<?> raw = rawClass(type);
        if (raw == ConfigNode.class) return node;
        if (ConfigNode.class.isAssignableFrom(raw)) {
            if (!raw.isInstance(node)) throw ConfigException.at(node, path, "expected " + expected(raw) + ", got " + ConfigSource.kindOf(node));
            return node;
        }
        if (raw == Object.class) return ConfigNode.toPlain(node);
        if (raw == Optional.class) {
            if (node instanceof ConfigNode.Scalar s && s.isNull()) return Optional.empty();
            return Optional.of(bindValue(typeArg(type, 0, path, node), node, path));
        }
        if (node instanceof ConfigNode.Scalar s && s.isNull()) {
            if (raw.isPrimitive()) throw ConfigException.at(node, path, "expected " + expected(raw) + ", got null");
            return null;
        }
        if (raw.isRecord()) return bindRecord(raw, node, path);
        if (raw.isArray() || type instanceof GenericArrayType) {
            Type elem = type instanceof GenericArrayType g ? g.getGenericComponentType() : raw.getComponentType();
            List<ConfigNode> items = sequence(node, path, "a list");
            Object arr = Array.newInstance(rawClass(elem), items.size());
            for (int i = 0; i < items.size(); i++) Array.set(arr, i, bindValue(elem, items.get(i), path + "[" + i + "]"));
            return arr;
        }
        if (raw == List.class || raw == Collection.class) {
            Type elem = typeArg(type, 0, path, node);
            List<Object> out = new ArrayList<>();
            List<ConfigNode> items = sequence(node, path, "a list");
            for (int i = 0; i < items.size(); i++) out.add(bindValue(elem, items.get(i), path + "[" + i + "]"));
            return java.util.Collections.unmodifiableList(out);
        }
        if (raw == Set.class) {
            Type elem = typeArg(type, 0, path, node);
            Set<Object> out = new LinkedHashSet<>();
            List<ConfigNode> items = sequence(node, path, "a list");
            for (int i = 0; i < items.size(); i++) out.add(bindValue(elem, items.get(i), path + "[" + i + "]"));
            return java.util.Collections.unmodifiableSet(out);
        }
        if (raw == Map.class) {
            if (typeArg(type, 0, path, node) != String.class)
                throw new IllegalArgumentException("ConfigBinder: only Map<String, T> is supported, got " + type);
            Type val = typeArg(type, 1, path, node);
            if (!(node instanceof ConfigNode.Mapping m)) throw ConfigException.at(node, path, "expected a mapping, got " + ConfigSource.kindOf(node));
            Map<String, Object> out = new LinkedHashMap<>();
            m.entries().forEach((k, v) -> out.put(k, bindValue(val, v, join(path, k))));
            return java.util.Collections.unmodifiableMap(out);
        }
        if (!(node instanceof ConfigNode.Scalar s)) throw ConfigException.at(node, path, "expected " + expected(raw) + ", got " + ConfigSource.kindOf(node));
        return bindScalar(raw, s, path);
    }

    /**
     * The inverse of binding: a record (or list, map, array, scalar, enum, Optional) as plain Java values with
     * UPPER_SNAKE keys and lower-case enum names, ready for {@link ConfigSource#dump}; binding the dumped text gives
     * an equal value back.
     */
    public static Object unbind(Object value) {
        if (value == null) return null;
        if (value instanceof ConfigNode n) return ConfigNode.toPlain(n);
        if (value instanceof Optional<?> o) return o.map(ConfigBinder::unbind).orElse(null);
        if (value instanceof Enum<?> e) return e.name().toLowerCase();
        if (value instanceof Float f) return f.doubleValue();
        if (value instanceof String || value instanceof Number || value instanceof Boolean) return value;
        if (value.getClass().isArray()) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < Array.getLength(value); i++) out.add(unbind(Array.get(value, i)));
            return out;
        }
        if (value instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>();
            for (Object o : c) out.add(unbind(o));
            return out;
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), unbind(v)));
            return out;
        }
        if (value.getClass().isRecord()) {
            Map<String, Object> out = new LinkedHashMap<>();
            ConfigNode.Mapping upper = new ConfigNode.Mapping(Map.of(), Map.of(), "", 0);
            for (RecordComponent c : value.getClass().getRecordComponents()) {
                try {
                    java.lang.reflect.Method acc = c.getAccessor();
                    acc.setAccessible(true);
                    Object v = acc.invoke(value);
                    if (v == null && c.getType() != Optional.class && c.getAnnotation(Default.class) == null) continue;
                    out.put(keyName(c.getName(), upper), unbind(v));
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("ConfigBinder.unbind: cannot read " + value.getClass().getSimpleName() + "." + c.getName(), e);
                }
            }
            return out;
        }
        throw new IllegalArgumentException("ConfigBinder.unbind: unsupported value of " + value.getClass().getName());
    }

    private static Object bindRecord(Class<?> type, ConfigNode node, String path) {
        if (!(node instanceof ConfigNode.Mapping m))
            throw ConfigException.at(node, path, "expected a mapping (" + type.getSimpleName() + "), got " + ConfigSource.kindOf(node));
        RecordComponent[] comps = type.getRecordComponents();
        Map<String, RecordComponent> byKey = new LinkedHashMap<>();
        for (RecordComponent c : comps) byKey.put(ConfigNode.normalize(c.getName()), c);
        ImpliedName implied = type.getAnnotation(ImpliedName.class);
        for (String k : m.entries().keySet()) {
            if (implied != null && ConfigNode.normalize(k).equals("name") && !byKey.containsKey("name")) {
                ConfigNode v = m.entries().get(k);
                String given = v instanceof ConfigNode.Scalar sc && sc.value() != null ? sc.value() : null;
                if (given == null || !List.of(implied.value()).contains(given))
                    throw ConfigException.at(v, join(path, k), "Fuse3D builds " + String.join(" or ", implied.value()) + " here, got "
                            + (given == null ? ConfigSource.kindOf(v) : "'" + given + "'"));
                continue;
            }
            if (!byKey.containsKey(ConfigNode.normalize(k))) {
                List<String> names = new ArrayList<>();
                for (RecordComponent c : comps) names.add(keyName(c.getName(), m));
                // after a _BASE_CONFIG_ merge a key may come from another file than its mapping: name the key's own file
                ConfigNode value = m.entries().get(k);
                boolean foreign = value != null && value.file() != null && !value.file().equals(m.file());
                throw new ConfigException(foreign ? value.file() : m.file(), foreign ? value.line() : m.lineOf(k), join(path, k),
                        "unknown key for " + type.getSimpleName() + didYouMean(k, names) + " (keys: " + String.join(", ", names) + ")");
            }
        }
        Object[] args = new Object[comps.length];
        Class<?>[] types = new Class<?>[comps.length];
        for (int i = 0; i < comps.length; i++) {
            RecordComponent c = comps[i];
            types[i] = c.getType();
            String key = m.findKey(c.getName());
            if (key != null) {
                args[i] = bindValue(c.getGenericType(), m.entries().get(key), join(path, key));
            } else {
                Default d = c.getAnnotation(Default.class);
                String keyPath = join(path, keyName(c.getName(), m));
                if (d != null) {
                    ConfigNode dn = defaultNode(d.value(), m);
                    args[i] = bindValue(c.getGenericType(), dn, keyPath);
                } else if (c.getType() == Optional.class) {
                    args[i] = Optional.empty();
                } else {
                    throw ConfigException.at(m, keyPath, "missing key (" + type.getSimpleName() + "." + c.getName() + ", " + expected(c.getType()) + ")");
                }
            }
        }
        try {
            Constructor<?> ctor = type.getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ConfigException ce) throw ce;
            if (cause instanceof IllegalArgumentException || cause instanceof NullPointerException)
                throw new ConfigException(m.file(), m.line(), path, "rejected by " + type.getSimpleName() + ": " + cause.getMessage(), cause);
            if (cause instanceof RuntimeException re) throw re;
            throw new IllegalStateException(cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("ConfigBinder: cannot construct " + type.getName() + ": " + e, e);
        }
    }

    private static ConfigNode defaultNode(String yaml, ConfigNode.Mapping at) {
        // parse as the value of a one-key document so that scalars, lists and mappings all work
        ConfigNode.Mapping doc = ConfigSource.parse("v: " + yaml, at.file());
        ConfigNode v = doc.get("v");
        return switch (v) {
            case ConfigNode.Scalar s -> new ConfigNode.Scalar(s.value(), s.kind(), at.file(), at.line());
            default -> v;
        };
    }

    private static Object bindScalar(Class<?> raw, ConfigNode.Scalar s, String path) {
        String v = s.value();
        String kind = s.kind();
        if (raw == String.class) return v;
        if (raw == int.class || raw == Integer.class) {
            Long l = integer(s);
            if (l == null || l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) throw ConfigException.at(s, path, "expected an integer, got '" + v + "'");
            return l.intValue();
        }
        if (raw == long.class || raw == Long.class) {
            Long l = integer(s);
            if (l == null) throw ConfigException.at(s, path, "expected an integer, got '" + v + "'");
            return l;
        }
        if (raw == double.class || raw == Double.class || raw == float.class || raw == Float.class) {
            Double d = number(s);
            if (d == null) throw ConfigException.at(s, path, "expected a number, got '" + v + "'");
            return raw == float.class || raw == Float.class ? (Object) d.floatValue() : d;
        }
        if (raw == boolean.class || raw == Boolean.class) {
            if (!"bool".equals(kind)) throw ConfigException.at(s, path, "expected true or false, got '" + v + "'");
            return parseBool(v);
        }
        if (raw.isEnum()) {
            List<String> names = new ArrayList<>();
            for (Object c : raw.getEnumConstants()) {
                String n = ((Enum<?>) c).name();
                names.add(n.toLowerCase());
                if (ConfigNode.normalize(n).equals(ConfigNode.normalize(v))) return c;
            }
            throw ConfigException.at(s, path, "expected one of " + String.join(", ", names) + ", got '" + v + "'" + didYouMean(v, names));
        }
        throw new IllegalArgumentException("ConfigBinder: unsupported component type " + raw.getName() + " at " + path);
    }

    private static Long integer(ConfigNode.Scalar s) {
        if (!"int".equals(s.kind()) && !"str".equals(s.kind())) return null;
        try {
            return Long.decode(s.value().strip().replace("_", ""));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Double number(ConfigNode.Scalar s) {
        String v = s.value().strip().replace("_", "");
        switch (s.kind()) {
            case "int" -> {
                Long l = integer(s);
                return l == null ? null : l.doubleValue();
            }
            case "float" -> {
                String lower = v.toLowerCase();
                if (lower.endsWith(".inf")) return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
                if (lower.equals(".nan")) return Double.NaN;
            }
            case "str" -> {
                // YAML 1.1 reads 1e-3 (no dot) as a string, PyYAML too; accept what Python's float() accepts
                if (v.isEmpty() || !(Character.isDigit(v.charAt(0)) || v.charAt(0) == '-' || v.charAt(0) == '+' || v.charAt(0) == '.')) return null;
            }
            default -> {
                return null;
            }
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static boolean parseBool(String v) {
        return switch (v.toLowerCase()) {
            case "true", "yes", "on", "y" -> true;
            default -> false;
        };
    }

    private static List<ConfigNode> sequence(ConfigNode node, String path, String what) {
        if (node instanceof ConfigNode.Sequence q) return q.items();
        throw ConfigException.at(node, path, "expected " + what + ", got " + ConfigSource.kindOf(node));
    }

    private static Class<?> rawClass(Type t) {
        if (t instanceof Class<?> c) return c;
        if (t instanceof ParameterizedType p) return (Class<?>) p.getRawType();
        if (t instanceof GenericArrayType g) return Array.newInstance(rawClass(g.getGenericComponentType()), 0).getClass();
        throw new IllegalArgumentException("ConfigBinder: unsupported type " + t);
    }

    private static Type typeArg(Type t, int i, String path, ConfigNode node) {
        if (t instanceof ParameterizedType p) return p.getActualTypeArguments()[i];
        throw new IllegalArgumentException("ConfigBinder: raw type " + t + " at " + path + " needs type arguments");
    }

    private static String expected(Class<?> raw) {
        if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) return "an integer";
        if (raw == double.class || raw == Double.class || raw == float.class || raw == Float.class) return "a number";
        if (raw == boolean.class || raw == Boolean.class) return "true or false";
        if (raw == String.class) return "a string";
        if (raw.isArray() || List.class.isAssignableFrom(raw) || raw == ConfigNode.Sequence.class) return "a list";
        if (raw.isRecord() || Map.class.isAssignableFrom(raw) || raw == ConfigNode.Mapping.class) return "a mapping";
        if (raw.isEnum()) return "one of " + java.util.Arrays.toString(raw.getEnumConstants()).toLowerCase();
        return raw.getSimpleName();
    }

    private static String join(String path, String key) { return path.isEmpty() ? key : path + "." + key; }

    /** The component name as the document would spell it: UPPER_SNAKE, or lower_snake when the mapping's keys are lower case. */
    static String keyName(String component, ConfigNode.Mapping m) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < component.length(); i++) {
            char c = component.charAt(i);
            if (Character.isUpperCase(c) && i > 0) sb.append('_');
            sb.append(c);
        }
        boolean lower = !m.entries().isEmpty() && m.entries().keySet().stream().allMatch(k -> k.equals(k.toLowerCase()));
        return lower ? sb.toString().toLowerCase() : sb.toString().toUpperCase();
    }

    /** "; did you mean X?" for the closest candidate (by edit distance of the normalized names), or "". */
    static String didYouMean(String key, Collection<String> candidates) {
        String n = ConfigNode.normalize(key);
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(n, ConfigNode.normalize(c));
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        if (best == null || bestD > Math.max(2, n.length() / 3)) return "";
        return "; did you mean " + best + "?";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++)
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
