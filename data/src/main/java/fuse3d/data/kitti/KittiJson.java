package fuse3d.data.kitti;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;

/** JSON plumbing of the info and database files: reading with errors that name the file and the JSON path. */
final class KittiJson {
    private KittiJson() {}

    static final ObjectMapper MAPPER = new ObjectMapper();

    static JsonNode read(Path file) throws IOException {
        byte[] bytes = KittiFiles.readBytes(file);
        try {
            return MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? null : "line " + loc.getLineNr() + " column " + loc.getColumnNr();
            throw new KittiFormatException(String.valueOf(file), where, "malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    static void write(Path file, Object tree) throws IOException {
        byte[] bytes = MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(tree);
        KittiFiles.writeAtomically(file, out -> out.write(bytes));
    }

    /** A cursor into a tree that knows its file and JSON path, for error messages. */
    record At(Path file, String path, JsonNode node) {
        KittiFormatException error(String problem) { return new KittiFormatException(String.valueOf(file), "at " + path, problem); }

        At field(String name) throws KittiFormatException {
            if (node == null || !node.isObject()) throw error("expected an object");
            JsonNode n = node.get(name);
            if (n == null) throw new KittiFormatException(String.valueOf(file), "at " + path, "missing field '" + name + "'");
            return new At(file, path + "." + name, n);
        }

        boolean has(String name) { return node != null && node.isObject() && node.has(name); }

        At index(int i) { return new At(file, path + "[" + i + "]", node.get(i)); }

        int size() throws KittiFormatException {
            if (!node.isArray()) throw error("expected an array");
            return node.size();
        }

        String text() throws KittiFormatException {
            if (!node.isTextual()) throw error("expected a string");
            return node.asText();
        }

        double number() throws KittiFormatException {
            if (!node.isNumber()) throw error("expected a number, got " + node.getNodeType());
            double v = node.asDouble();
            if (!Double.isFinite(v)) throw error("not finite");
            return v;
        }

        int integer() throws KittiFormatException {
            if (!node.canConvertToInt() || !node.isIntegralNumber()) throw error("expected an integer, got " + node);
            return node.asInt();
        }

        double[] numbers(int expected) throws KittiFormatException {
            int n = size();
            if (expected >= 0 && n != expected) throw error("expected " + expected + " numbers, got " + n);
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = index(i).number();
            return v;
        }

        int[] integers(int expected) throws KittiFormatException {
            int n = size();
            if (expected >= 0 && n != expected) throw error("expected " + expected + " integers, got " + n);
            int[] v = new int[n];
            for (int i = 0; i < n; i++) v[i] = index(i).integer();
            return v;
        }

        double[][] rows(int count, int cols) throws KittiFormatException {
            int n = size();
            if (count >= 0 && n != count) throw error("expected " + count + " rows, got " + n);
            double[][] v = new double[n][];
            for (int i = 0; i < n; i++) v[i] = index(i).numbers(cols);
            return v;
        }
    }
}
