package fuse3d.nn.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import fuse3d.nn.Module;
import fuse3d.nn.optim.LrSchedule;
import fuse3d.nn.optim.Optimizer;
import fuse3d.nn.optim.OptimizerState;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.io.SafeTensors;
import fuse3d.tensor.io.TensorIO;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything needed to resume training exactly: the model's state dict, the optimizer's state, the LR
 * schedule's state, epoch and iteration counters, the positions of named random generators, and free-form
 * string metadata, stored as ONE safetensors file.
 *
 * <p>Layout: tensors {@code model/<dotted name>} (parameters and buffers, in the model's order) and
 * {@code optimizer/<param index>/<key>} (per-parameter optimizer state, e.g. {@code optimizer/0/exp_avg});
 * a tensor {@code checkpoint_id} (two int64s); and {@code __metadata__} strings: {@code format},
 * {@code format_version}, {@code checkpoint_id} (the same two numbers in hex), {@code epoch},
 * {@code iteration}, and JSON texts {@code optimizer} (type and parameter groups, as torch's
 * {@code param_groups}), {@code schedule}, {@code rng} ({@code {name: {seed, state}}}) and
 * {@code metadata}. Any safetensors reader can open the file; doubles in the JSON round-trip exactly.
 *
 * <p>{@link #save} writes a temporary file beside the target and renames it into place atomically, so an
 * existing checkpoint survives any failed write. {@link #load} validates the file and, since the tensors
 * and the metadata are read in two passes, uses {@code checkpoint_id} to detect a file replaced in between.
 * {@link #restore} checks the whole checkpoint against the model, optimizer, schedule and generators before
 * changing any of them.
 */
public final class TrainingCheckpoint {
    /** The {@code format} metadata value. */
    public static final String FORMAT = "fuse3d.training_checkpoint";
    public static final int FORMAT_VERSION = 1;
    private static final String MODEL = "model/", OPTIMIZER = "optimizer/", ID = "checkpoint_id";
    private static final SecureRandom IDS = new SecureRandom();

    private final String source;
    private final Map<String, Tensor> model;
    private final OptimizerState optimizer;
    private final Map<String, Object> schedule;
    private final long epoch, iteration;
    private final Map<String, long[]> rng;
    private final Map<String, String> metadata;

    private TrainingCheckpoint(String source, Map<String, Tensor> model, OptimizerState optimizer, Map<String, Object> schedule,
                               long epoch, long iteration, Map<String, long[]> rng, Map<String, String> metadata) {
        this.source = source;
        this.model = Collections.unmodifiableMap(model);
        this.optimizer = optimizer;
        this.schedule = schedule == null ? null : Collections.unmodifiableMap(schedule);
        this.epoch = epoch;
        this.iteration = iteration;
        this.rng = Collections.unmodifiableMap(rng);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /**
     * Takes a snapshot (copies of every tensor) of a training run.
     *
     * @param optimizer  may be null (then none is saved); likewise {@code schedule}
     * @param generators named generators whose positions to save (e.g. "data", "dropout"); may be empty
     * @param metadata   free-form strings (config name, git revision, ...); may be empty
     */
    public static TrainingCheckpoint capture(Module model, Optimizer optimizer, LrSchedule schedule, long epoch, long iteration,
                                             Map<String, Generator> generators, Map<String, String> metadata) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) m.put(e.getKey(), e.getValue().copy());
        Map<String, long[]> r = new TreeMap<>();
        for (Map.Entry<String, Generator> e : generators.entrySet()) {
            long[] st = e.getValue().state();
            long[] withSeed = Arrays.copyOf(st, st.length + 1);
            withSeed[st.length] = e.getValue().seed();
            r.put(e.getKey(), withSeed);
        }
        for (Map.Entry<String, String> e : metadata.entrySet())
            if (e.getKey() == null || e.getValue() == null) throw new IllegalArgumentException("checkpoint metadata: keys and values must not be null");
        return new TrainingCheckpoint("<memory>", m, optimizer == null ? null : optimizer.stateDict(),
                schedule == null ? null : schedule.stateDict(), epoch, iteration, r, new LinkedHashMap<>(metadata));
    }

    /** {@link #capture} then {@link #save}. */
    public static void save(Path file, Module model, Optimizer optimizer, LrSchedule schedule, long epoch, long iteration,
                            Map<String, Generator> generators, Map<String, String> metadata) throws IOException {
        capture(model, optimizer, schedule, epoch, iteration, generators, metadata).save(file);
    }

    // ------------------------------------------------------------------ accessors

    /** The file this checkpoint was loaded from, or {@code "<memory>"}. */
    public String source() { return source; }

    public Map<String, Tensor> modelState() { return model; }

    /** The optimizer state, or null if none was saved. */
    public OptimizerState optimizerState() { return optimizer; }

    /** The schedule state, or null if none was saved. */
    public Map<String, Object> scheduleState() { return schedule; }

    public long epoch() { return epoch; }

    public long iteration() { return iteration; }

    /** The names of the saved generators. */
    public List<String> generatorNames() { return List.copyOf(rng.keySet()); }

    public Map<String, String> metadata() { return metadata; }

    // ------------------------------------------------------------------ writing

    /** Writes the checkpoint to {@code file} atomically (temporary sibling, then rename). */
    public void save(Path file) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : model.entrySet()) tensors.put(MODEL + e.getKey(), e.getValue());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("format_version", Integer.toString(FORMAT_VERSION));
        long[] id = {IDS.nextLong(), IDS.nextLong()};
        meta.put(ID, HexFormat.of().toHexDigits(id[0]) + HexFormat.of().toHexDigits(id[1]));
        meta.put("epoch", Long.toString(epoch));
        meta.put("iteration", Long.toString(iteration));
        if (optimizer != null) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("type", optimizer.type());
            o.put("param_groups", optimizer.paramGroups());
            meta.put("optimizer", Json.write(o));
            for (Map.Entry<Integer, Map<String, Tensor>> e : optimizer.state().entrySet())
                for (Map.Entry<String, Tensor> s : e.getValue().entrySet()) {
                    if (s.getKey().contains("/")) throw new IllegalArgumentException("optimizer state key '" + s.getKey() + "' contains '/'");
                    tensors.put(OPTIMIZER + e.getKey() + "/" + s.getKey(), s.getValue());
                }
        }
        if (schedule != null) meta.put("schedule", Json.write(schedule));
        Map<String, Object> r = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : rng.entrySet()) {
            long[] v = e.getValue();
            List<Long> st = new ArrayList<>();
            for (int i = 0; i < v.length - 1; i++) st.add(v[i]);
            r.put(e.getKey(), Map.of("seed", v[v.length - 1], "state", st));
        }
        meta.put("rng", Json.write(r));
        meta.put("metadata", Json.write(metadata));
        tensors.put(ID, Tensor.ofLongs(id, 2));
        TensorIO.writeSafeTensors(file, tensors, meta);
    }

    // ------------------------------------------------------------------ reading

    /** Reads and validates a checkpoint written by {@link #save}; every problem names the file. */
    public static TrainingCheckpoint load(Path file) throws IOException {
        // The file is read in two passes (metadata, tensors); a checkpoint renamed over it in between is
        // detected by the id both passes carry, and the read is simply repeated.
        for (int attempt = 0; ; attempt++) {
            Map<String, String> meta = SafeTensors.readMetadata(file);
            Map<String, Tensor> tensors = TensorIO.readSafeTensors(file);
            String id = meta.get(ID);
            Tensor idT = tensors.get(ID);
            boolean same = id != null && idT != null && idT.dtype() == DType.INT64 && idT.numel() == 2
                    && id.equals(HexFormat.of().toHexDigits(idT.toLongArray()[0]) + HexFormat.of().toHexDigits(idT.toLongArray()[1]));
            if (same || id == null || idT == null) return parse(file, meta, tensors);
            if (attempt == 2) throw new CheckpointException(file, ID, "the file kept changing while being read");
        }
    }

    private static TrainingCheckpoint parse(Path file, Map<String, String> meta, Map<String, Tensor> tensors) throws CheckpointException {
        if (!FORMAT.equals(meta.get("format")))
            throw new CheckpointException(file, "format", "not a Fuse3D training checkpoint (metadata format is " + quote(meta.get("format"))
                    + ", expected \"" + FORMAT + "\")");
        if (!Integer.toString(FORMAT_VERSION).equals(meta.get("format_version")))
            throw new CheckpointException(file, "format_version", "unsupported version " + quote(meta.get("format_version")) + " (this reader knows " + FORMAT_VERSION + ")");
        if (!meta.containsKey(ID) || !tensors.containsKey(ID)) throw new CheckpointException(file, ID, "missing");
        long epoch = longMeta(file, meta, "epoch"), iteration = longMeta(file, meta, "iteration");

        Map<String, Tensor> model = new LinkedHashMap<>();
        Map<Integer, Map<String, Tensor>> optState = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String k = e.getKey();
            if (k.startsWith(MODEL)) {
                model.put(k.substring(MODEL.length()), e.getValue());
            } else if (k.startsWith(OPTIMIZER)) {
                String[] parts = k.substring(OPTIMIZER.length()).split("/", -1);
                int idx;
                try {
                    idx = parts.length == 2 && !parts[1].isEmpty() ? Integer.parseInt(parts[0]) : -1;
                } catch (NumberFormatException ex) {
                    idx = -1;
                }
                if (idx < 0) throw new CheckpointException(file, "tensor '" + k + "'", "expected optimizer/<parameter index>/<state key>");
                optState.computeIfAbsent(idx, i -> new LinkedHashMap<>()).put(parts[1], e.getValue());
            } else if (!k.equals(ID)) {
                throw new CheckpointException(file, "tensor '" + k + "'", "unexpected tensor (expected model/..., optimizer/... or " + ID + ")");
            }
        }

        OptimizerState optimizer = null;
        if (meta.containsKey("optimizer")) {
            Map<String, Object> o = jsonObject(file, meta, "optimizer");
            if (!(o.get("type") instanceof String type)) throw new CheckpointException(file, "optimizer", "has no type");
            if (!(o.get("param_groups") instanceof List<?> groups)) throw new CheckpointException(file, "optimizer", "has no param_groups list");
            List<Map<String, Object>> gs = new ArrayList<>();
            for (int gi = 0; gi < groups.size(); gi++) {
                if (!(groups.get(gi) instanceof Map<?, ?> g)) throw new CheckpointException(file, "optimizer", "param_groups[" + gi + "] is not an object");
                Map<String, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : g.entrySet()) {
                    String key = (String) e.getKey();
                    Object v = e.getValue();
                    if (key.equals("params")) {
                        if (!(v instanceof List<?> ids)) throw new CheckpointException(file, "optimizer", "param_groups[" + gi + "].params is not a list");
                        List<Integer> ints = new ArrayList<>();
                        for (Object id : ids) {
                            if (!(id instanceof Long l) || l < 0 || l > Integer.MAX_VALUE)
                                throw new CheckpointException(file, "optimizer", "param_groups[" + gi + "].params holds " + id + ", not a parameter index");
                            ints.add(l.intValue());
                        }
                        out.put(key, ints);
                    } else if (v instanceof Boolean b) {
                        out.put(key, b);
                    } else if (Json.toDouble(v) != null) {
                        out.put(key, Json.toDouble(v));
                    } else {
                        throw new CheckpointException(file, "optimizer", "param_groups[" + gi + "]." + key + " is " + v + ", not a number or boolean");
                    }
                }
                gs.add(out);
            }
            optimizer = new OptimizerState(type, gs, optState);
        } else if (!optState.isEmpty()) {
            throw new CheckpointException(file, "optimizer", "optimizer state tensors without the optimizer metadata");
        }

        Map<String, Object> schedule = meta.containsKey("schedule") ? jsonObject(file, meta, "schedule") : null;

        Map<String, long[]> rng = new TreeMap<>();
        if (meta.containsKey("rng")) {
            for (Map.Entry<String, Object> e : jsonObject(file, meta, "rng").entrySet()) {
                String where = "rng '" + e.getKey() + "'";
                if (!(e.getValue() instanceof Map<?, ?> g) || !(g.get("state") instanceof List<?> st) || !(g.get("seed") instanceof Long seed))
                    throw new CheckpointException(file, where, "expected {\"seed\": integer, \"state\": [integers]}");
                long[] v = new long[st.size() + 1];
                for (int i = 0; i < st.size(); i++) {
                    if (!(st.get(i) instanceof Long l)) throw new CheckpointException(file, where, "state holds " + st.get(i) + ", not an integer");
                    v[i] = l;
                }
                v[st.size()] = seed;
                rng.put(e.getKey(), v);
            }
        }

        Map<String, String> user = new LinkedHashMap<>();
        if (meta.containsKey("metadata")) {
            for (Map.Entry<String, Object> e : jsonObject(file, meta, "metadata").entrySet()) {
                if (!(e.getValue() instanceof String s)) throw new CheckpointException(file, "metadata", "value of '" + e.getKey() + "' is not a string");
                user.put(e.getKey(), s);
            }
        }
        return new TrainingCheckpoint(file.toString(), model, optimizer, schedule, epoch, iteration, rng, user);
    }

    private static String quote(String s) { return s == null ? "absent" : "\"" + s + "\""; }

    private static long longMeta(Path file, Map<String, String> meta, String key) throws CheckpointException {
        String v = meta.get(key);
        if (v == null) throw new CheckpointException(file, key, "missing from the metadata");
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new CheckpointException(file, key, "is \"" + v + "\", not an integer");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> jsonObject(Path file, Map<String, String> meta, String key) throws CheckpointException {
        Object v;
        try {
            v = Json.read(meta.get(key));
        } catch (JsonProcessingException e) {
            throw new CheckpointException(file, key, "is not well-formed JSON: " + e.getOriginalMessage(), e);
        }
        if (!(v instanceof Map<?, ?>)) throw new CheckpointException(file, key, "is not a JSON object");
        return (Map<String, Object>) v;
    }

    // ------------------------------------------------------------------ restoring

    /**
     * Puts this checkpoint into a model, optimizer, schedule and generators, checking everything first:
     * the model's keys and shapes must match exactly (strict), the optimizer and schedule must be of the
     * saved types and configurations, every given generator must have a saved state. Nothing is changed
     * unless everything fits. {@code optimizer}, {@code schedule} may be null (e.g. to evaluate); a saved
     * part that is not asked for is ignored, while one asked for but absent is an error. A generator gets the
     * saved position (its state); its seed, saved for information only, stays what it was.
     */
    public void restore(Module model, Optimizer optimizer, LrSchedule schedule, Map<String, Generator> generators) throws CheckpointException {
        Map<String, Tensor> own = model.stateDict();
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), mismatched = new ArrayList<>();
        for (String k : own.keySet()) if (!this.model.containsKey(k)) missing.add(k);
        for (Map.Entry<String, Tensor> e : this.model.entrySet()) {
            Tensor mine = own.get(e.getKey());
            if (mine == null) unexpected.add(e.getKey());
            else if (!Arrays.equals(mine.shape(), e.getValue().shape()))
                mismatched.add(e.getKey() + ": checkpoint " + Shape.str(e.getValue().shape()) + " vs model " + Shape.str(mine.shape()));
        }
        if (!missing.isEmpty() || !unexpected.isEmpty() || !mismatched.isEmpty())
            throw new CheckpointException(source, "model", "does not fit " + model.getClass().getSimpleName() + ": missing keys " + missing
                    + ", unexpected keys " + unexpected + ", shape mismatches " + mismatched, null);
        if (optimizer != null) {
            if (this.optimizer == null) throw new CheckpointException(source, "optimizer", "no optimizer state was saved", null);
            try {
                optimizer.checkStateDict(this.optimizer);
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(source, "optimizer", e.getMessage(), e);
            }
        }
        if (schedule != null) {
            if (this.schedule == null) throw new CheckpointException(source, "schedule", "no schedule state was saved", null);
            try {
                schedule.checkStateDict(this.schedule);
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(source, "schedule", e.getMessage(), e);
            }
        }
        for (Map.Entry<String, Generator> e : generators.entrySet()) {
            long[] v = rng.get(e.getKey());
            if (v == null) throw new CheckpointException(source, "rng '" + e.getKey() + "'", "no such generator was saved (saved: " + rng.keySet() + ")", null);
            if (v.length != 6 || (v[0] | v[1] | v[2] | v[3]) == 0)
                throw new CheckpointException(source, "rng '" + e.getKey() + "'", "not a valid generator state (" + (v.length - 1) + " numbers)", null);
        }

        model.loadStateDict(this.model, true);
        if (optimizer != null) optimizer.loadStateDict(this.optimizer);
        if (schedule != null) schedule.loadStateDict(this.schedule);
        for (Map.Entry<String, Generator> e : generators.entrySet()) {
            long[] v = rng.get(e.getKey());
            e.getValue().setState(Arrays.copyOf(v, 5));
        }
    }
}
