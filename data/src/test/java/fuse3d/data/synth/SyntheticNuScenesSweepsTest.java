package fuse3d.data.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.data.nuscenes.CameraImages;
import fuse3d.data.nuscenes.LidarPointCloud;
import fuse3d.data.nuscenes.MultiSweep;
import fuse3d.data.nuscenes.NuScenesTables;
import fuse3d.data.nuscenes.RadarPointCloud;
import fuse3d.sparse.bev.Pose;
import fuse3d.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sweeps of every sensor in the synthetic nuScenes tables: per channel one prev/next chain in time order with
 * key frames under samples/ and sweeps under sweeps/, each capture attached to its nearest sample (the devkit's
 * semantics for non-key frames), sensor rates as on the car, and MultiSweep.radar accumulating the five previous
 * radar captures with positive time lags and ego motion taken out.
 */
class SyntheticNuScenesSweepsTest {
    static final long SEED = 1;
    /** Three key frames with the LiDAR's 20 Hz sweeps, radars, and tiny cameras with their 12 Hz sweeps. */
    static final SyntheticNuScenes.Config CFG = new SyntheticNuScenes.Config(3, 9, 60, 0.1, true, true);
    static final List<String> CHANNELS = new ArrayList<>();
    @TempDir
    static Path root;
    static NuScenesTables tables;
    static SyntheticNuScenes.Plan plan;

    @BeforeAll
    static void write() throws IOException {
        SyntheticNuScenes.write(root, 1, SEED, CFG, null);
        tables = NuScenesTables.load(root, SyntheticNuScenes.VERSION);
        plan = SyntheticNuScenes.scenePlan(SEED, 0, CFG);
        CHANNELS.clear();
        CHANNELS.add("LIDAR_TOP");
        for (NuScenesRig.CameraMount c : NuScenesRig.CAMERAS) CHANNELS.add(c.channel());
        for (NuScenesRig.RadarMount r : NuScenesRig.RADARS) CHANNELS.add(r.channel());
    }

    /** A channel's sample_data rows following next from the one without prev. */
    static List<NuScenesTables.SampleData> chain(String channel) {
        List<NuScenesTables.SampleData> rows = tables.sampleData().values().stream().filter(sd -> tables.channel(sd).equals(channel)).toList();
        List<NuScenesTables.SampleData> heads = rows.stream().filter(sd -> sd.prev().isEmpty()).toList();
        assertEquals(1, heads.size(), channel + ": one chain per scene");
        List<NuScenesTables.SampleData> out = new ArrayList<>();
        for (NuScenesTables.SampleData sd = heads.get(0); ; sd = tables.sampleData(sd.next())) {
            out.add(sd);
            if (sd.next().isEmpty()) break;
        }
        assertEquals(rows.size(), out.size(), channel + ": the chain reaches every row of the channel");
        return out;
    }

    @Test
    void everyChannelIsOneTimeOrderedChainWithKeyFramesInSamplesAndSweepsInSweeps() throws IOException {
        Map<String, Double> rateHz = new HashMap<>();
        for (String ch : CHANNELS) {
            List<NuScenesTables.SampleData> c = chain(ch);
            int keys = 0;
            for (int i = 0; i < c.size(); i++) {
                NuScenesTables.SampleData sd = c.get(i);
                if (i > 0) {
                    assertEquals(c.get(i - 1).token(), sd.prev(), ch + ": prev points back");
                    assertTrue(sd.timestamp() > c.get(i - 1).timestamp(), ch + ": time moves forward along next");
                }
                assertEquals(sd.timestamp(), tables.egoPose(sd.egoPoseToken()).timestamp(), ch + ": ego pose at the capture's own time");
                String folder = (sd.isKeyFrame() ? "samples/" : "sweeps/") + ch + "/";
                assertTrue(sd.filename().startsWith(folder), sd.filename() + " should lie under " + folder);
                assertTrue(Files.isRegularFile(root.resolve(sd.filename())), sd.filename());
                if (sd.isKeyFrame()) {
                    keys++;
                    assertEquals(sd.token(), tables.keyFrame(sd.sampleToken(), ch).token(), ch + ": the sample names its key frame");
                }
            }
            assertEquals(CFG.keyframes(), keys, ch + ": one key frame per sample");
            assertTrue(c.size() > 3 * CFG.keyframes(), ch + " has sweeps: " + c.size() + " captures");
            rateHz.put(ch, (c.size() - 1) / (1e-6 * (c.getLast().timestamp() - c.getFirst().timestamp())));
        }
        assertEquals(20, rateHz.get("LIDAR_TOP"), 0.1);
        for (NuScenesRig.CameraMount cam : NuScenesRig.CAMERAS) assertEquals(12, rateHz.get(cam.channel()), 0.1, cam.channel());
        for (NuScenesRig.RadarMount r : NuScenesRig.RADARS) assertEquals(13, rateHz.get(r.channel()), 0.1, r.channel());
        // camera key frames stay at the LiDAR's key-frame time; every key sample has all twelve channels
        for (NuScenesTables.Sample s : tables.samples().values()) {
            assertEquals(CHANNELS.size(), tables.sampleDataByChannel(s.token()).size());
            for (NuScenesRig.CameraMount cam : NuScenesRig.CAMERAS) assertEquals(s.timestamp(), tables.keyFrame(s.token(), cam.channel()).timestamp());
        }
    }

    @Test
    void everyCaptureIsAttachedToItsNearestSample() {
        List<NuScenesTables.Sample> samples = new ArrayList<>(tables.samples().values());
        int sweeps = 0, toEarlier = 0, toLater = 0;
        for (NuScenesTables.SampleData sd : tables.sampleData().values()) {
            long own = Math.abs(sd.timestamp() - tables.sample(sd.sampleToken()).timestamp());
            long best = samples.stream().mapToLong(s -> Math.abs(sd.timestamp() - s.timestamp())).min().orElseThrow();
            assertEquals(best, own, tables.channel(sd) + " capture at " + sd.timestamp() + " is attached to a sample that is not the nearest");
            if (sd.isKeyFrame()) continue;
            sweeps++;
            if (sd.timestamp() > tables.sample(sd.sampleToken()).timestamp()) toEarlier++;
            else toLater++;
        }
        // sweeps on both sides of a sample: after it (attached back) and before it (attached forward)
        assertTrue(sweeps > 100 && toEarlier > 10 && toLater > 10, "sweeps " + sweeps + ": " + toEarlier + " after, " + toLater + " before their sample");
    }

    @Test
    void sweepFilesReadBackWithTheirSizes() throws IOException {
        for (NuScenesRig.CameraMount cam : NuScenesRig.CAMERAS) {
            NuScenesTables.SampleData sd = chain(cam.channel()).get(1);
            assertFalse(sd.isKeyFrame());
            BufferedImage img = CameraImages.read(root.resolve(sd.filename()));
            assertEquals(160, sd.width());
            assertEquals(90, sd.height());
            assertEquals(sd.width(), img.getWidth());
            assertEquals(sd.height(), img.getHeight());
        }
        for (NuScenesRig.RadarMount r : NuScenesRig.RADARS) {
            NuScenesTables.SampleData sd = chain(r.channel()).get(1);
            assertEquals(18, RadarPointCloud.read(root.resolve(sd.filename())).size(1));
        }
        assertTrue(LidarPointCloud.read(root.resolve(chain("LIDAR_TOP").get(1).filename())).size(0) > 10_000);
    }

    @Test
    void radarMultiSweepAccumulatesFivePreviousCapturesWithEgoMotionCompensated() throws IOException {
        NuScenesTables.Sample last = tables.samplesOfScene(tables.scenes().keySet().iterator().next()).getLast();
        int keyReading = CFG.keyframes() * (CFG.sweepsBetween() + 1) - 1;
        Pose lidarRefToScene = plan.lidarToScene(keyReading);
        int staticPoints = 0, oldStaticPoints = 0;
        double worstCompensated = 0, naiveOldSum = 0;
        for (int r = 0; r < NuScenesRig.RADARS.size(); r++) {
            NuScenesRig.RadarMount radar = NuScenesRig.RADARS.get(r);
            List<SyntheticNuScenes.Capture> caps = plan.radarCaptures(r);
            SyntheticNuScenes.Capture key = SyntheticNuScenes.keyCapture(caps, CFG.keyframes() - 1);
            // the key frame and the five captures before it, newest first, with their time lags
            Map<Long, SyntheticNuScenes.Capture> byLagMicros = new HashMap<>();
            NuScenesTables.SampleData sd = tables.keyFrame(last.token(), radar.channel());
            for (int j = 0; j < 6; j++, sd = tables.sampleData(sd.prev())) {
                SyntheticNuScenes.Capture cap = caps.get(key.index() - j);
                assertEquals(plan.timestampAt(cap.micros()), sd.timestamp());
                long lag = last.timestamp() - sd.timestamp();
                if (j > 0) assertTrue(lag > 0, radar.channel() + ": sweep " + j + " lag " + lag + " us");
                byLagMicros.put(lag, cap);
            }
            Tensor acc = MultiSweep.radar(tables, root, last.token(), radar.channel(), "LIDAR_TOP", 6, false);
            float[] v = acc.toFloatArray();
            TreeSet<Long> seenLags = new TreeSet<>();
            for (int i = 0; i < acc.size(0); i++) {
                int o = i * 19;
                long lag = Math.round(v[o + 18] * 1e6);
                SyntheticNuScenes.Capture cap = byLagMicros.entrySet().stream().min(Comparator.comparingLong(e -> Math.abs(e.getKey() - lag)))
                        .orElseThrow().getValue();
                assertTrue(Math.abs(plan.timestampAt(cap.micros()) - (last.timestamp() - lag)) <= 1, "lag " + lag + " names one of the six captures");
                seenLags.add(cap.micros());
                // the return's object, through its cluster id (its index in the capture's scan)
                Radar.RadarScan scan = plan.radarScan(cap, radar);
                int id = scan.objectIds()[(int) v[o + 4]];
                if (id < 0 || plan.moving(id)) continue;
                SceneObject obj = plan.world().objects().get(id);
                double[] q = lidarRefToScene.apply(v[o], v[o + 1], v[o + 2]);
                float[] raw = scan.returns();
                int ri = (int) v[o + 4] * 18;
                double range = Math.hypot(raw[ri], raw[ri + 1]);
                double bound = 3 * Radar.SIGMA_RANGE + range * Math.toRadians(3 * Radar.SIGMA_AZIMUTH_DEG) + 2e-3;
                double d = obj.surfaceDistance(q[0], q[1], q[2]);
                worstCompensated = Math.max(worstCompensated, d - bound);
                assertTrue(d <= bound, radar.channel() + ": a compensated return of static object " + id + " is " + d + " m off its surface (bound "
                        + bound + ")");
                staticPoints++;
                if (lag > 200_000) {
                    // the same return placed as if the ego had not moved since: off by the ego's travel
                    double[] n = radar.toEgo().then(plan.egoToSceneAt(plan.cfg().keyMicros(CFG.keyframes() - 1))).apply(raw[ri], raw[ri + 1], raw[ri + 2]);
                    naiveOldSum += obj.surfaceDistance(n[0], n[1], n[2]);
                    oldStaticPoints++;
                }
            }
            assertTrue(seenLags.size() >= 4, radar.channel() + ": returns from " + seenLags.size() + " of the six captures");
        }
        assertTrue(staticPoints > 30 && oldStaticPoints > 10, "static returns " + staticPoints + ", older than 0.2 s " + oldStaticPoints);
        // the ego drives 3-8 m/s: uncompensated, returns older than 0.2 s sit half a metre or more off their surfaces
        assertTrue(naiveOldSum / oldStaticPoints > 0.3, "mean uncompensated offset " + naiveOldSum / oldStaticPoints + " m");
    }
}
