package fuse3d.data.kitti;

import fuse3d.sparse.bev.KittiCalibration;
import fuse3d.sparse.points.PointsInBoxes;
import fuse3d.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds, writes and reads info files ({@code kitti_infos_<split>.json}): OpenPCDet's create_kitti_infos in a
 * documented JSON format of Fuse3D's own instead of a pickle.
 *
 * <p>Format: {@code {"format": "fuse3d-kitti-infos", "version": 1, "infos": [info, ...]}} where each info has the
 * keys of OpenPCDet's dict: {@code point_cloud: {num_features, lidar_idx}}, {@code image: {image_idx,
 * image_shape: [H, W]}}, {@code calib: {P2, R0_rect, Tr_velo_to_cam}} (4x4 nested arrays) and, for labelled frames,
 * {@code annos: {name, truncated, occluded, alpha, bbox [[x1,y1,x2,y2]], dimensions [[l,h,w]], location [[x,y,z]],
 * rotation_y, score, difficulty, index, gt_boxes_lidar [[x,y,z,dx,dy,dz,heading]], num_points_in_gt}}.
 */
public final class KittiInfos {
    private KittiInfos() {}

    public static final String FORMAT = "fuse3d-kitti-infos";
    public static final int VERSION = 1;

    /** Infos of every frame of the dataset's split (labels when present; points counted in the boxes). */
    public static List<KittiInfo> create(KittiDataset ds) throws IOException {
        List<KittiInfo> out = new ArrayList<>();
        for (String id : ds.ids()) out.add(create(ds, id, ds.hasLabels(id), true));
        return out;
    }

    /** One frame's info, as get_infos' process_single_scene. */
    public static KittiInfo create(KittiDataset ds, String id, boolean hasLabel, boolean countInsidePoints) throws IOException {
        int[] shape = ds.imageShape(id);
        KittiCalibration calib = ds.calib(id);
        KittiInfo.Annotations annos = null;
        if (hasLabel) {
            List<KittiObject> objects = ds.labels(id);
            Tensor points = countInsidePoints ? ds.points(id) : null;
            annos = annotations(objects, calib, points, shape);
        }
        return new KittiInfo(id, KittiLidar.FEATURES, shape[0], shape[1], pad(calib.projection(2), 3, 4), pad(calib.r0Rect(), 3, 3),
                pad(calib.trVeloToCam(), 3, 4), annos);
    }

    /**
     * The annos dict of a frame. {@code points} (LiDAR [N, >=3]) may be null: then num_points_in_gt is null.
     * Points are counted inside each box among those that project into the image with non-negative depth (the
     * field-of-view flag of OpenPCDet), with the box test of {@link PointsInBoxes} at the GPU kernel's margin
     * (OpenPCDet uses a convex-hull test here; both include the boundary up to rounding).
     */
    public static KittiInfo.Annotations annotations(List<KittiObject> objects, KittiCalibration calib, Tensor points, int[] imageShape) {
        int n = objects.size();
        List<String> name = new ArrayList<>(n);
        double[] trunc = new double[n], alpha = new double[n], ry = new double[n], score = new double[n];
        int[] occ = new int[n], diff = new int[n], index = new int[n];
        double[][] bbox = new double[n][], dims = new double[n][], loc = new double[n][];
        int numObjects = 0;
        for (int i = 0; i < n; i++) {
            KittiObject o = objects.get(i);
            name.add(o.type());
            trunc[i] = o.truncated();
            occ[i] = o.occluded();
            alpha[i] = o.alpha();
            bbox[i] = o.bbox();
            dims[i] = o.dimensionsLhw();
            loc[i] = new double[] {o.x(), o.y(), o.z()};
            ry[i] = o.rotationY();
            score[i] = o.hasScore() ? o.score() : -1.0;
            diff[i] = o.level();
            if (!o.isDontCare()) numObjects++;
        }
        // OpenPCDet numbers the first num_objects entries and gives the rest -1: DontCare lines come last in KITTI
        for (int i = 0; i < n; i++) index[i] = i < numObjects ? i : -1;
        double[][] boxes = new double[numObjects][];
        if (numObjects > 0) {
            double[] cam = new double[numObjects * 7];
            for (int i = 0; i < numObjects; i++) System.arraycopy(objects.get(i).cameraBox(), 0, cam, i * 7, 7);
            double[] lidar = calib.boxesCameraToLidar(Tensor.of(cam, numObjects, 7)).toDoubleArray();
            for (int i = 0; i < numObjects; i++) boxes[i] = java.util.Arrays.copyOfRange(lidar, i * 7, i * 7 + 7);
        }
        int[] numPoints = null;
        if (points != null) {
            numPoints = new int[n];
            java.util.Arrays.fill(numPoints, -1);
            if (numObjects > 0) {
                Tensor fov = fovPoints(points, calib, imageShape);
                double[] flat = new double[numObjects * 7];
                for (int i = 0; i < numObjects; i++) System.arraycopy(boxes[i], 0, flat, i * 7, 7);
                int[][] inside = PointsInBoxes.pointsOfBoxes(fov, Tensor.of(flat, numObjects, 7), PointsInBoxes.MARGIN_GPU);
                for (int i = 0; i < numObjects; i++) numPoints[i] = inside[i].length;
            }
        }
        return new KittiInfo.Annotations(List.copyOf(name), trunc, occ, alpha, bbox, dims, loc, ry, score, diff, index, boxes, numPoints);
    }

    /**
     * OpenPCDet's get_fov_flag: which LiDAR points [N, >=3] project into the image (0 <= u < W, 0 <= v < H,
     * {@code imageShape} = [H, W]) with rectified depth >= 0.
     */
    public static boolean[] fovMask(Tensor points, KittiCalibration calib, int[] imageShape) {
        int n = points.size(0);
        double[] uvd = calib.lidarToImage(points.narrow(1, 0, 3).contiguous()).toDoubleArray();
        boolean[] mask = new boolean[n];
        for (int i = 0; i < n; i++) {
            double u = uvd[i * 3], v = uvd[i * 3 + 1], d = uvd[i * 3 + 2];
            mask[i] = u >= 0 && u < imageShape[1] && v >= 0 && v < imageShape[0] && d >= 0;
        }
        return mask;
    }

    /** The points [M, 3] that project into the image (see {@link #fovMask}). */
    static Tensor fovPoints(Tensor points, KittiCalibration calib, int[] imageShape) {
        int n = points.size(0), c = points.size(1);
        float[] p = points.contiguous().toFloatArray();
        boolean[] mask = fovMask(points, calib, imageShape);
        float[] out = new float[n * 3];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (mask[i]) {
                out[m * 3] = p[i * c];
                out[m * 3 + 1] = p[i * c + 1];
                out[m * 3 + 2] = p[i * c + 2];
                m++;
            }
        }
        return Tensor.ofFloats(java.util.Arrays.copyOf(out, m * 3), m, 3);
    }

    /** A rows x cols row-major matrix padded to 4x4 with zeros and a 1 in the corner (OpenPCDet's calib dict). */
    static double[] pad(double[] m, int rows, int cols) {
        double[] out = new double[16];
        for (int r = 0; r < rows; r++) System.arraycopy(m, r * cols, out, r * 4, cols);
        out[15] = 1;
        return out;
    }

    // ------------------------------------------------------------------ JSON

    public static void write(Path file, List<KittiInfo> infos) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        List<Object> list = new ArrayList<>();
        for (KittiInfo info : infos) list.add(toMap(info));
        root.put("infos", list);
        KittiJson.write(file, root);
    }

    static Map<String, Object> toMap(KittiInfo info) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("point_cloud", Map.of("num_features", info.numFeatures(), "lidar_idx", info.frameId()));
        Map<String, Object> image = new LinkedHashMap<>();
        image.put("image_idx", info.frameId());
        image.put("image_shape", new int[] {info.imageHeight(), info.imageWidth()});
        m.put("image", image);
        Map<String, Object> calib = new LinkedHashMap<>();
        calib.put("P2", square(info.p2()));
        calib.put("R0_rect", square(info.r0Rect()));
        calib.put("Tr_velo_to_cam", square(info.trVeloToCam()));
        m.put("calib", calib);
        KittiInfo.Annotations a = info.annos();
        if (a != null) {
            Map<String, Object> an = new LinkedHashMap<>();
            an.put("name", a.name());
            an.put("truncated", a.truncated());
            an.put("occluded", a.occluded());
            an.put("alpha", a.alpha());
            an.put("bbox", a.bbox());
            an.put("dimensions", a.dimensions());
            an.put("location", a.location());
            an.put("rotation_y", a.rotationY());
            an.put("score", a.score());
            an.put("difficulty", a.difficulty());
            an.put("index", a.index());
            an.put("gt_boxes_lidar", a.gtBoxesLidar());
            if (a.numPointsInGt() != null) an.put("num_points_in_gt", a.numPointsInGt());
            m.put("annos", an);
        }
        return m;
    }

    private static double[][] square(double[] m) {
        return new double[][] {java.util.Arrays.copyOfRange(m, 0, 4), java.util.Arrays.copyOfRange(m, 4, 8), java.util.Arrays.copyOfRange(m, 8, 12),
            java.util.Arrays.copyOfRange(m, 12, 16)};
    }

    /** Reads an info file; anything missing or of the wrong shape is a {@link KittiFormatException} naming the JSON path. */
    public static List<KittiInfo> read(Path file) throws IOException {
        KittiJson.At root = new KittiJson.At(file, "$", KittiJson.read(file));
        String format = root.field("format").text();
        if (!FORMAT.equals(format)) throw root.field("format").error("expected \"" + FORMAT + "\", got \"" + format + "\"");
        int version = root.field("version").integer();
        if (version != VERSION) throw root.field("version").error("unsupported version " + version + " (this reader knows " + VERSION + ")");
        KittiJson.At list = root.field("infos");
        List<KittiInfo> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) out.add(fromJson(list.index(i)));
        return out;
    }

    static KittiInfo fromJson(KittiJson.At at) throws KittiFormatException {
        String id = at.field("point_cloud").field("lidar_idx").text();
        int features = at.field("point_cloud").field("num_features").integer();
        int[] shape = at.field("image").field("image_shape").integers(2);
        KittiJson.At calib = at.field("calib");
        double[] p2 = flat(calib.field("P2").rows(4, 4)), r0 = flat(calib.field("R0_rect").rows(4, 4)), v2c = flat(calib.field("Tr_velo_to_cam").rows(4, 4));
        KittiInfo.Annotations annos = null;
        if (at.has("annos")) {
            KittiJson.At a = at.field("annos");
            KittiJson.At names = a.field("name");
            int n = names.size();
            List<String> name = new ArrayList<>(n);
            int numObjects = 0;
            for (int i = 0; i < n; i++) {
                name.add(names.index(i).text());
                if (!KittiObject.DONT_CARE.equals(name.get(i))) numObjects++;
            }
            annos = new KittiInfo.Annotations(List.copyOf(name), a.field("truncated").numbers(n), a.field("occluded").integers(n),
                    a.field("alpha").numbers(n), a.field("bbox").rows(n, 4), a.field("dimensions").rows(n, 3), a.field("location").rows(n, 3),
                    a.field("rotation_y").numbers(n), a.field("score").numbers(n), a.field("difficulty").integers(n), a.field("index").integers(n),
                    a.field("gt_boxes_lidar").rows(numObjects, 7), a.has("num_points_in_gt") ? a.field("num_points_in_gt").integers(n) : null);
        }
        return new KittiInfo(id, features, shape[0], shape[1], p2, r0, v2c, annos);
    }

    private static double[] flat(double[][] rows) {
        double[] out = new double[16];
        for (int r = 0; r < 4; r++) System.arraycopy(rows[r], 0, out, r * 4, 4);
        return out;
    }
}
