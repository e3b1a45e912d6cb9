package fuse3d.data.nuscenes;

import fuse3d.sparse.bev.Pose;
import fuse3d.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test fixture, not real data: a tiny self-consistent nuScenes v1.0 table set, generated in code. One scene of three
 * key frames 0.5 s apart; the ego drives along +x at 10 m/s while turning slowly; LIDAR_TOP and RADAR_FRONT each have
 * two sweeps between key frames (every reading with its own ego pose). Annotations: a car moving at 5 m/s in +x in
 * all three samples, a pedestrian in one sample (no velocity), a barrier, a bicycle inside a bicycle rack, an animal
 * (not a detection class) and a car with zero points.
 *
 * <p>Every LiDAR reading sees the same two static world points (so accumulated sweeps must put them on top of each
 * other) plus one point 0.5 m from the sensor (dropped by the minimum distance); every radar reading one valid return
 * at a static world point and one invalid return.
 */
final class SyntheticTables {
    private SyntheticTables() {}

    static final String SCENE = "scene-0001";
    static final long T0 = 1_532_402_927_000_000L;
    static final double[][] WORLD_POINTS = {{420.0, 1190.0, 1.5}, {405.0, 1185.0, 0.8}};
    static final double[] RADAR_WORLD_POINT = {440.0, 1180.0, 0.5};
    static final double SPEED = 10.0, YAW_RATE = 0.05;

    static String sampleToken(int k) { return "sample" + k; }

    /** Ego pose at time t (s after T0): position along the curved path, heading = YAW_RATE * t. */
    static Pose ego(double t) {
        double yaw = 0.3 + YAW_RATE * t;
        return Pose.rotationZ(yaw).then(Pose.translation(400 + SPEED * t, 1180 + 0.5 * t, 0));
    }

    static final Pose LIDAR_TO_EGO = Pose.fromQuaternion(new double[] {0.7071068, 0, 0, 0.7071068}, new double[] {0.94, 0.0, 1.84});
    static final Pose RADAR_TO_EGO = Pose.fromQuaternion(new double[] {0.9998, 0, 0, 0.02}, new double[] {3.41, 0.0, 0.5});

    /** Builds the tables and writes them, with the point-cloud files, under {@code root} (version {@code v1.0-synthetic}). */
    static NuScenesTables write(Path root) throws IOException {
        List<NuScenesTables.Category> cats = List.of(
                new NuScenesTables.Category("cat-car", "vehicle.car", "cars"),
                new NuScenesTables.Category("cat-ped", "human.pedestrian.adult", "adults"),
                new NuScenesTables.Category("cat-bar", "movable_object.barrier", "barriers"),
                new NuScenesTables.Category("cat-bic", "vehicle.bicycle", "bicycles"),
                new NuScenesTables.Category("cat-rack", "static_object.bicycle_rack", "racks"),
                new NuScenesTables.Category("cat-ani", "animal", "animals"));
        List<NuScenesTables.Attribute> attrs = List.of(
                new NuScenesTables.Attribute("att-moving", "vehicle.moving", ""),
                new NuScenesTables.Attribute("att-parked", "vehicle.parked", ""),
                new NuScenesTables.Attribute("att-standing", "pedestrian.standing", ""),
                new NuScenesTables.Attribute("att-norider", "cycle.without_rider", ""));
        List<NuScenesTables.Visibility> vis = List.of(new NuScenesTables.Visibility("4", "v80-100", "visible"));
        List<NuScenesTables.Sensor> sensors = List.of(new NuScenesTables.Sensor("sen-lidar", "LIDAR_TOP", "lidar"),
                new NuScenesTables.Sensor("sen-radar", "RADAR_FRONT", "radar"), new NuScenesTables.Sensor("sen-cam", "CAM_FRONT", "camera"));
        List<NuScenesTables.CalibratedSensor> cal = List.of(
                new NuScenesTables.CalibratedSensor("cs-lidar", "sen-lidar", LIDAR_TO_EGO.translationVector(), LIDAR_TO_EGO.quaternion(), new double[0][]),
                new NuScenesTables.CalibratedSensor("cs-radar", "sen-radar", RADAR_TO_EGO.translationVector(), RADAR_TO_EGO.quaternion(), new double[0][]),
                new NuScenesTables.CalibratedSensor("cs-cam", "sen-cam", new double[] {1.7, 0, 1.5}, new double[] {0.5, -0.5, 0.5, -0.5},
                        new double[][] {{1266.4, 0, 816.3}, {0, 1266.4, 491.5}, {0, 0, 1}}));
        List<NuScenesTables.Log> logs = List.of(new NuScenesTables.Log("log0", "synthetic-log", "none", "2018-07-24", "nowhere"));
        List<NuScenesTables.Scene> scenes = List.of(new NuScenesTables.Scene("scene0", "log0", 3, "sample0", "sample2", SCENE, "fixture"));
        List<NuScenesTables.Sample> samples = new ArrayList<>();
        for (int k = 0; k < 3; k++)
            samples.add(new NuScenesTables.Sample(sampleToken(k), T0 + k * 500_000L, k == 0 ? "" : sampleToken(k - 1), k == 2 ? "" : sampleToken(k + 1), "scene0"));

        List<NuScenesTables.EgoPose> poses = new ArrayList<>();
        List<NuScenesTables.SampleData> sds = new ArrayList<>();
        // Readings every 1/6 s; every third one is a key frame. Radar readings are offset by 10 ms.
        for (String ch : List.of("LIDAR_TOP", "RADAR_FRONT")) {
            boolean lidar = ch.equals("LIDAR_TOP");
            int count = 7; // readings 0..6; key frames at 0, 3, 6 -> samples 0, 1, 2
            for (int r = 0; r < count; r++) {
                long ts = T0 + r * 500_000L / 3 + (lidar ? 0 : 10_000);
                String tok = ch + "-" + r;
                double t = (ts - T0) * 1e-6;
                Pose ep = ego(t);
                poses.add(new NuScenesTables.EgoPose("ep-" + tok, ts, ep.quaternion(), ep.translationVector()));
                boolean key = r % 3 == 0;
                int sampleIdx = Math.min(2, (r + 2) / 3);
                String file = (key ? "samples/" : "sweeps/") + ch + "/" + tok + (lidar ? ".pcd.bin" : ".pcd");
                sds.add(new NuScenesTables.SampleData(tok, sampleToken(sampleIdx), "ep-" + tok, lidar ? "cs-lidar" : "cs-radar", ts, lidar ? "pcd" : "pcd",
                        key, 0, 0, file, r == 0 ? "" : ch + "-" + (r - 1), r == count - 1 ? "" : ch + "-" + (r + 1)));
                Pose globalToSensor = (lidar ? LIDAR_TO_EGO : RADAR_TO_EGO).then(ep).inverse();
                if (lidar) {
                    float[] v = new float[3 * 5];
                    for (int p = 0; p < 2; p++) {
                        double[] s = globalToSensor.apply(WORLD_POINTS[p][0], WORLD_POINTS[p][1], WORLD_POINTS[p][2]);
                        v[p * 5] = (float) s[0];
                        v[p * 5 + 1] = (float) s[1];
                        v[p * 5 + 2] = (float) s[2];
                        v[p * 5 + 3] = 10 * (p + 1);
                        v[p * 5 + 4] = p;
                    }
                    v[10] = 0.5f;
                    v[11] = 0.5f;
                    v[12] = 0.1f;
                    v[13] = 99;
                    v[14] = 31;
                    LidarPointCloud.write(root.resolve(file), Tensor.of(v, 3, 5));
                } else {
                    double[] s = globalToSensor.apply(RADAR_WORLD_POINT[0], RADAR_WORLD_POINT[1], RADAR_WORLD_POINT[2]);
                    float[] v = new float[2 * 18];
                    v[0] = (float) s[0];
                    v[1] = (float) s[1];
                    v[2] = (float) s[2];
                    v[3] = 1; // stationary
                    v[4] = r;
                    v[5] = 7.5f;
                    v[6] = 1.0f; // vx
                    v[7] = 0.0f;
                    v[8] = 0.5f; // vx_comp
                    v[9] = 0.0f;
                    v[11] = 3; // ambig unambiguous
                    v[14] = 0; // valid
                    // an invalid return (invalid_state 1), dropped by the default filter
                    v[18] = 30;
                    v[19] = 5;
                    v[21] = 0;
                    v[29] = 3;
                    v[32] = 1;
                    RadarPointCloud.write(root.resolve(file), Tensor.of(v, 2, 18));
                }
            }
        }
        // annotations
        List<NuScenesTables.Instance> inst = List.of(
                new NuScenesTables.Instance("inst-car", "cat-car", 3, "ann-car-0", "ann-car-2"),
                new NuScenesTables.Instance("inst-ped", "cat-ped", 1, "ann-ped", "ann-ped"),
                new NuScenesTables.Instance("inst-bar", "cat-bar", 1, "ann-bar", "ann-bar"),
                new NuScenesTables.Instance("inst-bic", "cat-bic", 1, "ann-bic", "ann-bic"),
                new NuScenesTables.Instance("inst-rack", "cat-rack", 1, "ann-rack", "ann-rack"),
                new NuScenesTables.Instance("inst-ani", "cat-ani", 1, "ann-ani", "ann-ani"),
                new NuScenesTables.Instance("inst-empty", "cat-car", 1, "ann-empty", "ann-empty"));
        List<NuScenesTables.SampleAnnotation> anns = new ArrayList<>();
        double[] q0 = DetectionBox.yawQuaternion(0.2);
        for (int k = 0; k < 3; k++)
            anns.add(new NuScenesTables.SampleAnnotation("ann-car-" + k, sampleToken(k), "inst-car", "4", List.of("att-moving"),
                    new double[] {410 + 2.5 * k, 1185, 1.0}, new double[] {1.9, 4.6, 1.7}, q0, k == 0 ? "" : "ann-car-" + (k - 1),
                    k == 2 ? "" : "ann-car-" + (k + 1), 120, 3));
        anns.add(new NuScenesTables.SampleAnnotation("ann-ped", "sample1", "inst-ped", "4", List.of("att-standing"), new double[] {412, 1178, 0.9},
                new double[] {0.7, 0.7, 1.8}, q0, "", "", 15, 0));
        anns.add(new NuScenesTables.SampleAnnotation("ann-bar", "sample1", "inst-bar", "4", List.of(), new double[] {402, 1190, 0.5},
                new double[] {2.5, 0.5, 1.0}, q0, "", "", 40, 0));
        anns.add(new NuScenesTables.SampleAnnotation("ann-bic", "sample1", "inst-bic", "4", List.of("att-norider"), new double[] {415, 1175, 0.6},
                new double[] {0.6, 1.7, 1.3}, q0, "", "", 8, 0));
        anns.add(new NuScenesTables.SampleAnnotation("ann-rack", "sample1", "inst-rack", "4", List.of(), new double[] {415.2, 1175.1, 0.6},
                new double[] {3.0, 6.0, 2.0}, q0, "", "", 30, 0));
        anns.add(new NuScenesTables.SampleAnnotation("ann-ani", "sample1", "inst-ani", "4", List.of(), new double[] {420, 1170, 0.3},
                new double[] {0.5, 1.0, 0.6}, q0, "", "", 5, 0));
        anns.add(new NuScenesTables.SampleAnnotation("ann-empty", "sample1", "inst-empty", "4", List.of("att-parked"), new double[] {425, 1190, 1},
                new double[] {1.9, 4.6, 1.7}, q0, "", "", 0, 0));
        NuScenesTables t = NuScenesTables.of(cats, attrs, vis, inst, sensors, cal, poses, logs, scenes, samples, sds, anns);
        t.write(root, "v1.0-synthetic");
        return t;
    }
}
