package fuse3d.data.nuscenes;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import fuse3d.tensor.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A nuScenes detection submission: {@code {"meta": {"use_camera": .., "use_lidar": .., "use_radar": .., "use_map": ..,
 * "use_external": ..}, "results": {"<sample_token>": [{"sample_token", "translation", "size", "rotation", "velocity",
 * "detection_name", "detection_score", "attribute_name"}, ...]}}}, boxes in the global frame.
 *
 * <p>Sample order and box order are kept as in the file (the devkit's evaluator breaks score ties by that order).
 */
public record DetectionResults(Map<String, Boolean> meta, Map<String, List<DetectionBox>> results) {

    /** The meta keys of the official format. */
    public static final List<String> META_KEYS = List.of("use_camera", "use_lidar", "use_radar", "use_map", "use_external");

    public DetectionResults {
        meta = Collections.unmodifiableMap(new LinkedHashMap<>(meta));
        Map<String, List<DetectionBox>> r = new LinkedHashMap<>();
        results.forEach((k, v) -> r.put(k, List.copyOf(v)));
        results = Collections.unmodifiableMap(r);
    }

    /** A meta block saying which inputs were used. */
    public static Map<String, Boolean> meta(boolean camera, boolean lidar, boolean radar, boolean map, boolean external) {
        Map<String, Boolean> m = new LinkedHashMap<>();
        m.put("use_camera", camera);
        m.put("use_lidar", lidar);
        m.put("use_radar", radar);
        m.put("use_map", map);
        m.put("use_external", external);
        return m;
    }

    /** Number of boxes across all samples. */
    public int size() { return results.values().stream().mapToInt(List::size).sum(); }

    /**
     * Reads a results file. Bad JSON, a missing field, a wrong-length array, an unknown class or attribute, a NaN
     * score, a box whose {@code sample_token} differs from its key, or more than {@code maxBoxesPerSample} boxes in
     * one sample is a {@link NuScenesFormatException} with the line and column of the offending box.
     */
    public static DetectionResults read(Path file, int maxBoxesPerSample) throws IOException {
        Map<String, Boolean> meta = new LinkedHashMap<>();
        Map<String, List<DetectionBox>> results = null;
        try (InputStream in = Files.newInputStream(file); JsonParser p = NuScenesTables.MAPPER.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw at(file, p, "a results file must be a JSON object with 'meta' and 'results'");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken tok = p.nextToken();
                if (key.equals("meta")) {
                    JsonLocation loc = p.currentTokenLocation();
                    JsonNode m = NuScenesTables.MAPPER.readTree(p);
                    if (!m.isObject()) throw new NuScenesFormatException(file, where(loc), "'meta' must be an object");
                    for (var e : m.properties()) {
                        if (!e.getValue().isBoolean()) throw new NuScenesFormatException(file, where(loc), "meta '" + e.getKey() + "' must be true or false");
                        meta.put(e.getKey(), e.getValue().booleanValue());
                    }
                } else if (key.equals("results")) {
                    if (tok != JsonToken.START_OBJECT) throw at(file, p, "'results' must be an object of sample_token -> list of boxes");
                    results = new LinkedHashMap<>();
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String sample = p.currentName();
                        if (p.nextToken() != JsonToken.START_ARRAY) throw at(file, p, "results['" + sample + "'] must be a list of boxes");
                        List<DetectionBox> boxes = new ArrayList<>();
                        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                            if (t != JsonToken.START_OBJECT) throw at(file, p, "results['" + sample + "'] must hold box objects, got " + t);
                            JsonLocation loc = p.currentTokenLocation();
                            JsonNode node = NuScenesTables.MAPPER.readTree(p);
                            boxes.add(box(new NuScenesTables.Row(node, file, loc), sample, node));
                        }
                        if (boxes.size() > maxBoxesPerSample)
                            throw at(file, p, "sample " + sample + " has " + boxes.size() + " boxes; at most " + maxBoxesPerSample + " are allowed");
                        if (results.put(sample, boxes) != null) throw at(file, p, "sample " + sample + " appears twice in 'results'");
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (NoSuchFileException e) {
            throw new NuScenesFormatException(file, null, "results file not found");
        } catch (JsonProcessingException e) {
            throw new NuScenesFormatException(file, where(e.getLocation()), "malformed JSON: " + e.getOriginalMessage(), e);
        }
        if (results == null) throw new NuScenesFormatException(file, null, "no field 'results' (the devkit's submission format: {\"meta\", \"results\"})");
        return new DetectionResults(meta, results);
    }

    private static DetectionBox box(NuScenesTables.Row r, String key, JsonNode node) throws NuScenesFormatException {
        String token = r.str("sample_token");
        if (!token.equals(key)) throw r.bad("box sample_token '" + token + "' differs from its results key '" + key + "'");
        double[] velocity = velocity(r, node);
        JsonNode score = node.get("detection_score");
        double s = -1.0;
        if (score != null) {
            if (!score.isNumber() || Double.isNaN(score.doubleValue())) throw r.bad("detection_score must be a number, not NaN: " + score);
            s = score.doubleValue();
        }
        try {
            return DetectionBox.prediction(token, r.vector("translation", 3), r.vector("size", 3), r.vector("rotation", 4), velocity,
                    r.str("detection_name"), s, r.strOr("attribute_name", ""));
        } catch (IllegalArgumentException e) {
            throw r.bad(e.getMessage());
        }
    }

    /** Velocity may be NaN (the devkit accepts it; such a match counts as an unknown velocity error). */
    private static double[] velocity(NuScenesTables.Row r, JsonNode node) throws NuScenesFormatException {
        JsonNode v = node.get("velocity");
        if (v == null || !v.isArray() || v.size() != 2 || !v.get(0).isNumber() || !v.get(1).isNumber())
            throw r.bad("field 'velocity' must be an array of 2 numbers, got " + v);
        return new double[] {v.get(0).doubleValue(), v.get(1).doubleValue()};
    }

    private static String where(JsonLocation l) {
        return l == null ? null : NuScenesFormatException.line(l.getLineNr(), l.getColumnNr());
    }

    private static NuScenesFormatException at(Path file, JsonParser p, String problem) {
        return new NuScenesFormatException(file, where(p.currentTokenLocation()), problem);
    }

    /** Writes the submission JSON through a temporary file (NaN velocities are written as NaN, as Python's json does). */
    public void write(Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            try (JsonGenerator g = NuScenesTables.MAPPER.createGenerator(out)) {
                g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                g.disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS.mappedFeature());
                g.writeStartObject();
                g.writeObjectFieldStart("meta");
                for (var e : meta.entrySet()) g.writeBooleanField(e.getKey(), e.getValue());
                g.writeEndObject();
                g.writeObjectFieldStart("results");
                for (var e : results.entrySet()) {
                    g.writeArrayFieldStart(e.getKey());
                    for (DetectionBox b : e.getValue()) {
                        g.writeStartObject();
                        g.writeStringField("sample_token", b.sampleToken());
                        numbers(g, "translation", b.translation());
                        numbers(g, "size", b.size());
                        numbers(g, "rotation", b.rotation());
                        numbers(g, "velocity", b.velocity());
                        g.writeStringField("detection_name", b.detectionName());
                        g.writeNumberField("detection_score", b.detectionScore());
                        g.writeStringField("attribute_name", b.attributeName());
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
                g.writeEndObject();
            }
        });
    }

    static void numbers(JsonGenerator g, String name, double[] v) throws IOException {
        g.writeArrayFieldStart(name);
        for (double x : v) g.writeNumber(x);
        g.writeEndArray();
    }
}
