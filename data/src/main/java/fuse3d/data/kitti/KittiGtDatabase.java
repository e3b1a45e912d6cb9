package fuse3d.data.kitti;

import fuse3d.sparse.points.PointsInBoxes;
import fuse3d.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The GT database for GT-sampling augmentation, as OpenPCDet's create_groundtruth_database makes it: one point
 * file per labelled object ({@code gt_database/<frame>_<name>_<i>.bin}: the LiDAR points inside the box, all
 * features, x y z relative to the box centre) and the db infos grouped by class name.
 *
 * <p>The db infos file ({@code kitti_dbinfos_<split>.json}) is
 * {@code {"format": "fuse3d-kitti-dbinfos", "version": 1, "db_infos": {"<name>": [{name, path, image_idx, gt_idx,
 * box3d_lidar [7], num_points_in_gt, difficulty, bbox [4], score}, ...]}}}, the keys of OpenPCDet's pickle;
 * {@code path} is relative to the dataset root.
 */
public final class KittiGtDatabase {
    private KittiGtDatabase() {}

    public static final String FORMAT = "fuse3d-kitti-dbinfos";
    public static final int VERSION = 1;

    /** One object of the database. */
    public record DbInfo(String name, String path, String imageIdx, int gtIdx, double[] box3dLidar, int numPointsInGt, int difficulty, double[] bbox,
                         double score) {
        public boolean sameAs(DbInfo o) {
            return name.equals(o.name) && path.equals(o.path) && imageIdx.equals(o.imageIdx) && gtIdx == o.gtIdx
                    && java.util.Arrays.equals(box3dLidar, o.box3dLidar) && numPointsInGt == o.numPointsInGt && difficulty == o.difficulty
                    && java.util.Arrays.equals(bbox, o.bbox) && Double.compare(score, o.score) == 0;
        }
    }

    /** The db infos file of a split, beside the dataset: {@code kitti_dbinfos_<split>.json}. */
    public static Path dbInfosPath(Path root, String split) { return root.resolve("kitti_dbinfos_" + split + ".json"); }

    /** The folder of point files: {@code gt_database} for "train", else {@code gt_database_<split>}. */
    public static Path databaseDir(Path root, String split) { return root.resolve("train".equals(split) ? "gt_database" : "gt_database_" + split); }

    /**
     * Cuts the database from the infos of {@code ds}'s frames and writes the point files and the db infos file.
     * A point file is written for every object; a db info only for {@code usedClasses} (null: all).
     *
     * @return the db infos by class name, in first-seen order
     */
    public static Map<String, List<DbInfo>> create(KittiDataset ds, List<KittiInfo> infos, Set<String> usedClasses) throws IOException {
        Path root = ds.root();
        Path dir = databaseDir(root, ds.split());
        Map<String, List<DbInfo>> all = new LinkedHashMap<>();
        for (KittiInfo info : infos) {
            KittiInfo.Annotations a = info.annos();
            if (a == null) throw new IllegalArgumentException("KittiGtDatabase.create: frame " + info.frameId() + " has no annotations");
            String id = info.frameId();
            Tensor points = ds.points(id);
            int numObj = a.numObjects(), c = points.size(1);
            if (numObj == 0) continue;
            double[] flat = new double[numObj * 7];
            for (int i = 0; i < numObj; i++) System.arraycopy(a.gtBoxesLidar()[i], 0, flat, i * 7, 7);
            // points_in_boxes_cpu, as OpenPCDet cuts the database (its margin, all points, not only the camera's view)
            int[][] inside = PointsInBoxes.pointsOfBoxes(points, Tensor.of(flat, numObj, 7), PointsInBoxes.MARGIN_CPU);
            float[] p = points.contiguous().toFloatArray();
            for (int i = 0; i < numObj; i++) {
                String name = a.name().get(i);
                String fileName = id + "_" + name + "_" + i + ".bin";
                double[] box = a.gtBoxesLidar()[i];
                float[] obj = new float[inside[i].length * c];
                for (int k = 0; k < inside[i].length; k++) {
                    int src = inside[i][k] * c;
                    System.arraycopy(p, src, obj, k * c, c);
                    // float32 minus float64 centre, stored as float32: what numpy's in-place -= on the float32 array gives
                    for (int d = 0; d < 3; d++) obj[k * c + d] = (float) (obj[k * c + d] - box[d]);
                }
                KittiLidar.write(dir.resolve(fileName), Tensor.ofFloats(obj, inside[i].length, c));
                if (usedClasses == null || usedClasses.contains(name)) {
                    String rel = root.relativize(dir.resolve(fileName)).toString().replace('\\', '/');
                    all.computeIfAbsent(name, k -> new ArrayList<>()).add(new DbInfo(name, rel, id, i, box.clone(), inside[i].length,
                            a.difficulty()[i], a.bbox()[i].clone(), a.score()[i]));
                }
            }
        }
        write(dbInfosPath(root, ds.split()), all);
        return all;
    }

    public static void write(Path file, Map<String, List<DbInfo>> dbInfos) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        Map<String, Object> byName = new LinkedHashMap<>();
        for (var e : dbInfos.entrySet()) {
            List<Object> l = new ArrayList<>();
            for (DbInfo d : e.getValue()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", d.name());
                m.put("path", d.path());
                m.put("image_idx", d.imageIdx());
                m.put("gt_idx", d.gtIdx());
                m.put("box3d_lidar", d.box3dLidar());
                m.put("num_points_in_gt", d.numPointsInGt());
                m.put("difficulty", d.difficulty());
                m.put("bbox", d.bbox());
                m.put("score", d.score());
                l.add(m);
            }
            byName.put(e.getKey(), l);
        }
        root.put("db_infos", byName);
        KittiJson.write(file, root);
    }

    public static Map<String, List<DbInfo>> read(Path file) throws IOException {
        KittiJson.At root = new KittiJson.At(file, "$", KittiJson.read(file));
        String format = root.field("format").text();
        if (!FORMAT.equals(format)) throw root.field("format").error("expected \"" + FORMAT + "\", got \"" + format + "\"");
        int version = root.field("version").integer();
        if (version != VERSION) throw root.field("version").error("unsupported version " + version);
        KittiJson.At db = root.field("db_infos");
        if (!db.node().isObject()) throw db.error("expected an object of class name -> list");
        Map<String, List<DbInfo>> out = new LinkedHashMap<>();
        var it = db.node().fieldNames();
        while (it.hasNext()) {
            String cls = it.next();
            KittiJson.At list = db.field(cls);
            List<DbInfo> l = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                KittiJson.At d = list.index(i);
                l.add(new DbInfo(d.field("name").text(), d.field("path").text(), d.field("image_idx").text(), d.field("gt_idx").integer(),
                        d.field("box3d_lidar").numbers(7), d.field("num_points_in_gt").integer(), d.field("difficulty").integer(),
                        d.field("bbox").numbers(4), d.field("score").number()));
            }
            out.put(cls, l);
        }
        return out;
    }

    /** The points of one database object [N, features] (relative to its box centre). */
    public static Tensor points(Path root, DbInfo info) throws IOException { return KittiLidar.read(root.resolve(info.path())); }
}
