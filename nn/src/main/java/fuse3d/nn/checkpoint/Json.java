package fuse3d.nn.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plain values (Map, List, String, Boolean, Long/Integer, Double) to JSON text and back, for the string
 * values of a safetensors {@code __metadata__}. Doubles are written in their shortest round-trip form, so
 * every finite double comes back bit for bit; non-finite ones are written as the strings "NaN",
 * "Infinity", "-Infinity" (JSON has no such numbers) and recovered by {@link #toDouble}.
 */
final class Json {
    private Json() {}

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(node(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON encoding failed: " + e.getOriginalMessage(), e);
        }
    }

    private static JsonNode node(Object v) {
        if (v == null) return NODES.nullNode();
        if (v instanceof String s) return NODES.textNode(s);
        if (v instanceof Boolean b) return NODES.booleanNode(b);
        if (v instanceof Integer i) return NODES.numberNode((long) i);
        if (v instanceof Long l) return NODES.numberNode(l);
        if (v instanceof Double d) return Double.isFinite(d) ? NODES.numberNode(d) : NODES.textNode(d.toString());
        if (v instanceof Map<?, ?> m) {
            ObjectNode o = NODES.objectNode();
            for (Map.Entry<?, ?> e : m.entrySet()) o.set(String.valueOf(e.getKey()), node(e.getValue()));
            return o;
        }
        if (v instanceof List<?> l) {
            ArrayNode a = NODES.arrayNode();
            for (Object x : l) a.add(node(x));
            return a;
        }
        throw new IllegalArgumentException("cannot write a " + v.getClass().getSimpleName() + " to checkpoint JSON: " + v);
    }

    /** Parses JSON text; integers come back as Long, other numbers as Double. */
    static Object read(String text) throws JsonProcessingException { return value(MAPPER.readTree(text)); }

    private static Object value(JsonNode n) {
        if (n == null || n.isNull()) return null;
        if (n.isTextual()) return n.textValue();
        if (n.isBoolean()) return n.booleanValue();
        if (n.isIntegralNumber()) return n.longValue();
        if (n.isNumber()) return n.doubleValue();
        if (n.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : n.properties()) m.put(e.getKey(), value(e.getValue()));
            return m;
        }
        List<Object> l = new ArrayList<>();
        for (JsonNode x : n) l.add(value(x));
        return l;
    }

    /** A number, or one of the strings non-finite doubles are written as; null for anything else. */
    static Double toDouble(Object v) {
        if (v instanceof Long l) return (double) l;
        if (v instanceof Double d) return d;
        if (v instanceof String s) {
            return switch (s) {
                case "NaN" -> Double.NaN;
                case "Infinity" -> Double.POSITIVE_INFINITY;
                case "-Infinity" -> Double.NEGATIVE_INFINITY;
                default -> null;
            };
        }
        return null;
    }
}
