package fuse3d.data.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.data.kitti.KittiDataset;
import fuse3d.data.kitti.KittiEvalResult;
import fuse3d.data.kitti.KittiEvaluator;
import fuse3d.data.kitti.KittiObject;
import fuse3d.sparse.bev.KittiCalibration;
import fuse3d.sparse.points.PointsInBoxes;
import fuse3d.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The synthetic KITTI world: its sweeps lie on its surfaces, its labels match its sweeps and images, it is reproducible. */
class SyntheticKittiTest {
    static final long SEED = 7;
    static SyntheticKitti.Frame frame;

    @BeforeAll
    static void generate() {
        frame = SyntheticKitti.frame(SEED);
    }

    @Test
    void everyLidarPointLiesOnASceneSurface() {
        Lidar.LidarScan scan = frame.scan();
        double bound = Lidar.hdl64e().noiseBound() + 2e-4; // + float32 rounding of coordinates up to 120 m
        double[] t = frame.lidarToScene().translationVector();
        float[] p = scan.points();
        assertTrue(scan.size() > 60_000, "a KITTI-like sweep has ~100k points, got " + scan.size());
        double worst = 0;
        for (int i = 0; i < scan.size(); i++) {
            double x = p[i * 4] + t[0], y = p[i * 4 + 1] + t[1], z = p[i * 4 + 2] + t[2];
            int id = scan.objectIds()[i];
            // the surface the ray hit: the ground or the object it belongs to
            double d = id < 0 ? frame.scene().groundDistance(x, y, z) : frame.scene().objects().get(id).surfaceDistance(x, y, z);
            worst = Math.max(worst, d);
            assertTrue(d < bound, "point " + i + " lies " + d + " m from its surface (bound " + bound + ")");
            assertTrue(p[i * 4 + 3] >= 0 && p[i * 4 + 3] <= 1, "intensity in 0..1");
        }
        System.out.printf("synth: %d points, farthest from its surface %.4f m (bound %.4f)%n", scan.size(), worst, bound);
    }

    /**
     * The frame's planes file: every LiDAR return from the road (not the raised sidewalks) lies on the written
     * camera-frame plane, and the plane's height below such a point, as GT sampling's USE_ROAD_PLANE asks for it,
     * is the point's own height.
     */
    @Test
    void roadReturnsLieOnTheWrittenRoadPlane(@TempDir Path dir) throws Exception {
        fuse3d.data.kitti.RoadPlane written = frame.roadPlane();
        Path file = dir.resolve("planes.txt");
        written.write(file);
        fuse3d.data.kitti.RoadPlane plane = fuse3d.data.kitti.RoadPlane.read(file).upwardUnit();
        assertTrue(plane.b() < -0.99, "the road's normal points up the camera's -y: " + plane);
        Lidar.LidarScan scan = frame.scan();
        double bound = Lidar.hdl64e().noiseBound() + 2e-4;
        double[] t = frame.lidarToScene().translationVector();
        float[] p = scan.points();
        Scene scene = frame.scene();
        int road = 0;
        for (int i = 0; i < scan.size(); i++) {
            double x = p[i * 4], y = p[i * 4 + 1], z = p[i * 4 + 2];
            double sx = x + t[0], sy = y + t[1], sz = z + t[2];
            if (scan.objectIds()[i] >= 0 || Math.abs(sy - scene.roadY()) > scene.roadHalf() - 0.2 || scene.groundDistance(sx, sy, sz) > bound) continue;
            road++;
            double[] cam = frame.calib().lidarToRect().apply(x, y, z);
            double off = plane.a() * cam[0] + plane.b() * cam[1] + plane.c() * cam[2] + plane.d();
            assertTrue(Math.abs(off) < bound, "road point " + i + " lies " + off + " m off the plane");
            assertEquals(z, plane.lidarHeightBelow(frame.calib(), x, y, z), bound, "road height below road point " + i);
        }
        assertTrue(road > 10_000, "road returns: " + road);
    }

    @Test
    void labelledBoxesContainTheirObjectsPointsAndNoOtherObjects() {
        Tensor points = frame.points();
        int[] ids = frame.scan().objectIds();
        List<KittiObject> labels = frame.labels();
        int checked = 0;
        for (int k = 0; k < labels.size(); k++) {
            KittiObject o = labels.get(k);
            if (o.isDontCare()) continue;
            Tensor box = frame.calib().boxesCameraToLidar(Tensor.of(o.cameraBox(), 1, 7));
            int[] inside = PointsInBoxes.pointsOfBoxes(points, box, 0f)[0];
            int own = frame.labelObjectIds()[k];
            long ownTotal = java.util.Arrays.stream(ids).filter(i -> i == own).count();
            int ownInside = 0;
            for (int i : inside) {
                assertTrue(ids[i] == own || ids[i] == -1, "label " + k + " (" + o.type() + ") holds a point of object " + ids[i]);
                if (ids[i] == own) ownInside++;
            }
            assertEquals(ownTotal, ownInside, "label " + k + " (" + o.type() + ") misses points of its object");
            checked++;
        }
        assertTrue(checked >= 3, "too few labelled objects: " + checked);
    }

    @Test
    void theCameraSeesLidarPointsOnTheirObjectsPixels() {
        Tensor uv = frame.calib().lidarToImage(frame.points().narrow(1, 0, 3));
        double[] u = uv.toDoubleArray();
        Tensor rect = frame.calib().lidarToRect(frame.points().narrow(1, 0, 3));
        double[] zc = rect.toDoubleArray();
        int[] ids = frame.scan().objectIds();
        Camera.Image img = frame.image();
        int n = 0, same = 0;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || zc[i * 3 + 2] < 1) continue;
            int col = (int) Math.round(u[i * 3]), row = (int) Math.round(u[i * 3 + 1]);
            if (col < 0 || row < 0 || col >= img.width() || row >= img.height()) continue;
            n++;
            if (img.objectId(col, row) == ids[i]) same++;
        }
        // the camera sits 0.27 m ahead of the LiDAR: silhouette edges and parallax may disagree, the bulk must not
        double frac = same / (double) n;
        System.out.printf("synth: %d of %d object points in the image land on their object's pixels (%.1f %%)%n", same, n, 100 * frac);
        assertTrue(n > 1000, "too few object points in the image: " + n);
        assertTrue(frac > 0.9, "only " + frac + " of the object points project onto their object");
    }

    @Test
    void sameSeedSameBytesAndTheRealReadersAndEvaluatorRunOnIt(@TempDir Path dir) throws Exception {
        List<int[]> calls = new ArrayList<>();
        // 12 frames: the official threshold search needs more than 40 moderate cars for GT-as-detections to reach 100
        SyntheticKitti.write(dir.resolve("a"), 12, 11, (done, total) -> calls.add(new int[] {done, total}));
        SyntheticKitti.write(dir.resolve("b"), 2, 11, null);
        SyntheticKitti.write(dir.resolve("c"), 1, 12, null);
        assertEquals(12, calls.size());
        assertArrayEquals(new int[] {12, 12}, calls.get(11));
        Map<String, String> a = hashes(dir.resolve("a")), b = hashes(dir.resolve("b")), c = hashes(dir.resolve("c"));
        assertEquals(12 * 5 + 3, a.size()); // velodyne, calib, label_2, image_2 and planes per frame, and 3 splits
        for (String f : b.keySet()) if (f.startsWith("training/")) assertEquals(a.get(f), b.get(f), "same seed, same bytes: " + f);
        assertFalse(a.get("training/velodyne/000000.bin").equals(c.get("training/velodyne/000000.bin")), "another seed, another world");

        List<List<KittiObject>> gt = new ArrayList<>(), dt = new ArrayList<>();
        for (String split : List.of("train", "val")) {
            KittiDataset ds = KittiDataset.open(dir.resolve("a"), split);
            for (String id : ds.ids()) {
                List<KittiObject> labels = ds.labels(id);
                KittiCalibration calib = ds.calib(id);
                assertEquals(SyntheticKitti.calibration().projection(2)[0], calib.projection(2)[0]);
                assertTrue(ds.points(id).size(0) > 60_000);
                assertArrayEquals(new int[] {375, 1242}, java.util.Arrays.copyOf(ds.imageShape(id), 2));
                gt.add(labels);
                // distinct scores: the official threshold search gives one recall step per distinct score
                List<KittiObject> d = new ArrayList<>();
                for (KittiObject o : labels) if (!o.isDontCare()) d.add(o.withScore(1 - 1e-3 * (gt.size() * 50 + d.size())));
                dt.add(d);
            }
        }
        long moderateCars = gt.stream().flatMap(List::stream).filter(o -> o.type().equals("Car") && o.level() >= 0 && o.level() <= 1).count();
        System.out.printf("synth: %d labels in 12 frames, %d easy/moderate cars%n", gt.stream().mapToInt(List::size).sum(), moderateCars);
        assertTrue(moderateCars > 40, "too few moderate cars for a 100 AP check: " + moderateCars);
        KittiEvalResult r = KittiEvaluator.evaluate(gt, dt, List.of("Car"));
        r.printTable(System.out);
        for (KittiEvalResult.Metric m : List.of(KittiEvalResult.Metric.BBOX, KittiEvalResult.Metric.BEV, KittiEvalResult.Metric.THREE_D))
            assertEquals(100.0, r.ap("Car", KittiEvalResult.Overlap.STRICT, KittiEvalResult.Protocol.R40, m, KittiEvalResult.Difficulty.MODERATE), 1e-6,
                    "GT as detections gives 100 AP (" + m + ")");
    }

    static Map<String, String> hashes(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                try {
                    out.put(root.relativize(f).toString().replace('\\', '/'),
                            HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return out;
    }
}
