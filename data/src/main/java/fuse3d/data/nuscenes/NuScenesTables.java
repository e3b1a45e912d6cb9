package fuse3d.data.nuscenes;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import fuse3d.sparse.bev.Pose;
import fuse3d.sparse.bev.SensorPose;
import fuse3d.tensor.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The nuScenes relational database of one version ({@code v1.0-mini}, {@code v1.0-trainval}, ...): its 12 JSON tables
 * as typed records, indexed by token, with the reverse indexes the devkit builds (a sample's key-frame sample_data per
 * channel, its annotations, an annotation's category name, a sample_data's channel).
 *
 * <p>Tables are read from {@code <dataroot>/<version>/<table>.json} and written back in the same layout (field names
 * and order as the released files; the {@code map} table and lidarseg/panoptic extras are outside this class). Every
 * reference between tables is checked on load; a broken one names the file and line of the record that holds it.
 */
public final class NuScenesTables {

    // ---- records, one per table; field order as in the released JSON ----

    /** A 20 s driving sequence. */
    public record Scene(String token, String logToken, int nbrSamples, String firstSampleToken, String lastSampleToken, String name,
                        String description) {}

    /** An annotated key frame at 2 Hz; {@code prev}/{@code next} are {@code ""} at the ends of the scene. */
    public record Sample(String token, long timestamp, String prev, String next, String sceneToken) {}

    /** One sensor reading (key frame or sweep); {@code width}/{@code height} are 0 for LiDAR and radar. */
    public record SampleData(String token, String sampleToken, String egoPoseToken, String calibratedSensorToken, long timestamp,
                             String fileformat, boolean isKeyFrame, int height, int width, String filename, String prev, String next) {}

    /**
     * A 3D box in the global frame: centre {@code translation}, {@code size} as (width, length, height) and the
     * rotation as a {@code [w, x, y, z]} quaternion.
     */
    public record SampleAnnotation(String token, String sampleToken, String instanceToken, String visibilityToken,
                                   List<String> attributeTokens, double[] translation, double[] size, double[] rotation, String prev,
                                   String next, int numLidarPts, int numRadarPts) {}

    /** The vehicle's pose in the global frame at {@code timestamp} (microseconds). */
    public record EgoPose(String token, long timestamp, double[] rotation, double[] translation) {}

    /** A sensor's pose on the vehicle; {@code cameraIntrinsic} is 3x3 for cameras and empty for LiDAR and radar. */
    public record CalibratedSensor(String token, String sensorToken, double[] translation, double[] rotation, double[][] cameraIntrinsic) {}

    /** A sensor: {@code channel} such as LIDAR_TOP, and modality lidar, camera or radar. */
    public record Sensor(String token, String channel, String modality) {}

    /** One tracked object across a scene. */
    public record Instance(String token, String categoryToken, int nbrAnnotations, String firstAnnotationToken, String lastAnnotationToken) {}

    /** An object category such as {@code vehicle.car}. */
    public record Category(String token, String name, String description) {}

    /** A box attribute such as {@code vehicle.parked}. */
    public record Attribute(String token, String name, String description) {}

    /** A visibility bin ({@code level} v0-40 ... v80-100). */
    public record Visibility(String token, String level, String description) {}

    /** A recording log. */
    public record Log(String token, String logfile, String vehicle, String dateCaptured, String location) {}

    /** The 12 table names in the order they are loaded. */
    public static final List<String> TABLE_NAMES = List.of("category", "attribute", "visibility", "instance", "sensor", "calibrated_sensor",
            "ego_pose", "log", "scene", "sample", "sample_data", "sample_annotation");

    private final Map<String, Category> category;
    private final Map<String, Attribute> attribute;
    private final Map<String, Visibility> visibility;
    private final Map<String, Instance> instance;
    private final Map<String, Sensor> sensor;
    private final Map<String, CalibratedSensor> calibratedSensor;
    private final Map<String, EgoPose> egoPose;
    private final Map<String, Log> log;
    private final Map<String, Scene> scene;
    private final Map<String, Sample> sample;
    private final Map<String, SampleData> sampleData;
    private final Map<String, SampleAnnotation> sampleAnnotation;

    // reverse indexes
    private final Map<String, Map<String, String>> sampleKeyData = new HashMap<>();
    private final Map<String, List<String>> sampleAnns = new HashMap<>();

    private NuScenesTables(List<Category> category, List<Attribute> attribute, List<Visibility> visibility, List<Instance> instance,
                           List<Sensor> sensor, List<CalibratedSensor> calibratedSensor, List<EgoPose> egoPose, List<Log> log, List<Scene> scene,
                           List<Sample> sample, List<SampleData> sampleData, List<SampleAnnotation> sampleAnnotation) {
        this.category = index(category, Category::token);
        this.attribute = index(attribute, Attribute::token);
        this.visibility = index(visibility, Visibility::token);
        this.instance = index(instance, Instance::token);
        this.sensor = index(sensor, Sensor::token);
        this.calibratedSensor = index(calibratedSensor, CalibratedSensor::token);
        this.egoPose = index(egoPose, EgoPose::token);
        this.log = index(log, Log::token);
        this.scene = index(scene, Scene::token);
        this.sample = index(sample, Sample::token);
        this.sampleData = index(sampleData, SampleData::token);
        this.sampleAnnotation = index(sampleAnnotation, SampleAnnotation::token);
        for (SampleData sd : sampleData) {
            if (!sd.isKeyFrame()) continue;
            // A dangling calibrated_sensor or sensor reference is left to checked(), which names its file and line.
            CalibratedSensor cs = this.calibratedSensor.get(sd.calibratedSensorToken());
            Sensor s = cs == null ? null : this.sensor.get(cs.sensorToken());
            if (s != null) sampleKeyData.computeIfAbsent(sd.sampleToken(), k -> new LinkedHashMap<>()).put(s.channel(), sd.token());
        }
        for (SampleAnnotation a : sampleAnnotation) sampleAnns.computeIfAbsent(a.sampleToken(), k -> new ArrayList<>()).add(a.token());
    }

    /**
     * Tables from records (for writers and tests). References are checked as on load; a broken one is an
     * {@link IllegalArgumentException} naming the table and token.
     */
    public static NuScenesTables of(List<Category> category, List<Attribute> attribute, List<Visibility> visibility, List<Instance> instance,
                                    List<Sensor> sensor, List<CalibratedSensor> calibratedSensor, List<EgoPose> egoPose, List<Log> log,
                                    List<Scene> scene, List<Sample> sample, List<SampleData> sampleData, List<SampleAnnotation> sampleAnnotation) {
        try {
            return checked(new NuScenesTables(category, attribute, visibility, instance, sensor, calibratedSensor, egoPose, log, scene, sample,
                    sampleData, sampleAnnotation), null, null);
        } catch (NuScenesFormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static <T> Map<String, T> index(List<T> rows, Function<T, String> token) {
        Map<String, T> m = new LinkedHashMap<>();
        for (T r : rows) {
            T old = m.put(token.apply(r), r);
            if (old != null) throw new IllegalArgumentException("duplicate token " + token.apply(r) + " in " + r.getClass().getSimpleName());
        }
        return Collections.unmodifiableMap(m);
    }

    // ---- accessors ----

    public Map<String, Category> categories() { return category; }
    public Map<String, Attribute> attributes() { return attribute; }
    public Map<String, Visibility> visibilities() { return visibility; }
    public Map<String, Instance> instances() { return instance; }
    public Map<String, Sensor> sensors() { return sensor; }
    public Map<String, CalibratedSensor> calibratedSensors() { return calibratedSensor; }
    public Map<String, EgoPose> egoPoses() { return egoPose; }
    public Map<String, Log> logs() { return log; }
    public Map<String, Scene> scenes() { return scene; }
    /** Samples in file order (the order the devkit's evaluator walks them). */
    public Map<String, Sample> samples() { return sample; }
    public Map<String, SampleData> sampleData() { return sampleData; }
    public Map<String, SampleAnnotation> sampleAnnotations() { return sampleAnnotation; }

    private static <T> T get(Map<String, T> table, String name, String token) {
        T r = table.get(token);
        if (r == null) throw new IllegalArgumentException("no " + name + " with token '" + token + "'");
        return r;
    }

    public Sample sample(String token) { return get(sample, "sample", token); }
    public SampleData sampleData(String token) { return get(sampleData, "sample_data", token); }
    public SampleAnnotation sampleAnnotation(String token) { return get(sampleAnnotation, "sample_annotation", token); }
    public EgoPose egoPose(String token) { return get(egoPose, "ego_pose", token); }
    public CalibratedSensor calibratedSensor(String token) { return get(calibratedSensor, "calibrated_sensor", token); }
    public Scene scene(String token) { return get(scene, "scene", token); }

    /** The channel of a sample_data (through its calibrated sensor), e.g. {@code LIDAR_TOP}. */
    public String channel(SampleData sd) {
        return get(sensor, "sensor", get(calibratedSensor, "calibrated_sensor", sd.calibratedSensorToken()).sensorToken()).channel();
    }

    /** The modality of a sample_data: lidar, camera or radar. */
    public String modality(SampleData sd) {
        return get(sensor, "sensor", get(calibratedSensor, "calibrated_sensor", sd.calibratedSensorToken()).sensorToken()).modality();
    }

    /** A sample's key-frame sample_data tokens by channel (the devkit's {@code sample['data']}). */
    public Map<String, String> sampleDataByChannel(String sampleToken) {
        get(sample, "sample", sampleToken);
        return Collections.unmodifiableMap(sampleKeyData.getOrDefault(sampleToken, Map.of()));
    }

    /** The key-frame sample_data of {@code channel} in a sample. */
    public SampleData keyFrame(String sampleToken, String channel) {
        String t = sampleDataByChannel(sampleToken).get(channel);
        if (t == null) throw new IllegalArgumentException("sample '" + sampleToken + "' has no key frame of channel " + channel);
        return sampleData.get(t);
    }

    /** A sample's annotation tokens in table order (the devkit's {@code sample['anns']}). */
    public List<String> annotationsOf(String sampleToken) {
        get(sample, "sample", sampleToken);
        return Collections.unmodifiableList(sampleAnns.getOrDefault(sampleToken, List.of()));
    }

    /** The category name of an annotation, through its instance. */
    public String categoryName(SampleAnnotation a) {
        return get(category, "category", get(instance, "instance", a.instanceToken()).categoryToken()).name();
    }

    /** The samples of a scene in time order, following {@code next} from the first sample. */
    public List<Sample> samplesOfScene(String sceneToken) {
        Scene s = scene(sceneToken);
        List<Sample> out = new ArrayList<>();
        for (String t = s.firstSampleToken(); !t.isEmpty(); t = sample(t).next()) {
            out.add(sample(t));
            if (out.size() > sample.size()) throw new IllegalStateException("scene " + s.name() + ": sample next-chain has a cycle");
        }
        return out;
    }

    /** Where the sensor of {@code sd} sat: its calibrated pose on the car and the ego pose at its own timestamp. */
    public SensorPose sensorPose(SampleData sd) {
        CalibratedSensor cs = calibratedSensor(sd.calibratedSensorToken());
        EgoPose ep = egoPose(sd.egoPoseToken());
        return SensorPose.fromNuScenes(cs.rotation(), cs.translation(), ep.rotation(), ep.translation());
    }

    /** The ego-to-global pose of an ego_pose record. */
    public static Pose pose(EgoPose ep) { return Pose.fromQuaternion(ep.rotation(), ep.translation()); }

    /**
     * The velocity (vx, vy, vz) in m/s of an annotation in the global frame, as the devkit's {@code box_velocity}: the
     * centred difference between the previous and next annotation of the same instance, or the one-sided difference
     * at the ends of a track, from the samples' timestamps; NaN for a single annotation or when the time gap exceeds
     * {@code maxTimeDiff} seconds (doubled for the centred difference). The devkit's default is 1.5 s.
     */
    public double[] boxVelocity(String annotationToken, double maxTimeDiff) {
        SampleAnnotation cur = sampleAnnotation(annotationToken);
        boolean hasPrev = !cur.prev().isEmpty(), hasNext = !cur.next().isEmpty();
        if (!hasPrev && !hasNext) return new double[] {Double.NaN, Double.NaN, Double.NaN};
        SampleAnnotation first = hasPrev ? sampleAnnotation(cur.prev()) : cur;
        SampleAnnotation last = hasNext ? sampleAnnotation(cur.next()) : cur;
        double tLast = 1e-6 * sample(last.sampleToken()).timestamp();
        double tFirst = 1e-6 * sample(first.sampleToken()).timestamp();
        double dt = tLast - tFirst;
        double limit = hasPrev && hasNext ? maxTimeDiff * 2 : maxTimeDiff;
        if (dt > limit) return new double[] {Double.NaN, Double.NaN, Double.NaN};
        double[] v = new double[3];
        for (int k = 0; k < 3; k++) v[k] = (last.translation()[k] - first.translation()[k]) / dt;
        return v;
    }

    /** {@link #boxVelocity(String, double)} with the devkit's default of 1.5 s. */
    public double[] boxVelocity(String annotationToken) { return boxVelocity(annotationToken, 1.5); }

    // ---- reading ----

    private static final JsonFactory JSON = JsonFactory.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    static final ObjectMapper MAPPER = JsonMapper.builder(JSON).build();

    /** Loads {@code <dataroot>/<version>/*.json}. */
    public static NuScenesTables load(Path dataroot, String version) throws IOException {
        return load(dataroot.resolve(version));
    }

    /** Loads the 12 tables from one folder (a missing table is an error naming the file). */
    public static NuScenesTables load(Path tableDir) throws IOException {
        Map<String, Map<String, Integer>> lines = new HashMap<>();
        List<Category> category = read(tableDir, "category", lines, r -> new Category(r.str("token"), r.str("name"), r.strOr("description", "")));
        List<Attribute> attribute = read(tableDir, "attribute", lines, r -> new Attribute(r.str("token"), r.str("name"), r.strOr("description", "")));
        List<Visibility> visibility = read(tableDir, "visibility", lines, r -> new Visibility(r.str("token"), r.str("level"), r.strOr("description", "")));
        List<Instance> instance = read(tableDir, "instance", lines, r -> new Instance(r.str("token"), r.str("category_token"),
                r.integer("nbr_annotations"), r.str("first_annotation_token"), r.str("last_annotation_token")));
        List<Sensor> sensor = read(tableDir, "sensor", lines, r -> new Sensor(r.str("token"), r.str("channel"), r.str("modality")));
        List<CalibratedSensor> calibrated = read(tableDir, "calibrated_sensor", lines, r -> new CalibratedSensor(r.str("token"), r.str("sensor_token"),
                r.vector("translation", 3), r.vector("rotation", 4), r.matrixOrEmpty("camera_intrinsic", 3, 3)));
        List<EgoPose> ego = read(tableDir, "ego_pose", lines, r -> new EgoPose(r.str("token"), r.longValue("timestamp"), r.vector("rotation", 4),
                r.vector("translation", 3)));
        List<Log> log = read(tableDir, "log", lines, r -> new Log(r.str("token"), r.strOr("logfile", ""), r.strOr("vehicle", ""),
                r.strOr("date_captured", ""), r.strOr("location", "")));
        List<Scene> scene = read(tableDir, "scene", lines, r -> new Scene(r.str("token"), r.str("log_token"), r.integer("nbr_samples"),
                r.str("first_sample_token"), r.str("last_sample_token"), r.str("name"), r.strOr("description", "")));
        List<Sample> sample = read(tableDir, "sample", lines, r -> new Sample(r.str("token"), r.longValue("timestamp"), r.str("prev"), r.str("next"),
                r.str("scene_token")));
        List<SampleData> sd = read(tableDir, "sample_data", lines, r -> new SampleData(r.str("token"), r.str("sample_token"), r.str("ego_pose_token"),
                r.str("calibrated_sensor_token"), r.longValue("timestamp"), r.str("fileformat"), r.bool("is_key_frame"), r.integer("height"),
                r.integer("width"), r.str("filename"), r.str("prev"), r.str("next")));
        List<SampleAnnotation> ann = read(tableDir, "sample_annotation", lines, r -> new SampleAnnotation(r.str("token"), r.str("sample_token"),
                r.str("instance_token"), r.strOr("visibility_token", ""), r.strings("attribute_tokens"), r.vector("translation", 3),
                r.positiveVector("size", 3), r.vector("rotation", 4), r.str("prev"), r.str("next"), r.integer("num_lidar_pts"),
                r.integer("num_radar_pts")));
        NuScenesTables t = new NuScenesTables(category, attribute, visibility, instance, sensor, calibrated, ego, log, scene, sample, sd, ann);
        return checked(t, tableDir, lines);
    }

    /** Checks every reference; {@code dir}/{@code lines} (null for in-memory tables) locate the offending record. */
    private static NuScenesTables checked(NuScenesTables t, Path dir, Map<String, Map<String, Integer>> lines) throws NuScenesFormatException {
        var c = new RefCheck(dir, lines);
        for (Instance i : t.instance.values()) {
            c.ref("instance", i.token(), "category_token", i.categoryToken(), t.category, false);
            c.ref("instance", i.token(), "first_annotation_token", i.firstAnnotationToken(), t.sampleAnnotation, false);
            c.ref("instance", i.token(), "last_annotation_token", i.lastAnnotationToken(), t.sampleAnnotation, false);
        }
        for (CalibratedSensor cs : t.calibratedSensor.values()) c.ref("calibrated_sensor", cs.token(), "sensor_token", cs.sensorToken(), t.sensor, false);
        for (Scene s : t.scene.values()) {
            c.ref("scene", s.token(), "log_token", s.logToken(), t.log, false);
            c.ref("scene", s.token(), "first_sample_token", s.firstSampleToken(), t.sample, false);
            c.ref("scene", s.token(), "last_sample_token", s.lastSampleToken(), t.sample, false);
        }
        for (Sample s : t.sample.values()) {
            c.ref("sample", s.token(), "scene_token", s.sceneToken(), t.scene, false);
            c.ref("sample", s.token(), "prev", s.prev(), t.sample, true);
            c.ref("sample", s.token(), "next", s.next(), t.sample, true);
        }
        for (SampleData s : t.sampleData.values()) {
            c.ref("sample_data", s.token(), "sample_token", s.sampleToken(), t.sample, false);
            c.ref("sample_data", s.token(), "ego_pose_token", s.egoPoseToken(), t.egoPose, false);
            c.ref("sample_data", s.token(), "calibrated_sensor_token", s.calibratedSensorToken(), t.calibratedSensor, false);
            c.ref("sample_data", s.token(), "prev", s.prev(), t.sampleData, true);
            c.ref("sample_data", s.token(), "next", s.next(), t.sampleData, true);
        }
        for (SampleAnnotation a : t.sampleAnnotation.values()) {
            c.ref("sample_annotation", a.token(), "sample_token", a.sampleToken(), t.sample, false);
            c.ref("sample_annotation", a.token(), "instance_token", a.instanceToken(), t.instance, false);
            c.ref("sample_annotation", a.token(), "visibility_token", a.visibilityToken(), t.visibility, true);
            for (String at : a.attributeTokens()) c.ref("sample_annotation", a.token(), "attribute_tokens", at, t.attribute, false);
            c.ref("sample_annotation", a.token(), "prev", a.prev(), t.sampleAnnotation, true);
            c.ref("sample_annotation", a.token(), "next", a.next(), t.sampleAnnotation, true);
        }
        return t;
    }

    private record RefCheck(Path dir, Map<String, Map<String, Integer>> lines) {
        void ref(String table, String token, String field, String target, Map<String, ?> targetTable, boolean emptyAllowed)
                throws NuScenesFormatException {
            if (emptyAllowed && target.isEmpty()) return;
            if (targetTable.containsKey(target)) return;
            String problem = "record " + token + ": " + field + " '" + target + "' does not exist";
            if (dir == null) throw new NuScenesFormatException(Path.of(table + ".json"), null, problem);
            Integer line = lines.get(table).get(token);
            throw new NuScenesFormatException(dir.resolve(table + ".json"), line == null ? null : NuScenesFormatException.line(line, 0), problem);
        }
    }

    /** One JSON record being converted, with its file and line for error messages. */
    static final class Row {
        private final JsonNode node;
        private final Path file;
        private final JsonLocation at;

        Row(JsonNode node, Path file, JsonLocation at) {
            this.node = node;
            this.file = file;
            this.at = at;
        }

        NuScenesFormatException bad(String problem) {
            return new NuScenesFormatException(file, NuScenesFormatException.line(at.getLineNr(), at.getColumnNr()), problem);
        }

        private JsonNode field(String name) throws NuScenesFormatException {
            JsonNode v = node.get(name);
            if (v == null) throw bad("missing field '" + name + "'");
            return v;
        }

        String str(String name) throws NuScenesFormatException {
            JsonNode v = field(name);
            if (!v.isTextual()) throw bad("field '" + name + "' must be a string, got " + v.getNodeType());
            return v.textValue();
        }

        String strOr(String name, String dflt) throws NuScenesFormatException {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) return dflt;
            if (!v.isTextual()) throw bad("field '" + name + "' must be a string, got " + v.getNodeType());
            return v.textValue();
        }

        int integer(String name) throws NuScenesFormatException {
            JsonNode v = field(name);
            if (!v.isIntegralNumber() || !v.canConvertToInt()) throw bad("field '" + name + "' must be a 32-bit integer, got " + v);
            return v.intValue();
        }

        long longValue(String name) throws NuScenesFormatException {
            JsonNode v = field(name);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) throw bad("field '" + name + "' must be an integer, got " + v);
            return v.longValue();
        }

        boolean bool(String name) throws NuScenesFormatException {
            JsonNode v = field(name);
            if (!v.isBoolean()) throw bad("field '" + name + "' must be true or false, got " + v);
            return v.booleanValue();
        }

        List<String> strings(String name) throws NuScenesFormatException {
            JsonNode v = field(name);
            if (!v.isArray()) throw bad("field '" + name + "' must be an array of strings, got " + v.getNodeType());
            List<String> out = new ArrayList<>(v.size());
            for (JsonNode e : v) {
                if (!e.isTextual()) throw bad("field '" + name + "' must hold strings, got " + e);
                out.add(e.textValue());
            }
            return List.copyOf(out);
        }

        double[] vector(String name, int n) throws NuScenesFormatException {
            return numbers(field(name), name, n);
        }

        double[] positiveVector(String name, int n) throws NuScenesFormatException {
            double[] v = vector(name, n);
            for (double x : v) if (!(x > 0)) throw bad("field '" + name + "' must be positive, got " + Arrays.toString(v));
            return v;
        }

        double[][] matrixOrEmpty(String name, int rows, int cols) throws NuScenesFormatException {
            JsonNode v = field(name);
            if (!v.isArray()) throw bad("field '" + name + "' must be an array, got " + v.getNodeType());
            if (v.isEmpty()) return new double[0][];
            if (v.size() != rows) throw bad("field '" + name + "' must be empty or " + rows + "x" + cols + ", got " + v.size() + " rows");
            double[][] m = new double[rows][];
            for (int r = 0; r < rows; r++) m[r] = numbers(v.get(r), name + "[" + r + "]", cols);
            return m;
        }

        private double[] numbers(JsonNode v, String name, int n) throws NuScenesFormatException {
            if (!v.isArray() || v.size() != n) throw bad("field '" + name + "' must be an array of " + n + " numbers, got " + v);
            double[] out = new double[n];
            for (int k = 0; k < n; k++) {
                JsonNode e = v.get(k);
                if (!e.isNumber() || !Double.isFinite(e.doubleValue())) throw bad("field '" + name + "' must hold " + n + " finite numbers, got " + v);
                out[k] = e.doubleValue();
            }
            return out;
        }
    }

    @FunctionalInterface
    interface RowReader<T> {
        T read(Row r) throws NuScenesFormatException;
    }

    private static <T> List<T> read(Path dir, String table, Map<String, Map<String, Integer>> lines, RowReader<T> reader) throws IOException {
        Path file = dir.resolve(table + ".json");
        Map<String, Integer> tokenLines = new HashMap<>();
        lines.put(table, tokenLines);
        List<T> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file); JsonParser p = MAPPER.createParser(in)) {
            if (p.nextToken() != JsonToken.START_ARRAY) throw at(file, p, "a table must be a JSON array of records");
            for (JsonToken tok = p.nextToken(); tok != JsonToken.END_ARRAY; tok = p.nextToken()) {
                if (tok == null) throw at(file, p, "the array is not closed (truncated file?)");
                if (tok != JsonToken.START_OBJECT) throw at(file, p, "expected a record object, got " + tok);
                JsonLocation start = p.currentTokenLocation();
                JsonNode node = MAPPER.readTree(p);
                Row row = new Row(node, file, start);
                T rec = reader.read(row);
                String token = row.str("token");
                if (tokenLines.put(token, start.getLineNr()) != null) throw row.bad("duplicate token '" + token + "'");
                out.add(rec);
            }
            if (p.nextToken() != null) throw at(file, p, "unexpected content after the table's array");
        } catch (NoSuchFileException e) {
            throw new NuScenesFormatException(file, null, "table file not found");
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            throw new NuScenesFormatException(file, l == null ? null : NuScenesFormatException.line(l.getLineNr(), l.getColumnNr()),
                    "malformed JSON: " + e.getOriginalMessage(), e);
        }
        return out;
    }

    private static NuScenesFormatException at(Path file, JsonParser p, String problem) {
        JsonLocation l = p.currentTokenLocation();
        return new NuScenesFormatException(file, NuScenesFormatException.line(l.getLineNr(), l.getColumnNr()), problem);
    }

    // ---- writing ----

    /** Writes the 12 tables to {@code <dataroot>/<version>/}, each through a temporary file. */
    public void write(Path dataroot, String version) throws IOException { write(dataroot.resolve(version)); }

    /** Writes the 12 tables into {@code tableDir}, one JSON array per table, field names as the released files. */
    public void write(Path tableDir) throws IOException {
        Files.createDirectories(tableDir);
        writeTable(tableDir, "category", category.values(), (g, r) -> {
            g.writeStringField("token", r.token());
            g.writeStringField("name", r.name());
            g.writeStringField("description", r.description());
        });
        writeTable(tableDir, "attribute", attribute.values(), (g, r) -> {
            g.writeStringField("token", r.token());
            g.writeStringField("name", r.name());
            g.writeStringField("description", r.description());
        });
        writeTable(tableDir, "visibility", visibility.values(), (g, r) -> {
            g.writeStringField("description", r.description());
            g.writeStringField("token", r.token());
            g.writeStringField("level", r.level());
        });
        writeTable(tableDir, "instance", instance.values(), (g, r) -> {
            g.writeStringField("token", r.token());
            g.writeStringField("category_token", r.categoryToken());
            g.writeNumberField("nbr_annotations", r.nbrAnnotations());
            g.writeStringField("first_annotation_token", r.firstAnnotationToken());
            g.writeStringField("last_annotation_token", r.lastAnnotationToken());
        });
        writeTable(tableDir, "sensor", sensor.values(), (g, r) -> {
            g.writeStringField("token", r.token());
            g.writeStringField("channel", r.channel());
            g.writeStringField("modality", r.modality());
        });
        writeTable(tableDir, "calibrated_sensor", calibratedSensor.values(), (g, r) -> {
            g.writeStringField("token", r.token());
            g.writeStringField("sensor_token", r.sensorToken());
            array(g, "translation", r.translation());
            array(g, "rotation", r.rotation());
            g.writeArrayFieldStart("camera_intrinsic");
            for (double[] row : r.cameraIntrinsic()) {
                g.writeStartArray();
                for (double v : row) g.writeNumber(v);
                g.writeEndArray();
            }
            g.writeEndArray();
        });
        writeTable(tableDir, "ego_pose", egoPose.values(), (g, r) -> {
            g.writeStringField("token", r.token());
            g.writeNumberField("timestamp", r.timestamp());
            array(g, "rotation", r.rotation());
            array(g, "translation", r.translation());
        });
        writeTable(tableDir, "log", log.values(), (g, r) -> {
            g.writeStringField("token", r.token());
            g.writeStringField("logfile", r.logfile());
            g.writeStringField("vehicle", r.vehicle());
            g.writeStringField("date_captured", r.dateCaptured());
            g.writeStringField("location", r.location());
        });
        writeTable(tableDir, "scene", scene.values(), (g, r) -> {
            g.writeStringField("token", r.token());
            g.writeStringField("log_token", r.logToken());
            g.writeNumberField("nbr_samples", r.nbrSamples());
            g.writeStringField("first_sample_token", r.firstSampleToken());
            g.writeStringField("last_sample_token", r.lastSampleToken());
            g.writeStringField("name", r.name());
            g.writeStringField("description", r.description());
        });
        writeTable(tableDir, "sample", sample.values(), (g, r) -> {
            g.writeStringField("token", r.token());
            g.writeNumberField("timestamp", r.timestamp());
            g.writeStringField("prev", r.prev());
            g.writeStringField("next", r.next());
            g.writeStringField("scene_token", r.sceneToken());
        });
        writeTable(tableDir, "sample_data", sampleData.values(), (g, r) -> {
            g.writeStringField("token", r.token());
            g.writeStringField("sample_token", r.sampleToken());
            g.writeStringField("ego_pose_token", r.egoPoseToken());
            g.writeStringField("calibrated_sensor_token", r.calibratedSensorToken());
            g.writeNumberField("timestamp", r.timestamp());
            g.writeStringField("fileformat", r.fileformat());
            g.writeBooleanField("is_key_frame", r.isKeyFrame());
            g.writeNumberField("height", r.height());
            g.writeNumberField("width", r.width());
            g.writeStringField("filename", r.filename());
            g.writeStringField("prev", r.prev());
            g.writeStringField("next", r.next());
        });
        writeTable(tableDir, "sample_annotation", sampleAnnotation.values(), (g, r) -> {
            g.writeStringField("token", r.token());
            g.writeStringField("sample_token", r.sampleToken());
            g.writeStringField("instance_token", r.instanceToken());
            g.writeStringField("visibility_token", r.visibilityToken());
            g.writeArrayFieldStart("attribute_tokens");
            for (String a : r.attributeTokens()) g.writeString(a);
            g.writeEndArray();
            array(g, "translation", r.translation());
            array(g, "size", r.size());
            array(g, "rotation", r.rotation());
            g.writeStringField("prev", r.prev());
            g.writeStringField("next", r.next());
            g.writeNumberField("num_lidar_pts", r.numLidarPts());
            g.writeNumberField("num_radar_pts", r.numRadarPts());
        });
    }

    @FunctionalInterface
    private interface RowWriter<T> {
        void write(JsonGenerator g, T row) throws IOException;
    }

    private static <T> void writeTable(Path dir, String table, Iterable<T> rows, RowWriter<T> w) throws IOException {
        AtomicFiles.write(dir.resolve(table + ".json"), out -> {
            try (JsonGenerator g = MAPPER.createGenerator(out).useDefaultPrettyPrinter()) {
                g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                g.writeStartArray();
                for (T r : rows) {
                    g.writeStartObject();
                    w.write(g, r);
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
        });
    }

    private static void array(JsonGenerator g, String name, double[] v) throws IOException {
        g.writeArrayFieldStart(name);
        for (double x : v) g.writeNumber(x);
        g.writeEndArray();
    }

    @Override
    public String toString() {
        return "NuScenesTables[" + scene.size() + " scenes, " + sample.size() + " samples, " + sampleData.size() + " sample_data, "
                + sampleAnnotation.size() + " annotations]";
    }
}
