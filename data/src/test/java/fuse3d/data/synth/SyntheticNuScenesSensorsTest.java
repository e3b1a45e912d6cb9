package fuse3d.data.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.data.nuscenes.CameraImages;
import fuse3d.data.nuscenes.MultiSweep;
import fuse3d.data.nuscenes.NuScenesTables;
import fuse3d.data.nuscenes.RadarPointCloud;
import fuse3d.data.nuscenes.LidarPointCloud;
import fuse3d.sparse.bev.Pose;
import fuse3d.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cameras and radars of the synthetic nuScenes writer: their tables load, images have the stated size, LiDAR
 * points project through the written calibration onto their object's pixels, radar returns lie on object surfaces
 * with the right Doppler, and MultiSweep reads the radar files.
 */
class SyntheticNuScenesSensorsTest {
    /** Two key frames, one sweep between; cameras at 800x450. */
    static final SyntheticNuScenes.Config CFG = new SyntheticNuScenes.Config(2, 1, 60, 0.5, true);
    /** Radar returns the Doppler test needs on moving and on still objects (over the key frames' scans). */
    static final int MIN_MOVING_RETURNS = 6, MIN_STILL_RETURNS = 21;
    /**
     * The first seed whose key-frame radar scans meet moving and still objects often enough for the Doppler test,
     * found rather than fixed, so that a change to the world's shapes does not silently starve the test.
     */
    static final long SEED = seedWithMovingReturns();
    @TempDir
    static Path root;
    static NuScenesTables tables;
    static SyntheticNuScenes.Plan plan;

    @BeforeAll
    static void write() throws IOException {
        SyntheticNuScenes.write(root, 1, SEED, CFG, null);
        tables = NuScenesTables.load(root, SyntheticNuScenes.VERSION);
        plan = SyntheticNuScenes.scenePlan(SEED, 0, CFG);
    }

    static long seedWithMovingReturns() {
        for (long seed = 1; seed <= 64; seed++) {
            SyntheticNuScenes.Plan p = SyntheticNuScenes.scenePlan(seed, 0, CFG);
            int moving = 0, still = 0;
            for (int k = 0; k < CFG.keyframes(); k++)
                for (int r = 0; r < NuScenesRig.RADARS.size(); r++) {
                    Radar.RadarScan scan = p.radarScan(SyntheticNuScenes.keyCapture(p.radarCaptures(r), k), NuScenesRig.RADARS.get(r));
                    for (int id : scan.objectIds())
                        if (id >= 0) {
                            if (p.moving(id)) moving++;
                            else still++;
                        }
                }
            if (moving >= MIN_MOVING_RETURNS && still >= MIN_STILL_RETURNS) return seed;
        }
        throw new IllegalStateException("no seed in 1..64 gives the radars " + MIN_MOVING_RETURNS + " returns on moving objects");
    }

    /** The reading of key frame k. */
    static int reading(int k) { return k * (CFG.sweepsBetween() + 1) + CFG.sweepsBetween(); }

    static List<NuScenesTables.Sample> samples() { return tables.samplesOfScene(tables.scenes().keySet().iterator().next()); }

    @Test
    void everyCameraHasAnImageOfTheStatedSizeAndScaledIntrinsics() throws IOException {
        int images = 0;
        for (NuScenesTables.Sample s : samples())
            for (NuScenesRig.CameraMount cam : NuScenesRig.CAMERAS) {
                NuScenesTables.SampleData sd = tables.keyFrame(s.token(), cam.channel());
                assertEquals("jpg", sd.fileformat());
                assertEquals(800, sd.width());
                assertEquals(450, sd.height());
                assertEquals(s.timestamp(), sd.timestamp());
                BufferedImage img = CameraImages.read(root.resolve(sd.filename()));
                assertEquals(sd.width(), img.getWidth(), sd.filename());
                assertEquals(sd.height(), img.getHeight(), sd.filename());
                double[][] k = tables.calibratedSensor(sd.calibratedSensorToken()).cameraIntrinsic();
                assertEquals(cam.f() / 2, k[0][0], 1e-9);
                assertEquals(cam.cu() / 2, k[0][2], 1e-9);
                assertEquals("camera", tables.sensors().get(tables.calibratedSensor(sd.calibratedSensorToken()).sensorToken()).modality());
                images++;
            }
        assertEquals(CFG.keyframes() * 6, images);
    }

    @Test
    void lidarPointsOfObjectsProjectOntoTheirPixelsThroughTheTables() throws IOException {
        int tried = 0, matched = 0;
        List<SceneObject> objects = plan.world().objects();
        List<NuScenesTables.Sample> samples = samples();
        for (int k = 0; k < samples.size(); k++) {
            NuScenesTables.SampleData lidarSd = tables.keyFrame(samples.get(k).token(), "LIDAR_TOP");
            Tensor pts = LidarPointCloud.read(root.resolve(lidarSd.filename()));
            Lidar.LidarScan scan = plan.scan(reading(k));
            assertEquals(scan.size(), pts.size(0), "the file holds the plan's scan");
            float[] p = pts.toFloatArray();
            Pose lidarToGlobal = tables.sensorPose(lidarSd).sensorToGlobal();
            for (NuScenesRig.CameraMount cam : NuScenesRig.CAMERAS) {
                NuScenesTables.SampleData camSd = tables.keyFrame(samples.get(k).token(), cam.channel());
                double[][] K = tables.calibratedSensor(camSd.calibratedSensorToken()).cameraIntrinsic();
                double[] m = lidarToGlobal.then(tables.sensorPose(camSd).sensorToGlobal().inverse()).rowMajor();
                Camera.Image img = plan.render(SyntheticNuScenes.keyCapture(plan.cameraCaptures(), k), cam);
                for (int i = 0; i < scan.size(); i++) {
                    int id = scan.objectIds()[i];
                    if (id < 0 || !objects.get(id).annotated()) continue;
                    double x = p[i * 5], y = p[i * 5 + 1], z = p[i * 5 + 2];
                    double cx = m[0] * x + m[1] * y + m[2] * z + m[3], cy = m[4] * x + m[5] * y + m[6] * z + m[7], cz = m[8] * x + m[9] * y + m[10] * z + m[11];
                    if (cz < 0.5) continue;
                    int col = (int) Math.round(K[0][0] * cx / cz + K[0][2]), row = (int) Math.round(K[1][1] * cy / cz + K[1][2]);
                    if (col < 0 || row < 0 || col >= img.width() || row >= img.height()) continue;
                    tried++;
                    if (img.objectId(col, row) == id) matched++;
                }
            }
        }
        assertTrue(tried > 500, "projected object points: " + tried);
        assertTrue(matched > 0.85 * tried, "points on their object's pixels: " + matched + " of " + tried);
    }

    /** Every radar return of both key frames, with its scan, file and poses. */
    interface RadarVisitor {
        void visit(int k, SyntheticNuScenes.Capture cap, NuScenesRig.RadarMount radar, Radar.RadarScan scan, float[] file, Pose sensorToGlobal,
                   NuScenesTables.SampleData sd);
    }

    static void eachRadar(RadarVisitor v) throws IOException {
        List<NuScenesTables.Sample> samples = samples();
        for (int k = 0; k < samples.size(); k++)
            for (int r = 0; r < NuScenesRig.RADARS.size(); r++) {
                NuScenesRig.RadarMount radar = NuScenesRig.RADARS.get(r);
                NuScenesTables.SampleData sd = tables.keyFrame(samples.get(k).token(), radar.channel());
                SyntheticNuScenes.Capture cap = SyntheticNuScenes.keyCapture(plan.radarCaptures(r), k);
                Radar.RadarScan scan = plan.radarScan(cap, radar);
                float[] file = RadarPointCloud.read(root.resolve(sd.filename())).toFloatArray();
                v.visit(k, cap, radar, scan, file, tables.sensorPose(sd).sensorToGlobal(), sd);
            }
    }

    @Test
    void radarReturnsLieNearObjectSurfaces() throws IOException {
        int[] onObjects = {0}, clutter = {0};
        Pose globalToScene = plan.sceneToGlobal().inverse();
        eachRadar((k, cap, radar, scan, file, toGlobal, sd) -> {
            assertArrayEquals(scan.returns(), file, "the file holds the plan's scan: " + sd.filename());
            Scene scene = plan.sceneAtMicros(cap.micros());
            double[] m = toGlobal.then(globalToScene).rowMajor();
            for (int i = 0; i < scan.size(); i++) {
                int id = scan.objectIds()[i];
                if (id == Radar.CLUTTER) {
                    clutter[0]++;
                    continue;
                }
                double x = file[i * 18], y = file[i * 18 + 1], z = file[i * 18 + 2];
                assertEquals(0, z);
                double range = Math.hypot(x, y);
                double sx = m[0] * x + m[1] * y + m[3], sy = m[4] * x + m[5] * y + m[7], sz = m[8] * x + m[9] * y + m[11];
                double bound = 3 * Radar.SIGMA_RANGE + range * Math.toRadians(3 * Radar.SIGMA_AZIMUTH_DEG) + 1e-3;
                double d = scene.objects().get(id).surfaceDistance(sx, sy, sz);
                assertTrue(d <= bound, radar.channel() + " return " + i + " on object " + id + " is " + d + " m off its surface (bound " + bound + ")");
                onObjects[0]++;
            }
        });
        assertTrue(onObjects[0] > 20, "returns on objects: " + onObjects[0]);
    }

    @Test
    void dopplerMatchesTheVelocityProjectedOnTheRay() throws IOException {
        int[] moving = {0}, still = {0};
        List<NuScenesTables.Sample> samples = samples();
        eachRadar((k, cap, radar, scan, file, toGlobal, sd) -> {
            // the ego's global velocity from the LiDAR's ego poses around the key frame (what the tables say)
            NuScenesTables.SampleData lidar = tables.keyFrame(samples.get(k).token(), "LIDAR_TOP");
            NuScenesTables.SampleData prev = tables.sampleData(lidar.prev());
            double[] a = tables.egoPose(prev.egoPoseToken()).translation(), b = tables.egoPose(lidar.egoPoseToken()).translation();
            double dt = 1e-6 * (lidar.timestamp() - prev.timestamp());
            double[] ego = {(b[0] - a[0]) / dt, (b[1] - a[1]) / dt, (b[2] - a[2]) / dt};
            double[] r = toGlobal.rotation();
            for (int i = 0; i < scan.size(); i++) {
                int id = scan.objectIds()[i];
                if (id < 0) continue;
                int o = i * 18;
                double range = Math.hypot(file[o], file[o + 1]), ux = file[o] / range, uy = file[o + 1] / range;
                // the ray in the global frame, and the object's global velocity on it
                double gx = r[0] * ux + r[1] * uy, gy = r[3] * ux + r[4] * uy, gz = r[6] * ux + r[7] * uy;
                double[] v = plan.globalVelocity(id);
                double speed = Math.hypot(v[0], v[1]);
                double tol = 3 * Radar.SIGMA_VELOCITY + (speed + 10) * Math.toRadians(3 * Radar.SIGMA_AZIMUTH_DEG) + 1e-3;
                double comp = file[o + 8] * ux + file[o + 9] * uy, raw = file[o + 6] * ux + file[o + 7] * uy;
                // velocities are vectors along the ray
                assertEquals(0, file[o + 8] * uy - file[o + 9] * ux, 1e-4);
                assertEquals(0, file[o + 6] * uy - file[o + 7] * ux, 1e-4);
                double want = v[0] * gx + v[1] * gy;
                assertEquals(want, comp, tol, radar.channel() + " return " + i + " on object " + id + " (speed " + speed + ")");
                assertEquals(want - (ego[0] * gx + ego[1] * gy + ego[2] * gz), raw, tol + 0.05, radar.channel() + " raw Doppler of return " + i);
                if (plan.moving(id)) moving[0]++;
                else still[0]++;
            }
        });
        assertTrue(moving[0] >= MIN_MOVING_RETURNS && still[0] >= MIN_STILL_RETURNS, "returns on moving / still objects: " + moving[0] + " / " + still[0]);
    }

    @Test
    void multiSweepReadsTheRadarAndNumRadarPtsIsCounted() throws IOException {
        List<NuScenesTables.Sample> samples = samples();
        NuScenesTables.Sample last = samples.get(samples.size() - 1);
        int total = 0;
        for (NuScenesRig.RadarMount radar : NuScenesRig.RADARS) {
            Tensor all = MultiSweep.radar(tables, root, last.token(), radar.channel(), "LIDAR_TOP", 2, false);
            assertEquals(19, all.size(1));
            int n = all.size(0);
            float[] v = all.toFloatArray();
            // the key frame and the capture before it, as the prev chain gives them
            NuScenesTables.SampleData key = tables.keyFrame(last.token(), radar.channel()), prev = tables.sampleData(key.prev());
            int expect = 0;
            for (NuScenesTables.SampleData sd : List.of(key, prev)) {
                Tensor f = RadarPointCloud.read(root.resolve(sd.filename()), RadarPointCloud.Filter.defaults());
                float[] fv = f.toFloatArray();
                for (int i = 0; i < f.size(0); i++) if (Math.abs(fv[i * 18]) >= 1 || Math.abs(fv[i * 18 + 1]) >= 1) expect++;
            }
            assertEquals(expect, n, radar.channel());
            float keyLag = 1e-6f * (last.timestamp() - key.timestamp()), prevLag = 1e-6f * (last.timestamp() - prev.timestamp());
            assertTrue(Math.abs(keyLag) <= 0.5e-6f * SyntheticNuScenes.RADAR_PERIOD_MICROS + 1e-6f, "the key frame is within half a period: " + keyLag);
            for (int i = 0; i < n; i++) {
                float lag = v[i * 19 + 18];
                assertTrue(Math.abs(lag - keyLag) < 1e-6 || Math.abs(lag - prevLag) < 1e-6, "time lag " + lag);
                // radar height in the LiDAR frame: the radars sit 1.06 to 1.34 m below LIDAR_TOP
                assertTrue(v[i * 19 + 2] < -0.9 && v[i * 19 + 2] > -1.5, "z " + v[i * 19 + 2]);
            }
            total += n;
        }
        assertTrue(total > 20, "radar returns over two captures: " + total);
        int counted = tables.sampleAnnotations().values().stream().mapToInt(NuScenesTables.SampleAnnotation::numRadarPts).sum();
        assertTrue(counted > 5, "num_radar_pts in all: " + counted);
    }
}
