package fuse3d.models.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node of a merged configuration tree that remembers where each value came from (file and line), so that a
 * binding error points at the line that set the value even after base configs and overrides were merged in.
 */
public sealed interface ConfigNode permits ConfigNode.Scalar, ConfigNode.Sequence, ConfigNode.Mapping {

    /** The file (name only, or "--set") the node was read from. */
    String file();

    /** The 1-based line of the node in its file (0 for command-line overrides). */
    int line();

    /**
     * A scalar: its text and its YAML kind (the tag snakeyaml resolved: "int", "float", "bool", "null" or "str").
     */
    record Scalar(String value, String kind, String file, int line) implements ConfigNode {
        public boolean isNull() { return "null".equals(kind); }
    }

    /** A sequence of nodes. */
    record Sequence(List<ConfigNode> items, String file, int line) implements ConfigNode {
        public Sequence { items = Collections.unmodifiableList(new ArrayList<>(items)); }
    }

    /** A mapping from keys (as written) to nodes, in file order. */
    record Mapping(Map<String, ConfigNode> entries, Map<String, Integer> keyLines, String file, int line) implements ConfigNode {
        public Mapping {
            entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
            keyLines = Collections.unmodifiableMap(new LinkedHashMap<>(keyLines));
        }

        /** The entry whose key equals {@code key} after {@link #normalize} (ANCHOR_SIZES matches anchorSizes), or null. */
        public ConfigNode get(String key) {
            String k = findKey(key);
            return k == null ? null : entries.get(k);
        }

        /** The key as written that matches {@code key} after normalization, or null. */
        public String findKey(String key) {
            String n = normalize(key);
            for (String k : entries.keySet()) if (normalize(k).equals(n)) return k;
            return null;
        }

        /** The line of a key as written (falls back to the value's line). */
        public int lineOf(String key) {
            Integer l = keyLines.get(key);
            return l != null ? l : entries.get(key).line();
        }
    }

    /** Lower case without underscores or dashes: how keys and record components are matched. */
    static String normalize(String key) {
        StringBuilder sb = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c != '_' && c != '-') sb.append(Character.toLowerCase(c));
        }
        return sb.toString();
    }

    /** A plain Java view of the node (String / Long / Double / Boolean / null, List, LinkedHashMap), for logs and JSON. */
    static Object toPlain(ConfigNode node) {
        return switch (node) {
            case Scalar s -> switch (s.kind()) {
                case "null" -> null;
                case "int" -> {
                    try { yield Long.decode(s.value().replace("_", "")); } catch (NumberFormatException e) { yield s.value(); }
                }
                case "float" -> {
                    try { yield Double.parseDouble(s.value()); } catch (NumberFormatException e) { yield s.value(); }
                }
                case "bool" -> ConfigBinder.parseBool(s.value());
                default -> s.value();
            };
            case Sequence q -> {
                List<Object> l = new ArrayList<>();
                for (ConfigNode c : q.items()) l.add(toPlain(c));
                yield l;
            }
            case Mapping m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                m.entries().forEach((k, v) -> out.put(k, toPlain(v)));
                yield out;
            }
        };
    }
}
