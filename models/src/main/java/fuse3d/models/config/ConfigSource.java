package fuse3d.models.config;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads YAML configs into {@link ConfigNode} trees with OpenPCDet's {@code _BASE_CONFIG_} inheritance and
 * {@code --set KEY.PATH=value} overrides, keeping every value's file and line for error messages.
 *
 * <p>A mapping (at any depth) may hold {@code _BASE_CONFIG_: name}: the named document is loaded and the
 * mapping's other keys are deep-merged onto it (mappings merge key by key, anything else replaces), as
 * OpenPCDet's {@code merge_new_config}. A name is looked up first as a path relative to the including file (or
 * the working directory), then as a preset resource under {@value #PRESET_DIR} (with or without {@code .yaml}, and
 * by its file name alone, so OpenPCDet's {@code cfgs/dataset_configs/kitti_dataset.yaml} finds the preset).
 */
public final class ConfigSource {
    /** Where the shipped presets live on the class path. */
    public static final String PRESET_DIR = "fuse3d/models/configs/";
    /** The key that names a base document. */
    public static final String BASE_KEY = "_BASE_CONFIG_";

    private ConfigSource() {}

    /** Where a document came from: a file, or a preset resource. */
    private record Location(Path file, String resource) {
        String name() { return file != null ? String.valueOf(file.getFileName()) : resource.substring(resource.lastIndexOf('/') + 1); }

        String key() { return file != null ? file.toAbsolutePath().normalize().toString() : "resource:" + resource; }
    }

    /** Loads a preset name ({@code small}, {@code kitti_dataset.yaml}) or a YAML file path, with its bases merged in. */
    public static ConfigNode.Mapping load(String presetOrPath) {
        Location loc = resolve(presetOrPath, null, "<command line>", 0);
        ConfigNode root = loadDocument(loc, new ArrayDeque<>());
        if (!(root instanceof ConfigNode.Mapping m))
            throw ConfigException.at(root, "", "the document must be a mapping, got " + kindOf(root));
        return m;
    }

    /** {@link #load} then the {@code KEY.PATH=value} overrides in order. */
    public static ConfigNode.Mapping load(String presetOrPath, List<String> overrides) {
        ConfigNode.Mapping m = load(presetOrPath);
        for (String o : overrides) m = override(m, o);
        return m;
    }

    /** Whether a preset of that name ships with Fuse3D. */
    public static boolean isPreset(String name) { return presetResource(name) != null; }

    /** Parses YAML text (bases resolve relative to the working directory or as presets); {@code fileName} names it in errors. */
    public static ConfigNode.Mapping parse(String text, String fileName) {
        ConfigNode root = convert(compose(text, fileName), fileName, new Location(Path.of(fileName), null), new ArrayDeque<>());
        if (!(root instanceof ConfigNode.Mapping m))
            throw ConfigException.at(root, "", "the document must be a mapping, got " + kindOf(root));
        return m;
    }

    /**
     * Applies one command-line override {@code A.B.C=value} (OpenPCDet's {@code --set}): every key on the path must
     * exist (matched ignoring case and underscores); the value is read as YAML ({@code 3}, {@code 0.5},
     * {@code [1, 2]}, {@code text}) and replaces the old one. Errors name "--set" and the key path.
     */
    public static ConfigNode.Mapping override(ConfigNode.Mapping root, String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) throw new ConfigException("--set", 0, "", "expected KEY.PATH=value, got '" + assignment + "'");
        String path = assignment.substring(0, eq).strip();
        String text = assignment.substring(eq + 1);
        ConfigNode value;
        try {
            value = convert(compose(text.isEmpty() ? "''" : text, "--set"), "--set", null, new ArrayDeque<>());
        } catch (ConfigException e) {
            throw new ConfigException("--set", 0, path, "cannot read value '" + text + "': " + e.getMessage());
        }
        value = relocate(value, "--set");
        return replaceAt(root, path.split("\\."), 0, value, path);
    }

    private static ConfigNode.Mapping replaceAt(ConfigNode.Mapping m, String[] keys, int i, ConfigNode value, String fullPath) {
        String done = String.join(".", java.util.Arrays.copyOf(keys, i + 1));
        String k = m.findKey(keys[i]);
        if (k == null)
            throw new ConfigException("--set", 0, done, "no such key" + ConfigBinder.didYouMean(keys[i], m.entries().keySet()));
        Map<String, ConfigNode> e = new LinkedHashMap<>(m.entries());
        if (i == keys.length - 1) {
            e.put(k, value);
        } else {
            if (!(m.entries().get(k) instanceof ConfigNode.Mapping child))
                throw new ConfigException("--set", 0, done, "is not a mapping, cannot set " + fullPath);
            e.put(k, replaceAt(child, keys, i + 1, value, fullPath));
        }
        return new ConfigNode.Mapping(e, m.keyLines(), m.file(), m.line());
    }

    private static ConfigNode relocate(ConfigNode n, String file) {
        return switch (n) {
            case ConfigNode.Scalar s -> new ConfigNode.Scalar(s.value(), s.kind(), file, 0);
            case ConfigNode.Sequence q -> new ConfigNode.Sequence(q.items().stream().map(c -> relocate(c, file)).toList(), file, 0);
            case ConfigNode.Mapping m -> {
                Map<String, ConfigNode> e = new LinkedHashMap<>();
                m.entries().forEach((k, v) -> e.put(k, relocate(v, file)));
                yield new ConfigNode.Mapping(e, Map.of(), file, 0);
            }
        };
    }

    /**
     * Deep merge, OpenPCDet's {@code merge_new_config}: keys of {@code over} replace those of {@code base} (matched
     * ignoring case and underscores), except that two mappings merge recursively.
     */
    public static ConfigNode.Mapping merge(ConfigNode.Mapping base, ConfigNode.Mapping over) {
        Map<String, ConfigNode> e = new LinkedHashMap<>(base.entries());
        Map<String, Integer> lines = new LinkedHashMap<>(base.keyLines());
        for (var entry : over.entries().entrySet()) {
            String existing = base.findKey(entry.getKey());
            ConfigNode v = entry.getValue();
            if (existing != null && base.entries().get(existing) instanceof ConfigNode.Mapping bm && v instanceof ConfigNode.Mapping om) {
                e.put(existing, merge(bm, om));
            } else {
                if (existing != null) {
                    e.remove(existing);
                    lines.remove(existing);
                }
                e.put(entry.getKey(), v);
                lines.put(entry.getKey(), over.lineOf(entry.getKey()));
            }
        }
        return new ConfigNode.Mapping(e, lines, over.file(), over.line());
    }

    /** The merged tree as YAML text (block style, keys as written), e.g. to keep the resolved config beside a run's outputs. */
    public static String dump(ConfigNode node) {
        return dumpPlain(ConfigNode.toPlain(node));
    }

    /** Plain values ({@link ConfigBinder#unbind}, {@link ConfigNode#toPlain}) as YAML text in block style. */
    public static String dumpPlain(Object plain) {
        org.yaml.snakeyaml.DumperOptions o = new org.yaml.snakeyaml.DumperOptions();
        o.setDefaultFlowStyle(org.yaml.snakeyaml.DumperOptions.FlowStyle.BLOCK);
        o.setIndent(4);
        o.setIndicatorIndent(2);
        o.setIndentWithIndicator(true);
        return new Yaml(o).dump(plain);
    }

    // ------------------------------------------------------------------ loading

    private static ConfigNode loadDocument(Location loc, Deque<String> stack) {
        if (stack.contains(loc.key()))
            throw new ConfigException(loc.name(), 0, "", "_BASE_CONFIG_ cycle: " + String.join(" -> ", stack) + " -> " + loc.key());
        stack.push(loc.key());
        try {
            String text = read(loc);
            return convert(compose(text, loc.name()), loc.name(), loc, stack);
        } finally {
            stack.pop();
        }
    }

    private static String read(Location loc) {
        try {
            if (loc.file() != null) return Files.readString(loc.file(), StandardCharsets.UTF_8);
            try (InputStream in = ConfigSource.class.getClassLoader().getResourceAsStream(loc.resource())) {
                if (in == null) throw new ConfigException(loc.name(), 0, "", "preset resource " + loc.resource() + " not found");
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new ConfigException(loc.name(), 0, "", "cannot read: " + e.getMessage(), e);
        }
    }

    private static Node compose(String text, String fileName) {
        LoaderOptions opts = new LoaderOptions();
        opts.setAllowDuplicateKeys(false);
        try {
            Node n = new Yaml(opts).compose(new StringReader(text));
            if (n == null) return new MappingNode(Tag.MAP, new ArrayList<>(), org.yaml.snakeyaml.DumperOptions.FlowStyle.AUTO);
            return n;
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 0;
            throw new ConfigException(fileName, line, "", "YAML syntax: " + e.getProblem(), e);
        } catch (YAMLException e) {
            throw new ConfigException(fileName, 0, "", "YAML: " + e.getMessage(), e);
        }
    }

    private static ConfigNode convert(Node node, String file, Location loc, Deque<String> stack) {
        int line = node.getStartMark() != null ? node.getStartMark().getLine() + 1 : 0;
        switch (node) {
            case ScalarNode s -> {
                Tag t = s.getTag();
                String kind = Tag.INT.equals(t) ? "int" : Tag.FLOAT.equals(t) ? "float" : Tag.BOOL.equals(t) ? "bool"
                        : Tag.NULL.equals(t) ? "null" : "str";
                return new ConfigNode.Scalar(s.getValue(), kind, file, line);
            }
            case SequenceNode q -> {
                List<ConfigNode> items = new ArrayList<>();
                for (Node c : q.getValue()) items.add(convert(c, file, loc, stack));
                return new ConfigNode.Sequence(items, file, line);
            }
            case MappingNode m -> {
                Map<String, ConfigNode> e = new LinkedHashMap<>();
                Map<String, Integer> lines = new LinkedHashMap<>();
                ConfigNode base = null;
                for (NodeTuple t : m.getValue()) {
                    if (!(t.getKeyNode() instanceof ScalarNode k))
                        throw new ConfigException(file, t.getKeyNode().getStartMark().getLine() + 1, "", "mapping keys must be scalars");
                    int keyLine = k.getStartMark().getLine() + 1;
                    if (BASE_KEY.equals(k.getValue())) {
                        if (!(t.getValueNode() instanceof ScalarNode bv))
                            throw new ConfigException(file, keyLine, BASE_KEY, "expected a preset name or a path");
                        if (loc == null) throw new ConfigException(file, keyLine, BASE_KEY, "not allowed here");
                        base = loadDocument(resolve(bv.getValue(), loc, file, keyLine), stack);
                        if (!(base instanceof ConfigNode.Mapping))
                            throw new ConfigException(file, keyLine, BASE_KEY, "base " + bv.getValue() + " is not a mapping");
                        continue;
                    }
                    e.put(k.getValue(), convert(t.getValueNode(), file, loc, stack));
                    lines.put(k.getValue(), keyLine);
                }
                ConfigNode.Mapping own = new ConfigNode.Mapping(e, lines, file, line);
                return base == null ? own : merge((ConfigNode.Mapping) base, own);
            }
            default -> throw new ConfigException(file, line, "", "unsupported YAML node " + node.getNodeId());
        }
    }

    private static Location resolve(String name, Location from, String file, int line) {
        Path p = Path.of(name);
        if (from != null && from.file() != null && !p.isAbsolute()) {
            Path parent = from.file().toAbsolutePath().getParent();
            Path rel = parent == null ? p : parent.resolve(p);
            if (Files.isRegularFile(rel)) return new Location(rel, null);
        }
        if (Files.isRegularFile(p)) return new Location(p, null);
        if (from != null && from.resource() != null) {
            String dir = from.resource().substring(0, from.resource().lastIndexOf('/') + 1);
            String r = dir + name;
            if (ConfigSource.class.getClassLoader().getResource(r) != null) return new Location(null, r);
        }
        String preset = presetResource(name);
        if (preset != null) return new Location(null, preset);
        throw new ConfigException(file, line, from == null ? "" : BASE_KEY,
                "no config file or preset named '" + name + "' (presets: " + String.join(", ", presets()) + ")");
    }

    private static String presetResource(String name) {
        String base = name.replace('\\', '/');
        base = base.substring(base.lastIndexOf('/') + 1);
        for (String candidate : new String[] {base, base + ".yaml"}) {
            String r = PRESET_DIR + candidate;
            if (ConfigSource.class.getClassLoader().getResource(r) != null) return r;
        }
        return null;
    }

    /** The names of the shipped presets (from {@code index.txt} beside them). */
    public static List<String> presets() {
        try (InputStream in = ConfigSource.class.getClassLoader().getResourceAsStream(PRESET_DIR + "index.txt")) {
            if (in == null) return List.of();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String kindOf(ConfigNode n) {
        return switch (n) {
            case ConfigNode.Scalar s -> s.isNull() ? "null" : "'" + s.value() + "'";
            case ConfigNode.Sequence q -> "a list";
            case ConfigNode.Mapping m -> "a mapping";
        };
    }
}
