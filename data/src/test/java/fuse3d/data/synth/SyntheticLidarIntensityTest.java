package fuse3d.data.synth;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fuse3d.data.kitti.KittiDataset;
import fuse3d.data.kitti.KittiObject;
import fuse3d.sparse.points.PointsInBoxes;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.testing.SampleData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The synthetic LiDAR's intensity readings: road points read like KITTI's road (about 0.28, at any incidence), car
 * points mostly dark with bright plates and lamps, as the real frames' cars; and, when the real sample frames are
 * present, the synthetic medians against the real ones.
 */
class SyntheticLidarIntensityTest {
    /** Intensities of road points (ahead, 5-40 m, in the ground's height band) and of points inside cars' boxes. */
    record Readings(double[] road, double[] car) {
        double roadMedian() { return quantile(road, 0.5); }

        double carMedian() { return quantile(car, 0.5); }
    }

    static Path synthetic;

    @BeforeAll
    static void write(@TempDir Path tmp) throws Exception {
        synthetic = tmp;
        SyntheticKitti.write(tmp, 6, 21, null);
    }

    static double quantile(double[] v, double q) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.floor(q * s.length))];
    }

    static Readings readings(KittiDataset ds) throws Exception {
        java.util.ArrayList<Double> road = new java.util.ArrayList<>(), car = new java.util.ArrayList<>();
        for (String id : ds.ids()) {
            float[] p = ds.points(id).toFloatArray();
            int n = p.length / 4;
            for (int i = 0; i < n; i++) {
                double x = p[i * 4], y = p[i * 4 + 1], z = p[i * 4 + 2], r = Math.hypot(x, y);
                if (x > 0 && r > 5 && r < 40 && z < -1.45 && z > -2.0) road.add((double) p[i * 4 + 3]);
            }
            List<KittiObject> cars = ds.labels(id).stream().filter(o -> o.type().equals("Car")).toList();
            if (cars.isEmpty()) continue;
            float[] boxes = new float[cars.size() * 7];
            for (int k = 0; k < cars.size(); k++) {
                double[] b = ds.calib(id).boxesCameraToLidar(Tensor.of(cars.get(k).cameraBox(), 1, 7)).toDouble().toDoubleArray();
                for (int c = 0; c < 7; c++) boxes[k * 7 + c] = (float) b[c];
            }
            float[] xyz = new float[n * 3];
            for (int i = 0; i < n; i++) System.arraycopy(p, i * 4, xyz, i * 3, 3);
            for (int[] inBox : PointsInBoxes.pointsOfBoxes(Tensor.of(xyz, n, 3), Tensor.of(boxes, cars.size(), 7), 0f))
                for (int i : inBox) car.add((double) p[i * 4 + 3]);
        }
        return new Readings(road.stream().mapToDouble(Double::doubleValue).toArray(), car.stream().mapToDouble(Double::doubleValue).toArray());
    }

    @Test
    void roadReadsLikeKittiRoadAndCarsAreDarkWithBrightLamps() throws Exception {
        Readings s = readings(KittiDataset.open(synthetic, "trainval"));
        System.out.printf("synthetic intensity: road median %.2f (%d points), car median %.2f, car 90th percentile %.2f (%d points)%n", s.roadMedian(),
                s.road().length, s.carMedian(), quantile(s.car(), 0.9), s.car().length);
        assertTrue(s.road().length > 10_000 && s.car().length > 1_000, "enough road and car points");
        assertTrue(s.roadMedian() > 0.22 && s.roadMedian() < 0.34, "road median " + s.roadMedian());
        assertTrue(s.carMedian() < 0.15 && s.carMedian() < s.roadMedian(), "car median " + s.carMedian());
        assertTrue(quantile(s.car(), 0.9) > 0.25, "plates and lamps: car 90th percentile " + quantile(s.car(), 0.9));
    }

    @Test
    void syntheticMediansAgainstTheRealFrames() throws Exception {
        Path shared = SampleData.find("kitti").orElse(Path.of("kitti"));
        assumeTrue(Files.isDirectory(shared.resolve("training/velodyne")), SampleData.missing("kitti/training/velodyne"));
        Readings real = readings(KittiDataset.open(shared, "train")), s = readings(KittiDataset.open(synthetic, "trainval"));
        System.out.printf("intensity medians, real vs synthetic: road %.2f / %.2f, car %.2f / %.2f%n", real.roadMedian(), s.roadMedian(), real.carMedian(),
                s.carMedian());
        assertTrue(Math.abs(real.roadMedian() - s.roadMedian()) < 0.06, "road: real " + real.roadMedian() + ", synthetic " + s.roadMedian());
        assertTrue(Math.abs(real.carMedian() - s.carMedian()) < 0.1, "car: real " + real.carMedian() + ", synthetic " + s.carMedian());
        // in both worlds a car is darker than the road it stands on
        assertTrue(real.carMedian() < real.roadMedian() && s.carMedian() < s.roadMedian());
    }

    @Test
    void nuScenesStoresTheVelodyneReflectivityScale() {
        // diffuse readings as reflectance in percent, retro-reflectors above 100
        org.junit.jupiter.api.Assertions.assertEquals(0, SyntheticNuScenes.velodyneReflectivity(0));
        org.junit.jupiter.api.Assertions.assertEquals(14, SyntheticNuScenes.velodyneReflectivity(0.27));
        org.junit.jupiter.api.Assertions.assertEquals(28, SyntheticNuScenes.velodyneReflectivity(0.55));
        org.junit.jupiter.api.Assertions.assertEquals(101, SyntheticNuScenes.velodyneReflectivity(0.6));
        org.junit.jupiter.api.Assertions.assertEquals(255, SyntheticNuScenes.velodyneReflectivity(1.0));
    }

    /** The median stored intensity of road points (5-40 m, in the ground's height band) of a nuScenes-layout scan [N, 5]. */
    static double nuScenesRoadMedian(float[] v) {
        java.util.List<Double> road = new java.util.ArrayList<>();
        for (int i = 0; i < v.length / 5; i++) {
            double r = Math.hypot(v[i * 5], v[i * 5 + 1]), z = v[i * 5 + 2];
            if (r > 5 && r < 40 && z < -1.5 && z > -2.1) road.add((double) v[i * 5 + 3]);
        }
        return quantile(road.stream().mapToDouble(Double::doubleValue).toArray(), 0.5);
    }

    @Test
    void nuScenesRoadAgainstTheRealKeyFrame() throws Exception {
        SyntheticNuScenes.Plan plan = SyntheticNuScenes.scenePlan(3, 0, new SyntheticNuScenes.Config(1, 0, 60));
        double synthetic = nuScenesRoadMedian(SyntheticNuScenes.pcd(plan.scan(0)).toFloatArray());
        System.out.printf("synthetic nuScenes road intensity median %.0f%n", synthetic);
        assertTrue(synthetic >= 8 && synthetic <= 20, "synthetic nuScenes road median " + synthetic);
        Path samples = SampleData.find("nuscenes/samples/LIDAR_TOP").orElse(null);
        assumeTrue(samples != null, SampleData.missing("nuscenes/samples/LIDAR_TOP"));
        try (var files = Files.list(samples)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".pcd.bin")).toList()) {
                double real = nuScenesRoadMedian(fuse3d.data.nuscenes.LidarPointCloud.read(f).toFloatArray());
                System.out.printf("real nuScenes road intensity median %.0f (%s)%n", real, f.getFileName());
                assertTrue(Math.abs(real - synthetic) <= 6, "road: real " + real + ", synthetic " + synthetic);
            }
        }
    }
}
