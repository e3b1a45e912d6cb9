package fuse3d.data.augment;

import fuse3d.data.kitti.KittiGtDatabase;
import fuse3d.data.kitti.KittiGtDatabase.DbInfo;
import fuse3d.sparse.box.RotatedIoU;
import fuse3d.sparse.points.PointsInBoxes;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * GT sampling ("copy-paste") from the GT database, as OpenPCDet's {@code DataBaseSampler}: per class a fixed
 * number of database objects is drawn, those whose BEV box overlaps an existing box or another drawn box are
 * dropped, the scene's points inside the kept boxes are removed and the kept objects' points are added.
 *
 * <p>Semantics re-derived from OpenPCDet: the database is filtered once at construction ({@code PREPARE}:
 * {@code filter_by_min_points} keeps objects with at least the class's minimum points, {@code filter_by_difficulty}
 * drops the listed difficulties); each class walks a random permutation of its objects, {@code sampleNum} at a
 * time, drawing a fresh permutation (from the caller's generator) when the walk has reached the end, so the
 * sampler is stateful like OpenPCDet's; with {@code limitWholeScene} a class draws its group size minus the
 * number of boxes of that class already in the scene. A drawn box is kept only when its BEV IoU with every
 * existing box (the scene's and those kept for earlier classes) and with every other box drawn in the same
 * batch is exactly 0 (two drawn boxes that overlap each other are both dropped). Drawn boxes are float32, as
 * OpenPCDet stacks them. The scene's points inside the kept boxes, enlarged by {@code removeExtraWidth}, are
 * removed with {@code points_in_boxes_cpu}'s rule; the objects' points (stored relative to the box centre) are
 * moved to the box and put before the remaining points. Pseudo points inside the kept boxes are removed the same
 * way (the database holds no pseudo points, so a pasted object brings none).
 */
public final class GtSampler {

    /** Loads one database object's points [K, C] (x y z relative to its box centre). */
    @FunctionalInterface
    public interface ObjectPoints {
        Tensor load(DbInfo info) throws IOException;
    }

    /**
     * The sampler's configuration, OpenPCDet's {@code DB_SAMPLER} entry.
     *
     * @param sampleGroups      class name to group size ({@code SAMPLE_GROUPS}, e.g. Car:15), in sampling order
     * @param minPoints         class name to minimum points ({@code filter_by_min_points}); absent or 0: no filter
     * @param removedDifficulty difficulties to drop ({@code filter_by_difficulty}, KITTI uses [-1])
     * @param limitWholeScene   {@code LIMIT_WHOLE_SCENE}
     * @param removeExtraWidth  dx, dy, dz added to the kept boxes before removing the scene's points in them
     */
    public record Config(Map<String, Integer> sampleGroups, Map<String, Integer> minPoints, Set<Integer> removedDifficulty,
                         boolean limitWholeScene, double[] removeExtraWidth) {
        public Config {
            sampleGroups = new LinkedHashMap<>(sampleGroups);
            minPoints = Map.copyOf(minPoints);
            removedDifficulty = Set.copyOf(removedDifficulty);
            if (removeExtraWidth == null) removeExtraWidth = new double[3];
            if (removeExtraWidth.length != 3) throw new IllegalArgumentException("GtSampler.Config: removeExtraWidth needs 3 values, got " + removeExtraWidth.length);
            removeExtraWidth = removeExtraWidth.clone();
        }

        /**
         * OpenPCDet's KITTI setting (kitti_models/*.yaml): groups Car:15, Pedestrian:10, Cyclist:10 (the given ones
         * when not null), min points Car:5, Pedestrian:5, Cyclist:5, difficulty -1 removed, whole-scene limit on,
         * no extra width.
         */
        public static Config kitti(Map<String, Integer> groups) {
            Map<String, Integer> g = groups != null ? groups : orderedOf("Car", 15, "Pedestrian", 10, "Cyclist", 10);
            return new Config(g, Map.of("Car", 5, "Pedestrian", 5, "Cyclist", 5), Set.of(-1), true, new double[3]);
        }

        /** Parses OpenPCDet's "Name:number" strings ({@code SAMPLE_GROUPS}, {@code filter_by_min_points}). */
        public static Map<String, Integer> parse(List<String> nameNumbers) {
            Map<String, Integer> out = new LinkedHashMap<>();
            for (String s : nameNumbers) {
                int c = s.lastIndexOf(':');
                if (c <= 0) throw new IllegalArgumentException("GtSampler.Config: expected \"Name:number\", got \"" + s + "\"");
                try {
                    out.put(s.substring(0, c).strip(), Integer.parseInt(s.substring(c + 1).strip()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("GtSampler.Config: expected \"Name:number\", got \"" + s + "\"", e);
                }
            }
            return out;
        }

        private static Map<String, Integer> orderedOf(Object... kv) {
            Map<String, Integer> m = new LinkedHashMap<>();
            for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (Integer) kv[i + 1]);
            return m;
        }
    }

    /** One class's walk through its objects: the permutation and the position in it. */
    private static final class Group {
        final int sampleNum;
        int pointer;
        int[] indices;

        Group(int sampleNum, int size) {
            this.sampleNum = sampleNum;
            this.pointer = size; // as OpenPCDet: the first draw starts with a fresh permutation
            this.indices = new int[size];
            for (int i = 0; i < size; i++) indices[i] = i;
        }
    }

    private final Config config;
    private final Map<String, List<DbInfo>> db = new LinkedHashMap<>();
    private final Map<String, Group> groups = new LinkedHashMap<>();
    private final ObjectPoints loader;

    /**
     * A sampler over {@code dbInfos} (e.g. {@link KittiGtDatabase#read}) for the classes of {@code classNames};
     * object points come from {@code loader}.
     */
    public GtSampler(Map<String, List<DbInfo>> dbInfos, List<String> classNames, Config config, ObjectPoints loader) {
        this.config = config;
        this.loader = loader;
        for (String cls : classNames) {
            List<DbInfo> kept = new ArrayList<>();
            int min = config.minPoints().getOrDefault(cls, 0);
            for (DbInfo d : dbInfos.getOrDefault(cls, List.of())) {
                if (config.removedDifficulty().contains(d.difficulty())) continue;
                if (min > 0 && d.numPointsInGt() < min) continue;
                kept.add(d);
            }
            db.put(cls, kept);
        }
        for (var e : config.sampleGroups().entrySet())
            if (db.containsKey(e.getKey())) groups.put(e.getKey(), new Group(e.getValue(), db.get(e.getKey()).size()));
    }

    /** A sampler reading object points from the dataset root ({@link KittiGtDatabase#points}). */
    public static GtSampler fromDatabase(Path root, Map<String, List<DbInfo>> dbInfos, List<String> classNames, Config config) {
        return new GtSampler(dbInfos, classNames, config, info -> KittiGtDatabase.points(root, info));
    }

    /** The database after the PREPARE filters, by class. */
    public Map<String, List<DbInfo>> database() { return db; }

    /** What one call sampled: the augmented scene and the database objects that were pasted, in order. */
    public record Result(AugmentScene scene, List<DbInfo> sampled) {}

    /**
     * The road under the scene, for {@code USE_ROAD_PLANE}: the LiDAR-frame height of the road surface below a
     * point (OpenPCDet's put_boxes_on_road_planes measures it along the camera's vertical).
     */
    public interface Road {
        double heightBelow(double x, double y, double z);
    }

    /** Samples objects into {@code scene}; advances this sampler's walk and draws permutations from {@code gen}. */
    public Result sample(AugmentScene scene, Generator gen) { return sample(scene, gen, null); }

    /**
     * As {@link #sample(AugmentScene, Generator)}, with each pasted object moved vertically so that its box's
     * bottom sits on {@code road} (null: objects keep the height they had in their own frame). The move applies
     * to the box and its points alike, before the scene's points inside the pasted boxes are removed.
     */
    public Result sample(AugmentScene scene, Generator gen, Road road) {
        Tensor gt = scene.gtBoxes();
        int bc = gt.size(1), m = gt.size(0);
        List<double[]> existed = new ArrayList<>();
        double[] g = gt.contiguous().toDoubleArray();
        for (int i = 0; i < m; i++) existed.add(java.util.Arrays.copyOfRange(g, i * bc, i * bc + 7));
        List<DbInfo> kept = new ArrayList<>();
        for (var e : groups.entrySet()) {
            String cls = e.getKey();
            Group grp = e.getValue();
            int num = grp.sampleNum;
            if (config.limitWholeScene()) num -= (int) scene.gtNames().stream().filter(cls::equals).count();
            if (num <= 0 || db.get(cls).isEmpty()) continue;
            List<DbInfo> drawn = draw(cls, grp, num, gen);
            int n = drawn.size();
            double[] sb = new double[n * 7];
            for (int i = 0; i < n; i++)
                for (int d = 0; d < 7; d++) sb[i * 7 + d] = (float) drawn.get(i).box3dLidar()[d]; // OpenPCDet stacks as float32
            Tensor sampledT = Tensor.of(sb, n, 7);
            double[] iouSelf = RotatedIoU.iouBev(sampledT, sampledT).contiguous().toDoubleArray();
            double[] iouExisted = existed.isEmpty() ? null : RotatedIoU.iouBev(sampledT, boxes(existed)).contiguous().toDoubleArray();
            int ne = existed.size();
            for (int i = 0; i < n; i++) {
                double maxSelf = 0, maxExisted = 0;
                for (int j = 0; j < n; j++) if (j != i) maxSelf = Math.max(maxSelf, iouSelf[i * n + j]);
                if (iouExisted != null) for (int j = 0; j < ne; j++) maxExisted = Math.max(maxExisted, iouExisted[i * ne + j]);
                // OpenPCDet: valid where max IoU with existing boxes + max IoU with the other drawn boxes == 0
                if (maxSelf + maxExisted == 0) {
                    kept.add(drawn.get(i));
                    existed.add(java.util.Arrays.copyOfRange(sb, i * 7, i * 7 + 7));
                }
            }
        }
        if (kept.isEmpty()) return new Result(scene, List.of());
        return new Result(paste(scene, existed.subList(m, existed.size()), kept, road), kept);
    }

    /** The next {@code num} objects of the class's permutation (fewer at the end of a walk, as a numpy slice). */
    private List<DbInfo> draw(String cls, Group grp, int num, Generator gen) {
        List<DbInfo> infos = db.get(cls);
        if (grp.pointer >= infos.size()) {
            long[] perm = gen.randperm(infos.size()).toLongArray();
            for (int i = 0; i < perm.length; i++) grp.indices[i] = (int) perm[i];
            grp.pointer = 0;
        }
        List<DbInfo> out = new ArrayList<>();
        for (int i = grp.pointer; i < Math.min(grp.pointer + num, infos.size()); i++) out.add(infos.get(grp.indices[i]));
        grp.pointer += num;
        return out;
    }

    private AugmentScene paste(AugmentScene scene, List<double[]> sampledBoxes, List<DbInfo> kept, Road road) {
        Tensor points = scene.points();
        int c = points.size(1), k = kept.size();
        // USE_ROAD_PLANE: each box's bottom onto the road (float32 boxes, float64 move, as the numpy reference)
        double[] mv = new double[k];
        if (road != null)
            for (int i = 0; i < k; i++) {
                double[] b = sampledBoxes.get(i);
                mv[i] = (b[2] - b[5] / 2) - road.heightBelow(b[0], b[1], b[2]);
                b[2] = (float) (b[2] - mv[i]);
            }
        // the objects' points, moved from box-relative to the scene
        List<float[]> objs = new ArrayList<>();
        int total = 0;
        for (int j = 0; j < k; j++) {
            DbInfo info = kept.get(j);
            Tensor t;
            try {
                t = loader.load(info);
            } catch (IOException ex) {
                throw new UncheckedIOException("GtSampler: cannot read the points of " + info.path(), ex);
            }
            if (t.dim() != 2 || t.size(1) < c)
                throw new IllegalArgumentException("GtSampler: object " + info.path() + " has points " + java.util.Arrays.toString(t.shape())
                        + ", the scene needs " + c + " features");
            int oc = t.size(1), on = t.size(0);
            float[] src = t.contiguous().toFloatArray();
            float[] o = new float[on * c];
            double[] box = info.box3dLidar();
            for (int i = 0; i < on; i++) {
                System.arraycopy(src, i * oc, o, i * c, c);
                for (int d = 0; d < 3; d++) o[i * c + d] = (float) (o[i * c + d] + box[d]); // numpy: float32 += float64, rounded once
                if (road != null) o[i * c + 2] = (float) (o[i * c + 2] - mv[j]);
            }
            objs.add(o);
            total += on;
        }
        double[] w = config.removeExtraWidth();
        double[] large = new double[k * 7];
        for (int i = 0; i < k; i++) {
            double[] b = sampledBoxes.get(i);
            System.arraycopy(b, 0, large, i * 7, 7);
            for (int d = 0; d < 3; d++) large[i * 7 + 3 + d] += w[d];
        }
        Tensor largeT = Tensor.of(large, k, 7);
        float[] rest = removeInside(points, largeT);
        float[] all = new float[total * c + rest.length];
        int at = 0;
        for (float[] o : objs) {
            System.arraycopy(o, 0, all, at, o.length);
            at += o.length;
        }
        System.arraycopy(rest, 0, all, at, rest.length);
        Tensor newPoints = Tensor.ofFloats(all, all.length / c, c);
        Tensor pseudo = scene.pseudoPoints();
        if (pseudo != null) {
            float[] pr = removeInside(pseudo, largeT);
            pseudo = Tensor.ofFloats(pr, pr.length / pseudo.size(1), pseudo.size(1));
        }
        // boxes: the scene's, then the kept ones (extra columns such as velocity are 0 for pasted objects)
        Tensor gt = scene.gtBoxes();
        int bc = gt.size(1), m = gt.size(0);
        double[] nb = new double[(m + k) * bc];
        System.arraycopy(gt.contiguous().toDoubleArray(), 0, nb, 0, m * bc);
        for (int i = 0; i < k; i++) System.arraycopy(sampledBoxes.get(i), 0, nb, (m + i) * bc, 7);
        Tensor boxes = Tensor.of(nb, m + k, bc);
        if (gt.dtype() != DType.FLOAT64) boxes = boxes.to(gt.dtype());
        List<String> names = new ArrayList<>(scene.gtNames());
        for (DbInfo d : kept) names.add(d.name());
        return new AugmentScene(newPoints, boxes, names, pseudo);
    }

    /** The rows of {@code points} in no box (OpenPCDet's remove_points_in_boxes3d, points_in_boxes_cpu's margin). */
    static float[] removeInside(Tensor points, Tensor boxes) {
        int n = points.size(0), c = points.size(1);
        float[] p = points.contiguous().toFloatArray();
        if (boxes.size(0) == 0 || n == 0) return p;
        int[] mask = PointsInBoxes.mask(points.to(DType.FLOAT32), boxes, PointsInBoxes.MARGIN_CPU).toIntArray();
        int t = boxes.size(0);
        float[] out = new float[n * c];
        int kept = 0;
        for (int j = 0; j < n; j++) {
            boolean in = false;
            for (int b = 0; b < t && !in; b++) in = mask[b * n + j] != 0;
            if (!in) System.arraycopy(p, j * c, out, (kept++) * c, c);
        }
        return java.util.Arrays.copyOf(out, kept * c);
    }

    private static Tensor boxes(List<double[]> rows) {
        double[] f = new double[rows.size() * 7];
        for (int i = 0; i < rows.size(); i++) System.arraycopy(rows.get(i), 0, f, i * 7, 7);
        return Tensor.of(f, rows.size(), 7);
    }
}
