package fuse3d.data.synth;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import fuse3d.data.kitti.KittiCalibFiles;
import fuse3d.data.kitti.KittiLabels;
import fuse3d.data.kitti.KittiLidar;
import fuse3d.data.kitti.KittiObject;
import fuse3d.data.nuscenes.LidarPointCloud;
import fuse3d.sparse.bev.KittiCalibration;
import fuse3d.sparse.bev.Pose;
import fuse3d.sparse.points.PointsInBoxes;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.testing.SampleData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The synthetic LiDAR's point density against the real frames of the shared sample data (six KITTI frames, one
 * nuScenes key frame), object by object: each real labelled object gets a synthetic twin (a composed shape of its
 * class with the label's size, pose and ground, alone in a flat street, scanned by the synthetic sensor of that
 * dataset from the real sensor's height), and the real point count inside the box is compared with the twin's
 * (vehicles and pedestrians: the classes whose composed shapes take the label's size).
 * Occluded real objects would only count fewer points, so the comparison takes the objects with nothing in front of
 * them in the real cloud (and, for KITTI, that the labels call fully visible: occluded = 0, truncation < 0.3). Skipped, with the reason, when the sample data is absent.
 */
class SyntheticLidarRealComparisonTest {

    /** One compared object: where it came from, its class, range, real and twin point counts. */
    record Pair(String source, String cls, double range, int real, int twin) {
        double ratio() { return (double) real / Math.max(1, twin); }
    }

    /** Range bins, metres, over which the medians are compared. */
    static final double[] BINS = {0, 10, 20, 30, 45, 80};

    /**
     * The twin's point count: an object of {@code cls} with the label's size at a LiDAR-frame box (x, y, z at the
     * centre, dx, dy, dz, yaw), its bottom on a flat road, scanned from the LiDAR frame's origin.
     */
    static int twin(Lidar lidar, ObjectClass cls, double[] box, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double l = box[3], w = box[4], h = box[5];
        List<Part> parts = switch (cls) {
            case CAR -> Shapes.car(r, l, w, h);
            case VAN -> Shapes.van(r, l, w, h);
            case TRUCK -> Shapes.truck(r, l, w, h);
            case PEDESTRIAN -> Shapes.pedestrian(r, h);
            default -> throw new IllegalArgumentException("no sized twin for " + cls);
        };
        double bottom = box[2] - h / 2; // the ground under the object, in the LiDAR frame
        SceneObject o = new SceneObject(0, cls, box[0], box[1], 0, box[6], parts);
        Scene scene = new Scene(seed, 0, 0, 0, 1e6, 0, List.of(o));
        Lidar.LidarScan scan = lidar.scan(scene, Pose.translation(0, 0, -bottom), seed);
        float[] p = scan.points();
        float[] xyz = new float[scan.size() * 3];
        for (int i = 0; i < scan.size(); i++) {
            xyz[i * 3] = p[i * 4];
            xyz[i * 3 + 1] = p[i * 4 + 1];
            xyz[i * 3 + 2] = p[i * 4 + 2];
        }
        float[] b = new float[7];
        for (int k = 0; k < 7; k++) b[k] = (float) box[k];
        return PointsInBoxes.pointsOfBoxes(Tensor.of(xyz, scan.size(), 3), Tensor.of(b, 1, 7), 0f)[0].length;
    }

    static ObjectClass kittiClass(String type) {
        return switch (type) {
            case "Car" -> ObjectClass.CAR;
            case "Van" -> ObjectClass.VAN;
            case "Truck" -> ObjectClass.TRUCK;
            case "Pedestrian", "Person_sitting" -> ObjectClass.PEDESTRIAN;
            default -> null; // a cyclist's twin would not take the label's size
        };
    }

    static ObjectClass nuScenesClass(String name) {
        return switch (name) {
            case "car" -> ObjectClass.CAR;
            case "truck", "bus", "construction_vehicle", "trailer" -> ObjectClass.TRUCK;
            case "pedestrian" -> ObjectClass.PEDESTRIAN;
            default -> null; // cycles, barriers, cones: their twins would not take the label's size
        };
    }

    static List<Pair> kittiPairs(Path training) throws IOException {
        List<Pair> out = new ArrayList<>();
        Lidar lidar = Lidar.hdl64e();
        for (int i = 0; i <= 5; i++) {
            String id = String.format("%06d", i);
            List<KittiObject> labels = KittiLabels.read(training.resolve("label_2/" + id + ".txt"));
            Tensor pts = KittiLidar.read(training.resolve("velodyne/" + id + ".bin"));
            KittiCalibration calib = KittiCalibFiles.read(training.resolve("calib/" + id + ".txt"));
            for (KittiObject o : labels) {
                ObjectClass cls = kittiClass(o.type());
                if (cls == null || o.occluded() != 0 || o.truncated() >= 0.3) continue;
                double[] box = calib.boxesCameraToLidar(Tensor.of(o.cameraBox(), 1, 7)).toDoubleArray();
                if (hidden(pts.toFloatArray(), 4, box)) continue;
                float[] fb = new float[7];
                for (int k = 0; k < 7; k++) fb[k] = (float) box[k];
                int real = PointsInBoxes.pointsOfBoxes(pts, Tensor.of(fb, 1, 7), 0f)[0].length;
                out.add(new Pair("kitti " + id, o.type(), Math.hypot(box[0], box[1]), real, twin(lidar, cls, box, Lidar.mix(i, out.size()))));
            }
        }
        return out;
    }

    /**
     * Whether something stands in front of a LiDAR-frame box, seen from the sensor: more than two real points
     * (cols per point, x, y, z first) lie within the box's azimuth and elevation span (from its corners) but nearer
     * than its nearest corner. Labels miss occluders (poles, vegetation, unlabelled things), the cloud does not.
     */
    static boolean hidden(float[] cloud, int cols, double[] b) {
        double c = Math.cos(b[6]), sn = Math.sin(b[6]);
        double azMid = Math.atan2(b[1], b[0]), azLo = Double.MAX_VALUE, azHi = -Double.MAX_VALUE;
        double elLo = Double.MAX_VALUE, elHi = -Double.MAX_VALUE, near = Double.MAX_VALUE;
        for (int k = 0; k < 8; k++) {
            double lx = ((k & 1) == 0 ? -0.5 : 0.5) * b[3], ly = ((k & 2) == 0 ? -0.5 : 0.5) * b[4], lz = ((k & 4) == 0 ? -0.5 : 0.5) * b[5];
            double x = b[0] + c * lx - sn * ly, y = b[1] + sn * lx + c * ly, z = b[2] + lz;
            double az = Math.IEEEremainder(Math.atan2(y, x) - azMid, 2 * Math.PI), rho = Math.hypot(x, y), el = Math.atan2(z, rho);
            azLo = Math.min(azLo, az);
            azHi = Math.max(azHi, az);
            elLo = Math.min(elLo, el);
            elHi = Math.max(elHi, el);
            near = Math.min(near, Math.hypot(rho, z));
        }
        int in = 0;
        for (int i = 0; i < cloud.length / cols; i++) {
            double x = cloud[i * cols], y = cloud[i * cols + 1], z = cloud[i * cols + 2];
            double rho = Math.hypot(x, y), r = Math.hypot(rho, z);
            if (r < 1 || r > near - 0.3) continue;
            double az = Math.IEEEremainder(Math.atan2(y, x) - azMid, 2 * Math.PI), el = Math.atan2(z, rho);
            if (az > azLo && az < azHi && el > elLo && el < elHi && ++in > 2) return true;
        }
        return false;
    }

    static List<Pair> nuScenesPairs(Path dir) throws IOException {
        Path info;
        try (Stream<Path> s = Files.list(dir)) {
            info = s.filter(p -> p.getFileName().toString().endsWith(".info.json")).findFirst().orElseThrow();
        }
        JsonNode d = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build().readTree(info.toFile());
        JsonNode frame = d.get("data_list").get(0);
        List<String> names = new ArrayList<>();
        d.get("metainfo").get("categories").fields().forEachRemaining(e -> {
            while (names.size() <= e.getValue().asInt()) names.add(null);
            names.set(e.getValue().asInt(), e.getKey());
        });
        Tensor pts = LidarPointCloud.read(dir.resolve("samples/LIDAR_TOP").resolve(frame.get("lidar_points").get("lidar_path").asText()));
        List<double[]> boxes = new ArrayList<>();
        List<String> cls = new ArrayList<>();
        for (JsonNode in : frame.get("instances")) {
            double[] b = new double[7];
            for (int k = 0; k < 7; k++) b[k] = in.get("bbox_3d").get(k).asDouble();
            boxes.add(b);
            int label = in.get("bbox_label_3d").asInt();
            cls.add(label < 0 ? null : names.get(label));
        }
        float[] xyz = pts.toFloatArray();
        float[] p3 = new float[pts.size(0) * 3];
        for (int i = 0; i < pts.size(0); i++) System.arraycopy(xyz, i * 5, p3, i * 3, 3);
        Tensor cloud = Tensor.of(p3, pts.size(0), 3);
        Lidar lidar = Lidar.hdl32e();
        List<Pair> out = new ArrayList<>();
        for (int j = 0; j < boxes.size(); j++) {
            ObjectClass c = cls.get(j) == null ? null : nuScenesClass(cls.get(j));
            if (c == null || hidden(xyz, 5, boxes.get(j))) continue;
            double[] b = boxes.get(j);
            float[] fb = new float[7];
            for (int k = 0; k < 7; k++) fb[k] = (float) b[k];
            int real = PointsInBoxes.pointsOfBoxes(cloud, Tensor.of(fb, 1, 7), 0f)[0].length;
            out.add(new Pair("nuscenes", cls.get(j), Math.hypot(b[0], b[1]), real, twin(lidar, c, b, Lidar.mix(99, j))));
        }
        return out;
    }

    static double median(List<Double> v) {
        List<Double> s = v.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** Prints the pairs and returns, per range bin with at least {@code minPairs} pairs, the median real/twin ratio. */
    static List<double[]> binRatios(String what, List<Pair> pairs, int minPairs) {
        System.out.println(what + ": source class range real twin");
        for (Pair p : pairs) System.out.printf("  %-12s %-12s %5.1f m %5d %5d  %.2f%n", p.source(), p.cls(), p.range(), p.real(), p.twin(), p.ratio());
        List<double[]> out = new ArrayList<>();
        for (int b = 0; b + 1 < BINS.length; b++) {
            double lo = BINS[b], hi = BINS[b + 1];
            List<Pair> in = pairs.stream().filter(p -> p.range() >= lo && p.range() < hi).toList();
            if (in.size() < minPairs) continue;
            double real = median(in.stream().map(p -> (double) p.real()).toList()), twin = median(in.stream().map(p -> (double) p.twin()).toList());
            double ratio = median(in.stream().map(Pair::ratio).toList());
            System.out.printf("  bin %2.0f-%2.0f m: %d objects, median real %.0f, twin %.0f, median ratio real/twin %.2f%n", lo, hi, in.size(), real, twin, ratio);
            out.add(new double[] {lo, hi, ratio});
        }
        return out;
    }

    /** Per range bin with at least {@code minPairs} objects, and over all, the median real/twin ratio is within 30 % of 1. */
    static void assertDensityMatches(String what, List<Pair> pairs, int minPairs) {
        for (double[] b : binRatios(what, pairs, minPairs))
            assertTrue(b[2] >= 0.7 && b[2] <= 1.3, what + ": objects at " + b[0] + "-" + b[1] + " m: median real/twin point count ratio " + b[2]);
        double all = median(pairs.stream().map(Pair::ratio).toList());
        System.out.printf("  all: median ratio %.2f%n", all);
        assertTrue(all >= 0.7 && all <= 1.3, what + ": median real/twin point count ratio " + all);
    }

    @Test
    void kittiTwinsHoldTheRealPointCounts() throws IOException {
        Optional<Path> velo = SampleData.find("kitti/training/velodyne");
        assumeTrue(velo.isPresent(), SampleData.missing("kitti/training/velodyne"));
        List<Pair> pairs = kittiPairs(velo.get().getParent());
        assertTrue(pairs.size() >= 4, "fully visible KITTI objects: " + pairs.size());
        assertDensityMatches("KITTI", pairs, 2);
        for (Pair p : pairs)
            assertTrue(p.ratio() > 0.5 && p.ratio() < 2, "KITTI " + p + ": real and twin counts more than a factor 2 apart");
    }

    @Test
    void nuScenesTwinsHoldTheRealPointCounts() throws IOException {
        Optional<Path> dir = SampleData.find("nuscenes/samples/LIDAR_TOP");
        assumeTrue(dir.isPresent(), SampleData.missing("nuscenes/samples/LIDAR_TOP"));
        List<Pair> pairs = nuScenesPairs(dir.get().getParent().getParent());
        assertTrue(pairs.size() >= 8, "unhidden nuScenes objects: " + pairs.size());
        assertDensityMatches("nuScenes", pairs, 3);
    }
}
